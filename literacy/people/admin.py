"""An admin's changes to the people and teams of their organisation: names, teams, staff or
external, deactivation, invitations (one person or a roster CSV) and renaming or deleting teams. Services flush; the
request commits."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import delete, select, update

from literacy.cohorts import roster
from literacy.evidence import audit
from literacy.identity.tables import ScimProfile
from literacy.people import affiliation, onboarding
from literacy.people.tables import Invitation, Organization, Team, User
from literacy.platform.database import lock_row
from literacy.platform.extensions import db

log = logging.getLogger(__name__)

CANNOT_INVITE = "{email} cannot be invited here: check the address"  # the same words whoever holds the email


def invite(user: User, inviter: User | None = None) -> str:
    """Invite this person (by email, see onboarding.invite; their older links stop working) and
    return the one-time link, which a page shows only when no mail server is set."""
    db.session.flush()  # a new person needs their id
    return onboarding.invite(user, inviter)


def rename(admin: User, user: User, name: str) -> None:
    before = user.name
    user.name = name.strip()
    db.session.flush()
    audit.record(user.org_id, "person.renamed", user.email, old=before, new=user.name)
    log.info("name changed: admin=%s user=%s", admin.id, user.id)


def set_teams(user: User, teams: list[Team]) -> None:
    """Make ``teams`` exactly the person's teams."""
    before = sorted(t.name for t in user.teams)
    user.teams[:] = teams
    db.session.flush()
    audit.record(user.org_id, "person.teams", user.email, old=before, new=sorted(t.name for t in teams))


def set_external(admin: User, user: User, external: bool, agency: str) -> bool:
    """Make the person staff, or external from ``agency`` (the form checked the pair with
    affiliation.problem); False when nothing changed. Staff keep no firm."""
    before = affiliation.label(user.external, user.agency)
    agency = agency.strip() if external else ""
    if (user.external, user.agency) == (external, agency):
        return False
    user.external, user.agency = external, agency
    db.session.flush()
    after = affiliation.label(external, agency)
    audit.record(user.org_id, "person.external", user.email, old=before, new=after, external=external, agency=agency)
    log.info("staff or external changed: admin=%s user=%s external=%s", admin.id, user.id, external)
    return True


def add_to_team(people: list[User], team: Team) -> int:
    """Add each person to the team; the number who were not in it yet."""
    added = [person for person in people if team not in person.teams]
    for person in added:
        person.teams.append(team)
    db.session.flush()
    if added:
        audit.record(team.org_id, "team.members", team.name, added=sorted(p.email for p in added))
    return len(added)


def remove_from_team(people: list[User], team: Team) -> int:
    """Take each person out of the team; the number who were in it."""
    removed = [person for person in people if team in person.teams]
    for person in removed:
        person.teams.remove(team)
    db.session.flush()
    if removed:
        audit.record(team.org_id, "team.members", team.name, removed=sorted(p.email for p in removed))
    return len(removed)


def deactivate(admin: User | None, people: list[User]) -> list[User]:
    """Deactivate these people, never the admin themself: their sessions and remember cookies end
    at once and their open invitations stop working. Returns those newly deactivated. ``admin`` is
    None for a provisioning client (SCIM), which is no person."""
    changed = [person for person in people if (admin is None or person.id != admin.id) and person.active]
    for person in changed:
        person.active = False
        person.rotate_sessions()
    if changed:
        ids = [person.id for person in changed]
        db.session.execute(delete(Invitation).where(Invitation.user_id.in_(ids), Invitation.used_at.is_(None)))
    db.session.flush()
    for person in changed:
        audit.record(person.org_id, "person.deactivated", person.email)
    log.info("deactivated: admin=%s users=%s", getattr(admin, "id", None), [person.id for person in changed])
    return changed


def reactivate(admin: User | None, user: User) -> bool:
    """False when the person was already active (``admin`` None: a provisioning client)."""
    if user.active:
        return False
    user.active = True
    # a person a provisioning client deleted is its to see again once an admin brings them back, so
    # that it can deactivate them again
    db.session.execute(update(ScimProfile).where(ScimProfile.user_id == user.id).values(deleted_at=None))
    db.session.flush()
    audit.record(user.org_id, "person.reactivated", user.email)
    log.info("reactivated: admin=%s user=%s", getattr(admin, "id", None), user.id)
    return True


