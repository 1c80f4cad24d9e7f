"""The payment-provider interface and the sandbox provider.

A provider starts a pay-in (what the payer's app needs), verifies and parses its signed
callback, and performs refunds and payouts, answering SUCCEEDED, PENDING (its callback
settles it later) or FAILED (nothing moved). The sandbox is a gateway like a real one: it
signs callbacks with HMAC-SHA256 (settings.PAYMENT_SANDBOX_SECRET, or a key derived from
SECRET_KEY) and settles refunds and payouts at once. Its "pay now" shortcut (a signed
callback handed to the payer) exists only while `sandbox_enabled()`: never in production."""

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.money import to_money
from common.signing import derived_secret, hmac_signature, signature_matches
from payments import rules


def sandbox_enabled() -> bool:
    """May the sandbox provider's shortcuts be used (a "pay now" button, a signed callback
    handed to the payer)? Only on a developer's machine, in demos and tests: never in
    production, where they would let anyone credit themselves without paying."""
    return bool(getattr(settings, "PAYMENT_SANDBOX_ENABLED", settings.DEBUG))


@dataclass(frozen=True)
class PaymentCallback:
    provider_ref: str
    succeeded: bool
    amount: Decimal
    data: dict


class PaymentProvider:
    """What the platform needs from a payment provider."""

    name = ""

    def start(self, payment) -> dict:
        """What the payer's app needs to pay `payment`."""
        raise NotImplementedError

    def verify_callback(self, body: bytes, signature: str) -> bool:
        raise NotImplementedError

    def parse_callback(self, body: bytes) -> PaymentCallback:
        raise NotImplementedError

    def refund(self, payment) -> str:
        """Ask for a refund; returns the new status (rules.SUCCEEDED/PENDING/FAILED)."""
        raise NotImplementedError

    def payout(self, payment) -> str:
        """Pay money out to `payment.payee`; returns the new status."""
        raise NotImplementedError

    def new_reference(self, prefix: str) -> str:
        return f"{self.name}-{prefix}-{uuid.uuid4().hex}"


class SandboxProvider(PaymentProvider):
    """A provider for demos and tests: pay-ins are confirmed by a signed callback that the
    sandbox (or a test) posts to /api/webhooks/payments/sandbox/."""

    name = "sandbox"

    @property
    def secret(self) -> str:
        return derived_secret("PAYMENT_SANDBOX_SECRET", "payment-sandbox")

    def sign(self, body: bytes) -> str:
        return hmac_signature(self.secret, body)

    def callback_body(self, payment, *, succeeded: bool = True) -> bytes:
        return json.dumps(
            {
                "payment_ref": payment.provider_ref,
                "status": "succeeded" if succeeded else "failed",
                "amount": str(payment.amount),
            },
            sort_keys=True,
        ).encode()

    def start(self, payment) -> dict:
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
        return signature_matches(self.secret, body, signature)

    def parse_callback(self, body: bytes) -> PaymentCallback:
        try:
            data = json.loads(body)
            return PaymentCallback(
                provider_ref=str(data["payment_ref"]),
                succeeded=data["status"] == "succeeded",
                amount=to_money(data["amount"]),
                data=data,
            )
        except (ValueError, KeyError, TypeError, InvalidOperation, RecursionError):
            raise ApplicationError(_("The callback body is not understood."),
                                   code="bad_callback")

    def refund(self, payment) -> str:
        return rules.SUCCEEDED

    def payout(self, payment) -> str:
        return rules.SUCCEEDED


_PROVIDERS: dict[str, PaymentProvider] = {"sandbox": SandboxProvider()}


def payment_provider(name: str | None = None) -> PaymentProvider:
    name = name or getattr(settings, "PAYMENT_PROVIDER", "sandbox")
    try:
        return _PROVIDERS[name]
    except KeyError:
        raise ApplicationError(_("Unknown payment provider."), code="unknown_provider")
