"""Shipping: the merchant enters courier and waybill (one order, or many from a CSV file),
and couriers report tracking through a signed webhook.

Signed (签收) moves the order to "delivered", starts the after-sale windows and sets the
automatic completion clock; refused and returned are recorded on the timeline for the
after-sale flow to act on."""

import csv
import hashlib
import hmac
import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from common import config
from common.errors import ApplicationError
from common.reasons import Label, Reason, reason_fields
from common.signing import derived_secret, hmac_signature
from shop import reasons
from shop.models import Order, OrderEvent, TrackingEvent
from shop.reasons import R
from shop.rules.orders import COURIERS, TRACKING_EFFECTS, WAYBILL_RE, tracking_status_after
from shop.services.orders import order_lock, order_transition

BULK_SHIP_MAX_ROWS = 1000
BULK_SHIP_MAX_BYTES = 1024 * 1024


def waybill_clean(courier: str, waybill_number: str) -> tuple[str, str]:
    """A courier code and waybill number as typed, normalised (code upper-cased, spaces
    trimmed) and checked; what every shipment (an order, a return, a replacement) stores."""
    courier = (courier or "").strip().upper()
    waybill_number = (waybill_number or "").strip()
    if courier not in COURIERS:
        raise ApplicationError(
            _("Unknown courier “%(courier)s”; use one of: %(list)s.")
            % {"courier": courier, "list": ", ".join(COURIERS)},
            code="unknown_courier", field="courier",
        )
    if not WAYBILL_RE.match(waybill_number):
        raise ApplicationError(
            _("A waybill number is 6 to 40 letters, digits or hyphens."),
            code="invalid_waybill", field="waybill_number",
        )
    return courier, waybill_number


def order_ship(
    *, order: Order, courier: str, waybill_number: str, actor, now: datetime | None = None
) -> Order:
    """The merchant ships a paid order by entering courier and waybill number (运单号)."""
    now = now or timezone.now()
    courier, waybill_number = waybill_clean(courier, waybill_number)
    try:
        with transaction.atomic():
            order = order_lock(order)
            if order.store.merchant_id != actor.pk:
                raise ApplicationError(_("This order is not from your store."), code="not_yours")
            if order.status == Order.Status.PENDING_PAYMENT:
                raise ApplicationError(_("This order has not been paid; do not ship it yet."),
                                       code="not_paid")
            if order.status != Order.Status.PAID:
                raise ApplicationError(_("This order has already been shipped or closed."),
                                       code="bad_state")
            late = bool(order.ship_by and now > order.ship_by)
            order = order_transition(
                order=order, to=Order.Status.SHIPPED, actor=actor,
                reason=R("shipped", courier=reasons.courier(courier), waybill=waybill_number),
                now=now,
                extra={"courier": courier, "waybill_number": waybill_number,
                       "shipped_late": order.shipped_late or late},
                data={"courier": courier, "waybill_number": waybill_number},
            )
    except IntegrityError:
        raise ApplicationError(
            _("This waybill number is already used by another order."), code="waybill_used",
            field="waybill_number",
        )
    return order


# --- bulk ship from CSV -----------------------------------------------------------------
@dataclass
class ShipRowResult:
    line: int
    order_number: str
    ok: bool
    message: str
    warning: str = ""
    # The row as the file had it (column name → cell), for the file of rows not shipped.
    cells: dict | None = None


class ShipReport(list):
    """The result of each row, in file order, with the file's header."""

    def __init__(self, results=(), header=()):
        super().__init__(results)
        self.header = [h for h in header if h]

    @property
    def failed(self) -> list[ShipRowResult]:
        return [r for r in self if not r.ok]

    def error_rows(self) -> tuple[list[str], list[list[str]]]:
        """The rows not shipped as the file had them, plus why: (header, rows), for a
        file the merchant corrects and uploads again."""
        header = [*self.header, "error"]
        rows = []
        for result in self.failed:
            cells = result.cells or {}
            why = str(result.message) + (f" ({result.warning})" if result.warning else "")
            rows.append([cells.get(h, "") or "" for h in self.header] + [why])
        return header, rows


def _decode(data: bytes) -> str:
    # Excel in China saves CSV as GB18030 unless told otherwise.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError(_("The file is not a readable CSV text file."), code="bad_csv")


