"""Cohort changes: create and edit, archive and restore, item due dates, add learners, import a
roster all-or-nothing. An archived cohort is read-only: the views refuse changes to it and so do
these services (:class:`Archived`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from literacy.cohorts import queries, roster
from literacy.cohorts.tables import Cohort, CohortAssignment, CohortMember
from literacy.evidence import audit
from literacy.mail import messages, outbox
from literacy.people import invitations, onboarding
from literacy.people.tables import Organization, Team, User
from literacy.platform.clock import utcnow
from literacy.platform.database import lock_row
from literacy.platform.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CohortDetails:
    """What a manager may set on a cohort (an allowlist: the organisation comes from the manager)."""

    name: str
    description: str
    starts_on: date
    due_on: date
    requirement: str
    stall_days: int
    assignments: list[tuple[str, str]]  # (kind, ref), already checked against the offered choices
    manager_ids: set[int]


class NameTaken(Exception):
    """Another cohort of the organisation already has this name (ignoring case)."""


class Archived(Exception):
    """The cohort is archived, so read-only until it is restored."""


def _check_name(org_id: int, name: str, except_id: int | None) -> None:
    lock_row(Organization, org_id, "name")  # parallel creates of one name take turns, then see each other
    if queries.name_taken(org_id, name, except_id):
        raise NameTaken(name.strip())


def create(editor: User, details: CohortDetails) -> Cohort:
    """A new cohort of the editor's organisation; :class:`NameTaken` when the name is in use there."""
    _check_name(editor.org_id, details.name, None)
    cohort = Cohort(org_id=editor.org_id)
    db.session.add(cohort)
    update(cohort, editor, details, created=True)
    return cohort


def update(cohort: Cohort, editor: User, details: CohortDetails, created: bool = False) -> None:
    """Copy the details; the editor always stays a manager, and only people of the organisation can be.
    :class:`NameTaken` when another cohort of the organisation has the name, :class:`Archived` when
    the cohort is archived."""
    writable(cohort)
    if cohort.id is not None:
        _check_name(cohort.org_id, details.name, cohort.id)
    cohort.name, cohort.description = details.name.strip(), details.description.strip()
    cohort.starts_on, cohort.due_on = details.starts_on, details.due_on
    cohort.requirement, cohort.stall_days = details.requirement, details.stall_days
    set_assignments(cohort, details.assignments)
    ids = details.manager_ids | {editor.id}
    cohort.managers = list(db.session.scalars(select(User).where(User.id.in_(ids), User.org_id == editor.org_id)))
    db.session.flush()
    audit.record(
        cohort.org_id,
        "cohort.created" if created else "cohort.changed",
        cohort.name,
        due_on=cohort.due_on,
        requirement=cohort.requirement,
        assignments=[f"{kind}:{ref}" for kind, ref in details.assignments],
        managers=sorted(m.email for m in cohort.managers),
    )


def writable(cohort: Cohort) -> None:
    """Raise :class:`Archived` for an archived cohort."""
    if cohort.archived:
        raise Archived(cohort.name)


def archive(cohort: Cohort) -> bool:
    """Archive the cohort (read-only, out of the default list and off learners' home pages); False if
    it already was."""
    if cohort.archived:
        return False
    cohort.archived_at = utcnow()
    db.session.flush()
    audit.record(cohort.org_id, "cohort.archived", cohort.name)
    return True


def restore(cohort: Cohort) -> bool:
    """Bring an archived cohort back; False if it was not archived."""
    if not cohort.archived:
        return False
    cohort.archived_at = None
    db.session.flush()
    audit.record(cohort.org_id, "cohort.restored", cohort.name)
    return True


