"""The xAPI outbox table: statements stored with their event, read by the forwarder, exports and the
admin page. Nothing here commits: callers own the transaction, so a statement exists exactly when
its event does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select, update

from literacy.cohorts.assignments import work_for
from literacy.cohorts.tables import Cohort, CohortMember
from literacy.content.types import Catalogue
from literacy.people.tables import User
from literacy.platform.extensions import db
from literacy.xapi import validate
from literacy.xapi.statements import Profile
from literacy.xapi.tables import OutboxStatement

STATUSES = ("pending", "sent", "rejected")


class InvalidStatement(ValueError):
    """The platform built a statement that breaks the xAPI rules: a bug, never sent."""


def profile() -> Profile:
    config = current_app.config
    return Profile(config["XAPI_BASE_IRI"].rstrip("/"), config["XAPI_PLATFORM"], config["XAPI_ACTOR"])


def row(user_id: int, activity: str, statement: dict) -> OutboxStatement:
    """A validated outbox row for a statement, not yet added to the session."""
    problems = validate.errors(statement)
    if problems:
        raise InvalidStatement("; ".join(problems))
    return OutboxStatement(
        statement_id=statement["id"],
        user_id=user_id,
        verb=statement["verb"]["display"]["en-US"],
        activity=activity,
        timestamp=datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00")).replace(tzinfo=None),
        payload=json.dumps(statement, separators=(",", ":"), ensure_ascii=False),
    )


def stored(statement_id: str) -> bool:
    return db.session.scalar(select(OutboxStatement.id).where(OutboxStatement.statement_id == statement_id)) is not None


def add(user_id: int, activity: str, statement: dict) -> bool:
    """Store a statement unless one with its id is already stored; True if stored now."""
    if stored(statement["id"]):
        return False
    db.session.add(row(user_id, activity, statement))
    return True


def _scoped(query, org_id: int | None):
    """Limit an outbox select or update to one organisation's learners (None: the whole installation)."""
    if org_id is None:
        return query
    return query.where(OutboxStatement.user_id.in_(select(User.id).where(User.org_id == org_id)))


def due(limit: int, org_id: int | None = None) -> list[OutboxStatement]:
    """The oldest pending statements. On PostgreSQL the batch stays locked until the forwarder
    commits, and a second forwarder skips it (SKIP LOCKED), so two forwarders never send one batch
    twice; SQLite runs one forwarder (docs/operations.md)."""
    query = select(OutboxStatement).where(OutboxStatement.status == "pending")
    query = query.order_by(OutboxStatement.timestamp, OutboxStatement.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(_scoped(query, org_id)))


def retry_after(org_id: int | None = None) -> datetime | None:
    """The end of the back-off set by the latest failure. Until then the LRS counts as down and
    nothing is sent, not only the statements that failed: an LRS that is down is down for all."""
    return db.session.scalar(
        _scoped(select(func.max(OutboxStatement.next_attempt_at)).where(OutboxStatement.status == "pending"), org_id)
    )


def requeue(status: str | None, org_id: int | None = None) -> int:
    """Queue statements to be sent again: the rejected ones, or (None) every statement.

    Sending a statement the LRS already holds is harmless: it keeps the first copy of an id.
    """
    query = update(OutboxStatement).values(status="pending", next_attempt_at=None, tries=0)
    if status is not None:
        query = query.where(OutboxStatement.status == status)
    return db.session.execute(_scoped(query, org_id).execution_options(synchronize_session=False)).rowcount


@dataclass
class Summary:
    counts: dict[str, int]
    verbs: dict[str, int]
    oldest_pending: datetime | None
    next_retry: datetime | None
    last_sent: datetime | None
    last_error: str | None
    rejected: list[OutboxStatement] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def summary(org_id: int | None = None, rejected_limit: int = 20) -> Summary:
    counts = dict.fromkeys(STATUSES, 0)
    for status, n in db.session.execute(
        _scoped(select(OutboxStatement.status, func.count()).group_by(OutboxStatement.status), org_id)
    ):
        counts[status] = n
    verbs = dict(
        db.session.execute(
            _scoped(
                select(OutboxStatement.verb, func.count())
                .group_by(OutboxStatement.verb)
                .order_by(OutboxStatement.verb),
                org_id,
            )
        ).all()
    )
    oldest = db.session.scalar(
        _scoped(select(func.min(OutboxStatement.created_at)).where(OutboxStatement.status == "pending"), org_id)
    )
    retry = retry_after(org_id)
    last_sent = db.session.scalar(_scoped(select(func.max(OutboxStatement.sent_at)), org_id))
    last_error = db.session.scalar(
        _scoped(
            select(OutboxStatement.last_error)
            .where(OutboxStatement.status == "pending", OutboxStatement.last_error.is_not(None))
            .order_by(OutboxStatement.next_attempt_at.desc())
            .limit(1),
            org_id,
        )
    )
    rejected = list(
        db.session.scalars(
            _scoped(
                select(OutboxStatement)
                .where(OutboxStatement.status == "rejected")
                .order_by(OutboxStatement.timestamp.desc())
                .limit(rejected_limit),
                org_id,
            )
        )
    )
    return Summary(counts, verbs, oldest, retry, last_sent, last_error, rejected)


def statements(user_ids, activities: dict[int, set[str]] | None = None) -> list[dict]:
    """The stored statements of some learners, oldest first, optionally only about the given content
    per learner ({user id: {"lesson:<id>", "scenario:<id>"}}): what an export hands to an LRS import."""
    ids = list(user_ids)
    if not ids:
        return []
    rows = db.session.execute(
        select(OutboxStatement.user_id, OutboxStatement.activity, OutboxStatement.payload)
        .where(OutboxStatement.user_id.in_(ids))
        .order_by(OutboxStatement.timestamp, OutboxStatement.id)
    )
    return [
        json.loads(payload)
        for user_id, activity, payload in rows
        if activities is None or activity in activities.get(user_id, ())
    ]


def cohort_activities(catalogue: Catalogue, cohort: Cohort) -> dict[int, set[str]]:
    """Each member's assigned content, as outbox activity keys: a cohort export holds only what the
    cohort asked of its learners, not everything else they did."""
    items = [(a.kind, a.ref) for a in cohort.assignments]
    members = db.session.execute(
        select(CohortMember.user_id, User.role)
        .join(User, User.id == CohortMember.user_id)
        .where(CohortMember.cohort_id == cohort.id)
    ).all()
    by_role = {}  # the work depends only on the learner's role
    for role in {role for _, role in members}:
        work = work_for(catalogue, items, role)
        by_role[role] = {f"lesson:{lesson}" for lesson in work.lessons} | {
            f"scenario:{scenario}" for scenario in work.scenarios
        }
    return {user_id: by_role[role] for user_id, role in members}
