"""The audit log: append-only, one hash chain per organisation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
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
