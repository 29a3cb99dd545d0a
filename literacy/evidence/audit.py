"""The audit log: every administrative action, appended to its organisation's hash chain in the
transaction of the action itself, so a change and its entry are saved together or not at all."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from literacy.evidence import chain
from literacy.evidence.tables import AuditEntry
from literacy.people.tables import Organization, User
from literacy.platform import origin
from literacy.platform.clock import utcnow
from literacy.platform.database import lock_row
from literacy.platform.extensions import db
from literacy.platform.paging import Page, page_of

ACTIONS = {
    "access.changed": "Access changed",
    "person.invited": "Person invited",
    "person.deactivated": "Person deactivated",
    "person.reactivated": "Person reactivated",
    "person.teams": "Teams of a person changed",
    "person.renamed": "Person renamed",
    "person.external": "Staff or external changed",
    "people.imported": "People imported",
    "team.members": "Team members changed",
    "team.created": "Team created",
    "team.renamed": "Team renamed",
    "team.deleted": "Team deleted",
    "cohort.created": "Cohort created",
    "cohort.changed": "Cohort changed",
    "cohort.archived": "Cohort archived",
    "cohort.restored": "Cohort restored",
    "cohort.members": "Cohort members changed",
    "workflow.created": "Workflow created",
    "workflow.changed": "Workflow changed",
    "workflow.imported": "Workflows imported",
    "organisation.created": "Organisation created",
    "organisation.settings": "Organisation settings changed",
    "policy.published": "AI-use policy published",
    "certification.rule": "Certification rule changed",
    "certification.override": "Certification overridden",
    "certification.renewal": "Recertification assigned",
    "evidence.pack": "Evidence pack requested",
    "export.downloaded": "Export downloaded",
    "audit.verified": "Audit log verified",
    "scim.user.created": "Person provisioned (SCIM)",
    "scim.user.changed": "Person changed by provisioning (SCIM)",
    "scim.user.deleted": "Person deprovisioned (SCIM)",
    "scim.group.changed": "Team changed by provisioning (SCIM)",
    "scim.token.created": "SCIM token created",
    "scim.token.revoked": "SCIM token revoked",
    "sso.configured": "Single sign-on configured",
    "sso.required": "Single sign-on requirement changed",
    "sso.removed": "Single sign-on removed",
    "sso.account.linked": "Account linked to single sign-on",
    "sso.account.created": "Account created by single sign-on",
    "sso.account.unlinked": "Company sign-in unlinked from an account",
}


def record(org_id: int | None, action: str, target: str = "", *, actor: User | None = None, **details):
    """Append one entry (none for a person without an organisation). The actor is the signed-in
    person unless given. The organisation's row is locked first, so parallel actions take turns and
    each links to the one before it."""
    if org_id is None:
        return None
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    lock_row(Organization, org_id, "name")
    previous = db.session.scalar(
        select(AuditEntry.hash).where(AuditEntry.org_id == org_id).order_by(AuditEntry.id.desc()).limit(1)
    )
    who = (actor.id, actor.email) if actor else origin.actor.get()
    entry = AuditEntry(
        org_id=org_id,
        at=utcnow(),
        actor_id=who[0] if who else None,
        actor=who[1] if who else origin.COMMAND_LINE,
        action=action,
        target=target[:300],
        details=json.dumps(details, sort_keys=True, ensure_ascii=False, default=str),
        address=origin.address.get()[:64],
        previous=previous or chain.GENESIS,
    )
    entry.hash = chain.entry_hash(entry.previous, entry.fields())
    db.session.add(entry)
    db.session.flush()
    return entry


def verify(org_id: int) -> chain.Break | None:
    """The first broken link of the organisation's chain, or None (reads in batches)."""

    def links():
        last = 0
        while True:
            rows = db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.org_id == org_id, AuditEntry.id > last)
                .order_by(AuditEntry.id)
                .limit(1000)
            ).all()
            if not rows:
                return
            for row in rows:
                yield chain.Link(row.id, row.previous, row.hash, row.fields())
            last = rows[-1].id

    return chain.verify(links())


def count(org_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.org_id == org_id))


@dataclass(frozen=True)
class Filters:
    action: str = ""
    actor: str = ""  # part of the actor's email
    since: datetime | None = None
    until: datetime | None = None


def _where(org_id: int, filters: Filters):
    conditions = [AuditEntry.org_id == org_id]
    if filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if filters.actor:
        conditions.append(func.lower(AuditEntry.actor).contains(filters.actor.lower()))
    if filters.since:
        conditions.append(AuditEntry.at >= filters.since)
    if filters.until:
        conditions.append(AuditEntry.at < filters.until)
    return conditions


def entries(org_id: int, filters: Filters, page: int | None, size: int = 50) -> Page:
    """One page of the organisation's entries, newest first."""
    conditions = _where(org_id, filters)
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
    number, pages, offset = page_of(total, page, size)
    query = select(AuditEntry).where(*conditions).order_by(AuditEntry.id.desc()).offset(offset).limit(size)
    return Page(list(db.session.scalars(query)), number, pages, total)


def all_entries(org_id: int, filters: Filters) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(*_where(org_id, filters)).order_by(AuditEntry.id)))
