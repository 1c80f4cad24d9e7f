"""HMAC signatures for callbacks that carry no session (payment provider, couriers)."""

import hashlib
import hmac

from django.conf import settings


def hmac_signature(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, signature: str) -> bool:
    return bool(signature) and hmac.compare_digest(hmac_signature(secret, body),
                                                   signature.strip())


def derived_secret(setting: str, purpose: str) -> str:
    """The secret from settings, or one derived from SECRET_KEY (never a known default)."""
    value = getattr(settings, setting, "")
    if value:
        return value
    return hmac_signature(settings.SECRET_KEY, purpose.encode())
