"""Settings: one typed, read-only object read from environment variables, with safe local defaults.

Every variable is parsed and checked once, at start-up. A bad value (``EVIDENCE_WINDOW_DAYS=abc``)
stops the app with a :class:`ConfigError` naming the variable, every problem at once, never a
``ValueError`` trace from deep inside a request. Flask and its extensions read ``app.config``,
which :meth:`Settings.flask_config` fills from this object.
"""

from __future__ import annotations

import base64
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ConfigError(RuntimeError):
    """Configuration that must not be used (a bad value, or production without a secret key)."""


@dataclass(frozen=True)
class Settings:
    production: bool
    json_logs: bool
    secret_key: str
    trusted_hosts: tuple[str, ...]  # requests for other Host headers are refused (empty: any host)
    trusted_proxies: int  # reverse proxies in front: their X-Forwarded-For/-Proto are believed (0: none)
    database_url: str
    # SQLite only: "normal" syncs the write-ahead log at checkpoints, "full" at every commit
    sqlite_synchronous: str
    content_root: str
    content_cache: str  # folder of parsed content kept between starts (empty: parse at every start)
    # sign-in sessions (README, Security): idle limits by access, and the absolute lifetime
    session_idle_minutes_admin: int
    session_idle_minutes: int
    session_lifetime_hours: int
    # email (README, Email): no server means messages are kept and shown to admins, not sent
    public_url: str  # the address people open links in messages at
    mail_server: str
    mail_port: int
    mail_use_tls: bool
    mail_use_ssl: bool
    mail_username: str
    mail_password: str
    mail_default_sender: str
    mail_reminder_days: int  # reminders go this many days before a due date
    # rollup definitions (docs/metrics.md)
    insights_min_learners: int
    evidence_window_days: int
    currency_months: int
    assessment_cooldown_days: int  # after this, a learner's next attempt at a scenario is assessed again
    # xAPI statements (docs/xapi.md): ids and actors are minted from the base IRI
    xapi_base_iri: str
    xapi_platform: str
    xapi_actor: str  # "account": homePage + user id; "email": the learner's mailbox
    xapi_endpoint: str  # e.g. https://lrs.example.com/xAPI/ (empty: keep statements, send nothing)
    xapi_username: str
    xapi_password: str
    xapi_batch_size: int
    xapi_timeout_seconds: float
    # single sign-on (docs/identity.md): Fernet keys for the stored client secrets, comma-separated,
    # the first encrypting (empty: one derived from SECRET_KEY); how long to wait for a provider
    sso_secret_key: str
    sso_timeout_seconds: float

    @classmethod
    def from_environment(cls, environ: Mapping[str, str], instance_path: str) -> Settings:
        """Parse every variable; raise one ConfigError listing each bad or missing one."""
        reader = _Reader(environ)
        production = reader.choice("LITERACY_ENV", ("development", "production"), "development") == "production"
        hosts = tuple(h.strip() for h in reader.text("TRUSTED_HOSTS", "").split(",") if h.strip())
        secret = reader.text("SECRET_KEY", "")
        content_cache = reader.text("CONTENT_CACHE", str(Path(instance_path) / "content-cache"))
        if production and not secret:
            reader.problems.append("SECRET_KEY must be set when LITERACY_ENV=production")
        if production and not hosts:
            reader.problems.append(
                "TRUSTED_HOSTS (comma-separated host names) must be set when LITERACY_ENV=production"
            )
        settings = cls(
            production=production,
            json_logs=production or reader.text("JSON_LOGS", "") == "1",
            secret_key=secret or "dev-only-secret-change-me",
            trusted_hosts=hosts,
            trusted_proxies=reader.whole("TRUSTED_PROXIES", 0, minimum=0),
            database_url=reader.text("DATABASE_URL", f"sqlite:///{Path(instance_path) / 'literacy.sqlite3'}"),
            sqlite_synchronous=reader.choice("SQLITE_SYNCHRONOUS", ("normal", "full"), "normal"),
            content_root=reader.text("CONTENT_ROOT", str(PROJECT_ROOT)),
            content_cache=content_cache if content_cache != "off" else "",
            session_idle_minutes_admin=reader.whole("SESSION_IDLE_MINUTES_ADMIN", 30, minimum=1),
            session_idle_minutes=reader.whole("SESSION_IDLE_MINUTES", 8 * 60, minimum=1),
            session_lifetime_hours=reader.whole("SESSION_LIFETIME_HOURS", 12, minimum=1),
            public_url=reader.text("PUBLIC_URL", "") or (f"https://{hosts[0]}" if hosts else "http://localhost:5000"),
            mail_server=reader.text("MAIL_SERVER", ""),
            mail_port=reader.whole("MAIL_PORT", 25, minimum=1),
            mail_use_tls=reader.flag("MAIL_USE_TLS"),
            mail_use_ssl=reader.flag("MAIL_USE_SSL"),
            mail_username=reader.text("MAIL_USERNAME", ""),
            mail_password=reader.text("MAIL_PASSWORD", ""),
            mail_default_sender=reader.text("MAIL_DEFAULT_SENDER", "Marketing AI judgment <no-reply@localhost>"),
            mail_reminder_days=reader.whole("MAIL_REMINDER_DAYS", 3, minimum=1),
            insights_min_learners=reader.whole("INSIGHTS_MIN_LEARNERS", 5, minimum=1),
            evidence_window_days=reader.whole("EVIDENCE_WINDOW_DAYS", 365, minimum=1),
            currency_months=reader.whole("CURRENCY_MONTHS", 3, minimum=1),
            assessment_cooldown_days=reader.whole("ASSESSMENT_COOLDOWN_DAYS", 30, minimum=1),
            xapi_base_iri=reader.text("XAPI_BASE_IRI", "")
            or (f"https://{hosts[0]}" if hosts else "http://localhost:5000"),
            xapi_platform=reader.text("XAPI_PLATFORM", "Marketing AI judgment"),
            xapi_actor=reader.choice("XAPI_ACTOR", ("account", "email"), "account"),
            xapi_endpoint=reader.text("XAPI_ENDPOINT", ""),
            xapi_username=reader.text("XAPI_USERNAME", ""),
            xapi_password=reader.text("XAPI_PASSWORD", ""),
            xapi_batch_size=reader.whole("XAPI_BATCH_SIZE", 50, minimum=1),
            xapi_timeout_seconds=reader.number("XAPI_TIMEOUT_SECONDS", 10.0),
            sso_secret_key=reader.fernet_keys("SSO_SECRET_KEY"),
            sso_timeout_seconds=reader.number("SSO_TIMEOUT_SECONDS", 10.0),
        )
        if reader.problems:
            raise ConfigError("; ".join(reader.problems))
        return settings

    def flask_config(self) -> dict:
        """The keys Flask, its extensions and the app read from ``app.config``."""
        return {
            "SETTINGS": self,
            "PRODUCTION": self.production,
            "JSON_LOGS": self.json_logs,
            "SECRET_KEY": self.secret_key,
            "TRUSTED_HOSTS": list(self.trusted_hosts) or None,
            "TRUSTED_PROXIES": self.trusted_proxies,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "CONTENT_ROOT": self.content_root,
            "CONTENT_CACHE": self.content_cache,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": self.production,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": self.production,
            "WTF_CSRF_TIME_LIMIT": None,  # a token lives as long as the session: a slow reader loses nothing
            "MAX_CONTENT_LENGTH": 1024 * 1024,
            "SQLITE_BUSY_TIMEOUT_MS": 5000,  # how long a write waits for another writer before giving up
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:600000",
            "MAIL_BACKEND": "smtp",  # Flask-Mailman would pick an in-memory backend under TESTING
            "MAIL_TIMEOUT": 10,
            # "Remember me" survives a browser restart within the idle limit (people/sessions.py)
            "REMEMBER_COOKIE_DURATION": timedelta(minutes=self.session_idle_minutes),
            "LOGIN_LIMIT_ACCOUNT": 5,  # failed sign-ins at one account from one address (or device) per window
            "LOGIN_LIMIT_ADDRESS": 30,  # failed sign-ins from one client address per window
            "LOGIN_DELAY_AFTER": 10,  # failures at one account from all addresses before growing delays begin
            "LOGIN_DELAY_MAX_SECONDS": 60,  # the longest delay: about 60 guesses an hour at most
            "DEVICE_COOKIE_DAYS": 180,  # how long a browser that signed in stays trusted for its account
            "LOGIN_WINDOW_MINUTES": 15,
            "REGISTER_LIMIT_ADDRESS": 20,  # new accounts per client address per window
            **{
                field.name.upper(): getattr(self, field.name)
                for field in dataclasses.fields(self)
                if field.name.startswith(
                    (
                        "session_",
                        "mail_",
                        "public_",
                        "insights_",
                        "evidence_",
                        "currency_",
                        "assessment_",
                        "xapi_",
                        "sso_",
                        "sqlite_",
                    )
                )
            },
        }


