"""Cohorts: who runs them, who is in them and what work they assign."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from literacy.people.tables import User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db

cohort_managers = db.Table(
    "cohort_managers",
    db.Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    db.Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


REQUIREMENTS = {
    "complete": "Finish all assigned lessons and scenarios",
    "at-target": "Finish all assigned work with every assigned skill at or above the role target",
}


class Cohort(db.Model):
    """A programme run by one or more managers: learners, assigned work, dates and a required outcome."""

    __tablename__ = "cohorts"
    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_cohorts_org_id_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date]
    due_on: Mapped[date]
    requirement: Mapped[str] = mapped_column(String(20), default="at-target")
    stall_days: Mapped[int] = mapped_column(default=7)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]  # archived cohorts are read-only and leave the default list
    # a recertification cohort: only scenarios finished after the learner joined count, since the
    # work is assigned again to be done again (lessons read once stay read)
    recertification: Mapped[bool] = mapped_column(default=False, server_default=false())
    managers: Mapped[list[User]] = relationship(secondary=cohort_managers)
    members: Mapped[list[CohortMember]] = relationship(back_populates="cohort", cascade="all, delete-orphan")
    assignments: Mapped[list[CohortAssignment]] = relationship(
        cascade="all, delete-orphan", order_by="CohortAssignment.id"
    )

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class CohortMember(db.Model):
    __tablename__ = "cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"), Index("ix_cohort_members_user", "user_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    cohort: Mapped[Cohort] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class CohortAssignment(db.Model):
    """Assigned work. kind: 'track' (each learner's own role track), 'course' (a role's course) or 'scenario'."""

    __tablename__ = "cohort_assignments"
    __table_args__ = (UniqueConstraint("cohort_id", "kind", "ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(120), default="")  # role id for 'course', scenario id for 'scenario'
    due_on: Mapped[date | None]  # the item's own due date; None: the cohort's
