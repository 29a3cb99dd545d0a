"""SQLite writers queue for the write lock (platform/writer_queue.py).

Each test gives the waiting connection no busy timeout at all: without the queue, SQLite would
refuse its write at once ("database is locked"), so a write that succeeds after the holder ends
proves it waited its turn in the queue."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, text

from literacy.platform.database import configure_engine
from literacy.platform.writer_queue import QueuedWriterConnection


@pytest.fixture
def path(tmp_path):
    database = str(tmp_path / "queue.sqlite3")
    with sqlite3.connect(database) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE notes (body TEXT)")
    return database


def connect(path: str) -> QueuedWriterConnection:
    return sqlite3.connect(path, timeout=0, factory=QueuedWriterConnection, check_same_thread=False)


def write_in_thread(write) -> tuple[threading.Thread, threading.Event, list]:
    """Run ``write`` in another thread; the event is set when it has written, the list gets its error."""
    done, errors = threading.Event(), []

    def run():
        try:
            write()
            done.set()
        except Exception as error:  # reported by the test
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, done, errors


def add_note(connection, body: str) -> None:
    connection.execute("INSERT INTO notes VALUES (?)", (body,))
    connection.commit()


def done_in_thread(work) -> None:
    """``work`` in another thread finishes (within 10 s, not for ever) without an error."""
    thread, done, errors = write_in_thread(work)
    thread.join(10)
    assert done.is_set() and not errors, errors


def waits_until(end, work) -> None:
    """``work`` in another thread waits while the holder is open, and finishes once ``end`` ran."""
    thread, done, errors = write_in_thread(work)
    assert not done.wait(0.3), "the writer went ahead while another held the lock"
    end()
    thread.join(10)
    assert done.is_set() and not errors, errors


def body_count(path: str) -> int:
    with sqlite3.connect(path) as reader:
        return reader.execute("SELECT count(*) FROM notes").fetchone()[0]


def test_the_apps_engine_queues_a_writer_behind_an_open_write_transaction(path):
    engine = create_engine(f"sqlite:///{path}")
    configure_engine(engine, busy_timeout_ms=0)
    with engine.connect() as first:
        first.execute(text("INSERT INTO notes VALUES ('first')"))  # the write transaction is open

        def second_writer():
            with engine.begin() as second:
                second.execute(text("INSERT INTO notes VALUES ('second')"))

        waits_until(first.commit, second_writer)
    assert body_count(path) == 2
    engine.dispose()


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_the_next_writer_goes_as_soon_as_the_holder_commits_or_rolls_back(path, end):
    first, second = connect(path), connect(path)
    first.execute("INSERT INTO notes VALUES ('first')")
    waits_until(getattr(first, end), lambda: add_note(second, "second"))
    assert body_count(path) == (2 if end == "commit" else 1)


def test_a_write_that_failed_before_its_transaction_began_leaves_the_queue(path):
    first, second = connect(path), connect(path)
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        first.execute("INSERT INTO missing VALUES (1)")
    assert not first.in_transaction
    done_in_thread(lambda: add_note(second, "second"))  # would wait for ever if the failed write held the queue
    assert body_count(path) == 1


def test_readers_do_not_queue_behind_a_writer(path):
    writer, reader = connect(path), connect(path)
    writer.execute("INSERT INTO notes VALUES ('not yet committed')")
    done_in_thread(lambda: reader.execute("SELECT count(*) FROM notes").fetchone())
    writer.rollback()


def test_a_second_connection_of_the_same_thread_does_not_wait_forever_for_the_first(path):
    """It cannot go before the first ends, so queueing would hang the thread: it gets SQLite's
    answer (its busy timeout, here none) instead."""
    first, second = connect(path), connect(path)

    def both_in_one_thread():
        first.execute("INSERT INTO notes VALUES ('first')")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            second.execute("INSERT INTO notes VALUES ('second')")
        first.commit()
        add_note(second, "second")  # and it queues normally once the first is done

    done_in_thread(both_in_one_thread)
    assert body_count(path) == 2


def test_closing_a_connection_mid_transaction_lets_the_next_writer_go(path):
    first, second = connect(path), connect(path)
    first.execute("INSERT INTO notes VALUES ('abandoned')")
    waits_until(first.close, lambda: add_note(second, "second"))
    assert body_count(path) == 1


def test_a_transaction_queued_in_one_thread_can_end_in_another(path):
    """A pool may roll back or close a connection from another thread than the one that used it."""
    first, second = connect(path), connect(path)
    done_in_thread(lambda: first.execute("INSERT INTO notes VALUES ('first')"))
    done_in_thread(first.rollback)  # a thread that never wrote before
    done_in_thread(lambda: add_note(second, "second"))
    assert body_count(path) == 1


@pytest.mark.parametrize(("setting", "level"), [("normal", 1), ("full", 2)])
def test_the_apps_connections_sync_the_log_as_configured(path, setting, level):
    engine = create_engine(f"sqlite:///{path}")
    configure_engine(engine, synchronous=setting)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA synchronous")).scalar() == level
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_the_app_applies_its_sqlite_synchronous_setting(tmp_path):
    from support.apps import make_app

    from literacy.platform.extensions import db

    app = make_app(tmp_path, SQLITE_SYNCHRONOUS="full")
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("a PostgreSQL setting of its own (synchronous_commit), not the app's")
        assert db.session.execute(text("PRAGMA synchronous")).scalar() == 2
