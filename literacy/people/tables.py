"""Organisations, teams and the people in them, with what their accounts need: invitations and sign-in failures."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from literacy.platform.clock import utcnow
from literacy.platform.extensions import db

ACCESS_ROLES = ("learner", "manager", "leader", "admin")


class Organization(db.Model):
    __tablename__ = "organizations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # email domains whose people may create their own learner account (after confirming the
    # address); empty: joining is by invitation only
    signup_domains: Mapped[str] = mapped_column(String(500), default="", server_default="")
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
    scim_external_id: Mapped[str] = mapped_column(String(255), default="", server_default="")  # a SCIM group's
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
    # a self-registered person who has not yet opened the link that confirms their address
    confirmation_pending: Mapped[bool] = mapped_column(default=False, server_default=false())
    reminders_opt_out: Mapped[bool] = mapped_column(default=False, server_default=false())  # due-date reminders, nudges
    digest_opt_in: Mapped[bool] = mapped_column(default=False, server_default=false())  # managers' weekly digest
    # someone of an agency, contractor or partner operating AI on the organisation's behalf, not its
    # staff (EU AI Act Article 4 covers both; evidence packs and dashboards say which)
    external: Mapped[bool] = mapped_column(default=False, server_default=false())
    agency: Mapped[str] = mapped_column(String(200), default="", server_default="")  # external people's firm
    # the identity provider's id for the person, as a SCIM client sends it (externalId)
    scim_external_id: Mapped[str] = mapped_column(String(255), default="", server_default="")
    # part of the login cookie: rotating it signs out every session and remember cookie of the user
    session_token: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # fixes the order this person sees knowledge-check options in (learning/order.py)
    order_seed: Mapped[int] = mapped_column(default=lambda: secrets.randbelow(2**31))
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

    signed_in_at = 0  # not a column: when this sign-in began (Unix seconds), part of the login id (people/sessions.py)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}:{self.signed_in_at}"

    @property
    def is_active(self) -> bool:
        return self.active


class Invitation(db.Model):
    """A one-time link: an invitation to set a password, a password reset, an address confirmation
    or an invitation to join a cohort (``purpose``). Only a hash of the token is stored."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20), default="invitation", server_default="invitation")
    # "join": an account of no organisation invited into a manager's cohort and team
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginFailure(db.Model):
    """A failed sign-in, kept in the database so throttling holds across server processes."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))  # "account:<email>" or "address:<ip>"
    at: Mapped[datetime] = mapped_column(default=utcnow)
