"""Engine settings and schema creation."""

from __future__ import annotations

import logging

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from literacy.platform.extensions import db

log = logging.getLogger(__name__)


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


def import_models() -> None:
    """Register every feature's tables with the metadata (the models live in their features)."""
    from literacy.cohorts import models as _cohorts  # noqa: F401
    from literacy.insights import models as _insights  # noqa: F401
    from literacy.learning import models as _learning  # noqa: F401
    from literacy.people import models as _people  # noqa: F401
    from literacy.xapi import models as _xapi  # noqa: F401


def create_schema() -> None:
    """Create missing tables straight from the models, for tests and benchmarks.

    Installations use the migrations instead ('flask db upgrade'); tests/test_migrations.py checks
    that both give the same schema."""
    import_models()
    db.create_all()


def reachable() -> bool:
    """Whether the database answers a trivial query (for the health check)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        db.session.rollback()
        return False
    return True
