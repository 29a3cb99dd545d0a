"""Scheduled messages, queued by the mail worker: a reminder ``MAIL_REMINDER_DAYS`` before a
learner's due date while work is unfinished, one overdue nudge the day after it, and on Mondays a
digest for managers who asked for one (who is stalled or overdue, with links). Each has a dedupe
key, so a pass that runs twice, or two workers, queue nothing twice. Reminders and nudges respect
the person's setting and carry a one-click unsubscribe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from literacy.cohorts import dashboard
from literacy.cohorts.status import DONE, LearnerRow
from literacy.cohorts.tables import Cohort
from literacy.mail import messages, outbox
from literacy.mail.tables import MailMessage
from literacy.people.tables import User
from literacy.platform.extensions import db

DIGEST_WEEKDAY = 0  # Monday


@dataclass(frozen=True)
class Nudge:
    kind: str  # "reminder" or "overdue"
    due_on: date


def nudge_for(row: LearnerRow, cohort_due: date, today: date, reminder_days: int) -> Nudge | None:
    """Which message, if any, a learner's row calls for today. Pure."""
    if row.status == DONE or not (row.facts.lessons_total + row.facts.scenarios_total):
        return None  # done, or nothing assigned to do
    due = row.facts.due_on or cohort_due
    if row.overdue and today > due:
        return Nudge("overdue", due)
    if 0 <= (due - today).days <= reminder_days:
        return Nudge("reminder", due)
    return None


def queue_due(catalogue, today: date | None = None) -> int:
    """Queue every scheduled message that is due; how many were queued."""
    today = today or date.today()
    queued = 0
    boards = [dashboard.build(cohort, catalogue, today) for cohort in _running(today)]
    people = _people({row.facts.user_id for board in boards for row in board.rows})
    days = current_app.config["MAIL_REMINDER_DAYS"]
    due = []
    for board in boards:
        for row in board.rows:
            person = people.get(row.facts.user_id)
            nudge = nudge_for(row, board.cohort.due_on, today, days)
            if nudge and person and _reachable(person) and not person.reminders_opt_out:
                due.append((person, board.cohort, row, nudge))
    sent = _queued_already([_nudge_key(cohort, person, nudge) for person, cohort, _, nudge in due])
    for person, cohort, row, nudge in due:
        if _nudge_key(cohort, person, nudge) not in sent:  # one query above, not one per learner
            queued += _nudge(person, cohort, row, nudge) is not None
    if today.weekday() == DIGEST_WEEKDAY:
        queued += _digests(boards, today)
    return queued


def _running(today: date) -> list[Cohort]:
    """Cohorts under way or recently due (a nudge goes the day after), not archived."""
    return list(
        db.session.scalars(
            select(Cohort).where(
                Cohort.archived_at.is_(None), Cohort.starts_on <= today, Cohort.due_on >= today - timedelta(days=60)
            )
        )
    )


def _nudge_key(cohort: Cohort, person: User, nudge: Nudge) -> str:
    return f"{nudge.kind}:{cohort.id}:{person.id}:{nudge.due_on.isoformat()}"


def _queued_already(keys: list[str]) -> set[str]:
    if not keys:
        return set()
    return set(db.session.scalars(select(MailMessage.dedupe_key).where(MailMessage.dedupe_key.in_(keys))))


def _people(ids: set[int]) -> dict[int, User]:
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def _reachable(person: User) -> bool:
    return person.active and bool(person.password_hash) and not person.confirmation_pending


def _nudge(person: User, cohort: Cohort, row: LearnerRow, nudge: Nudge):
    overdue = nudge.kind == "overdue"
    subject = f"{cohort.name}: " + (
        f"your work was due on {nudge.due_on:%d %B}" if overdue else f"due on {nudge.due_on:%d %B}"
    )
    return outbox.queue(
        nudge.kind,
        person.email,
        subject,
        nudge.kind,
        org_id=person.org_id,
        user_id=person.id,
        unsubscribe_url=messages.unsubscribe_link(person, "reminders"),
        dedupe_key=_nudge_key(cohort, person, nudge),
        person=person,
        cohort=cohort,
        row=row,
        due_on=nudge.due_on,
        org_name=messages.org_name(person),
        link=outbox.link("learn.home"),
    )


def _digests(boards, today: date) -> int:
    """One digest per manager who opted in, over the cohorts they run."""
    queued = 0
    by_manager: dict[int, tuple[User, list]] = {}
    for board in boards:
        for manager in board.cohort.managers:
            if manager.digest_opt_in and _reachable(manager):
                by_manager.setdefault(manager.id, (manager, []))[1].append(board)
    week = today.isocalendar()
    for manager, their_boards in by_manager.values():
        sections = [
            (board.cohort, [row for row in board.rows if row.overdue or row.stalled], board.summary)
            for board in their_boards
        ]
        message = outbox.queue(
            "digest",
            manager.email,
            f"Your cohorts this week: {sum(len(rows) for _, rows, _ in sections)} people to follow up",
            "digest",
            org_id=manager.org_id,
            user_id=manager.id,
            unsubscribe_url=messages.unsubscribe_link(manager, "digest"),
            dedupe_key=f"digest:{manager.id}:{week.year}-W{week.week:02d}",
            person=manager,
            sections=sections,
            org_name=messages.org_name(manager),
            learner_link=lambda cohort, row: outbox.link(
                "cohorts.learner", cohort_id=cohort.id, user_id=row.facts.user_id
            ),
            cohort_link=lambda cohort: outbox.link("cohorts.show", cohort_id=cohort.id),
        )
        queued += message is not None
    return queued
