"""The forms' CSRF token, signed once per session and worker instead of on every page.

Flask-WTF signs the session's CSRF secret afresh on each request that shows a form: a new
serializer, a key derivation and an HMAC, about a twentieth of a scenario step's work. With
``WTF_CSRF_TIME_LIMIT`` off (settings.py: a token lives as long as its session), a signed token
never goes stale, so each worker keeps the token it made for a secret and hands the same one out
again. Checking a submitted token is unchanged (Flask-WTF verifies it against the session's
secret), and a new session, with its new secret, gets a new token. With a time limit set, tokens
are signed every time as before, since an old one would expire sooner than the page promises.
"""

from __future__ import annotations

from flask import Flask, g, request, session
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

FIELD = "csrf_token"  # Flask-WTF's default name, for the secret in the session and the token in g
MOST_KEPT = 10_000  # secrets of live sessions per worker; past this the worker starts afresh


def init_app(app: Flask) -> None:
    if app.config.get("WTF_CSRF_TIME_LIMIT", 3600) is not None or app.config.get("WTF_CSRF_FIELD_NAME", FIELD) != FIELD:
        return
    tokens: dict[str, str] = {}
    app.extensions["form_tokens"] = tokens

    @app.before_request
    def _reuse():
        if request.endpoint == "static":
            return  # reading the session would mark static files as varying by cookie
        token = tokens.get(session.get(FIELD, ""))
        if token is not None:
            g.csrf_token = token  # generate_csrf hands out what it finds in g

    @app.after_request
    def _keep(response):
        if FIELD not in g:
            return response  # no form on this page
        token, secret = g.get(FIELD), session.get(FIELD)
        if token and secret and secret not in tokens and _valid(token):
            if len(tokens) >= MOST_KEPT:
                tokens.clear()
            tokens[secret] = token
        return response


def _valid(token: str) -> bool:
    """Whether ``token`` is signed over this session's secret now (a request that ended its session
    after making a token keeps none)."""
    try:
        validate_csrf(token)
    except ValidationError:
        return False
    return True
