"""Payments, refunds and payouts through a payment-provider interface.

A provider starts a payment (what the app needs to pay), verifies and parses its signed
callback, and performs refunds and payouts. The sandbox provider signs callbacks with
HMAC-SHA256 using settings.PAYMENT_SANDBOX_SECRET and settles refunds and payouts at once.
Its "pay now" shortcuts (a signed callback handed to the payer) exist only while
`sandbox_enabled()`: never in production.

A refund or payout is what the provider answers:
- SUCCEEDED: done;
- PENDING: the money stays held (an order's refunded amount and the store-account debit
  stay reserved, a withdrawal's money stays off the account) until the provider's signed
  callback confirms or fails it (`payment_callback_handle`);
- FAILED: nothing moved. What was reserved is released, the Payment is kept as a record
  (its idempotency key is freed so the caller may try again) and `PaymentFailedError` is raised,
  so a caller that does not look at the answer cannot record money that never moved.

Exactly once:
- a callback is applied only while its Payment is pending (row locked), so a repeated
  callback changes nothing;
- a refund or payout carries the caller's idempotency key (unique in the database): a
  second call with the same key returns the first result and moves no money.

Other apps (after-sales, arbitration, deposits) call `payment_refund` and
`payment_payout` inside their own transaction."""

import hashlib
import hmac
import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.money import to_money
from shop.models import Order, OrderEvent, OrderLine, Payment
from shop.services.orders import order_lock, order_mark_paid

logger = logging.getLogger(__name__)


def sandbox_enabled() -> bool:
    """May the sandbox provider's shortcuts be used (a "pay now" button, a signed callback
    handed to the payer)? Only on a developer's machine, in demos and tests: never in
    production, where they would let anyone credit themselves without paying."""
    return bool(getattr(settings, "PAYMENT_SANDBOX_ENABLED", settings.DEBUG))


class PaymentFailedError(ApplicationError):
    """The provider refused a refund or payout: nothing moved. `payment` is the failed
    record (kept unless the caller's transaction rolls back)."""

    def __init__(self, message, *, payment: Payment, code: str):
        super().__init__(message, code=code)
        self.payment = payment


# --- provider interface -----------------------------------------------------------------
@dataclass(frozen=True)
class PaymentCallback:
    provider_ref: str
    succeeded: bool
    amount: Decimal
    data: dict


class PaymentProvider:
    """What the platform needs from a payment provider."""

    name = ""

    def start(self, payment: Payment) -> dict:
        """What the buyer's app needs to pay `payment`."""
        raise NotImplementedError

    def verify_callback(self, body: bytes, signature: str) -> bool:
        raise NotImplementedError

    def parse_callback(self, body: bytes) -> PaymentCallback:
        raise NotImplementedError

    def refund(self, payment: Payment) -> str:
        """Ask for a refund; returns the new Payment.Status."""
        raise NotImplementedError

    def payout(self, payment: Payment) -> str:
        """Pay money out to `payment.payee`; returns the new Payment.Status."""
        raise NotImplementedError

    def new_reference(self, prefix: str) -> str:
        return f"{self.name}-{prefix}-{uuid.uuid4().hex}"


def hmac_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def derived_secret(setting: str, purpose: str) -> str:
    """The secret from settings, or one derived from SECRET_KEY (never a known default)."""
    value = getattr(settings, setting, "")
    if value:
        return value
    return hmac_signature(settings.SECRET_KEY, purpose.encode())