@dataclass(frozen=True)
class Invited:
    user: User | None = None  # the new person
    link: str | None = None  # their one-time invitation link
    existing: User | None = None  # already a person of this organisation: nothing changed
    problem: str | None = None  # why nobody was invited


def invite_person(
    org_id: int,
    email: str,
    name: str,
    role: str,
    team: Team | None,
    access: str,
    *,
    external: bool = False,
    agency: str = "",
) -> Invited:
    """Create an account in the organisation and invite it, as staff or as an external person of
    ``agency``. An email that is already someone's here is reported, not changed; one held in
    another organisation gets words that do not say so."""
    lock_row(Organization, org_id, "name")  # two admins inviting the same person take turns
    email = email.strip().lower()
    holder = db.session.scalar(select(User).where(User.email == email))
    if holder is not None and holder.org_id == org_id:
        return Invited(existing=holder)
    if holder is not None:
        return Invited(problem=CANNOT_INVITE.format(email=email) + ".")
    firm = agency.strip() if external else ""
    user = User(email=email, name=name.strip(), role=role, access=access, org_id=org_id, password_hash="")
    user.external, user.agency = external, firm
    if team is not None:
        user.teams.append(team)
    db.session.add(user)
    link = invite(user)
    marked = {"external": True, "agency": firm} if external else {}  # staff entries read as before
    audit.record(org_id, "person.invited", email, access=access, role=role, team=team.name if team else "", **marked)
    return Invited(user=user, link=link)


@dataclass
class Imported:
    errors: list[tuple[int, str]]  # (row number, message): nothing was saved
    invited: list[tuple[User, str]] = field(default_factory=list)  # new people and their links
    existing: list[User] = field(default_factory=list)  # already people of this organisation: unchanged


def import_people(org_id: int, data: bytes, filename: str, roles: set[str]) -> Imported:
    """Invite everyone new in a roster CSV (the cohort roster's format and parser) as learners of
    its teams. All or nothing: any bad row saves nothing. People already in the organisation are
    reported and left as they are; an email held elsewhere is refused with the same words as above."""
    lock_row(Organization, org_id, "name")
    teams = {t.name.lower(): t for t in db.session.scalars(select(Team).where(Team.org_id == org_id))}
    parsed = roster.parse(data, filename, roles=roles, teams=set(teams))
    holders = {
        u.email: u for u in db.session.scalars(select(User).where(User.email.in_([r.email for r in parsed.rows])))
    }
    refusals = {
        row.line: CANNOT_INVITE.format(email=row.email)
        for row in parsed.rows
        if row.email in holders and holders[row.email].org_id != org_id
    }
    roster.reject(parsed, refusals)
    if not parsed.ok:
        log.warning("people import rejected: org=%s file=%r errors=%d", org_id, filename, len(parsed.errors))
        return Imported(parsed.errors)
    result = Imported([])
    for row in parsed.rows:
        if row.email in holders:
            result.existing.append(holders[row.email])
            continue
        user = User(email=row.email, name=row.name, role=row.role, access="learner", org_id=org_id, password_hash="")
        user.external, user.agency = row.external, row.agency
        user.teams.append(teams[row.team.lower()])
        db.session.add(user)
        result.invited.append((user, invite(user)))
    invited = [u for u, _ in result.invited]
    external = [u.email for u in invited if u.external]
    marked = {"external": external} if external else {}  # an all-staff import's entry reads as before
    audit.record(org_id, "people.imported", filename, invited=[u.email for u in invited], **marked)
    return result


def rename_team(team: Team, name: str) -> None:
    before = team.name
    team.name = name.strip()
    db.session.flush()
    audit.record(team.org_id, "team.renamed", team.name, old=before)


def delete_team(team: Team) -> None:
    """Delete a team: its memberships go with it, its people stay."""
    members = sorted(p.email for p in team.members)
    team.members.clear()
    db.session.delete(team)
    db.session.flush()
    audit.record(team.org_id, "team.deleted", team.name, members=members)
