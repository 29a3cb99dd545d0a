"""Flask's signed-cookie sessions, with each worker remembering the cookies it has verified.

A browser sends the same session cookie on every request until the session changes (here about
once a minute, when activity is noted), and Flask checks it afresh each time: a new serializer,
the signature, the decompression and the JSON, about a twentieth of a scenario step's work. This
interface keeps what a verified cookie held, keyed by the exact cookie text, and hands out a new
session built from it: the same bytes verify the same way with the same keys (a change of
``SECRET_KEY`` or its fallbacks forgets them all), and the cookie's signing time is kept so that
the session lifetime still ends it on time. Only sessions of plain values (text, numbers,
true/false) are kept, since a list or a dict in one would be shared by the next request's copy; a
changed cookie is verified in full like any other.
"""

from __future__ import annotations

from time import time as now

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

MOST_KEPT = 10_000  # cookies per worker (a few hundred bytes each); past this the worker starts afresh
PLAIN = (str, int, float, bool, type(None))


class RememberedCookieSessions(SecureCookieSessionInterface):
    def __init__(self):
        self.verified: dict[str, tuple[int, dict]] = {}  # cookie text -> (signed at, values)
        self.keys: tuple = ()  # the keys the kept cookies were verified with

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or not app.secret_key:
            return super().open_session(app, request)
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        if keys != self.keys:  # a key changed or was retired: what it verified counts no longer
            self.verified, self.keys = {}, keys
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self.verified.get(cookie)
        if known is not None:
            signed_at, values = known
            age = int(now()) - signed_at  # whole seconds, refused when negative, as itsdangerous does
            return self.session_class(values if 0 <= age <= max_age else {})
        try:
            values, signed_at = self.get_signing_serializer(app).loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(value, PLAIN) for value in values.values()):
            if len(self.verified) >= MOST_KEPT:
                self.verified.clear()
            self.verified[cookie] = (int(signed_at.timestamp()), values)
        return self.session_class(values)
