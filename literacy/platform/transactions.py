"""One owner of the transaction: the request (or the CLI command) commits once; services only flush.

The app commits after the view has returned a response below 400, and rolls back on an error
response or an exception (the error handlers in ``platform.errors`` roll back too), so a failed
request leaves nothing half-written. A safe request (GET, HEAD) writes only side records, such as
the xAPI statement that a lesson was read: when those cannot be saved (a busy database, or a
parallel request that stored the same record first), the page is still served and the loss logged.
"""

from __future__ import annotations

import logging
import types

from flask import Flask, request
from sqlalchemy.exc import IntegrityError, OperationalError

from literacy.platform.extensions import db

log = logging.getLogger(__name__)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class App(Flask):
    """Flask, with the request's unit of work closed inside the dispatch, so that an error while
    committing (a busy database) reaches the same error handlers as an error in the view."""

    SYNC_KEPT = 512  # functions whose answer is kept: the app's hooks and views, with room to spare

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_kept: dict = {}

    def dispatch_request(self):
        response = self.make_response(super().dispatch_request())
        finish(response.status_code)
        return response

    def ensure_sync(self, func):
        """Flask's answer, worked out once per function: Flask asks it of every hook and the view on
        every request (17 times for a scenario step), and each time ``inspect`` checks whether the
        function is a coroutine, about 2% of a simple page's time. Only plain functions are kept: a
        bound method (a class-based view's, made anew for each request) would fill the store with
        objects it keeps alive."""
        if type(func) is not types.FunctionType:
            return super().ensure_sync(func)
        if func in self._sync_kept:
            return self._sync_kept[func]
        found = super().ensure_sync(func)
        if len(self._sync_kept) < self.SYNC_KEPT:
            self._sync_kept[func] = found
        return found


def finish(status: int) -> None:
    session = db.session()
    # The request's work ends with this commit: expiring every loaded object after it, so that the
    # next read sees the database, would be wasted (about a twentieth of a simple page's time).
    # Only this commit skips it; a session that outlives the request (a test's) expires as before.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        _end_transaction(status)
    finally:
        session.expire_on_commit = expire


def _end_transaction(status: int) -> None:
    if status >= 400:
        db.session.rollback()
    elif request.method in SAFE_METHODS:
        try:
            db.session.commit()
        except (IntegrityError, OperationalError) as error:
            db.session.rollback()
            log.warning("side record not saved for %s %s: %s", request.method, request.path, str(error.orig)[:200])
    else:
        db.session.commit()
