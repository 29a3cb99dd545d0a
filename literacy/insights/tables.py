"""Read models derived from learning history, kept in step by ``insights.readmodels``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from literacy.platform.extensions import db


class Evidence(db.Model):
    """Read model: each learner's newest finished assessed score per scenario and skill, with the
    points it earned of the points the scenario can award in the skill (the proficiency model's
    trials, docs/metrics.md).

    Refreshed in the same transaction as the finishing choice, so every rollup reads one small row
    per learner, scenario and skill instead of searching the attempt history and the content.
    """

    __tablename__ = "evidence"
    __table_args__ = (
        Index("ix_evidence_skill", "skill_id", "finished_at"),
        # covers the per-learner sums (cohort dashboards, the registry) without reading the table
        Index("ix_evidence_user_points", "user_id", "scenario_id", "skill_id", "earned", "available", "finished_at"),
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    skill_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    score: Mapped[int]
    earned: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")  # score% of the available points
    available: Mapped[int] = mapped_column(default=0, server_default="0")  # the scenario's best total in the skill
    finished_at: Mapped[datetime]


class TrackSkillPoints(db.Model):
    """Read model: per learner and skill, the evidence points earned and available summed over the
    scenarios of the learner's own role track (the proficiency model's trials, docs/metrics.md).

    A cohort dashboard that assigns each learner their whole track reads these sums, one small row
    per learner and skill, instead of adding up every learner's evidence for every page view."""

    __tablename__ = "track_skill_points"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    skill_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    earned: Mapped[float] = mapped_column(Float)
    available: Mapped[int]


class TrackProgress(db.Model):
    """Read model: when a learner first started and finished their own role track (from history)."""

    __tablename__ = "track_progress"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    started_at: Mapped[datetime | None] = mapped_column(index=True)
    completed_at: Mapped[datetime | None] = mapped_column(index=True)


class LearnerMonth(db.Model):
    """Read model: the months a learner finished scenarios, and whether that month's scores met the
    targets of the critical skills they practised."""

    __tablename__ = "learner_months"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True, index=True)  # YYYY-MM
    met: Mapped[bool]


class LearnerSnapshot(db.Model):
    """Aggregate bookkeeping: what one person currently adds to their organisation's totals
    (``insights.aggregates.Snapshot`` as JSON), so a change is applied as a difference."""

    __tablename__ = "learner_snapshots"
    __table_args__ = (
        Index("ix_learner_snapshots_expiry", "org_id", "expires_at"),
        Index("ix_learner_snapshots_computed", "org_id", "computed_at"),
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    data: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]  # the oldest fresh evidence turns stale: recompute after this


class SkillTotal(db.Model):
    """Aggregate: per organisation, role or team, and skill, the sums behind a heatmap cell."""

    __tablename__ = "skill_totals"
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(8), primary_key=True)  # role | team
    group_key: Mapped[str] = mapped_column(String(120), primary_key=True)  # the role id or the team id
    skill_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    learners: Mapped[int] = mapped_column(default=0)
    at_target: Mapped[int] = mapped_column(default=0)
    prof_sum: Mapped[float] = mapped_column(Float, default=0.0)
    target_sum: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(default=0)
    everyone: Mapped[int] = mapped_column(default=0)
    var_sum: Mapped[float] = mapped_column(Float, default=0.0)


class MonthTotal(db.Model):
    """Aggregate: per organisation, role and month, the counts behind the monthly trend."""

    __tablename__ = "month_totals"
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(60), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    started: Mapped[int] = mapped_column(default=0)
    completed: Mapped[int] = mapped_column(default=0)
    evidence: Mapped[int] = mapped_column(default=0)
    met: Mapped[int] = mapped_column(default=0)
    current: Mapped[int] = mapped_column(default=0)


class RoleTotal(db.Model):
    """Aggregate: per organisation and role, learners and learners at target in every critical skill."""

    __tablename__ = "role_totals"
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(60), primary_key=True)
    people: Mapped[int] = mapped_column(default=0)
    at_target: Mapped[int] = mapped_column(default=0)


class ComplianceTotal(db.Model):
    """Aggregate: per organisation, certification status and newest AI-use policy acknowledged (its
    id, 0 for none), the active people (any access) and how many of them are external."""

    __tablename__ = "compliance_totals"
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    policy_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    people: Mapped[int] = mapped_column(default=0)
    external: Mapped[int] = mapped_column(default=0)


class TotalsState(db.Model):
    """Which content and settings the aggregates were built for: a mismatch (new content, another
    evidence window) means the overview reads the live queries until ``flask rollups rebuild``."""

    __tablename__ = "totals_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime]
    # ``built_at`` of the rebuild that also summed ``track_skill_points``: a release from before the
    # sums updates the evidence but not them, and its rebuild moves ``built_at`` alone
    sums_built_at: Mapped[datetime | None]
