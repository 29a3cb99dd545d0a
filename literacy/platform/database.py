"""Engine settings and schema creation."""

from __future__ import annotations

import logging

from sqlalchemy import bindparam, event, false, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from literacy.platform.extensions import db
from literacy.platform.writer_queue import QueuedWriterConnection

log = logging.getLogger(__name__)


def configure_engine(engine: Engine, busy_timeout_ms: int = 5000, synchronous: str = "normal") -> None:
    """SQLite: enforce foreign keys, use WAL, wait for locks instead of failing at once, and queue
    the writers of a database file (``platform.writer_queue``).

    ``synchronous``: "normal" (the default, as SQLite's documentation advises for WAL) syncs the log
    to disk at checkpoints rather than at every commit, which stays consistent through any crash but
    may lose the last commits to a power failure or an operating-system crash; "full" syncs every
    commit, at about 0.3 ms each here, held inside the writers' queue."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "do_connect")
    def _queue_writers(_dialect, _record, cargs, cparams):
        database = cparams.get("database", cargs[0] if cargs else "")
        if database not in ("", ":memory:") and not cparams.get("uri"):
            cparams["factory"] = QueuedWriterConnection

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={_SYNCHRONOUS[synchronous]}")
        cursor.close()


_SYNCHRONOUS = {"normal": "NORMAL", "full": "FULL"}  # the only values accepted (never text from elsewhere)


def import_tables() -> None:
    """Register every feature's tables with the metadata (each feature keeps its own in tables.py)."""
    from literacy.cohorts import tables as _cohorts  # noqa: F401
    from literacy.evidence import tables as _evidence  # noqa: F401
    from literacy.identity import tables as _identity  # noqa: F401
    from literacy.insights import tables as _insights  # noqa: F401
    from literacy.learning import tables as _learning  # noqa: F401
    from literacy.mail import tables as _mail  # noqa: F401
    from literacy.people import tables as _people  # noqa: F401
    from literacy.workflows import tables as _workflows  # noqa: F401
    from literacy.xapi import tables as _xapi  # noqa: F401


def create_schema() -> None:
    """Create missing tables straight from the table classes, for tests and benchmarks.

    Installations use the migrations instead ('flask db upgrade'); tests/test_migrations.py checks
    that both give the same schema."""
    import_tables()
    db.create_all()


def loader_by_id(model):
    """``db.session.get(model, id)`` for the loads every request makes (the signed-in person, the
    attempt being played): the statement is built once, not per call, which saves SQLAlchemy
    building it and working out its cache key each time (about a fifth of such a load). Unlike
    ``get`` it always asks the database, so it suits a request's first load of the row."""
    statement = select(model).where(model.id == bindparam("id"))

    def load(row_id: int):
        return db.session.execute(statement, {"id": row_id}).scalar_one_or_none()

    return load


def column_rows(statement):
    """The rows of a select of columns (not of whole entities), run on the session's connection
    without the ORM's result processing: for the reads that sum up a whole cohort or organisation,
    where building ORM result rows cost more than the query (the cohort dashboard at 2,000 learners
    read about 10,000 rows per page). Pending changes are flushed first, as the session would."""
    db.session.flush()
    return db.session.connection().execute(statement)


def reachable() -> bool:
    """Whether the database answers a trivial query (for the health check)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        db.session.rollback()
        return False
    return True


def lock_row(model, row_id: int, column: str) -> None:
    """Hold a lock on one row until the transaction ends, so parallel requests that would write the
    same things (two tabs, a double click) take turns: a no-op update of ``column`` takes the row
    lock on PostgreSQL and the database's write lock on SQLite."""
    db.session.execute(update(model).where(model.id == row_id).values({column: getattr(model, column)}))


def lock_name(name: str) -> None:
    """Hold a lock on a name until the transaction ends, for work with no row of its own to lock
    (the sign-in attempts at one email, which may not be an account): an advisory lock on
    PostgreSQL, the database's write lock on SQLite (any write statement takes it)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))"), {"name": name})
    else:  # a no-op update of any table: SQLite has one lock for the whole database
        table = db.metadata.sorted_tables[0]
        column = next(iter(table.columns))
        db.session.execute(update(table).where(false()).values({column.name: column}))