class SandboxProvider(PaymentProvider):
    """A provider for demos and tests: payments are confirmed by a signed callback that the
    sandbox (or a test) posts to /api/webhooks/payments/sandbox/."""

    name = "sandbox"

    @property
    def secret(self) -> str:
        return derived_secret("PAYMENT_SANDBOX_SECRET", "payment-sandbox")

    def sign(self, body: bytes) -> str:
        return hmac_signature(self.secret, body)

    def callback_body(self, payment: Payment, *, succeeded: bool = True) -> bytes:
        return json.dumps(
            {
                "payment_ref": payment.provider_ref,
                "status": "succeeded" if succeeded else "failed",
                "amount": str(payment.amount),
            },
            sort_keys=True,
        ).encode()

    def start(self, payment: Payment) -> dict:
        info = {
            "provider": self.name,
            "payment_ref": payment.provider_ref,
            "amount": str(payment.amount),
            "currency": "CNY",
            "callback_url": "/api/webhooks/payments/sandbox/",
        }
        if sandbox_enabled():
            # On a laptop, hand out the signed callback so a developer can "pay" by posting
            # it; production never exposes a signature.
            body = self.callback_body(payment)
            info["sandbox_callback"] = {"body": body.decode(), "signature": self.sign(body)}
        return info

    def verify_callback(self, body: bytes, signature: str) -> bool:
        return bool(signature) and hmac.compare_digest(self.sign(body), signature.strip())

    def parse_callback(self, body: bytes) -> PaymentCallback:
        try:
            data = json.loads(body)
            return PaymentCallback(
                provider_ref=str(data["payment_ref"]),
                succeeded=data["status"] == "succeeded",
                amount=to_money(data["amount"]),
                data=data,
            )
        except (ValueError, KeyError, TypeError, InvalidOperation):
            raise ApplicationError(_("The callback body is not understood."),
                                   code="bad_callback")

    def refund(self, payment: Payment) -> str:
        return Payment.Status.SUCCEEDED

    def payout(self, payment: Payment) -> str:
        return Payment.Status.SUCCEEDED


_PROVIDERS: dict[str, PaymentProvider] = {"sandbox": SandboxProvider()}


def payment_provider(name: str | None = None) -> PaymentProvider:
    name = name or getattr(settings, "PAYMENT_PROVIDER", "sandbox")
    try:
        return _PROVIDERS[name]
    except KeyError:
        raise ApplicationError(_("Unknown payment provider."), code="unknown_provider")


# --- payments ---------------------------------------------------------------------------
def payment_start(*, order: Order, actor, now: datetime | None = None) -> tuple[Payment, dict]:
    """The buyer pays an unpaid order: a pending Payment (the same one if asked again)
    and what the app needs to pay it."""
    now = now or timezone.now()
    provider = payment_provider()
    with transaction.atomic():
        order = order_lock(order)
        if actor is None or order.buyer_id != actor.pk:
            raise ApplicationError(_("This is not your order."), code="not_yours")
        if order.status != Order.Status.PENDING_PAYMENT:
            raise ApplicationError(_("This order is not awaiting payment."), code="bad_state")
        if order.pay_by and order.pay_by <= now:
            raise ApplicationError(_("The time to pay this order has run out."),
                                   code="payment_expired")
        payment = order.payments.filter(
            kind=Payment.Kind.PAYMENT, status=Payment.Status.PENDING, amount=order.total_amount,
        ).first()
        if payment is None:
            attempt = order.payments.filter(kind=Payment.Kind.PAYMENT).count() + 1
            payment = Payment.objects.create(
                order=order, kind=Payment.Kind.PAYMENT, provider=provider.name,
                provider_ref=provider.new_reference("pay"),
                idempotency_key=f"order:{order.pk}:pay:{attempt}",
                amount=order.total_amount, payee=None, created_at=now,
            )
    return payment, provider.start(payment)


def payment_callback_handle(
    *, provider_name: str, body: bytes, signature: str, now: datetime | None = None
) -> tuple[Payment, bool]:
    """Apply a signed payment callback; returns (payment, changed). A bad signature is
    refused; a repeated callback finds the payment already settled and changes nothing.
    The same callback confirms or fails a pending refund or payout."""
    now = now or timezone.now()
    provider = payment_provider(provider_name)
    if not provider.verify_callback(body, signature):
        raise ApplicationError(_("The callback signature is invalid."), code="bad_signature")
    callback = provider.parse_callback(body)
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .filter(provider_ref=callback.provider_ref)
            .first()
        )
        if payment is None:
            # A merchant's pay-in into a deposit (保证金) goes through the same callback.
            from shop.services.deposits import deposit_payin_confirm

            result = deposit_payin_confirm(
                provider_ref=callback.provider_ref, succeeded=callback.succeeded,
                amount=callback.amount, data=callback.data, now=now,
            )
            if result is None:
                raise ApplicationError(_("Unknown payment."), code="unknown_payment")
            return result
        if payment.status != Payment.Status.PENDING:
            return payment, False
        if payment.kind != Payment.Kind.PAYMENT:
            _money_out_settle(payment, callback, now=now)
            return payment, True
        if not callback.succeeded:
            payment.status = Payment.Status.FAILED
            payment.confirmed_at = now
            payment.raw = callback.data
            payment.save(update_fields=["status", "confirmed_at", "raw"])
            return payment, True
        if callback.amount != payment.amount:
            raise ApplicationError(_("The paid amount does not match the payment."),
                                   code="amount_mismatch")
        payment.status = Payment.Status.SUCCEEDED
        payment.confirmed_at = now
        payment.raw = callback.data
        payment.save(update_fields=["status", "confirmed_at", "raw"])
        order = order_lock(payment.order)
        if order.status == Order.Status.PENDING_PAYMENT:
            order_mark_paid(order=order, amount=payment.amount, now=now,
                            payment_ref=payment.provider_ref)
        else:
            # Money arrived for an order that was cancelled meanwhile (or paid twice): take
            # it in and send it straight back.
            Order.objects.filter(pk=order.pk).update(paid_amount=F("paid_amount") + payment.amount)
            payment_refund(
                order=order, amount=payment.amount, idempotency_key=f"auto-refund:{payment.pk}",
                actor=None, reason=_("Payment arrived after the order was cancelled"), now=now,
            )
    return payment, True


