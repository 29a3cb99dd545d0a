"""OpenID Connect client secrets at rest: encrypted with Fernet (AES-128-CBC and HMAC-SHA256, from
``cryptography``), never stored or logged in clear.

The keys: ``SSO_SECRET_KEY``, one or more Fernet keys separated by commas (the first encrypts, all
decrypt, so a new key can be put first and the old one kept until every secret is saved again).
Without it a key is derived from ``SECRET_KEY`` with HKDF-SHA256; that key is always tried last,
so secrets saved before ``SSO_SECRET_KEY`` was set still open. Changing ``SECRET_KEY`` without an
``SSO_SECRET_KEY`` makes the saved secrets unreadable: the admin page and the sign-in then say so,
and the secret has to be entered again."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

HKDF_INFO = b"literacy: sso client secrets v1"  # another purpose of SECRET_KEY gets another key


class Unreadable(ValueError):
    """A stored secret no configured key opens (SECRET_KEY or SSO_SECRET_KEY changed)."""


def derived_key(secret_key: str) -> bytes:
    """A Fernet key from SECRET_KEY: HKDF-SHA256, 32 bytes, url-safe base64."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw)


def _box() -> MultiFernet:
    config = current_app.config
    keys = [k.strip().encode() for k in config.get("SSO_SECRET_KEY", "").split(",") if k.strip()]
    return MultiFernet([Fernet(k) for k in [*keys, derived_key(config["SECRET_KEY"])]])


def seal(secret: str) -> str:
    return _box().encrypt(secret.encode()).decode()


def open_sealed(sealed: str) -> str:
    try:
        return _box().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise Unreadable("the saved client secret cannot be decrypted with this server's keys") from None
