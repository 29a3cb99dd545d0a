"""Central error pages; the session is rolled back so a failed request leaves nothing half-written."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, flash, redirect, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import SecurityError

from literacy.platform.access import safe_next
from literacy.platform.extensions import db

log = logging.getLogger(__name__)
MESSAGES = {
    400: ("Bad request", "The form could not be read. Go back, reload the page and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "There is nothing here. It may have moved, or it belongs to someone else."),
    405: ("Not allowed", "That action cannot be done from this address."),
    409: ("Changed", "This page is out of date."),
    413: (
        "Too large",
        "That upload is larger than the 1 MB limit, so nothing was saved. Split the file and try again.",
    ),
    500: (
        "Something went wrong",
        "We could not finish that request. Nothing you submitted was half-saved; please try again.",
    ),
}


def init_app(app: Flask) -> None:
    def render(code: int):
        db.session.rollback()
        title, message = MESSAGES[code]
        return render_template("errors/error.html", code=code, title=title, message=message), code

    for code in MESSAGES:
        app.register_error_handler(code, lambda error, code=code: render(code))

    @app.errorhandler(OperationalError)
    def database_busy(error):
        """A lock or connection timeout: nothing was saved; offer to send the same answer again."""
        db.session.rollback()
        log.warning("database busy: %s %s: %s", request.method, request.path, str(error.orig)[:200])
        retry = request.form.to_dict() if request.method == "POST" else None
        secret = retry is not None and any("password" in name or name == "confirm" for name in retry)
        page = render_template("errors/busy.html", retry=None if secret else retry, secret=secret, action=request.path)
        return page, 503, {"Retry-After": "2", "Cache-Control": "no-store"}  # the page may hold typed answers

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        # no template: links cannot be built for a host the app does not serve
        return "Bad request: this host is not served here.", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        back = urlsplit(request.referrer or "")
        page = safe_next(back.path) if back.netloc in ("", request.host) else None
        if page:  # re-prompt on the page the learner came from; nothing was recorded
            flash("Your page had expired, so nothing was recorded. Please submit again.", "error")
            return redirect(page)
        message = "This form had expired. Nothing was lost: reload the page and submit again."
        return render_template("errors/error.html", code=400, title="Please try again", message=message), 400
