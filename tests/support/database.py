"""A clean database for every app a test makes, without building the schema for every test.

The schema is created once per test session, the way the app creates it (``create_schema``):

- SQLite, the default: into a template file, which every test's app then gets a copy of. Copying one
  small file costs far less than creating every table and index again.
- PostgreSQL, when ``TEST_DATABASE_URL`` is set (``make test-postgres``): into that one database, whose
  tables are then emptied before each test, and their id sequences restarted, so that ids start at 1
  as on a new SQLite file. (``DELETE`` in one round trip: ``TRUNCATE`` of every table takes several
  times longer on tables this small.) Under pytest-xdist each worker empties its own database on
  that server (the name with the worker's id added, created on first use), not its neighbour's.

Tests still commit for real: requests on several threads, a second connection holding SQLite's lock,
and server processes all see each other's writes, as in production.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url
from sqlalchemy.engine import Engine

from .paths import TINY


def _database_of_this_worker(url: str | None) -> str | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    server = make_url(url)
    name = f"{server.database}_{worker}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")  # CREATE DATABASE runs outside a transaction
    with engine.connect() as connection:
        if connection.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).scalar() is None:
            connection.exec_driver_sql(f"CREATE DATABASE {connection.dialect.identifier_preparer.quote(name)}")
    engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


SHARED_DATABASE = _database_of_this_worker(os.environ.get("TEST_DATABASE_URL"))
FILENAME = "test.sqlite3"

_template: Path | None = None  # the SQLite file with the schema, once built
_emptying: str | None = None  # the SQL that empties the shared database, once its tables exist
_shared_engine: Engine | None = None  # the connection that runs it


def fresh_database(folder: Path) -> str:
    """The URI of a database with the schema and no rows: a copy of the template in ``folder``,
    or the shared PostgreSQL database with every table emptied."""
    return _emptied_shared_database() if SHARED_DATABASE else fresh_sqlite(folder)


def fresh_sqlite(folder: Path) -> str:
    """A SQLite file in ``folder`` with the schema and no rows, whatever the session's database."""
    target = Path(folder) / FILENAME
    if target.exists():  # a second app on one folder would otherwise overwrite the first one's data
        raise FileExistsError(f"{target} exists: give each app of a test its own folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template_file(), target)
    return f"sqlite:///{target}"


def forget_schema() -> None:
    """Say that a test dropped or rebuilt the shared database's tables (the migration tests do):
    the next test creates them again instead of emptying them."""
    global _emptying
    _emptying = None


@contextmanager
def write_lock(sqlite_uri: str) -> Iterator[None]:
    """Hold the write lock of a SQLite database from another connection, as a long write elsewhere would."""
    blocker = sqlite3.connect(sqlite_uri.removeprefix("sqlite:///"))
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        blocker.rollback()
        blocker.close()


def _template_file() -> Path:
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="literacy-schema-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / FILENAME
        _create_schema(f"sqlite:///{path}")
        # the writers' queue file (platform/writer_queue.py) holds no data and is not copied
        leftovers = [p.name for p in folder.iterdir() if p not in (path, Path(f"{path}-writers"))]
        assert not leftovers, f"the template is not one closed file: {leftovers}"  # WAL is merged on close
        _template = path
    return _template


def _emptied_shared_database() -> str:
    global _emptying, _shared_engine
    if _shared_engine is None:
        _shared_engine = create_engine(SHARED_DATABASE)
    if _emptying is None:
        tables = _create_schema(SHARED_DATABASE, drop_first=True)
        with _shared_engine.connect() as connection:
            quote = connection.dialect.identifier_preparer.quote
            sequences = connection.exec_driver_sql(
                "SELECT quote_ident(sequence_schema) || '.' || quote_ident(sequence_name)"
                " FROM information_schema.sequences WHERE sequence_schema = current_schema()"
            ).scalars()
            _emptying = "".join(
                [f"DELETE FROM {quote(name)};" for name in reversed(tables)]  # children before parents
                + [f"ALTER SEQUENCE {sequence} RESTART;" for sequence in sequences]
            )
    else:
        with _shared_engine.begin() as connection:
            connection.exec_driver_sql(_emptying)
    return SHARED_DATABASE


def _create_schema(uri: str, drop_first: bool = False) -> list[str]:
    """Create the app's tables in ``uri`` (dropping them first if asked); their names, parents first."""
    from literacy import create_app
    from literacy.platform.database import create_schema
    from literacy.platform.extensions import db

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": uri, "CONTENT_ROOT": str(TINY)})
    with app.app_context():
        if drop_first:
            db.drop_all()
        create_schema()
        db.session.remove()
        db.engine.dispose()
    return [table.name for table in db.metadata.sorted_tables]
