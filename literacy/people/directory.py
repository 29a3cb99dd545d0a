"""The admin's People page: search, filters and one page of an organisation's people, in a fixed
number of queries whatever the organisation's size (a count, one page of rows, their teams)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from literacy.identity.tables import SsoIdentity
from literacy.people.affiliation import EXTERNAL
from literacy.people.tables import Team, User, team_members
from literacy.platform.extensions import db
from literacy.platform.paging import Page

PAGE_SIZE = 50
STATUSES = {"active": "Active", "invited": "Invited", "deactivated": "Deactivated"}


@dataclass(frozen=True)
class Filters:
    """What the People page's GET form asks for; empty values filter nothing."""

    q: str = ""  # a case-insensitive part of the name or email
    access: str = ""  # learner, manager, leader or admin
    team: int | None = None  # a team of the organisation
    status: str = ""  # a key of STATUSES
    affiliation: str = ""  # "staff" or "external" (people.affiliation.KINDS)


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    email: str
    role: str
    access: str
    status: str  # a key of STATUSES
    teams: tuple[str, ...]
    external: bool = False
    agency: str = ""


def status_of(active: bool, signs_in: bool) -> str:
    """Deactivated wins; an active account with no way to sign in yet (no password, no company
    sign-in linked) is still an invitation."""
    if not active:
        return "deactivated"
    return "active" if signs_in else "invited"


def _signs_in():
    """A password set, or a company sign-in linked (people of single sign-on have no password)."""
    return or_(User.password_hash != "", User.id.in_(select(SsoIdentity.user_id)))


def _conditions(org_id: int, filters: Filters) -> list:
    conditions = [User.org_id == org_id]
    if filters.q:
        needle = filters.q.lower()
        conditions.append(
            or_(
                func.lower(User.name).contains(needle, autoescape=True),
                func.lower(User.email).contains(needle, autoescape=True),
            )
        )
    if filters.access:
        conditions.append(User.access == filters.access)
    if filters.team is not None:
        conditions.append(User.id.in_(select(team_members.c.user_id).where(team_members.c.team_id == filters.team)))
    if filters.status == "deactivated":
        conditions.append(User.active.is_(False))
    elif filters.status == "invited":
        conditions.append(and_(User.active.is_(True), ~_signs_in()))
    elif filters.status == "active":
        conditions.append(and_(User.active.is_(True), _signs_in()))
    if filters.affiliation:
        conditions.append(User.external.is_(filters.affiliation == EXTERNAL))
    return conditions


def search(org_id: int, filters: Filters, requested: int | None, size: int = PAGE_SIZE) -> Page[Row]:
    """One page of the people who match, by name; a page number out of range shows the nearest page."""
    conditions = _conditions(org_id, filters)
    total = db.session.scalar(select(func.count(User.id)).where(*conditions)) or 0
    pages = max(1, -(-total // size))
    number = min(max(requested or 1, 1), pages)
    query = (
        select(User.id, User.name, User.email, User.role, User.access, User.active, _signs_in())
        .add_columns(User.external, User.agency)
        .where(*conditions)
        .order_by(func.lower(User.name), User.id)
        .offset((number - 1) * size)
        .limit(size)
    )
    found = db.session.execute(query).all()
    names: dict[int, list[str]] = {row[0]: [] for row in found}
    if names:
        teams = (
            select(team_members.c.user_id, Team.name)
            .join(Team, Team.id == team_members.c.team_id)
            .where(team_members.c.user_id.in_(names))
            .order_by(Team.name)
        )
        for user_id, team in db.session.execute(teams):
            names[user_id].append(team)
    rows = [
        Row(uid, name, email, role, access, status_of(active, bool(signs_in)), tuple(names[uid]), ext, firm)
        for uid, name, email, role, access, active, signs_in, ext, firm in found
    ]
    return Page(rows, number, pages, total)


def org_people(org_id: int, user_ids: list[int]) -> list[User] | None:
    """These people of the organisation, by name; None when any id is not one of its people (so the
    caller answers 404 and reveals nothing about other organisations)."""
    wanted = set(user_ids)
    people = list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(wanted), User.org_id == org_id)
            .options(selectinload(User.teams))
            .order_by(func.lower(User.name), User.id)
        )
    )
    return people if len(people) == len(wanted) else None


def member_count(team: Team) -> int:
    return db.session.scalar(select(func.count()).select_from(team_members).where(team_members.c.team_id == team.id))


def team_name_taken(org_id: int, name: str, except_id: int | None = None) -> bool:
    """Whether another team of the organisation has this name (case-insensitive)."""
    query = select(Team.id).where(Team.org_id == org_id, func.lower(Team.name) == name.strip().lower())
    if except_id is not None:
        query = query.where(Team.id != except_id)
    return db.session.scalar(query) is not None
