"""SCIM bearer tokens: one organisation each, shown once when created, stored as a SHA-256 hash
with their first characters (to tell them apart on the admin page), revoked rather than deleted.
Services flush; the request or the command commits."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from sqlalchemy import select

from literacy.evidence import audit
from literacy.identity.tables import ScimToken
from literacy.people.tables import Organization
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db

log = logging.getLogger(__name__)
PREFIX = "scim_"
PREFIX_SHOWN = 12  # "scim_" and seven characters of the secret: enough to tell tokens apart
USE_RECORDED_EVERY = timedelta(minutes=1)  # last_used_at is a hint, not a log: no write per request


def hashed(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(org_id: int, label: str, created_by: str) -> tuple[ScimToken, str]:
    """A new token for the organisation and its secret, which is shown once and never kept."""
    secret = PREFIX + secrets.token_urlsafe(32)  # 256 random bits
    token = ScimToken(
        org_id=org_id,
        label=label.strip()[:200],
        token_hash=hashed(secret),
        prefix=secret[:PREFIX_SHOWN],
        created_by=created_by[:254],
    )
    db.session.add(token)
    db.session.flush()
    audit.record(org_id, "scim.token.created", token.label or token.prefix, prefix=token.prefix)
    log.info("scim token created: org=%s token=%s", org_id, token.id)  # never the secret
    return token, secret


def revoke(token: ScimToken) -> bool:
    """Stop the token working at once; False when it already was revoked."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    audit.record(token.org_id, "scim.token.revoked", token.label or token.prefix, prefix=token.prefix)
    log.info("scim token revoked: org=%s token=%s", token.org_id, token.id)
    return True


def authenticate(header: str) -> ScimToken | None:
    """The live token an ``Authorization: Bearer ...`` header carries, or None. Its use is noted
    (at most once a minute)."""
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip().startswith(PREFIX):
        return None
    token = db.session.scalar(select(ScimToken).where(ScimToken.token_hash == hashed(secret.strip())))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > USE_RECORDED_EVERY:
        token.last_used_at = now
        db.session.flush()
    return token


def of_organisation(org_id: int) -> list[ScimToken]:
    """The organisation's tokens, newest first, revoked ones included."""
    query = select(ScimToken).where(ScimToken.org_id == org_id).order_by(ScimToken.id.desc())
    return list(db.session.scalars(query))


def org_token(org_id: int, token_id: int) -> ScimToken | None:
    """A token of this organisation; None for anyone else's (so callers answer 404)."""
    token = db.session.get(ScimToken, token_id)
    return token if token is not None and token.org_id == org_id else None


def by_prefix(org_id: int, prefix: str) -> list[ScimToken]:
    query = select(ScimToken).where(ScimToken.org_id == org_id, ScimToken.prefix.startswith(prefix, autoescape=True))
    return list(db.session.scalars(query))


def organisation(slug: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.slug == slug))


def actor(token: ScimToken) -> tuple[None, str]:
    """How the audit log names a token's changes: no person, the token's label and prefix."""
    label = f" ({token.label})" if token.label else ""
    return None, f"SCIM token {token.prefix}{label}"[:254]
