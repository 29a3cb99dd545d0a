"""Sign-in throttling per account and per client address, and registrations per address, counted in
the database (the ``login_failures`` table keeps one row per counted event, keyed by what it counts)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from literacy.people.tables import LoginFailure
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db


def _keys(email: str, address: str) -> tuple[str, str]:
    return f"account:{email.strip().lower()}", f"address:{address}"


def blocked(email: str, address: str, *, account_limit: int, address_limit: int, window_minutes: int) -> bool:
    """True when either the account or the address has too many recent failures."""
    since = utcnow() - timedelta(minutes=window_minutes)
    account, client = _keys(email, address)
    counts = dict(
        db.session.execute(
            select(LoginFailure.key, func.count())
            .where(LoginFailure.key.in_((account, client)), LoginFailure.at >= since)
            .group_by(LoginFailure.key)
        ).all()
    )
    return counts.get(account, 0) >= account_limit or counts.get(client, 0) >= address_limit


def failed(email: str, address: str) -> None:
    db.session.add_all(LoginFailure(key=key) for key in _keys(email, address))
    db.session.flush()


def succeeded(email: str) -> None:
    account, _ = _keys(email, "")
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == account))


def registrations_blocked(address: str, *, limit: int, window_minutes: int) -> bool:
    """True when this address created ``limit`` accounts within the window (each costs a password hash)."""
    since = utcnow() - timedelta(minutes=window_minutes)
    key = f"register:{address}"
    count = db.session.scalar(select(func.count()).where(LoginFailure.key == key, LoginFailure.at >= since))
    return count >= limit


def registered(address: str) -> None:
    db.session.add(LoginFailure(key=f"register:{address}"))
