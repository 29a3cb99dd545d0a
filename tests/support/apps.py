"""Apps for tests: on a clean database, on a database a test names, or with no tables at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from literacy import create_app
from literacy.platform.extensions import db

from .database import fresh_database
from .paths import TINY

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast tests; test_security checks the real default
}

_made: list[Flask] = []  # every app made, until ``disposing`` closes its connections


def make_app(folder: Path, content_root: Path = TINY, **config) -> Flask:
    """The app on a clean database with the schema: a SQLite file in ``folder``, or the shared
    PostgreSQL database of ``make test-postgres``, emptied."""
    return app_for(fresh_database(folder), content_root, **config)


def app_for(database_uri: str, content_root: Path = TINY, **config) -> Flask:
    """The app on the database at ``database_uri``, as it is: nothing is created or emptied."""
    app = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri, "CONTENT_ROOT": str(content_root), **config}
    )
    _made.append(app)
    return app


def bare_app(folder: Path, content_root: Path = TINY, **config) -> Flask:
    """The app on a new SQLite file with no tables: for commands that need no data (the content
    checks), and for what an installation does before ``flask db upgrade``."""
    return app_for(f"sqlite:///{Path(folder) / 'empty.sqlite3'}", content_root, **config)


@contextmanager
def disposing() -> Iterator[None]:
    """Close, at the end, the connections of every app made inside, so the next test's database
    can be emptied (PostgreSQL) and no file stays open (SQLite)."""
    first = len(_made)
    try:
        yield
    finally:
        for app in reversed(_made[first:]):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        del _made[first:]
