"""The audit log: append-only, one hash chain per organisation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from literacy.platform.clock import utcnow
from literacy.platform.extensions import db


class AuditEntry(db.Model):
    """Who did what, to what, when and from where. Never updated or deleted by the application."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_org_id_id", "org_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None]  # no foreign key: the entry outlives the account
    actor: Mapped[str] = mapped_column(String(254), default="")  # the actor's email then, or "command line"
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    address: Mapped[str] = mapped_column(String(64), default="")
    previous: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    def fields(self) -> dict:
        """What the hash covers (everything but the id and the hashes)."""
        return {
            "org_id": self.org_id,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "details": self.details,
            "address": self.address,
        }


class Policy(db.Model):
    """One published version of the organisation's AI-use policy (Markdown). Versions are kept."""

    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("org_id", "version", name="uq_policies_org_id_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[str] = mapped_column(String(254), default="")


class PolicyAcknowledgement(db.Model):
    """A person read a version and said they follow it: the name they typed and when."""

    __tablename__ = "policy_acknowledgements"
    __table_args__ = (UniqueConstraint("policy_id", "user_id", name="uq_policy_acknowledgements_policy_user"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class CertificationRule(db.Model):
    """What certifies a person in one role in one organisation (no row: the defaults of
    ``evidence.certification.Rule``)."""

    __tablename__ = "certification_rules"
    __table_args__ = (UniqueConstraint("org_id", "role", name="uq_certification_rules_org_role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(60))
    valid_months: Mapped[int] = mapped_column(default=12)
    renew_days: Mapped[int] = mapped_column(default=45)
    require_policy: Mapped[bool] = mapped_column(default=True)
    skills: Mapped[str] = mapped_column(String(500), default="")  # comma-separated; empty: the critical skills


class Certification(db.Model):
    """One certification cycle of one person in one role. Cycles are never deleted: each recertification
    opens a new one, and the evidence finished inside a cycle's dates is that cycle's."""

    __tablename__ = "certifications"
    __table_args__ = (
        UniqueConstraint("user_id", "number", name="uq_certifications_user_number"),
        Index("ix_certifications_org_expires", "org_id", "expires_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1 for the first cycle, then 2, 3... across roles
    role: Mapped[str] = mapped_column(String(60))
    opened_at: Mapped[datetime | None]  # evidence counts from here; None: the first cycle counts all of it
    certified_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"))
    override: Mapped[str] = mapped_column(Text, default="")  # an admin's reason for certifying or revoking by hand


class EvidencePack(db.Model):
    """A requested evidence pack: what it covers, how far its background build has got, and the file.
    The file is kept in the database so any server can hand it out."""

    __tablename__ = "evidence_packs"
    __table_args__ = (Index("ix_evidence_packs_org_id_id", "org_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    requested_by: Mapped[str] = mapped_column(String(254), default="")
    scope: Mapped[str] = mapped_column(String(20))  # "organisation", "team" or "person"
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    label: Mapped[str] = mapped_column(String(300), default="")  # what it covers, in words
    as_of: Mapped[date]
    format: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued, building, ready, failed
    done: Mapped[int] = mapped_column(default=0)  # people gathered so far
    total: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
