"""Database models (SQLAlchemy 2.0 style). Content lives in files; the database keeps people and evidence."""
from __future__ import annotations

import json
import secrets
from datetime import date, datetime, timezone

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db

ACCESS_ROLES = ("learner", "manager", "leader", "admin")


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Organization(db.Model):
    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    teams: Mapped[list[Team]] = relationship(back_populates="organization", order_by="Team.name")


team_members = db.Table(
    "team_members",
    db.Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    db.Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Team(db.Model):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(60))  # the marketing role the team mostly holds
    organization: Mapped[Organization] = relationship(back_populates="teams")
    members: Mapped[list[User]] = relationship(secondary=team_members, back_populates="teams")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))  # empty until an invited learner sets one
    role: Mapped[str] = mapped_column(String(60))  # marketing role id from the taxonomy
    access: Mapped[str] = mapped_column(String(20), default="learner")
    active: Mapped[bool] = mapped_column(default=True)
    # part of the login cookie: rotating it signs out every session and remember cookie of the user
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    organization: Mapped[Organization | None] = relationship()
    teams: Mapped[list[Team]] = relationship(secondary=team_members, back_populates="members")

    def set_password(self, password: str) -> None:
        """Hash with the configured method (PBKDF2-SHA256, 600,000 iterations by default) and sign
        out every existing session."""
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])
        self.rotate_sessions()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def rotate_sessions(self) -> None:
        self.session_token = secrets.token_hex(16)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.active


class LessonCompletion(db.Model):
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
    __table_args__ = (Index("ix_attempts_user_scenario", "user_id", "scenario_id", "finished_at"), Index("ix_attempts_user_updated", "user_id", "updated_at"))
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
    steps: Mapped[list[AttemptStep]] = relationship(order_by="AttemptStep.step", cascade="all, delete-orphan")
    skill_scores: Mapped[list[SkillScore]] = relationship(cascade="all, delete-orphan")

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

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
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date]
    due_on: Mapped[date]
    requirement: Mapped[str] = mapped_column(String(20), default="at-target")
    stall_days: Mapped[int] = mapped_column(default=7)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    managers: Mapped[list[User]] = relationship(secondary=cohort_managers)
    members: Mapped[list[CohortMember]] = relationship(back_populates="cohort", cascade="all, delete-orphan")
    assignments: Mapped[list[CohortAssignment]] = relationship(cascade="all, delete-orphan", order_by="CohortAssignment.id")


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


class Invitation(db.Model):
    """A one-time link for a new learner to set their password. Only a hash of the token is stored."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Evidence(db.Model):
    """Read model: each learner's latest finished score per scenario and skill.

    Written in the same transaction as the finishing choice, so every rollup reads one small row
    per learner, scenario and skill instead of searching the attempt history for the latest one.
    """

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_skill", "skill_id", "finished_at"),)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    skill_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    score: Mapped[int]
    finished_at: Mapped[datetime]


class LearnerProgress(db.Model):
    """Read model: when a learner first started and finished their own role track (from history)."""

    __tablename__ = "learner_progress"
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


class LoginFailure(db.Model):
    """A failed sign-in, kept in the database so throttling holds across server processes."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))  # "account:<email>" or "address:<ip>"
    at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxStatement(db.Model):
    """An xAPI statement, written in the same transaction as its learning event and forwarded to the
    LRS later. The row stays after sending: it is the platform's own record, and what exports and
    replays read. ``status``: pending (waiting or retrying), sent, or rejected (the LRS refused it)."""

    __tablename__ = "xapi_outbox"
    __table_args__ = (Index("ix_xapi_outbox_due", "status", "next_attempt_at"), Index("ix_xapi_outbox_user", "user_id", "timestamp"))
    id: Mapped[int] = mapped_column(primary_key=True)  # insertion order: ties between equal timestamps keep event order
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)  # stable uuid5 of the event
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    verb: Mapped[str] = mapped_column(String(20))
    activity: Mapped[str] = mapped_column(String(140))  # "lesson:<id>" or "scenario:<id>": the content it is about
    timestamp: Mapped[datetime]  # when the event happened
    payload: Mapped[str] = mapped_column(Text)  # the statement as JSON
    status: Mapped[str] = mapped_column(String(10), default="pending", server_default="pending")
    tries: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]  # back-off: not before this time
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    @property
    def statement(self) -> dict:
        return json.loads(self.payload)
