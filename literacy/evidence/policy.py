"""The organisation's AI-use policy: admins publish versions; everyone acknowledges the current one
(the name they type, the version and the time are kept); a new version asks everyone again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from literacy.content.types import Catalogue
from literacy.evidence import audit, cycles
from literacy.evidence.tables import Policy, PolicyAcknowledgement
from literacy.people.tables import Organization, User
from literacy.platform import origin
from literacy.platform.database import lock_row
from literacy.platform.extensions import db
from literacy.platform.paging import Page, page_of


class Refused(Exception):
    """The version could not be published or acknowledged; the message says why."""


def current(org_id: int | None) -> Policy | None:
    if org_id is None:
        return None
    query = select(Policy).where(Policy.org_id == org_id).order_by(Policy.id.desc()).limit(1)
    return db.session.scalar(query)


def versions(org_id: int) -> list[tuple[Policy, int]]:
    """Every version, newest first, with how many people acknowledged it."""
    counts = (
        select(PolicyAcknowledgement.policy_id, func.count().label("n"))
        .group_by(PolicyAcknowledgement.policy_id)
        .subquery()
    )
    query = (
        select(Policy, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.policy_id == Policy.id)
        .where(Policy.org_id == org_id)
        .order_by(Policy.id.desc())
    )
    return [(policy, n) for policy, n in db.session.execute(query)]


def publish(org_id: int, version: str, text: str) -> Policy:
    """A new current version; :class:`Refused` for an empty text or a version label used before."""
    version, text = version.strip(), text.strip()
    if not version or not text:
        raise Refused("Give the policy a version label and its text.")
    lock_row(Organization, org_id, "name")
    taken = select(Policy.id).where(Policy.org_id == org_id, func.lower(Policy.version) == version.lower())
    if db.session.scalar(taken) is not None:
        raise Refused(f"Version {version} was published before: give the new text a new version label.")
    who = origin.actor.get()
    policy = Policy(org_id=org_id, version=version, text=text, published_by=who[1] if who else "command line")
    db.session.add(policy)
    db.session.flush()
    audit.record(org_id, "policy.published", f"AI-use policy {version}", characters=len(text))
    return policy


def acknowledgement(user: User, policy: Policy | None) -> PolicyAcknowledgement | None:
    if policy is None:
        return None
    query = select(PolicyAcknowledgement).where(
        PolicyAcknowledgement.policy_id == policy.id, PolicyAcknowledgement.user_id == user.id
    )
    return db.session.scalar(query)


def acknowledge(catalogue: Catalogue, user: User, policy: Policy, typed_name: str) -> PolicyAcknowledgement:
    """Record that ``user`` follows ``policy``, signed with the name they typed; a repeat (a second
    tab, a double click) keeps the first acknowledgement. The acknowledgement may complete the
    person's certification, so that follows in the same transaction."""
    if policy.org_id != user.org_id:
        raise Refused("That policy is not your organisation's.")
    name = " ".join(typed_name.split())
    if not name:
        raise Refused("Type your name to acknowledge the policy.")
    lock_row(User, user.id, "name")
    existing = acknowledgement(user, policy)
    if existing is not None:
        return existing
    row = PolicyAcknowledgement(policy_id=policy.id, user_id=user.id, name=name[:200])
    db.session.add(row)
    db.session.flush()
    cycles.refresh(catalogue, [user.id])
    return row


@dataclass(frozen=True)
class Pending:
    page: Page  # people who have not acknowledged the current version, by name
    acknowledged: int
    people: int  # active people of the organisation


def pending(org_id: int, policy: Policy, page: int | None, size: int = 50) -> Pending:
    """Who has not acknowledged the current version (active people only), one page at a time."""
    done = select(PolicyAcknowledgement.user_id).where(PolicyAcknowledgement.policy_id == policy.id)
    everyone = [User.org_id == org_id, User.active.is_(True)]
    people = db.session.scalar(select(func.count()).select_from(User).where(*everyone))
    waiting = [*everyone, User.id.not_in(done)]
    total = db.session.scalar(select(func.count()).select_from(User).where(*waiting))
    number, pages, offset = page_of(total, page, size)
    rows = list(db.session.scalars(select(User).where(*waiting).order_by(User.name).offset(offset).limit(size)))
    return Pending(Page(rows, number, pages, total), people - total, people)
