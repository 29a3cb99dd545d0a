"""Shared fixtures: an app on a clean database per test, a browser that sends CSRF tokens, people.

Everything they are built from is the test kit in tests/support; tests import it as ``support``.
"""

from __future__ import annotations

from functools import partial

import pytest
from support import PASSWORD, make, worlds
from support.apps import disposing, make_app
from support.browser import Browser
from support.database import SHARED_DATABASE, forget_schema, write_lock


@pytest.fixture(autouse=True)
def _close_connections():
    """After each test, close the connections of every app it made, so the next test's database can be emptied."""
    with disposing():
        yield


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def browser(app):
    return Browser(app.test_client())


@pytest.fixture
def busy_app(tmp_path):
    """An app whose SQLite writes give up after 100 ms, with a signed-in learner, and ``locked()``:
    a context in which another connection holds the database's write lock."""
    app = make_app(tmp_path, SQLITE_BUSY_TIMEOUT_MS=100)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite locking")
    return app, Browser(app.test_client()).sign_up(), partial(write_lock, app.config["SQLALCHEMY_DATABASE_URI"])


@pytest.fixture
def make_user(app):
    """Create a user directly (fast) with a known password; returns its id."""

    def create(email="someone@example.com", role="ops", access="learner", password=PASSWORD, **extra):
        with make.saved(app):
            return make.user(email, role=role, access=access, password=password, **extra).id

    return create


@pytest.fixture
def learner(browser):
    """A signed-in learner in the tiny 'ops' role, registered through the form."""
    return browser.sign_up()


@pytest.fixture
def world(app):
    """Two organisations and their people and cohorts: see ``support.worlds.two_organisations``."""
    return worlds.two_organisations(app)


@pytest.fixture
def migration_database(tmp_path):
    """An empty database for the migration tests to build and tear down: a new SQLite file, or the
    shared PostgreSQL database, whose tables the next test then creates again."""
    yield SHARED_DATABASE or f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    if SHARED_DATABASE:
        forget_schema()
