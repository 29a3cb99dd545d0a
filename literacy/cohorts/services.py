"""Cohort changes: create and edit, add learners, import a roster all-or-nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import or_, select

from literacy.cohorts import roster
from literacy.cohorts.models import Cohort, CohortAssignment, CohortMember
from literacy.people import invitations
from literacy.people.models import Team, User
from literacy.platform.extensions import db

log = logging.getLogger(__name__)


def managed_by(user: User) -> list[Cohort]:
    """Cohorts the user manages (an admin sees every cohort of their organisation)."""
    query = select(Cohort).where(Cohort.org_id == user.org_id).order_by(Cohort.due_on, Cohort.name)
    if user.access != "admin":
        query = query.where(Cohort.managers.any(User.id == user.id))
    return list(db.session.scalars(query))


def can_manage(user: User, cohort: Cohort | None) -> bool:
    if cohort is None or user.org_id is None or cohort.org_id != user.org_id:
        return False
    return user.access == "admin" or any(m.id == user.id for m in cohort.managers)


def set_assignments(cohort: Cohort, wanted: list[tuple[str, str]]) -> None:
    """Replace the cohort's assigned work with ``wanted`` (kind, ref) pairs, keeping existing rows."""
    current = {(a.kind, a.ref): a for a in cohort.assignments}
    for key, row in current.items():
        if key not in wanted:
            cohort.assignments.remove(row)
    for kind, ref in wanted:
        if (kind, ref) not in current:
            cohort.assignments.append(CohortAssignment(kind=kind, ref=ref))


def add_member(cohort: Cohort, user: User) -> bool:
    """Add a learner; False if they were already in the cohort."""
    exists = db.session.scalar(
        select(CohortMember.id).where(CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id)
    )
    if exists:
        return False
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id))
    return True


@dataclass
class ImportResult:
    errors: list[tuple[int, str]]
    added: int = 0
    already: int = 0
    invited: list[tuple[User, str]] | None = None  # new learners and their invitation tokens


def import_roster(cohort: Cohort, data: bytes, filename: str, roles: set[str]) -> ImportResult:
    """Validate the whole file first; save nothing unless every row is valid."""
    teams = {t.name.lower(): t for t in db.session.scalars(select(Team).where(Team.org_id == cohort.org_id))}
    parsed = roster.parse(data, filename, roles=roles, teams=set(teams))
    emails = [r.email for r in parsed.rows]
    foreign = set(
        db.session.scalars(
            select(User.email).where(User.email.in_(emails), or_(User.org_id != cohort.org_id, User.org_id.is_(None)))
        )
    )
    roster.reject_foreign(parsed, foreign)
    if not parsed.ok:
        log.warning("roster import rejected: cohort=%s file=%r errors=%d", cohort.id, filename, len(parsed.errors))
        return ImportResult(parsed.errors)
    result = ImportResult([], invited=[])
    existing = {
        u.email: u for u in db.session.scalars(select(User).where(User.email.in_([r.email for r in parsed.rows])))
    }
    for row in parsed.rows:
        user = existing.get(row.email)
        if user is None:
            user = User(
                email=row.email, name=row.name, role=row.role, access="learner", org_id=cohort.org_id, password_hash=""
            )
            db.session.add(user)
            db.session.flush()
            result.invited.append((user, invitations.issue(user)))
        team = teams[row.team.lower()]
        if team not in user.teams:
            user.teams.append(team)
        if add_member(cohort, user):
            result.added += 1
        else:
            result.already += 1
    db.session.commit()
    return result
