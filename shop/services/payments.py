"""Payments, refunds and payouts through a payment-provider interface.

A provider starts a payment (what the app needs to pay), verifies and parses its signed
callback, and performs refunds and payouts. The sandbox provider signs callbacks with
HMAC-SHA256 using settings.PAYMENT_SANDBOX_SECRET and settles refunds and payouts at once.

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
        if settings.DEBUG:
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
    refused; a repeated callback finds the payment already settled and changes nothing."""
    now = now or timezone.now()
    provider = payment_provider(provider_name)
    if not provider.verify_callback(body, signature):
        raise ApplicationError(_("The callback signature is invalid."), code="bad_signature")
    callback = provider.parse_callback(body)
    with transaction.atomic():
        payment = (
            Payment.objects.select_for_update()
            .filter(provider_ref=callback.provider_ref, kind=Payment.Kind.PAYMENT)
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
    business (e.g. order_close after a full refund)."""
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
            )
            payment.status = provider.refund(payment)
            if payment.status == Payment.Status.SUCCEEDED:
                payment.confirmed_at = now
            payment.save(update_fields=["status", "confirmed_at"])
            status = Order.objects.values_list("status", flat=True).get(pk=order.pk)
            OrderEvent.objects.create(
                order=order, from_status=status, to_status=status, actor=actor,
                reason=str(reason), at=now,
                data={"refund": str(amount), "payment": payment.provider_ref},
            )
            # A refund after settlement takes the money back from the store account.
            from shop.services.accounts import store_account_refund_after_settlement

            store_account_refund_after_settlement(order=order, payment=payment, actor=actor,
                                                  now=now)
    except IntegrityError:
        # The same key won a race in another transaction: that refund stands, this one
        # moved nothing.
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_request(existing, kind=Payment.Kind.REFUND, amount=amount, order=order)
    return payment


def payment_payout(
    *, payee, amount, idempotency_key: str, actor, reason: str, order: Order | None = None,
    now: datetime | None = None,
) -> Payment:
    """Pay money out to a user (e.g. compensation paid first, 先行赔付), exactly once per
    idempotency key. Where the money comes from (a deposit ledger entry) is the caller's
    business, written in the same transaction."""
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
            if payment.status == Payment.Status.SUCCEEDED:
                payment.confirmed_at = now
            payment.save(update_fields=["status", "confirmed_at"])
            if order is not None:
                OrderEvent.objects.create(
                    order=order, from_status=order.status, to_status=order.status, actor=actor,
                    reason=str(reason), at=now,
                    data={"payout": str(amount), "payment": payment.provider_ref},
                )
    except IntegrityError:
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_request(existing, kind=Payment.Kind.PAYOUT, amount=amount, payee=payee)
    return payment


def sandbox_pay(payment: Payment, *, now: datetime | None = None) -> tuple[Payment, bool]:
    """Demo and tests: the sandbox posts its signed success callback for `payment`."""
    provider = payment_provider("sandbox")
    body = provider.callback_body(payment)
    return payment_callback_handle(
        provider_name="sandbox", body=body, signature=provider.sign(body), now=now
    )
