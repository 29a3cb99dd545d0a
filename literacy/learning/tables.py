"""Learning history: lesson completions, knowledge-check answers, scenario attempts, their steps and skill scores."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from literacy.learning.assessment import ASSESSED
from literacy.learning.order import new_seed
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db


class LessonCompletion(db.Model):
    """A lesson the learner marked complete (once: marking again changes nothing)."""

    __tablename__ = "lesson_completions"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[str] = mapped_column(String(120))
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)


class CheckAnswer(db.Model):
    """The learner's latest answer to one knowledge-check question."""

    __tablename__ = "check_answers"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", "question"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[str] = mapped_column(String(120))
    question: Mapped[int]
    option: Mapped[int]
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attempt(db.Model):
    """One play-through of a scenario, pinned to the content version it started on."""

    __tablename__ = "attempts"
    __table_args__ = (
        # covers the cohort dashboard's counts per learner and scenario (kind, recertification dates)
        Index("ix_attempts_user_scenario_work", "user_id", "scenario_id", "finished_at", "kind", "updated_at"),
        Index("ix_attempts_user_updated", "user_id", "updated_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scenario_id: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(60))
    content_version: Mapped[str] = mapped_column(String(64))
    node_id: Mapped[str] = mapped_column(String(120))
    step: Mapped[int] = mapped_column(default=0)
    flags_json: Mapped[str] = mapped_column(Text, default="[]")
    totals_json: Mapped[str] = mapped_column(Text, default="{}")
    outcome: Mapped[str | None] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    order_seed: Mapped[int] = mapped_column(default=new_seed)  # fixes the order choices are shown in
    kind: Mapped[str] = mapped_column(String(10))  # "assessed" (evidence) or "practice" (learning/assessment.py)
    steps: Mapped[list[AttemptStep]] = relationship(order_by="AttemptStep.step", cascade="all, delete-orphan")
    skill_scores: Mapped[list[SkillScore]] = relationship(cascade="all, delete-orphan")

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def assessed(self) -> bool:
        return self.kind == ASSESSED

    @property
    def flags(self) -> frozenset[str]:
        return frozenset(json.loads(self.flags_json))

    @property
    def totals(self) -> dict[str, int]:
        return json.loads(self.totals_json)

    @property
    def scores(self) -> dict[str, int]:
        return {s.skill_id: s.score for s in self.skill_scores}


class AttemptStep(db.Model):
    """One choice. (attempt, step) is unique, so a repeated or parallel submit records once."""

    __tablename__ = "attempt_steps"
    __table_args__ = (UniqueConstraint("attempt_id", "step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    step: Mapped[int]
    node_id: Mapped[str] = mapped_column(String(120))
    choice_index: Mapped[int]
    choice_label: Mapped[str] = mapped_column(Text)
    target_id: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SkillScore(db.Model):
    """A finished attempt's score in one skill: the evidence every rollup is built from."""

    __tablename__ = "skill_scores"
    __table_args__ = (UniqueConstraint("attempt_id", "skill_id"), Index("ix_skill_scores_skill", "skill_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    skill_id: Mapped[str] = mapped_column(String(60))
    total: Mapped[int]
    score: Mapped[int]
