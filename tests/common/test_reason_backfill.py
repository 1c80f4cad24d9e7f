"""The data migrations turn reasons stored as text — in Chinese or in English, whichever
was active when they were written — into codes with parameters; what a person typed
stays as written."""

import importlib
from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from compliance.models import QualificationEvent
from disputes.models import AfterSaleEvent
from payments.models import PaymentEvent
from payments.services import payment_start
from shop.models import DepositAccount, DepositEntry, StoreAccount, StoreAccountEntry, StoreEvent
from shop.services.deposits import deposit_accounts_open
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def _migrate(app: str, name: str) -> None:
    """Run the migration's forward function on the models as they are at that migration."""
    state = MigrationExecutor(connection).loader.project_state((app, name), at_end=True)
    importlib.import_module(f"{app}.migrations.{name}").forwards(state.apps, None)


def _zh(text):
    with override("zh-hans"):
        return str(text)


def _en(text):
    with override("en"):
        return str(text)


def _codes(model, **filters):
    return list(model.objects.filter(**filters).order_by("pk")
                .values_list("reason_code", "reason_params", "reason"))


def test_shop_rows_in_either_language_become_codes_and_typed_words_stay():
    store = StoreFactory()
    for text in (_zh(_("Every deposit was refunded; the store is closed")),
                 _en(_("Closure applied for; the store takes no new orders or listings")),
                 "店主说要歇业"):
        StoreEvent.objects.create(store=store, from_status="open", to_status="open",
                                  reason=text)
    deposit_accounts_open(store=store)
    account = StoreAccount.objects.get(store=store)
    StoreAccountEntry.objects.create(
        account=account, kind=StoreAccountEntry.Kind.SETTLEMENT, amount=10, balance_after=10,
        reason=_zh(_("Order %(number)s completed") % {"number": "O2026"}))
    deposit = DepositAccount.objects.get(store=store, kind="store")
    DepositEntry.objects.create(
        account=deposit, kind=DepositEntry.Kind.TOP_UP, amount=5, balance_after=5,
        reason=_en(_("Paid through %(provider)s") % {"provider": "sandbox"}))

    _migrate("shop", "0018_reason_codes_backfill")

    assert _codes(StoreEvent, store=store) == [
        ("shop.store_closed", {}, ""),
        ("shop.store_closing", {}, ""),
        ("", {}, "店主说要歇业"),
    ]
    assert _codes(StoreAccountEntry, account=account) == [
        ("shop.order_completed", {"number": "O2026"}, "")]
    assert _codes(DepositEntry, account=deposit) == [
        ("shop.paid_through", {"provider": "sandbox"}, "")]
    with override("en"):
        assert StoreEvent.objects.filter(store=store).first().reason_display == (
            "Every deposit was refunded; the store is closed")


def test_after_sale_rows_with_a_persons_words_keep_them_as_a_parameter(buyer):
    from tests.disputes.aftersale_factories import open_request, signed_order, sku_for

    store = StoreFactory()
    request = open_request(signed_order(buyer, sku_for(store)))
    rows = [
        _en(_("Rejected by the merchant: %(reason)s") % {"reason": "used goods"}),
        # "Courier: %(event)s" (shop) must not take the longer after-sale message.
        _zh(_("Courier: the refused parcel is back at the merchant")),
        _zh(_("Courier: %(event)s") % {"event": "已签收"}),
    ]
    for text in rows:
        AfterSaleEvent.objects.create(request=request, side="system", reason=text)

    _migrate("disputes", "0007_reason_codes_backfill")

    assert _codes(AfterSaleEvent, request=request, reason_code__in=[
        "disputes.rejected_by_merchant_said", "disputes.refused_parcel_back",
        "shop.courier_event"]) == [
        ("disputes.rejected_by_merchant_said", {"reason": "used goods"}, ""),
        ("disputes.refused_parcel_back", {}, ""),
        ("shop.courier_event", {"event": "已签收"}, ""),
    ]


def test_qualification_rows():
    from compliance.models import Qualification, QualificationType

    store = StoreFactory()
    qtype = QualificationType.objects.create(code="t_licence", name="许可证")
    qualification = Qualification.objects.create(
        store=store, type=qtype, number="1", valid_from=date(2025, 1, 1),
        valid_until=date(2027, 1, 1))
    for text in (_zh(_("The qualification expired.")),
                 _en(_("A new qualification “%(type)s” was approved.") % {"type": "许可证"})):
        QualificationEvent.objects.create(qualification=qualification, reason=text)

    _migrate("compliance", "0008_reason_codes_backfill")

    assert _codes(QualificationEvent, qualification=qualification) == [
        ("compliance.expired", {}, ""),
        ("compliance.restored", {"type": "许可证"}, ""),
    ]


def test_payment_rows_stored_as_bare_words():
    payment = payment_start(purpose="order.payment", subject_id=1, amount=1,
                            idempotency_key="backfill-1")
    PaymentEvent.objects.filter(payment=payment).update(reason_code="", reason="started")
    PaymentEvent.objects.create(payment=payment, from_status="pending", to_status="failed",
                                reason="provider_failed")

    _migrate("payments", "0003_reason_codes_backfill")

    assert _codes(PaymentEvent, payment=payment) == [
        ("payments.started", {}, ""), ("payments.provider_failed", {}, "")]
