"""Structured logs: one JSON object per line, each carrying the request id, plus an access line
per request. The request id comes from a trusted proxy's X-Request-ID or is generated, and is
sent back so a user's report can be matched to the logs."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request, session

from literacy.platform import origin

SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = g.get("request_id")
        for key in ("method", "path", "status", "duration_ms", "user_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def init_app(app: Flask) -> None:
    if app.config.get("JSON_LOGS"):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.INFO)
    access = logging.getLogger("literacy.access")

    @app.before_request
    def _start():
        # only a trusted proxy's id is believed: a client must not choose what its requests are logged as
        incoming = request.headers.get("X-Request-ID", "") if app.config.get("TRUSTED_PROXIES") else ""
        g.request_id = incoming if SAFE_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()
        origin.address.set(request.remote_addr or "unknown")  # behind TRUSTED_PROXIES, the proxies' report

    @app.teardown_request
    def _forget_actor(_error):
        origin.actor.set(None)  # the access check names the signed-in person for each request

    @app.after_request
    def _finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if request.endpoint != "static":
            access.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 1),
                    # from the login cookie, not current_user: after the commit that would load the user again
                    "user_id": session["_user_id"].split(":")[0] if "_user_id" in session else None,
                },
            )
        return response