def _money_out_settle(payment: Payment, callback: PaymentCallback, *, now) -> None:
    """The provider's answer to a pending refund or payout (row locked by the caller): on
    success the held money is gone for good; on failure it is released back to where it
    was held, through the owner of that money."""
    succeeded = callback.succeeded
    if succeeded and callback.amount != payment.amount:
        raise ApplicationError(_("The paid amount does not match the payment."),
                               code="amount_mismatch")
    payment.status = Payment.Status.SUCCEEDED if succeeded else Payment.Status.FAILED
    payment.confirmed_at = now
    payment.raw = {**(payment.raw or {}), "callback": callback.data}
    if not succeeded:
        payment.idempotency_key = _released_key(payment)
    payment.save(update_fields=["status", "confirmed_at", "raw", "idempotency_key"])
    if payment.kind == Payment.Kind.REFUND:
        if not succeeded:
            _refund_release(payment, actor=None, now=now,
                            reason=_("The refund failed at the payment provider"))
        elif payment.order_id is not None:
            _order_money_event(payment.order, actor=None, now=now,
                               reason=_("Refund confirmed by the payment provider"),
                               data={"refund_confirmed": str(payment.amount),
                                     "payment": payment.provider_ref})
        return
    # A payout: a withdrawal of the store account, a deposit refunded on closing, or a
    # compensation paid first (先行赔付).
    from shop.services.accounts import withdrawal_payout_settled
    from shop.services.closure import closure_payout_settled

    if withdrawal_payout_settled(payment, succeeded=succeeded, now=now):
        return
    if closure_payout_settled(payment, succeeded=succeeded, now=now):
        return
    if payment.order_id is not None:
        _order_money_event(
            payment.order, actor=None, now=now,
            reason=_("Payout confirmed by the payment provider") if succeeded
            else _("The payout failed at the payment provider"),
            data={"payout_confirmed" if succeeded else "payout_failed": str(payment.amount),
                  "payment": payment.provider_ref},
        )


def _order_money_event(order: Order, *, actor, now, reason, data) -> None:
    status = Order.objects.values_list("status", flat=True).get(pk=order.pk)
    OrderEvent.objects.create(order=order, from_status=status, to_status=status, actor=actor,
                              reason=str(reason), at=now, data=data)


def _released_key(payment: Payment) -> str:
    """A failed refund or payout moved nothing: free its idempotency key so the caller may
    try again, and keep the record under a key that names it (unique by its pk)."""
    return f"failed:{payment.pk}:{payment.idempotency_key}"[:80]


def _refund_release(payment: Payment, *, actor, now, reason) -> None:
    """A refund that did not happen: give back what it reserved on the order (and line)
    and reverse the store-account debit it caused after settlement."""
    if payment.order_id is None:
        # A deposit pay-in sent back (no order): the money is still with the platform.
        logger.warning("refund %s of %s to user %s failed at the provider; pay it back by hand",
                       payment.provider_ref, payment.amount, payment.payee_id)
        return
    Order.objects.filter(pk=payment.order_id).update(
        refunded_amount=F("refunded_amount") - payment.amount)
    line_id = (payment.raw or {}).get("line")
    if line_id:
        OrderLine.objects.filter(pk=line_id).update(
            refunded_amount=F("refunded_amount") - payment.amount)
    from shop.services.accounts import store_account_refund_reverse

    store_account_refund_reverse(payment=payment, actor=actor, now=now)
    _order_money_event(payment.order, actor=actor, now=now, reason=reason,
                       data={"refund_failed": str(payment.amount),
                             "payment": payment.provider_ref})


