"""Shipping one order, bulk shipping from CSV, and the signed courier webhook."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from common.errors import ApplicationError
from shop.models import Order, OrderEvent, TrackingEvent
from shop.services.shipping import (
    courier_sign,
    courier_webhook_handle,
    order_ship,
    orders_bulk_ship_csv,
)
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    courier_body,
    courier_event,
    listed_sku,
    pay,
    place,
    ship,
    store_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sku(merchant):
    return listed_sku(store_for(merchant), stock=50)


@pytest.fixture
def paid(buyer, sku):
    return pay(place(buyer, sku))


def test_ship_a_paid_order(paid, merchant):
    order = order_ship(order=paid, courier="sf", waybill_number=" SF1234567890 ", actor=merchant)
    assert order.status == "shipped"
    assert (order.courier, order.waybill_number) == ("SF", "SF1234567890")
    assert order.shipped_at and order.ship_by is None and not order.shipped_late
    event = order.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("paid", "shipped", merchant)


def test_waybill_for_an_unpaid_order_is_refused(buyer, sku, merchant):
    order = place(buyer, sku)
    with translation.override("en"), pytest.raises(ApplicationError) as exc:
        order_ship(order=order, courier="SF", waybill_number="SF1234567890", actor=merchant)
    assert exc.value.code == "not_paid"
    assert "not been paid" in str(exc.value)
    order.refresh_from_db()
    assert order.status == "pending_payment" and order.waybill_number == ""
    assert order.events.count() == 1


def test_ship_twice_other_merchant_bad_courier_bad_waybill(paid, merchant, other_merchant):
    with pytest.raises(ApplicationError) as exc:
        order_ship(order=paid, courier="SF", waybill_number="SF1234567890", actor=other_merchant)
    assert exc.value.code == "not_yours"
    with pytest.raises(ApplicationError) as exc:
        order_ship(order=paid, courier="DHLX", waybill_number="SF1234567890", actor=merchant)
    assert exc.value.code == "unknown_courier"
    with pytest.raises(ApplicationError) as exc:
        order_ship(order=paid, courier="SF", waybill_number="短", actor=merchant)
    assert exc.value.code == "invalid_waybill"
    order_ship(order=paid, courier="SF", waybill_number="SF1234567890", actor=merchant)
    with pytest.raises(ApplicationError) as exc:
        order_ship(order=paid, courier="SF", waybill_number="SF1234567899", actor=merchant)
    assert exc.value.code == "bad_state"


def test_one_waybill_per_order(buyer, sku, merchant, paid):
    order_ship(order=paid, courier="SF", waybill_number="SF1234567890", actor=merchant)
    second = pay(place(buyer, sku))
    with pytest.raises(ApplicationError) as exc:
        order_ship(order=second, courier="SF", waybill_number="SF1234567890", actor=merchant)
    assert exc.value.code == "waybill_used"
    second.refresh_from_db()
    assert second.status == "paid" and second.events.count() == 2


# --- CSV ---------------------------------------------------------------------------------
def test_bulk_ship_with_good_and_bad_rows(buyer, sku, merchant, other_merchant):
    good1, good2 = pay(place(buyer, sku)), pay(place(buyer, sku))
    unpaid = place(buyer, sku)
    foreign = pay(place(buyer, listed_sku(store_for(other_merchant))))
    csv_text = (
        "order_number,courier,waybill_number\n"
        f"{good1.number},SF,SF0000000001\n"
        f"{unpaid.number},SF,SF0000000002\n"
        f"{foreign.number},SF,SF0000000003\n"
        "NOPE,SF,SF0000000004\n"
        f"{good2.number},ZTO,ZTO000000005\n"
        f"{good1.number},SF,SF0000000006\n"
        f"{pay(place(buyer, sku)).number},XX,XX00000007\n"
    )
    with translation.override("en"):
        results = orders_bulk_ship_csv(data=csv_text.encode("gb18030"), actor=merchant)
    report = [(r.line, r.ok) for r in results]
    assert report == [(2, True), (3, False), (4, False), (5, False), (6, True), (7, False),
                      (8, False)]
    messages = {r.line: r.message for r in results}
    assert "not been paid" in messages[3]
    assert messages[4] == messages[5] == "No such order in your store."
    assert messages[7] == "This order appears twice in the file."
    assert "Unknown courier" in messages[8]
    assert Order.objects.get(pk=good2.pk).waybill_number == "ZTO000000005"
    assert Order.objects.get(pk=foreign.pk).status == "paid"
    assert Order.objects.get(pk=unpaid.pk).status == "pending_payment"


def test_bulk_ship_with_utf8_bom_and_bad_files(paid, merchant):
    data = ("\ufefforder_number,courier,waybill_number\n"
            f"{paid.number},SF,SF0000000009\n").encode()
    assert [r.ok for r in orders_bulk_ship_csv(data=data, actor=merchant)] == [True]
    for bad in [b"number,waybill\n1,2\n", b"order_number,courier,waybill_number\n",
                b"\xff\xfe\x00\x00garbage"]:
        with pytest.raises(ApplicationError) as exc:
            orders_bulk_ship_csv(data=bad, actor=merchant)
        assert exc.value.code == "bad_csv"


# --- courier webhook ------------------------------------------------------------------
def test_courier_events_through_signing(paid, merchant):
    order = ship(paid)
    at = timezone.now()
    _, created = courier_event(order, "picked_up", at=at)
    assert created
    order.refresh_from_db()
    assert order.picked_up_at == at and order.tracking_status == "picked_up"
    courier_event(order, "in_transit", at=at + timedelta(hours=5))
    signed_at = at + timedelta(days=1)
    courier_event(order, "signed", at=signed_at, signed_by="丰巢快递柜", parcel_locker=True)
    order.refresh_from_db()
    assert order.status == "signed" and order.signed_at == signed_at
    assert order.signed_by == "丰巢快递柜" and order.signed_in_locker
    assert order.complete_by == signed_at + timedelta(days=7)
    assert order.events.last().to_status == "signed" and order.events.last().actor is None
    # a late in-transit scan does not undo "signed"
    courier_event(order, "in_transit", at=at + timedelta(hours=6), event_id="late-scan")
    order.refresh_from_db()
    assert order.tracking_status == "signed" and order.tracking.count() == 4


def test_repeated_courier_event_changes_nothing(paid):
    order = ship(paid)
    body = courier_body(order, "signed", signed_by="本人")
    courier_webhook_handle(body=body, signature=courier_sign(body))
    events = OrderEvent.objects.count()
    _, created = courier_webhook_handle(body=body, signature=courier_sign(body))
    assert not created
    assert OrderEvent.objects.count() == events and TrackingEvent.objects.count() == 1


@pytest.mark.parametrize("kind", ["refused", "returned"])
def test_refused_and_returned_are_on_the_timeline(paid, kind):
    order = ship(paid)
    courier_event(order, kind, description="客户拒收")
    order.refresh_from_db()
    assert order.status == "shipped" and order.tracking_status == kind
    assert order.events.last().data == {"tracking": f"SF:{order.number}-{kind}"}


def test_courier_bad_signature_unknown_waybill_and_garbage(paid):
    order = ship(paid)
    body = courier_body(order, "signed")
    with pytest.raises(ApplicationError) as exc:
        courier_webhook_handle(body=body, signature="00" * 32)
    assert exc.value.code == "bad_signature"
    other = body.replace(order.waybill_number.encode(), b"SF9999999999")
    with pytest.raises(ApplicationError) as exc:
        courier_webhook_handle(body=other, signature=courier_sign(other))
    assert exc.value.code == "unknown_waybill"
    for bad in [b"[]", courier_body(order, "teleported"),
                courier_body(order, "signed", at="2025-01-01T10:00:00")]:
        with pytest.raises(ApplicationError) as exc:
            courier_webhook_handle(body=bad, signature=courier_sign(bad))
        assert exc.value.code == "bad_callback"
    order.refresh_from_db()
    assert order.status == "shipped" and not TrackingEvent.objects.exists()


def test_pickup_lateness_follows_the_scan_time_not_the_webhook(paid):
    from shop.sweeps import mark_late_pickup

    order = ship(paid)
    # the webhook is delayed: the sweep flags the order at the deadline first
    mark_late_pickup(order.pickup_by + timedelta(minutes=1))
    order.refresh_from_db()
    assert order.pickup_late
    courier_event(order, "picked_up", at=order.pickup_by - timedelta(hours=1))
    order.refresh_from_db()
    assert order.pickup_late is False


def test_long_courier_event_ids_sharing_a_prefix_are_different_events(paid):
    order = ship(paid)
    prefix = "x" * 80
    _, first = courier_event(order, "picked_up", at=timezone.now(), event_id=prefix + "1")
    _, second = courier_event(order, "in_transit", at=timezone.now(), event_id=prefix + "2")
    assert first and second
    assert TrackingEvent.objects.filter(order=order).count() == 2


@pytest.mark.parametrize("offset, refused", [
    (timedelta(days=-2000), True),        # "signed" in 2020 for a parcel shipped today
    (timedelta(seconds=-1), True),        # before the handover
    (timedelta(0), False),
    (timedelta(minutes=10), False),       # within the allowed clock skew
    (timedelta(minutes=10, seconds=1), True),
    (timedelta(days=365 * 5), True),      # 2031: would hold the settlement for years
])
def test_courier_event_times_are_checked_and_refusals_recorded(paid, offset, refused):
    order = ship(paid)
    now = order.shipped_at
    body = courier_body(order, "signed", at=now + offset, signed_by="本人")
    if not refused:
        courier_webhook_handle(body=body, signature=courier_sign(body), now=now)
        assert Order.objects.get(pk=order.pk).status == "signed"
        return
    for _ in range(2):
        with pytest.raises(ApplicationError) as exc:
            courier_webhook_handle(body=body, signature=courier_sign(body), now=now)
        assert exc.value.code == "implausible_time"
    order.refresh_from_db()
    assert order.status == "shipped" and order.signed_at is None
    assert not TrackingEvent.objects.filter(order=order).exists()
    # The refusal is on the order's timeline, once however often the courier retries.
    assert OrderEvent.objects.filter(order=order, data__has_key="tracking_refused").count() == 1