class _Reader:
    """Reads typed values from the environment, collecting a message per bad variable."""

    def __init__(self, environ: Mapping[str, str]):
        self.environ, self.problems = environ, []

    def text(self, name: str, default: str) -> str:
        return self.environ.get(name, default)

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.environ.get(name, default)
        if value not in allowed:
            self.problems.append(f"{name} must be one of {', '.join(repr(a) for a in allowed)}, not {value!r}")
            return default
        return value

    def flag(self, name: str) -> bool:
        """A yes/no variable: 1, true or yes turn it on; unset, 0, false or no leave it off."""
        value = self.environ.get(name, "").strip().lower()
        if value not in ("", "0", "1", "true", "false", "yes", "no"):
            self.problems.append(f"{name} must be 1 or 0, not {value!r}")
        return value in ("1", "true", "yes")

    def fernet_keys(self, name: str) -> str:
        """Comma-separated Fernet keys (each url-safe base64 of 32 bytes), or empty."""
        value = self.environ.get(name, "").strip()
        for key in filter(None, (k.strip() for k in value.split(","))):
            try:
                valid = len(base64.urlsafe_b64decode(key.encode())) == 32 and len(key) == 44
            except ValueError:  # binascii.Error: not base64
                valid = False
            if not valid:
                self.problems.append(f"{name} must hold Fernet keys (44 characters of url-safe base64 each)")
                return ""
        return value

    def whole(self, name: str, default: int, minimum: int) -> int:
        return self._parsed(name, default, int, "a whole number", lambda v: v >= minimum, f"at least {minimum}")

    def number(self, name: str, default: float) -> float:
        return self._parsed(name, default, float, "a number of seconds", lambda v: v > 0, "more than 0")

    def _parsed(self, name: str, default, parse, kind: str, valid, rule: str):
        raw = self.environ.get(name)
        if raw is None:
            return default
        try:
            value = parse(raw.strip())
        except ValueError:
            self.problems.append(f"{name} must be {kind}, not {raw!r}")
            return default
        if not valid(value):
            self.problems.append(f"{name} must be {rule}, not {raw.strip()}")
            return default
        return value


def from_environment(instance_path: str) -> dict:
    """The app's configuration from this process's environment (see :class:`Settings`)."""
    return Settings.from_environment(os.environ, instance_path).flask_config()
