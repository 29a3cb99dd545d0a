"""The AI-workflow registry: workflows, their input data sources, named operators, and the
append-only history of every change and review."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from literacy.people.tables import Team, User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db


class Workflow(db.Model):
    """One AI-supported process: what it is for, who owns it, what the AI may decide, how results are
    traced, how a fault is stopped, and who operates it."""

    __tablename__ = "workflows"
    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_workflows_org_id_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(60), default="")  # a workflow kind of curricula/skills.yaml
    purpose: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    stage: Mapped[str] = mapped_column(String(20), default="experiment")
    stage_since: Mapped[date]
    tools: Mapped[str] = mapped_column(Text, default="")
    ai_may: Mapped[str] = mapped_column(Text, default="")
    needs_approval: Mapped[str] = mapped_column(Text, default="")
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome_measure: Mapped[str] = mapped_column(Text, default="")
    tracing: Mapped[str] = mapped_column(Text, default="")
    fault_noticed: Mapped[str] = mapped_column(Text, default="")
    fault_contact: Mapped[str] = mapped_column(Text, default="")
    fault_stop: Mapped[str] = mapped_column(Text, default="")
    review_days: Mapped[int | None]
    reviewed_on: Mapped[date | None]
    touches_revenue: Mapped[bool] = mapped_column(default=False)
    touches_reputation: Mapped[bool] = mapped_column(default=False)
    touches_customer_data: Mapped[bool] = mapped_column(default=False)
    roles_json: Mapped[str] = mapped_column(Text, default="[]")
    skills_json: Mapped[str] = mapped_column(Text, default="[]")
    scenarios_json: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    approver: Mapped[User | None] = relationship(foreign_keys=[approver_id])
    team: Mapped[Team | None] = relationship()
    sources: Mapped[list[WorkflowSource]] = relationship(
        cascade="all, delete-orphan", order_by="WorkflowSource.id", back_populates="workflow"
    )
    operators: Mapped[list[User]] = relationship(secondary="workflow_operators", order_by="User.name")

    @property
    def roles(self) -> list[str]:
        return json.loads(self.roles_json)

    @property
    def required_skills(self) -> list[str]:
        return json.loads(self.skills_json)

    @property
    def required_scenarios(self) -> list[str]:
        return json.loads(self.scenarios_json)

    @property
    def risks(self) -> list[str]:
        touches = {"revenue": self.touches_revenue, "reputation": self.touches_reputation}
        touches["customer data"] = self.touches_customer_data
        return [name for name, on in touches.items() if on]


workflow_operators = db.Table(
    "workflow_operators",
    db.Column("workflow_id", ForeignKey("workflows.id", ondelete="CASCADE"), primary_key=True),
    db.Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class WorkflowSource(db.Model):
    """An input data source of a workflow, with its readiness rating and when it was last checked."""

    __tablename__ = "workflow_sources"
    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    rating: Mapped[str] = mapped_column(String(20), default="gaps")
    checked_on: Mapped[date | None]
    workflow: Mapped[Workflow] = relationship(back_populates="sources")


class WorkflowChange(db.Model):
    """Append-only: who changed which field of a workflow, from what to what, and when; a review is a
    change of the field "review" with its note."""

    __tablename__ = "workflow_changes"
    __table_args__ = (Index("ix_workflow_changes_workflow_at", "workflow_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    field: Mapped[str] = mapped_column(String(60))
    old: Mapped[str] = mapped_column(Text, default="")
    new: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    user: Mapped[User | None] = relationship()
