"""Reads about an organisation's people and teams."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from literacy.people.tables import Team, User
from literacy.platform.database import loader_by_id
from literacy.platform.extensions import db


def user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def org_user(org_id: int | None, user_id: int) -> User | None:
    """A person of this organisation; None for anyone else (so callers answer 404, revealing nothing)."""
    found = db.session.get(User, user_id)
    return found if found is not None and org_id is not None and found.org_id == org_id else None


def org_team(org_id: int | None, team_id: int) -> Team | None:
    found = db.session.get(Team, team_id)
    return found if found is not None and found.org_id == org_id else None


def people(org_id: int) -> list[User]:
    """Everyone in the organisation with their teams, by name."""
    query = select(User).where(User.org_id == org_id).options(selectinload(User.teams)).order_by(User.name)
    return list(db.session.scalars(query))


def externals(user_ids: list[int]) -> dict:
    """The external people among these ids: {id: a row with ``external`` and ``agency``}, for the
    lists whose rows carry neither (one query for a page of them)."""
    if not user_ids:
        return {}
    query = select(User.id, User.external, User.agency).where(User.id.in_(user_ids), User.external.is_(True))
    return {row.id: row for row in db.session.execute(query)}


def people_with_access(org_id: int, accesses: tuple[str, ...]) -> list[User]:
    query = select(User).where(User.org_id == org_id, User.access.in_(accesses)).order_by(User.name)
    return list(db.session.scalars(query))


def teams(org_id: int, with_members: bool = False) -> list[Team]:
    query = select(Team).where(Team.org_id == org_id).order_by(Team.name)
    if with_members:
        query = query.options(selectinload(Team.members))
    return list(db.session.scalars(query))


def team_name_taken(org_id: int, name: str) -> bool:
    return db.session.scalar(select(Team.id).where(Team.org_id == org_id, Team.name == name)) is not None


_user_for_session = loader_by_id(User)


def session_user(session_id: str) -> User | None:
    """The account behind a login cookie ("id:token"); a rotated token (sign-out, new password) loads nobody."""
    user_id, _, token = session_id.partition(":")
    user = _user_for_session(int(user_id)) if user_id.isdigit() else None
    if user is None or not token or not secrets.compare_digest(user.session_token, token):
        return None
    return user
