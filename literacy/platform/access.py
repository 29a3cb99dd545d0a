"""Who may use which route. Every view declares a rule; a view without one is refused (deny by default)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from literacy.platform import origin

log = logging.getLogger(__name__)

# Which access roles satisfy each rule. "user" is any signed-in account.
RULES: dict[str, set[str] | None] = {
    "public": None,
    "user": {"learner", "manager", "leader", "admin"},
    "manager": {"manager", "admin"},
    "insights": {"manager", "leader", "admin"},
    "leader": {"leader", "admin"},
    "admin": {"admin"},
    # SCIM provisioning: no session authorises it; the views check the organisation's bearer token
    "scim": None,
}


def allow(rule: str) -> Callable:
    """Declare a view's access rule, e.g. ``@allow("user")``."""
    if rule not in RULES:
        raise ValueError(f"unknown access rule {rule!r}")

    def mark(view: Callable) -> Callable:
        view.access_rule = rule
        return view

    return mark


def rule_for(app: Flask, endpoint: str | None) -> str | None:
    view = app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "access_rule", None)


def enforce(app: Flask) -> None:
    """Check the rule before every request."""
    app.view_functions["static"].access_rule = "public"

    @app.before_request
    def _check():
        if request.endpoint is None:
            return None  # 404 or 405: nothing to protect
        rule = rule_for(app, request.endpoint)
        if rule is None:
            abort(403)  # a route without a rule is closed, not open
        allowed = RULES[rule]
        if allowed is None:
            return None
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        origin.actor.set((current_user.id, current_user.email))  # who the audit log names
        if current_user.access not in allowed:
            log.warning(
                "access denied: user=%s endpoint=%s path=%s",
                current_user.get_id().split(":")[0],
                request.endpoint,
                request.path,
            )
            abort(403)
        return None


def safe_next(target: str | None) -> str | None:
    """Accept only same-site relative paths for ``?next=`` (no scheme, host, '//' or control-character tricks)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):  # CR/LF would split the Location header
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


class BoundedInt(IntegerConverter):
    """``<int:...>`` in routes, bounded to what the database's integer columns hold: a larger id is a
    404, not an overflow in the database driver."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def bound_ids(app: Flask) -> None:
    """Call before any blueprint is registered: rules pick their converter when they are added."""
    app.url_map.converters["int"] = BoundedInt