# --- refunds and payouts ----------------------------------------------------------------
def _same_request(existing: Payment, *, kind, amount, order=None, payee=None) -> Payment:
    if (
        existing.kind != kind
        or existing.amount != amount
        or (order is not None and existing.order_id != order.pk)
        or (payee is not None and existing.payee_id != payee.pk)
    ):
        raise ApplicationError(
            _("This idempotency key was already used for a different request."),
            code="idempotency_conflict",
        )
    return existing


def payment_refund(
    *, order: Order, amount, idempotency_key: str, actor, reason: str,
    line: OrderLine | None = None, now: datetime | None = None,
) -> Payment:
    """Refund part or all of what was paid for an order (or one line), exactly once per
    idempotency key. Never more than was paid. The order's status is the caller's
    business (e.g. order_close after a full refund).

    The refunded amount (and, after settlement, the store-account debit) is reserved while
    the provider answers SUCCEEDED or PENDING; a PENDING refund is confirmed or released by
    the provider's callback. If the provider answers FAILED, nothing stays reserved and
    `PaymentFailedError` is raised."""
    now = now or timezone.now()
    amount = to_money(amount)
    if amount <= 0:
        raise ApplicationError(_("A refund must be more than zero."), code="invalid_amount")
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return _same_request(existing, kind=Payment.Kind.REFUND, amount=amount, order=order)
    provider = payment_provider()
    try:
        with transaction.atomic():
            taken = Order.objects.filter(
                pk=order.pk, refunded_amount__lte=F("paid_amount") - amount
            ).update(refunded_amount=F("refunded_amount") + amount)
            if not taken:
                raise ApplicationError(_("The refund is more than what is left to refund."),
                                       code="refund_too_large")
            if line is not None:
                taken = OrderLine.objects.filter(
                    pk=line.pk, order=order, refunded_amount__lte=F("paid_amount") - amount
                ).update(refunded_amount=F("refunded_amount") + amount)
                if not taken:
                    raise ApplicationError(
                        _("The refund is more than what is left to refund."),
                        code="refund_too_large",
                    )
            payment = Payment.objects.create(
                order=order, kind=Payment.Kind.REFUND, provider=provider.name,
                provider_ref=provider.new_reference("refund"), idempotency_key=idempotency_key,
                amount=amount, payee_id=order.buyer_id, reason=str(reason)[:200], created_at=now,
                raw={"line": line.pk} if line is not None else {},
            )
            payment.status = provider.refund(payment)
            if payment.status == Payment.Status.FAILED:
                payment.confirmed_at = now
                payment.idempotency_key = _released_key(payment)
                payment.save(update_fields=["status", "confirmed_at", "idempotency_key"])
                Order.objects.filter(pk=order.pk).update(
                    refunded_amount=F("refunded_amount") - amount)
                if line is not None:
                    OrderLine.objects.filter(pk=line.pk).update(
                        refunded_amount=F("refunded_amount") - amount)
                _order_money_event(order, actor=actor, now=now,
                                   reason=_("The refund failed at the payment provider"),
                                   data={"refund_failed": str(amount),
                                         "payment": payment.provider_ref})
            else:
                if payment.status == Payment.Status.SUCCEEDED:
                    payment.confirmed_at = now
                payment.save(update_fields=["status", "confirmed_at"])
                _order_money_event(order, actor=actor, now=now, reason=reason,
                                   data={"refund": str(amount), "payment": payment.provider_ref})
                # A refund after settlement takes the money back from the store account
                # (held there while the refund is pending).
                from shop.services.accounts import store_account_refund_after_settlement

                store_account_refund_after_settlement(order=order, payment=payment,
                                                      actor=actor, now=now)
    except IntegrityError:
        # The same key won a race in another transaction: that refund stands, this one
        # moved nothing.
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_request(existing, kind=Payment.Kind.REFUND, amount=amount, order=order)
    if payment.status == Payment.Status.FAILED:
        raise PaymentFailedError(_("The payment provider refused the refund; nothing was refunded."),
                            payment=payment, code="refund_failed")
    return payment