def orders_bulk_ship_csv(*, data: bytes, actor, now: datetime | None = None,
                         warnings_for=None, confirmed: bool = False) -> ShipReport:
    """Ship many orders from a CSV with columns order_number, courier, waybill_number.
    Each row is shipped on its own: good rows ship, bad rows are reported with the reason.
    `warnings_for(orders)` returns {order id: warning} for the orders whose shipping the
    merchant must confirm (as on the order's page); unless `confirmed`, their rows are not
    shipped and carry the warning; confirmed, they ship and still carry it. Each result
    keeps its row's cells (`ShipReport.error_rows`: the file of rows not shipped)."""
    now = now or timezone.now()
    if len(data) > BULK_SHIP_MAX_BYTES:
        raise ApplicationError(_("The file is larger than 1 MB."), code="file_too_large")
    reader = csv.DictReader(io.StringIO(_decode(data)))
    needed = {"order_number", "courier", "waybill_number"}
    header = {(h or "").strip() for h in (reader.fieldnames or [])}
    if not needed <= header:
        raise ApplicationError(
            _("The first row must name the columns order_number, courier, waybill_number."),
            code="bad_csv",
        )
    rows = list(reader)
    if not rows:
        raise ApplicationError(_("The file has no rows to ship."), code="bad_csv")
    if len(rows) > BULK_SHIP_MAX_ROWS:
        raise ApplicationError(
            _("At most %(n)d rows per file.") % {"n": BULK_SHIP_MAX_ROWS}, code="bad_csv"
        )
    numbers = {(r.get("order_number") or "").strip() for r in rows}
    orders = {o.number: o for o in Order.objects.for_merchant(actor).filter(number__in=numbers)}
    warnings = warnings_for(list(orders.values())) if warnings_for and orders else {}
    results, seen = ShipReport(header=reader.fieldnames), set()
    for index, raw in enumerate(rows, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        cells = {k: v if isinstance(v, str) else "" for k, v in raw.items() if k}
        number = row.get("order_number", "")
        order = orders.get(number)
        if number in seen:
            results.append(ShipRowResult(index, number, False,
                                         _("This order appears twice in the file."),
                                         cells=cells))
            continue
        seen.add(number)
        if order is None:
            results.append(ShipRowResult(index, number, False, _("No such order in your store."),
                                         cells=cells))
            continue
        warning = str(warnings.get(order.pk, ""))
        if warning and not confirmed:
            results.append(ShipRowResult(
                index, number, False, _("Not shipped: confirm to ship it anyway"), warning,
                cells=cells))
            continue
        try:
            order_ship(order=order, courier=row.get("courier", ""),
                       waybill_number=row.get("waybill_number", ""), actor=actor, now=now)
        except ApplicationError as exc:
            results.append(ShipRowResult(index, number, False, str(exc.message), warning,
                                          cells=cells))
        else:
            results.append(ShipRowResult(index, number, True, _("Shipped"), warning,
                                          cells=cells))
    return results


# --- courier webhook --------------------------------------------------------------------
def courier_secret() -> str:
    return derived_secret("COURIER_SANDBOX_SECRET", "courier-sandbox")


def courier_sign(body: bytes) -> str:
    return hmac_signature(courier_secret(), body)


def _parse_tracking(body: bytes) -> dict:
    try:
        data = json.loads(body)
        parsed = {
            "event_id": str(data["event_id"]).strip(),
            "courier": str(data["courier"]).strip().upper(),
            "waybill_number": str(data["waybill_number"]).strip(),
            "kind": str(data["kind"]),
            "at": parse_datetime(str(data["at"])),
            "description": str(data.get("description", ""))[:200],
            "signed_by": str(data.get("signed_by", ""))[:60],
            "parcel_locker": bool(data.get("parcel_locker", False)),
        }
    except (ValueError, KeyError, TypeError):
        raise ApplicationError(_("The callback body is not understood."), code="bad_callback")
    if (
        not parsed["event_id"]
        or parsed["kind"] not in TRACKING_EFFECTS
        or parsed["at"] is None
        or timezone.is_naive(parsed["at"])
    ):
        raise ApplicationError(_("The callback body is not understood."), code="bad_callback")
    return parsed


def courier_webhook_handle(*, body: bytes, signature: str, now: datetime | None = None):
    """Apply one signed courier event. Returns (TrackingEvent, created). A repeated event
    (same courier and event id) changes nothing."""
    now = now or timezone.now()
    if not signature or not hmac.compare_digest(courier_sign(body), signature.strip()):
        raise ApplicationError(_("The callback signature is invalid."), code="bad_signature")
    data = _parse_tracking(body)
    external_id = f"{data['courier']}:{data['event_id']}"
    if len(external_id) > 64:
        # Two long ids sharing a prefix are different events: key them by a digest.
        external_id = "sha256:" + hashlib.sha256(external_id.encode()).hexdigest()[:57]
    order = Order.objects.filter(
        courier=data["courier"], waybill_number=data["waybill_number"]
    ).first()
    if order is None:
        raise ApplicationError(_("No order ships with this waybill."), code="unknown_waybill")
    refusal = None
    with transaction.atomic():
        order = order_lock(order)
        existing = TrackingEvent.objects.filter(external_id=external_id).first()
        if existing:
            return existing, False
        refusal = tracking_time_refusal(order=order, at=data["at"], now=now)
        if refusal is None:
            tracking = tracking_event_record(order=order, data=data, external_id=external_id,
                                             now=now)
        elif not OrderEvent.objects.filter(order=order,
                                           data__tracking_refused=external_id).exists():
            # On the order's timeline, once per event, so support can see what was refused.
            OrderEvent.objects.create(
                order=order, from_status=order.status, to_status=order.status, actor=None,
                at=now, **reason_fields(refusal),
                data={"tracking_refused": external_id, "kind": data["kind"],
                      "at": data["at"].isoformat()},
            )
    if refusal is not None:
        raise ApplicationError(str(refusal), code="implausible_time")
    return tracking, True


def tracking_time_refusal(*, order: Order, at: datetime, now: datetime) -> Reason | None:
    """A courier's clock is trusted within reason: an event dated before the parcel was
    handed over, or further in the future than the allowed skew, would move the order's
    clocks (a 2020 "signed" would close the 7-day window at once; a 2031 one would hold
    the settlement for years). Returns why it is refused, or None."""
    skew = timedelta(minutes=config.get("courier.future_skew_minutes"))
    if order.shipped_at is None or at < order.shipped_at:
        return R("tracking_before_shipping")
    if at > now + skew:
        return R("tracking_in_future")
    return None


def tracking_event_record(*, order: Order, data: dict, external_id: str, now: datetime):
    """Record a courier event on a locked order and apply its effect."""
    kind, at = data["kind"], data["at"]
    tracking = TrackingEvent.objects.create(
        order=order, external_id=external_id, kind=kind, at=at,
        description=data.get("description", ""),
        data={k: v for k, v in data.items() if k in ("signed_by", "parcel_locker")},
    )
    fields = {"tracking_status": tracking_status_after(order.tracking_status, kind)}
    # Scans may arrive out of order: the pickup is the earliest scan, whichever came first.
    if kind in ("picked_up", "in_transit", "signed") and (
            order.picked_up_at is None or at < order.picked_up_at):
        fields["picked_up_at"] = at
        # Judged by the courier's scan time, not by when the webhook arrived.
        fields["pickup_late"] = bool(order.pickup_by and at > order.pickup_by)
    if kind == "signed":
        fields["signed_by"] = data.get("signed_by", "")
        fields["signed_in_locker"] = data.get("parcel_locker", False)
    label = Label("shop.TrackingEvent.kind", kind)
    if TRACKING_EFFECTS[kind]["to"] and order.status == Order.Status.SHIPPED:
        # The after-sale windows and the completion clock run from the courier's time.
        order_transition(
            order=order, to=TRACKING_EFFECTS[kind]["to"], actor=None,
            reason=R("courier_event", event=label), now=at, extra=fields,
            data={"tracking": external_id},
        )
        return tracking
    for name, value in fields.items():
        setattr(order, name, value)
    order.save(update_fields=["updated_at", *fields])
    if kind in ("refused", "returned"):
        OrderEvent.objects.create(
            order=order, from_status=order.status, to_status=order.status, actor=None,
            at=now, **reason_fields(R("courier_event", event=label)),
            data={"tracking": external_id},
        )
    return tracking
