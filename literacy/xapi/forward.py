"""Forward the outbox to a Learning Record Store, in batches, with retries and back-off.

Nothing is lost: a statement leaves the ``pending`` state only when the LRS has accepted it (or
refused that one statement as invalid, which parks it as ``rejected`` for an operator to look at).
Nothing is stored twice: ids are stable, and an LRS keeps the first copy of an id and ignores an
identical repeat, so a batch sent again after a crash or a timeout is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import requests
from sqlalchemy import update

from literacy.platform.clock import utcnow
from literacy.platform.extensions import db
from literacy.platform.retry import backoff
from literacy.xapi import outbox
from literacy.xapi.tables import OutboxStatement

log = logging.getLogger(__name__)
XAPI_VERSION = "1.0.3"
PERMANENT = {400, 409, 413}  # the LRS refuses the content itself: resending the same batch cannot help


@dataclass(frozen=True)
class Endpoint:
    url: str  # the LRS's xAPI base, e.g. https://lrs.example.com/xAPI/
    username: str
    password: str
    timeout: float = 10.0

    @property
    def statements_url(self) -> str:
        return self.url.rstrip("/") + "/statements"

    @classmethod
    def from_config(cls, config) -> Endpoint | None:
        if not config.get("XAPI_ENDPOINT"):
            return None
        return cls(
            config["XAPI_ENDPOINT"], config["XAPI_USERNAME"], config["XAPI_PASSWORD"], config["XAPI_TIMEOUT_SECONDS"]
        )


@dataclass
class Report:
    sent: int = 0
    rejected: int = 0
    batches: int = 0
    error: str | None = None  # why forwarding stopped early (the LRS is down, refuses our credentials...)
    waiting_until: datetime | None = None  # nothing sent: a recent failure's back-off runs until then


def send_due(
    endpoint: Endpoint,
    batch_size: int = 50,
    *,
    org_id: int | None = None,
    ignore_backoff: bool = False,
    max_batches: int | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Report:
    """Send pending statements, oldest first, until none are due or the LRS fails. Commits each batch."""
    report = Report()
    with requests.Session() as http:
        http.auth = (endpoint.username, endpoint.password)
        http.headers["X-Experience-API-Version"] = XAPI_VERSION
        while max_batches is None or report.batches < max_batches:
            now = clock()
            if not report.batches and not ignore_backoff:
                until = outbox.retry_after(org_id)
                if until is not None and until > now:
                    report.waiting_until = until
                    break
            batch = outbox.due(batch_size, org_id)
            if not batch:
                break
            report.batches += 1
            delivered = _deliver(http, endpoint, batch, report, now)
            db.session.commit()
            if not delivered:
                break
    return report


def _deliver(
    http: requests.Session, endpoint: Endpoint, batch: list[OutboxStatement], report: Report, now: datetime
) -> bool:
    """POST one batch; False when the LRS could not take it now (the batch waits for its back-off)."""
    try:
        response = http.post(endpoint.statements_url, json=[row.statement for row in batch], timeout=endpoint.timeout)
    except requests.Timeout:
        return _retry_later(batch, report, now, f"LRS unreachable: no answer within {endpoint.timeout:g} s")
    except requests.RequestException as error:
        log.warning("xAPI request failed: %r", error)
        return _retry_later(
            batch, report, now, f"LRS unreachable: could not connect to {urlsplit(endpoint.url).netloc}"
        )
    if response.status_code in (200, 204):
        _mark(batch, status="sent", sent_at=now, last_error=None, next_attempt_at=None)
        report.sent += len(batch)
        return True
    if response.status_code in PERMANENT:
        if len(batch) > 1:  # split to find the statement the LRS refuses and still send the others
            middle = len(batch) // 2
            return _deliver(http, endpoint, batch[:middle], report, now) and _deliver(
                http, endpoint, batch[middle:], report, now
            )
        _mark(batch, status="rejected", last_error=f"LRS answered {response.status_code}: {response.text[:500]}")
        report.rejected += 1
        log.error("xAPI statement rejected: id=%s status=%s", batch[0].statement_id, response.status_code)
        return True
    return _retry_later(batch, report, now, f"LRS answered {response.status_code}: {response.text[:300]}")


def _retry_later(batch: list[OutboxStatement], report: Report, now: datetime, error: str) -> bool:
    for row in batch:
        row.tries += 1
        row.next_attempt_at = now + backoff(row.tries)
        row.last_error = error
    report.error = error
    log.warning("xAPI forwarding paused: %s (%d statements wait for their back-off)", error, len(batch))
    return False


def _mark(batch: list[OutboxStatement], **values) -> None:
    ids = [row.id for row in batch]
    db.session.execute(
        update(OutboxStatement)
        .where(OutboxStatement.id.in_(ids))
        .values(tries=OutboxStatement.tries + 1, **values)
        .execution_options(synchronize_session=False)
    )
    for row in batch:
        db.session.expire(row)
