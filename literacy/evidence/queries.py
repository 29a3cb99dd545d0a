"""Reads for the dashboards: where an organisation (or some of its teams) stands on certification and
on the current AI-use policy, counting staff and external people apart."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from literacy.evidence import cycles, policy
from literacy.evidence.tables import PolicyAcknowledgement
from literacy.people.tables import Team, User
from literacy.platform.database import column_rows
from literacy.platform.extensions import db


@dataclass(frozen=True)
class Compliance:
    people: int  # active people in scope
    external: int
    statuses: dict[str, int]  # certification status -> people
    policy_version: str | None
    acknowledged: int  # of the people, those who acknowledged the current version
    lapsed_ids: frozenset[int] = frozenset()  # people whose certification lapsed or was revoked

    @property
    def staff(self) -> int:
        return self.people - self.external

    @property
    def lapsed(self) -> int:
        return self.statuses.get("lapsed", 0) + self.statuses.get("revoked", 0)


def compliance(org_id: int, team_ids: tuple[int, ...] | None = None, user_ids=None, as_of=None) -> Compliance:
    """For the organisation, some of its teams or some people (``user_ids``: ids, or a select of
    them such as a cohort's members): three queries, the people (as cycles.in_organisation picks
    them, only the columns counted here) and their cycles, and the current version's
    acknowledgements."""
    query = select(User.id, User.role, User.external).where(User.org_id == org_id, User.active.is_(True))
    if team_ids is not None:
        query = query.where(User.teams.any(Team.id.in_(team_ids)))
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    people = column_rows(query).all()
    # the cycles of the same people, chosen by the same filter: no list of thousands of ids to send
    # (someone (de)activated between the two reads changes nothing: standings keeps to ``people``)
    found = cycles.standings(people, as_of, among=query.with_only_columns(User.id))  # at ``as_of``, now by default
    current = policy.current(org_id)
    signed: set[int] = set()
    if current is not None:
        query = select(PolicyAcknowledgement.user_id).where(PolicyAcknowledgement.policy_id == current.id)
        signed = set(db.session.scalars(query))
    return Compliance(
        people=len(people),
        external=sum(person.external for person in people),
        statuses=cycles.counts((person, found[person.id]) for person in people),
        policy_version=current.version if current else None,
        acknowledged=sum(person.id in signed for person in people),
        lapsed_ids=frozenset(person.id for person in people if found[person.id].lapsed),
    )
