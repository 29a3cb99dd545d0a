"""Trusted devices (OWASP's "device cookies" against account lockout): a browser that signs in to
an account gets a signed cookie naming the account and a random nonce. Sign-ins that carry it are
throttled on that device's own failures, so guesses from elsewhere never keep the owner out."""

from __future__ import annotations

import secrets

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

COOKIE = "device"


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="trusted-device")


def nonce(cookie: str | None, user_id: int | None) -> str | None:
    """The device's nonce when ``cookie`` is a valid, unexpired device cookie for this account."""
    if not cookie or user_id is None:
        return None
    try:
        data = _signer().loads(cookie, max_age=current_app.config["DEVICE_COOKIE_DAYS"] * 86400)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("user") != user_id or not isinstance(data.get("nonce"), str):
        return None
    return data["nonce"]


def issue(user_id: int) -> str:
    return _signer().dumps({"user": user_id, "nonce": secrets.token_hex(16)})
