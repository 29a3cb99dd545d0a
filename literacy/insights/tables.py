"""Read models derived from learning history, kept in step by ``insights.readmodels``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String
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
    __table_args__ = (Index("ix_evidence_skill", "skill_id", "finished_at"),)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    skill_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    score: Mapped[int]
    earned: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")  # score% of the available points
    available: Mapped[int] = mapped_column(default=0, server_default="0")  # the scenario's best total in the skill
    finished_at: Mapped[datetime]


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