def set_due_dates(cohort: Cohort, dates: dict[int, date | None]) -> int:
    """Give assigned items ({assignment id: date, or None for the cohort's}) their own due dates; the
    number of items whose date changed. Ids of other cohorts' assignments are ignored."""
    writable(cohort)
    changed = 0
    for item in cohort.assignments:
        if item.id in dates and item.due_on != dates[item.id]:
            item.due_on = dates[item.id]
            changed += 1
    db.session.flush()
    return changed


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
    writable(cohort)
    exists = db.session.scalar(
        select(CohortMember.id).where(CohortMember.cohort_id == cohort.id, CohortMember.user_id == user.id)
    )
    if exists:
        return False
    db.session.add(CohortMember(cohort_id=cohort.id, user_id=user.id))
    audit.record(cohort.org_id, "cohort.members", cohort.name, added=[user.email])
    return True


@dataclass(frozen=True)
class AddResult:
    user: User | None
    added: bool = False
    invitation: str | None = None  # the new learner's invitation link (also emailed)
    problem: str | None = None  # why nobody was added
    invited_as: str = ""  # the name the editor typed for an invitation (an account's own name is not shown)


def add_learner(
    cohort: Cohort,
    editor: User,
    email: str,
    name: str,
    role: str,
    team_id: str,
    *,
    external: bool = False,
    agency: str = "",
) -> AddResult:
    """Add a learner of the editor's teams, or invite a new person into one of them (name, role and
    team needed). An email held in another organisation gets the same answers as an unknown one.
    A new person is staff, or ``external`` from ``agency`` (the form checked the pair with
    affiliation.problem); an existing account keeps its own: admins change that."""
    writable(cohort)
    lock_row(Organization, cohort.org_id, "name")  # parallel adds of one new person invite once
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    allowed = editor_teams(editor)
    if user is not None and user.org_id == cohort.org_id:
        if allowed is not None and not allowed & {t.id for t in user.teams}:
            return AddResult(None, problem=OUTSIDE_TEAMS.format(email=email) + ".")
        return AddResult(user, add_member(cohort, user))
    team = db.session.get(Team, int(team_id)) if team_id.isdigit() else None
    if not name or not role or team is None or team.org_id != cohort.org_id:
        return AddResult(None, problem="To invite someone new, give their name, role and team.")
    if allowed is not None and team.id not in allowed:
        return AddResult(None, problem="Invite new learners into one of your own teams.")
    if user is not None and user.org_id is None:  # an account of its own: it is asked to join, not moved
        return AddResult(user, False, invite_to_join(user, cohort, team, editor), invited_as=name.strip())
    if user is not None:  # held in another organisation
        return AddResult(None, problem=CANNOT_ADD.format(email=email) + ".")
    user = User(email=email, name=name.strip(), role=role, access="learner", org_id=cohort.org_id, password_hash="")
    user.external, user.agency = external, agency.strip() if external else ""
    user.teams.append(team)
    db.session.add(user)
    db.session.flush()
    invitation = onboarding.invite(user, editor)
    marked = {"external": True, "agency": user.agency} if external else {}  # staff entries read as the admin's
    audit.record(
        user.org_id, "person.invited", email, access="learner", role=role, team=team.name, cohort=cohort.name, **marked
    )
    added = add_member(cohort, user)
    db.session.flush()
    return AddResult(user, added, invitation, invited_as=user.name)


def invite_to_join(user: User, cohort: Cohort, team: Team, editor: User) -> str:
    """Email an account of no organisation a link to join the cohort and team; returns the link."""
    token = invitations.issue(user, "join", cohort_id=cohort.id, team_id=team.id)
    messages.join_invitation(user, token, cohort, db.session.get(Organization, cohort.org_id), editor)
    log.info("join invitation created for %s: cohort=%s by=%s", user.email, cohort.id, editor.id)  # never the token
    return outbox.link("cohorts.join", token=token)


def join(token: str) -> Cohort | None:
    """Accept an invitation to join: the account enters the organisation, the manager's team and
    the cohort. None for a link that is used, expired, or whose account has joined elsewhere since."""
    link = invitations.find(token, "join")
    if link is None or link.cohort_id is None:
        return None
    user, cohort = db.session.get(User, link.user_id), db.session.get(Cohort, link.cohort_id)
    if user.org_id is not None and user.org_id != cohort.org_id:
        return None
    user.org_id = cohort.org_id
    team = db.session.get(Team, link.team_id) if link.team_id else None
    if team is not None and team.org_id == cohort.org_id and team not in user.teams:
        user.teams.append(team)
    if not cohort.archived:
        add_member(cohort, user)
    link.used_at = utcnow()
    db.session.flush()
    log.info("joined: user=%s org=%s cohort=%s", user.id, cohort.org_id, cohort.id)
    return cohort