def payment_refund_payin(*, payin, reason: str, now: datetime | None = None) -> Payment:
    """Send a deposit pay-in (保证金缴纳) straight back to the merchant who paid it, once
    (e.g. the money arrived after the deposit was closed). Runs inside the caller's
    transaction; raises `PaymentFailedError` if the provider refuses."""
    now = now or timezone.now()
    key = f"payin:{payin.pk}:refund"
    existing = Payment.objects.filter(idempotency_key=key).first()
    if existing:
        return _same_request(existing, kind=Payment.Kind.REFUND, amount=payin.amount)
    provider = payment_provider()
    with transaction.atomic():
        payment = Payment.objects.create(
            order=None, kind=Payment.Kind.REFUND, provider=provider.name,
            provider_ref=provider.new_reference("refund"), idempotency_key=key,
            amount=payin.amount, payee_id=payin.created_by_id, reason=str(reason)[:200],
            created_at=now, raw={"payin": payin.pk, "payin_ref": payin.provider_ref},
        )
        payment.status = provider.refund(payment)
        if payment.status == Payment.Status.FAILED:
            payment.idempotency_key = _released_key(payment)
        if payment.status != Payment.Status.PENDING:
            payment.confirmed_at = now
        payment.save(update_fields=["status", "confirmed_at", "idempotency_key"])
    if payment.status == Payment.Status.FAILED:
        raise PaymentFailedError(_("The payment provider refused the refund; nothing was refunded."),
                            payment=payment, code="refund_failed")
    return payment


def payment_payout(
    *, payee, amount, idempotency_key: str, actor, reason: str, order: Order | None = None,
    now: datetime | None = None,
) -> Payment:
    """Pay money out to a user (e.g. compensation paid first, 先行赔付), exactly once per
    idempotency key. Where the money comes from (a deposit ledger entry) is the caller's
    business, written in the same transaction.

    Returns the payout SUCCEEDED or PENDING (the provider's callback settles it later: the
    caller keeps the money held meanwhile). If the provider answers FAILED, nothing moved:
    `PaymentFailedError` is raised, with the failed record on it."""
    now = now or timezone.now()
    amount = to_money(amount)
    if amount <= 0:
        raise ApplicationError(_("A payout must be more than zero."), code="invalid_amount")
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        return _same_request(existing, kind=Payment.Kind.PAYOUT, amount=amount, payee=payee)
    provider = payment_provider()
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                order=order, kind=Payment.Kind.PAYOUT, provider=provider.name,
                provider_ref=provider.new_reference("payout"), idempotency_key=idempotency_key,
                amount=amount, payee=payee, reason=str(reason)[:200], created_at=now,
            )
            payment.status = provider.payout(payment)
            if payment.status == Payment.Status.FAILED:
                payment.idempotency_key = _released_key(payment)
            if payment.status != Payment.Status.PENDING:
                payment.confirmed_at = now
            payment.save(update_fields=["status", "confirmed_at", "idempotency_key"])
            if order is not None:
                failed = payment.status == Payment.Status.FAILED
                OrderEvent.objects.create(
                    order=order, from_status=order.status, to_status=order.status, actor=actor,
                    reason=str(_("The payout failed at the payment provider") if failed
                               else reason),
                    at=now,
                    data={"payout_failed" if failed else "payout": str(amount),
                          "payment": payment.provider_ref},
                )
    except IntegrityError:
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_request(existing, kind=Payment.Kind.PAYOUT, amount=amount, payee=payee)
    if payment.status == Payment.Status.FAILED:
        raise PaymentFailedError(_("The payment provider refused the payout; nothing was paid."),
                            payment=payment, code="payout_failed")
    return payment


def sandbox_pay(payment, *, now: datetime | None = None) -> tuple[Payment, bool]:
    """Demo and tests: the sandbox provider posts its signed success callback for
    `payment` (an order's Payment or a deposit pay-in), as a real provider would post
    its own. Not reachable from any page."""
    provider = payment_provider("sandbox")
    body = provider.callback_body(payment)
    return payment_callback_handle(
        provider_name="sandbox", body=body, signature=provider.sign(body), now=now
    )
