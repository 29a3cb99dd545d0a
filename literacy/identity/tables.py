"""Identity tables: each organisation's OpenID Connect provider, the provider identities linked to
accounts, and the bearer tokens SCIM clients provision with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from literacy.platform.clock import utcnow
from literacy.platform.extensions import db


class SsoConfig(db.Model):
    """An organisation's OpenID Connect provider. The client secret is stored encrypted, or read from
    an environment variable named here; it is never shown again once saved."""

    __tablename__ = "sso_configs"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), unique=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(300))
    client_secret_encrypted: Mapped[str] = mapped_column(Text, default="", server_default="")
    client_secret_env: Mapped[str] = mapped_column(String(100), default="", server_default="")
    domains: Mapped[str] = mapped_column(String(1000), default="", server_default="")  # comma-separated
    required: Mapped[bool] = mapped_column(default=False, server_default=false())  # no password sign-in
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    tested_at: Mapped[datetime | None]
    test_result: Mapped[str] = mapped_column(Text, default="", server_default="")


class SsoIdentity(db.Model):
    """A provider's subject linked to an account: the same person signing in again finds it."""

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_sso_identities_issuer_subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]


class ScimToken(db.Model):
    """A SCIM client's bearer token for one organisation: only a hash is kept, with its first
    characters to tell tokens apart."""

    __tablename__ = "scim_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class ScimProfile(db.Model):
    """What a SCIM client wrote about a person, beside the account it provisions: the attributes the
    platform keeps as written (name parts, emails, the extension as sent), so the client reads back
    what it wrote, and whether the client deleted the resource. A SCIM DELETE keeps the account,
    deactivated with its history; the profile then answers 404 to the client (RFC 7644 §3.6)."""

    __tablename__ = "scim_profiles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    attributes: Mapped[str] = mapped_column(Text, default="{}")  # JSON, by SCIM attribute name
    # the marketing role given by default (no role in the extension): the first team with a role
    # the person joins through SCIM replaces it, as long as nobody has changed it since
    assumed_role: Mapped[str] = mapped_column(String(60), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    deleted_at: Mapped[datetime | None]