def remove_member(member: CohortMember) -> None:
    """Take a learner out of the cohort; their history stays."""
    writable(member.cohort)
    email = db.session.get(User, member.user_id).email
    db.session.delete(member)
    db.session.flush()
    audit.record(member.cohort.org_id, "cohort.members", member.cohort.name, removed=[email])


@dataclass(frozen=True)
class Invitee:
    name: str
    email: str


@dataclass
class ImportResult:
    errors: list[tuple[int, str]]
    added: int = 0
    already: int = 0
    invited: list[tuple[Invitee, str]] | None = None  # the people invited and their links (also emailed)


CANNOT_ADD = "{email} cannot be added here: check the address, or ask an admin"
OUTSIDE_TEAMS = "{email} is not in one of your teams: ask an admin to add them"
NOT_YOUR_TEAM = "team '{team}' is not one of your teams: new learners join one of yours"


def editor_teams(editor: User) -> set[int] | None:
    """The teams whose learners a manager may add to a cohort; None for an admin (the whole organisation)."""
    return None if editor.access == "admin" else {team.id for team in editor.teams}


def import_roster(cohort: Cohort, editor: User, data: bytes, filename: str, roles: set[str]) -> ImportResult:
    """Validate the whole file first; save nothing unless every row is valid. An import adds existing
    learners of the editor's teams and invites new people into those teams; it never changes an
    existing account's teams or role (only admins manage those)."""
    writable(cohort)
    lock_row(Organization, cohort.org_id, "name")  # racing imports of the same people take turns
    teams = {t.name.lower(): t for t in db.session.scalars(select(Team).where(Team.org_id == cohort.org_id))}
    parsed = roster.parse(data, filename, roles=roles, teams=set(teams))
    allowed = editor_teams(editor)
    existing = {
        u.email: u for u in db.session.scalars(select(User).where(User.email.in_([r.email for r in parsed.rows])))
    }
    refusals = {}
    for row in parsed.rows:
        user = existing.get(row.email)
        if user is not None and user.org_id is None:  # an account of its own: asked to join, as a new person
            if allowed is not None and teams[row.team.lower()].id not in allowed:
                refusals[row.line] = NOT_YOUR_TEAM.format(team=row.team)
        elif user is not None and user.org_id != cohort.org_id:
            refusals[row.line] = CANNOT_ADD.format(email=row.email)  # the same answer whoever holds the email
        elif user is not None and allowed is not None and not allowed & {t.id for t in user.teams}:
            refusals[row.line] = OUTSIDE_TEAMS.format(email=row.email)
        elif user is None and allowed is not None and teams[row.team.lower()].id not in allowed:
            refusals[row.line] = NOT_YOUR_TEAM.format(team=row.team)
    roster.reject(parsed, refusals)
    if not parsed.ok:
        log.warning("roster import rejected: cohort=%s file=%r errors=%d", cohort.id, filename, len(parsed.errors))
        return ImportResult(parsed.errors)
    result = ImportResult([], invited=[])
    for row in parsed.rows:
        user = existing.get(row.email)
        if user is not None and user.org_id is None:
            link = invite_to_join(user, cohort, teams[row.team.lower()], editor)
            result.invited.append((Invitee(row.name, row.email), link))  # as typed: not the account's own name
            continue
        if user is None:
            user = User(
                email=row.email, name=row.name, role=row.role, access="learner", org_id=cohort.org_id, password_hash=""
            )
            user.external, user.agency = row.external, row.agency
            db.session.add(user)
            db.session.flush()
            result.invited.append((Invitee(row.name, row.email), onboarding.invite(user, editor)))
            user.teams.append(teams[row.team.lower()])
        if add_member(cohort, user):
            result.added += 1
        else:
            result.already += 1
    db.session.flush()
    return result
