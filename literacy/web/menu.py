"""The main menu, rendered once per kind of page and visitor instead of on every request, and the
base template's other links that are the same on every page, rendered once per script root.

Its HTML depends only on whether someone is signed in, their access level and which page is open
(the link marked as current), plus the sign-out form's CSRF token, which is put in afterwards.
Anything else the menu starts to depend on must join ``_key``."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

TOKEN = Markup("\x00csrf-token\x00")  # stands in for the token while the cached HTML is made
# pages x access levels is a few hundred; the script root comes from the server, so the bound only
# guards against a deployment that lets clients vary it
MOST_KEPT = 2000


def menu(links: Callable[[Markup], Markup]) -> Markup:
    """``links(token)`` (the base template's macro) rendered, with this session's token in it."""
    signed_in = current_user.is_authenticated
    html = _kept(_key(signed_in), lambda: links(TOKEN))
    return Markup(html.replace(TOKEN, escape(generate_csrf()))) if signed_in else Markup(html)


def same_everywhere(part: Callable[[], Markup]) -> Markup:
    """``part()``, a macro of the base template whose HTML is the same on every page (the stylesheet
    and icon links, the brand link), rendered once: its links change only with the script root."""
    return Markup(_kept((request.script_root, part.name), part))


def _kept(key: tuple, render: Callable[[], Markup]) -> str:
    parts = current_app.extensions["menus"]
    html = parts.get(key)
    if html is None:
        html = str(render())
        if len(parts) < MOST_KEPT:
            parts[key] = html
    return html


def _key(signed_in: bool) -> tuple:
    access = current_user.access if signed_in else None
    return request.script_root, request.endpoint, request.blueprint, signed_in, access


def init_app(app) -> None:
    app.extensions["menus"] = {}  # one app's menus: a test's app may differ from the next one's
    app.jinja_env.globals["menu"] = menu
    app.jinja_env.globals["same_everywhere"] = same_everywhere
