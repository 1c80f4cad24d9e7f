"""Lightning purchase (闪电购) made through the real services: an eligible store, its switch
on, a live session selling, quick listings."""

from datetime import timedelta

from django.utils import timezone

from compliance.models import Category
from promotions.services import lightning as services
from tests.factories import StoreFactory
from tests.promotions.live_factories import png, selling_session

CLOTHING = "apparel.womens.tshirts"
JADE = "jewelry.jade.hetian_jade"
NOT_LIGHTNING = "beauty.oral.toothbrushes"  # open for sale, not for lightning purchase
NEEDS_QUALIFICATION = "home.decor.lamps"  # lightning open, needs a CCC certificate


def load_reference_data():
    """The seeded category tree (with its lightning flags) and the screening rules."""
    from compliance import loaders
    from compliance.screening.runtime import forget_compiled

    loaders.load_categories()
    loaders.load_screening_rules()
    forget_compiled()


def category(code) -> Category:
    return Category.objects.get(code=code)


def deposit_paid(store):
    """Pay what the store's deposit asks now, through the real pay-in (once evaluated)."""
    from payments.services import sandbox_pay
    from shop.models import DepositAccount, DepositPayIn
    from shop.services.deposits import deposit_evaluate, deposit_payin_start

    deposit_evaluate(store=store)
    account = DepositAccount.objects.get(store=store, kind=DepositAccount.Kind.STORE)
    missing = account.required_amount - account.balance
    if missing > 0:
        payin, _info = deposit_payin_start(store=store, kind=account.kind, amount=missing,
                                           actor=store.merchant,
                                           token=f"deposit-{store.pk}-{account.balance}")
        if payin.status == DepositPayIn.Status.PENDING:
            sandbox_pay(payin)
    return store


def eligible_store(merchant, *, days=60, **kw):
    """A store open long enough, its deposit paid, nothing restricted, full credit score."""
    return deposit_paid(StoreFactory(merchant=merchant,
                                     opened_at=timezone.now() - timedelta(days=days), **kw))


def switched_on(store):
    services.lightning_switch_set(store=store, enabled=True, actor=store.merchant)
    return store


def lightning_session(store):
    """The store switched on and live, selling in the session."""
    switched_on(store)
    return selling_session(store)


def quick_listing(session, *, title="现场新款T恤", code=CLOTHING, price="39.90", stock=5,
                  photo=None):
    return services.lightning_listing_create(
        session=session, actor=session.store.merchant, title=title,
        category_id=category(code).pk, price=price, stock=stock,
        photo=photo if photo is not None else png("photo.png"))
