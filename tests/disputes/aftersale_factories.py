"""Requests built through the real services, for the after-sale tests."""

from datetime import timedelta

from django.utils import timezone

from disputes import services
from disputes.models import AfterSaleRequest
from shop.models import Order
from tests.shop.order_factories import courier_event, listed_sku, pay, place, ship, sign

# A Monday morning in Shanghai; every test travels from here.
START = timezone.datetime(2025, 6, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(480))

RETURN_ADDRESS = {
    "name": "售后部",
    "phone": "13900139000",
    "province": "浙江省",
    "city": "杭州市",
    "district": "余杭区",
    "detail": "仓前街道 1 号退货仓",
}


def paid_order(buyer, sku, quantity=1) -> Order:
    return pay(place(buyer, sku, quantity))


def signed_order(buyer, sku, quantity=1) -> Order:
    """Paid, shipped and signed for now (the 7-day window starts tomorrow 00:00)."""
    order = ship(paid_order(buyer, sku, quantity))
    return sign(order, at=timezone.now())


def open_request(order, *, kind="return_refund", reason="quality", amount=None, **kw):
    line = order.lines.get()
    return services.after_sale_request_open(
        line=line, actor=order.buyer, kind=kind, reason=reason, amount=amount,
        description=kw.pop("description", "坏了"), **kw)


def fresh(request) -> AfterSaleRequest:
    return AfterSaleRequest.objects.get(pk=request.pk)


def refused_and_returned(order, *, at):
    courier_event(order, "refused", at=at, event_id=f"{order.number}-refused")
    courier_event(order, "returned", at=at + timedelta(hours=1),
                  event_id=f"{order.number}-returned")


def sku_for(store, **kw):
    kw.setdefault("price", "100.00")
    kw.setdefault("stock", 50)
    return listed_sku(store, **kw)


def fund_deposit(store, amount="1000.00", token="t-fund"):
    """The merchant pays into the store deposit through the sandbox provider (enabled for
    the call: the tests run with DEBUG off)."""
    from django.test import override_settings

    from shop.services.deposits import deposit_payin_sandbox_confirm, deposit_payin_start

    payin, _info = deposit_payin_start(store=store, kind="store", amount=amount,
                                       actor=store.merchant, token=token)
    with override_settings(PAYMENT_SANDBOX_ENABLED=True):
        deposit_payin_sandbox_confirm(payin)


def deposit_balance(store):
    from shop.models import DepositAccount

    return DepositAccount.objects.get(store=store, kind="store").balance


def escalate_and_take(request, *, by, agent, reason="协商不成"):
    services.after_sale_request_escalate(request=request, actor=by, reason=reason)
    services.after_sale_case_take(request=request, actor=agent)
    return fresh(request)


def rule(request, agent, **kw):
    kw.setdefault("outcome", "full_refund")
    kw.setdefault("fault", "merchant_quality")
    kw.setdefault("reasoning", "照片显示开线")
    return services.ruling_issue(request=request, actor=agent, **kw)
