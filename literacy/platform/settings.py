"""Configuration: safe local defaults, overridden by environment variables."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ConfigError(RuntimeError):
    """Configuration that must not be used (for example production without a secret key)."""


def from_environment(instance_path: str) -> dict:
    """Settings from the environment. Production (LITERACY_ENV=production) requires SECRET_KEY."""
    production = os.environ.get("LITERACY_ENV", "development") == "production"
    secret = os.environ.get("SECRET_KEY")
    if production and not secret:
        raise ConfigError("SECRET_KEY must be set when LITERACY_ENV=production")
    hosts = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]
    if production and not hosts:
        raise ConfigError("TRUSTED_HOSTS (comma-separated host names) must be set when LITERACY_ENV=production")
    default_db = f"sqlite:///{Path(instance_path) / 'literacy.sqlite3'}"
    actor = os.environ.get("XAPI_ACTOR", "account")
    if actor not in ("account", "email"):
        raise ConfigError("XAPI_ACTOR must be 'account' (the default) or 'email'")
    return {
        "PRODUCTION": production,
        "JSON_LOGS": production or os.environ.get("JSON_LOGS") == "1",
        "SECRET_KEY": secret or "dev-only-secret-change-me",
        "TRUSTED_HOSTS": hosts or None,  # requests for other Host headers are refused
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        "CONTENT_ROOT": os.environ.get("CONTENT_ROOT", str(PROJECT_ROOT)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,  # a token lives as long as the session: a slow reader loses nothing
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SQLITE_BUSY_TIMEOUT_MS": 5000,  # how long a write waits for another writer before giving up
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:600000",
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "LOGIN_LIMIT_ACCOUNT": 5,  # failed sign-ins per account per window
        "LOGIN_LIMIT_ADDRESS": 30,  # failed sign-ins per client address per window
        "LOGIN_WINDOW_MINUTES": 15,
        # rollup definitions (docs/metrics.md)
        "INSIGHTS_MIN_LEARNERS": int(os.environ.get("INSIGHTS_MIN_LEARNERS", 5)),
        "EVIDENCE_WINDOW_DAYS": int(os.environ.get("EVIDENCE_WINDOW_DAYS", 365)),
        "CURRENCY_MONTHS": int(os.environ.get("CURRENCY_MONTHS", 3)),
        # xAPI statements (README, "Learning Record Store"): ids and actors are minted from the base IRI
        "XAPI_BASE_IRI": os.environ.get("XAPI_BASE_IRI")
        or (f"https://{hosts[0]}" if hosts else "http://localhost:5000"),
        "XAPI_PLATFORM": os.environ.get("XAPI_PLATFORM", "Marketing AI judgment"),
        "XAPI_ACTOR": actor,  # "account": homePage + user id; "email": the learner's mailbox
        "XAPI_ENDPOINT": os.environ.get(
            "XAPI_ENDPOINT", ""
        ),  # e.g. https://lrs.example.com/xAPI/ (empty: keep statements)
        "XAPI_USERNAME": os.environ.get("XAPI_USERNAME", ""),
        "XAPI_PASSWORD": os.environ.get("XAPI_PASSWORD", ""),
        "XAPI_BATCH_SIZE": int(os.environ.get("XAPI_BATCH_SIZE", 50)),
        "XAPI_TIMEOUT_SECONDS": float(os.environ.get("XAPI_TIMEOUT_SECONDS", 10)),
    }
