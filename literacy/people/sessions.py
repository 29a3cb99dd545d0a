"""Sign-in sessions end (OWASP ASVS 4.0 3.3): after a spell of inactivity (30 minutes for admins,
8 hours for everyone else, by default) and, however active, a fixed time after signing in (12
hours). The login id in the session and in the "remember me" cookie is "id:token:signed-in-at",
so both stop working at the same moment, checked on the server; a rotated token (sign-out, new
password) ends them at once. Activity is noted in the session at most once a minute; "remember me"
keeps a session across a browser restart, and its cookie expires after the same idle limit."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user, user_loaded_from_cookie

from literacy.people.queries import session_user
from literacy.people.tables import User

NOTE_EVERY_SECONDS = 60


def now_seconds() -> int:
    return int(time.time())


def load(session_id: str) -> User | None:
    """The account behind a login id, unless its session has outlived the absolute lifetime."""
    account, _, signed_in = session_id.rpartition(":")
    if not signed_in.isdigit() or now_seconds() - int(signed_in) > _lifetime_seconds():
        return None
    user = session_user(account)
    if user is not None:
        user.signed_in_at = int(signed_in)
    return user


def signing_in(user: User) -> timedelta:
    """Stamp the sign-in time on ``user`` (it goes into the login id) and note activity; returns
    how long a "remember me" cookie may last."""
    user.signed_in_at = now_seconds()
    session["seen_at"] = user.signed_in_at
    return timedelta(seconds=_idle_seconds(user))


def init_app(app) -> None:
    app.before_request(_check_activity)
    user_loaded_from_cookie.connect(_restored, app)


def _check_activity():
    if request.endpoint in (None, "static"):
        return None
    if not current_user.is_authenticated:
        if "_user_id" in session:  # a login id that no longer loads anyone: the session has ended
            _end("Your session has ended. Sign in again to continue.")
        return None
    now, seen = now_seconds(), session.get("seen_at")
    if isinstance(seen, int) and now - seen > _idle_seconds(current_user):
        minutes = _idle_seconds(current_user) // 60
        _end(f"You were signed out after {_duration(minutes)} without activity. Sign in again to continue.")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))
    if not isinstance(seen, int) or now - seen >= NOTE_EVERY_SECONDS:
        session["seen_at"] = now
        if remembered():
            _refresh_remember(current_user, now)
    return None


def _restored(_app, user: User) -> None:
    """A session restored from the "remember me" cookie after a browser restart: activity starts now."""
    session["seen_at"] = now_seconds()


def _refresh_remember(user: User, now: int) -> None:
    """Keep the remember cookie alive for another idle period, never past the absolute lifetime."""
    left = user.signed_in_at + _lifetime_seconds() - now
    session["_remember"] = "set"  # Flask-Login rewrites the cookie after this request
    session["_remember_seconds"] = max(0, min(_idle_seconds(user), left))


def remembered() -> bool:
    """Whether this browser sent a "remember me" cookie."""
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def _end(message: str) -> None:
    had_cookie = remembered()
    logout_user()
    session.clear()
    if had_cookie:
        session["_remember"] = "clear"
    flash(message, "info")


def _idle_seconds(user: User) -> int:
    config = current_app.config
    minutes = config["SESSION_IDLE_MINUTES_ADMIN"] if user.access == "admin" else config["SESSION_IDLE_MINUTES"]
    return minutes * 60


def _lifetime_seconds() -> int:
    return current_app.config["SESSION_LIFETIME_HOURS"] * 3600


def _duration(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
