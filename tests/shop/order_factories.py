"""Orders built through the real services, for the order tests."""

import json
from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.models import Payment
from payments.providers import payment_provider
from payments.services import sandbox_pay
from shop.models import Order
from shop.services.order_payments import order_payment_start
from shop.services.orders import order_confirm_receipt, order_place
from shop.services.shipping import courier_sign, courier_webhook_handle, order_ship
from tests.factories import ProductFactory, SkuFactory, StoreFactory

ADDRESS = {
    "name": "王老铁",
    "phone": "13800138000",
    "province": "北京市",
    "city": "北京市",
    "district": "海淀区",
    "detail": "上地十街10号",
}


def store_for(merchant):
    return StoreFactory(merchant=merchant)


def listed_sku(store, *, price="99.00", stock=10, free_shipping=True, shipping_fee="0", **kw):
    product = ProductFactory(store=store, free_shipping=free_shipping,
                             shipping_fee=Decimal(shipping_fee), **kw)
    return SkuFactory(product=product, price=Decimal(price), stock=stock)


def place(buyer, sku, quantity=1, now=None, **kw) -> Order:
    return order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": quantity}],
                       address=ADDRESS, now=now, **kw)


def pay(order, now=None) -> Order:
    payment, _info = order_payment_start(order=order, actor=order.buyer, now=now)
    sandbox_pay(payment, now=now)
    return Order.objects.get(pk=order.pk)


def callback(payment: Payment, *, succeeded=True, signature=None):
    provider = payment_provider("sandbox")
    body = provider.callback_body(payment, succeeded=succeeded)
    return body, signature if signature is not None else provider.sign(body)


def ship(order, waybill=None, now=None) -> Order:
    order_ship(order=order, courier="SF", waybill_number=waybill or f"SF{order.pk:010d}",
               actor=order.store.merchant, now=now)
    return Order.objects.get(pk=order.pk)


def courier_body(order, kind, *, event_id=None, at=None, **extra) -> bytes:
    at = at or timezone.now()
    return json.dumps({
        "event_id": event_id or f"{order.number}-{kind}",
        "courier": order.courier,
        "waybill_number": order.waybill_number,
        "kind": kind,
        "at": at.isoformat() if isinstance(at, datetime) else at,
        **extra,
    }).encode()


def courier_event(order, kind, *, now=None, **kw):
    at = kw.get("at")
    if now is None and isinstance(at, datetime):
        # The courier reports an event when it happens, not before.
        now = max(timezone.now(), at)
    body = courier_body(order, kind, **kw)
    return courier_webhook_handle(body=body, signature=courier_sign(body), now=now)


def sign(order, at=None) -> Order:
    courier_event(order, "signed", at=at, signed_by="本人", parcel_locker=False)
    return Order.objects.get(pk=order.pk)


def completed_order(buyer, sku) -> Order:
    order = sign(ship(pay(place(buyer, sku))))
    order_confirm_receipt(order=order, actor=buyer)
    return Order.objects.get(pk=order.pk)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Users are made per test; the production hasher would dominate the run time.
    Import this fixture into a test module to use it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
