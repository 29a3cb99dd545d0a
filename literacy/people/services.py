"""Changes to people and their accounts: registration, sign-in bookkeeping, access and teams."""

from __future__ import annotations

import functools
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from literacy.evidence import audit
from literacy.people import devices, throttle
from literacy.people.tables import Team, User
from literacy.platform.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignIn:
    user: User | None  # the account signed in to, if the password matched
    wait_seconds: int = 0  # more than 0: too many recent failures, refused whatever the password
    device_cookie: str | None = None  # a new trusted-device cookie for the browser to keep
    unconfirmed: bool = False  # the password matched, but the address is not confirmed yet


def sign_in(email: str, password: str, address: str, device_cookie: str | None = None) -> SignIn:
    """Check a sign-in against the throttle and then the password (throttle.py has the rules)."""
    email, config = email.strip().lower(), current_app.config
    user = db.session.scalar(select(User).where(User.email == email))
    client = throttle.Client(email, address, devices.nonce(device_cookie, user.id if user else None))
    wait, right = throttle.checked(client, _limits(config), lambda: _password_matches(user, password, config))
    if wait:
        log.warning("login throttled: email=%s address=%s wait=%ss", email, address, wait)
        return SignIn(None, wait_seconds=wait)
    if right and user.active:  # the hash first: a deactivated account costs the same
        if user.confirmation_pending:
            return SignIn(None, unconfirmed=True)
        throttle.succeeded(email, client.device)
        return SignIn(user, device_cookie=None if client.device else devices.issue(user.id))
    throttle.failed(client)
    log.warning("login failed: email=%s address=%s", email, address)  # never the password
    return SignIn(None)


def _password_matches(user: User | None, password: str, config) -> bool:
    if user is None or not user.password_hash:
        check_password_hash(_stand_in_hash(config["PASSWORD_HASH_METHOD"]), password)  # the same work either way
        return False
    return user.check_password(password)


def _limits(config) -> throttle.Limits:
    return throttle.Limits(
        pair=config["LOGIN_LIMIT_ACCOUNT"],
        address=config["LOGIN_LIMIT_ADDRESS"],
        free=config["LOGIN_DELAY_AFTER"],
        max_delay=config["LOGIN_DELAY_MAX_SECONDS"],
        window=timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]),
    )


def change_password(user: User, current: str, new: str, address: str) -> SignIn:
    """Set a new password when ``current`` is right; every other session and remember cookie ends
    (the session token rotates). A wrong current password counts as a failed sign-in, so a session
    left open cannot be used to guess it. ``user`` in the answer: changed."""
    client = throttle.Client(user.email, address)
    wait, right = throttle.checked(client, _limits(current_app.config), lambda: user.check_password(current))
    if wait:
        return SignIn(None, wait_seconds=wait)
    if not right:
        throttle.failed(client)
        log.warning("password change refused, wrong current password: user=%s address=%s", user.id, address)
        return SignIn(None)
    user.set_password(new)
    db.session.flush()
    log.info("password changed: user=%s", user.id)
    return SignIn(user)


@functools.cache
def _stand_in_hash(method: str) -> str:
    """A hash to check unknown emails against, so they cost what a real account's check costs."""
    return generate_password_hash(secrets.token_hex(16), method=method)


def sign_out(user: User) -> None:
    user.rotate_sessions()  # cookies copied before sign-out stop working
    db.session.flush()


def update_profile(user: User, name: str, *, reminders: bool, digest: bool) -> None:
    """A person's own settings: their name and which optional emails they receive."""
    user.name = name.strip() or user.name
    user.reminders_opt_out = not reminders
    user.digest_opt_in = digest
    db.session.flush()


def set_access(admin: User, user: User, access: str) -> bool:
    """Change someone's access; False (nothing changed) when an admin would remove their own admin access."""
    if user.id == admin.id and access != "admin":
        return False
    before = user.access
    user.access = access
    db.session.flush()
    if before != access:
        audit.record(user.org_id, "access.changed", user.email, actor=admin, old=before, new=access)
    log.info("access changed: admin=%s user=%s access=%s", admin.id, user.id, user.access)
    return True


def toggle_team(user: User, team: Team) -> None:
    if team in user.teams:
        user.teams.remove(team)
        audit.record(team.org_id, "team.members", team.name, removed=[user.email])
    else:
        user.teams.append(team)
        audit.record(team.org_id, "team.members", team.name, added=[user.email])
    db.session.flush()


def create_team(org_id: int, name: str, role: str | None) -> Team:
    team = Team(org_id=org_id, name=name.strip(), role=role or None)
    db.session.add(team)
    db.session.flush()
    audit.record(org_id, "team.created", team.name, role=role or "")
    return team
