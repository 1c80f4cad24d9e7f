"""Every write to a payment. Domains call these; payments calls back the handler that the
owning app registered for the payment's purpose (`payments.purposes`).

- `payment_start`: money in (a buyer paying an order, a merchant paying into a deposit):
  a pending payment, settled by the provider's signed callback.
- `payment_refund` / `payment_payout`: money out, exactly once per idempotency key. The
  provider answers SUCCEEDED, PENDING (its callback settles it later and the purpose's
  handler is told) or FAILED: nothing moved, the failed record is kept (its key freed so
  the caller may try again) and `PaymentFailedError` is raised, so a caller that does not
  look at the answer cannot record money that never moved.
- `payment_callback_handle`: verify and apply a signed callback. A callback delivered
  twice finds the payment settled and changes nothing.
- `payment_settle`: the one writer of a payment's status (transition table in
  `payments.rules`, an event row per change).

Callers keep their own bookkeeping (an order's refunded amount, a withdrawal's status) in
the same transaction as these calls."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.idempotency import once
from common.money import to_money
from common.reasons import reason_fields
from payments import purposes, rules
from payments.models import Payment, PaymentEvent
from payments.providers import payment_provider
from payments.reasons import R


class PaymentFailedError(ApplicationError):
    """The provider refused a refund or payout: nothing moved. `payment` is the failed
    record (kept unless the caller's transaction rolls back)."""

    def __init__(self, message, *, payment: Payment, code: str):
        super().__init__(message, code=code)
        self.payment = payment


def _event(payment: Payment, old: str, new: str, *, actor, reason, now, **data) -> None:
    PaymentEvent.objects.create(payment=payment, from_status=old, to_status=new, actor=actor,
                                at=now, data=data, **reason_fields(reason))


def payment_settle(*, payment: Payment, succeeded: bool, now: datetime | None = None,
                   actor=None, callback: dict | None = None, notify: bool = True) -> bool:
    """Move a payment (row locked by the caller, or created in this transaction) to
    succeeded or failed, if the transition table allows it; False if it does not (a
    repeated callback). With `notify`, the purpose's handler is told, in this transaction."""
    now = now or timezone.now()
    new = rules.SUCCEEDED if succeeded else rules.FAILED
    old = payment.status
    if not rules.payment_can_move(payment.kind, old, new):
        return False
    payment.status = new
    payment.confirmed_at = now
    fields = ["status", "confirmed_at"]
    if callback is not None:
        payment.raw = {**(payment.raw or {}), "callback": callback}
        fields.append("raw")
    if rules.payment_frees_key(payment.kind, new):
        payment.idempotency_key = f"failed:{payment.pk}:{payment.idempotency_key}"[:80]
        fields.append("idempotency_key")
    payment.save(update_fields=fields)
    _event(payment, old, new, actor=actor, now=now,
           reason=R("provider_confirmed") if succeeded else R("provider_failed"),
           **({"callback": True} if callback is not None else {}))
    if notify:
        purposes.notify(payment, succeeded=succeeded, now=now)
    return True


def _keyed(idempotency_key: str):
    return lambda: Payment.objects.filter(idempotency_key=idempotency_key).first()


def _same_request(existing: Payment, *, kind, amount, purpose, subject_id,
                  payee=None) -> Payment:
    if (existing.kind != kind or existing.amount != amount or existing.purpose != purpose
            or existing.subject_id != str(subject_id)
            or (payee is not None and existing.payee_id != getattr(payee, "pk", payee))):
        raise ApplicationError(
            _("This idempotency key was already used for a different request."),
            code="idempotency_conflict",
        )
    return existing


def payment_start(*, purpose: str, subject_id, amount, idempotency_key: str, actor=None,
                  reference: str = "", reason: str = "", data: dict | None = None,
                  now: datetime | None = None) -> Payment:
    """Money in: a pending payment that the provider's callback settles (the same one for
    the same idempotency key)."""
    now = now or timezone.now()
    amount = to_money(amount)
    if amount <= 0:
        raise ApplicationError(_("A payment must be more than zero."), code="invalid_amount")

    def create() -> Payment:
        provider = payment_provider()
        payment = Payment.objects.create(
            purpose=purpose, subject_id=str(subject_id), reference=reference,
            kind=rules.PAYMENT, provider=provider.name,
            provider_ref=provider.new_reference(purpose.split(".")[0]),
            idempotency_key=idempotency_key,
            amount=amount, reason=str(reason)[:200], created_at=now, data=data or {},
        )
        _event(payment, "", rules.PENDING, actor=actor, reason=R("started"), now=now)
        return payment

    payment, created = once(_keyed(idempotency_key), create)
    if not created:
        return _same_request(payment, kind=rules.PAYMENT, amount=amount, purpose=purpose,
                             subject_id=subject_id)
    return payment


def payment_instructions(payment: Payment) -> dict:
    """What the payer's app needs to pay a pending payment."""
    return payment_provider(payment.provider).start(payment)


def _money_out(kind: str, *, purpose, subject_id, payee, amount, idempotency_key, actor,
               reason, reference, data, now) -> Payment:
    now = now or timezone.now()
    amount = to_money(amount)
    if amount <= 0:
        raise ApplicationError(
            _("A refund must be more than zero.") if kind == rules.REFUND
            else _("A payout must be more than zero."), code="invalid_amount")

    def create() -> Payment:
        provider = payment_provider()
        payment = Payment.objects.create(
            purpose=purpose, subject_id=str(subject_id), reference=reference, kind=kind,
            provider=provider.name, provider_ref=provider.new_reference(kind),
            idempotency_key=idempotency_key, amount=amount,
            payee_id=getattr(payee, "pk", payee), reason=str(reason)[:200],
            created_at=now, data=data or {},
        )
        _event(payment, "", rules.PENDING, actor=actor, reason=R("requested"), now=now)
        answer = provider.refund(payment) if kind == rules.REFUND else provider.payout(payment)
        if answer != rules.PENDING:
            payment_settle(payment=payment, succeeded=answer == rules.SUCCEEDED, now=now,
                           actor=actor, notify=False)
        return payment

    # A request under a key already used (also one that won a race in another
    # transaction) gets that request's payment; this one moves nothing.
    payment, created = once(_keyed(idempotency_key), create)
    if not created:
        return _same_request(payment, kind=kind, amount=amount, purpose=purpose,
                             subject_id=subject_id, payee=payee)
    if payment.status == rules.FAILED:
        if kind == rules.REFUND:
            raise PaymentFailedError(
                _("The payment provider refused the refund; nothing was refunded."),
                payment=payment, code="refund_failed")
        raise PaymentFailedError(_("The payment provider refused the payout; nothing was paid."),
                                 payment=payment, code="payout_failed")
    return payment


def payment_refund(*, purpose: str, subject_id, payee, amount, idempotency_key: str, actor,
                   reason: str, reference: str = "", data: dict | None = None,
                   now: datetime | None = None) -> Payment:
    """Send money back to who paid it, exactly once per idempotency key."""
    return _money_out(rules.REFUND, purpose=purpose, subject_id=subject_id, payee=payee,
                      amount=amount, idempotency_key=idempotency_key, actor=actor,
                      reason=reason, reference=reference, data=data, now=now)


def payment_payout(*, purpose: str, subject_id, payee, amount, idempotency_key: str, actor,
                   reason: str, reference: str = "", data: dict | None = None,
                   now: datetime | None = None) -> Payment:
    """Pay money out to a user, exactly once per idempotency key."""
    return _money_out(rules.PAYOUT, purpose=purpose, subject_id=subject_id, payee=payee,
                      amount=amount, idempotency_key=idempotency_key, actor=actor,
                      reason=reason, reference=reference, data=data, now=now)


def payment_callback_handle(*, provider_name: str, body: bytes, signature: str,
                            now: datetime | None = None) -> tuple[Payment, bool]:
    """Apply a signed callback; returns (payment, changed). A bad signature is refused; a
    repeated callback finds the payment settled and changes nothing. Money reported
    failed and then arriving after all is applied (the handler decides how)."""
    now = now or timezone.now()
    provider = payment_provider(provider_name)
    if not provider.verify_callback(body, signature):
        raise ApplicationError(_("The callback signature is invalid."), code="bad_signature")
    callback = provider.parse_callback(body)
    with transaction.atomic():
        payment = (Payment.objects.select_for_update()
                   .filter(provider_ref=callback.provider_ref, provider=provider.name).first())
        if payment is None:
            raise ApplicationError(_("Unknown payment."), code="unknown_payment")
        if callback.succeeded and callback.amount != payment.amount:
            raise ApplicationError(_("The paid amount does not match the payment."),
                                   code="amount_mismatch")
        changed = payment_settle(payment=payment, succeeded=callback.succeeded, now=now,
                                 callback=callback.data)
    return payment, changed


def sandbox_pay(payment: Payment, *, succeeded: bool = True,
                now: datetime | None = None) -> tuple[Payment, bool]:
    """Demo and tests: the sandbox provider posts its signed callback for `payment`, as a
    real provider would post its own. Not reachable from any page."""
    provider = payment_provider("sandbox")
    body = provider.callback_body(payment, succeeded=succeeded)
    return payment_callback_handle(provider_name="sandbox", body=body,
                                   signature=provider.sign(body), now=now)
