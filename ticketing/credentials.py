"""Encryption of the payment credentials organizations enter in the portal (Stripe secret key
and webhook secret): Fernet (AES-128-CBC + HMAC-SHA256) under keys derived with HKDF-SHA256 from
the site's secret, never stored.

Key source: ``PAYMENT_CREDENTIALS_SECRET`` when set, else ``SECRET_KEY``; the secrets in
``SECRET_KEY_FALLBACKS`` still decrypt. Rotation (docs/decisions.md, "Payment credentials"):
put the new secret in place, move the old one to ``SECRET_KEY_FALLBACKS``, run
``manage.py rotate_payment_credentials`` (re-encrypts every row under the new key), then drop
the fallback."""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["InvalidToken", "decrypt", "encrypt", "rotate"]
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"eventhub payment credentials"


def _fernet_for(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> MultiFernet:
    current = getattr(settings, "PAYMENT_CREDENTIALS_SECRET", "") or settings.SECRET_KEY
    fallbacks = [s for s in getattr(settings, "SECRET_KEY_FALLBACKS", []) if s and s != current]
    return MultiFernet([_fernet_for(current), *(_fernet_for(s) for s in fallbacks)])


def encrypt(value: str) -> bytes:
    return _fernet().encrypt(value.encode()) if value else b""


def decrypt(token: bytes | memoryview) -> str:
    """The plain value, or "" for none — and "" when no configured secret decrypts it (the
    organization then has to enter its key again; the environment's keys still apply)."""
    raw = bytes(token)
    if not raw:
        return ""
    try:
        return _fernet().decrypt(raw).decode()
    except InvalidToken:
        return ""


def rotate(token: bytes | memoryview) -> bytes:
    """The value re-encrypted under the current key (``InvalidToken`` if no key opens it)."""
    raw = bytes(token)
    return _fernet().rotate(raw) if raw else b""
