"""Selection-center offers, promoters' carts and orders made through the real services."""

from decimal import Decimal

from django.db.models import Sum

from promotions.services import live as live_services
from promotions.services.selection import offer_create
from shop.models import StoreAccount, StoreAccountEntry
from tests.promotions.live_factories import selling_session


def offer(product, rate="0.20"):
    return offer_create(store=product.store, product_id=product.pk, rate=Decimal(rate),
                        actor=product.store.merchant)


def promoter_session(promoter_store, *products):
    """A promoter's live session selling `products` (other stores' offered ones)."""
    return selling_session(promoter_store, *products, title="带货直播")


def add_to_cart(session, product):
    return live_services.live_cart_add(session=session, product_id=product.pk,
                                       actor=session.store.merchant)


def balance(store) -> Decimal:
    account = StoreAccount.objects.filter(store=store).first()
    return account.balance if account else Decimal("0.00")


def entries(store, kind=None):
    qs = StoreAccountEntry.objects.filter(account__store=store)
    return qs.filter(kind=kind) if kind else qs


def assert_ledgers_balanced(*stores):
    """Each account's balance is the sum of its entries, and each entry's balance_after
    the running sum."""
    for store in stores:
        account = StoreAccount.objects.filter(store=store).first()
        if account is None:
            continue
        total = entries(store).aggregate(total=Sum("amount"))["total"] or Decimal("0")
        assert account.balance == total, (store, account.balance, total)
        running = Decimal("0.00")
        for entry in entries(store).order_by("pk"):
            running += entry.amount
            assert entry.balance_after == running
