"""Engine settings and schema creation."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine

from literacy.platform.extensions import db


def configure_engine(engine: Engine, busy_timeout_ms: int = 5000) -> None:
    """SQLite: enforce foreign keys, use WAL and wait for locks instead of failing at once."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def create_schema() -> None:
    """Create missing tables straight from the models, for tests and benchmarks.

    Installations use the migrations instead ('flask db upgrade'); tests/test_migrations.py checks
    that both give the same schema."""
    from literacy.people import models as _people  # noqa: F401  (registers the tables)

    db.create_all()
