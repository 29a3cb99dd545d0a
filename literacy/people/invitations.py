"""One-time invitation links for learners a manager adds: the token is shown once, only its hash is kept."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from literacy.people.tables import Invitation, User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db

LIFETIME = timedelta(days=14)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User) -> str:
    """Create an invitation for ``user`` and return its secret token (the caller builds the link)."""
    token = secrets.token_urlsafe(32)
    db.session.add(Invitation(user_id=user.id, token_hash=_hash(token), expires_at=utcnow() + LIFETIME))
    return token


def find(token: str) -> Invitation | None:
    """A usable invitation for this token: unused and not expired."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _hash(token)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation


def accept(invitation: Invitation, password: str) -> User:
    user = db.session.get(User, invitation.user_id)
    user.set_password(password)
    invitation.used_at = utcnow()
    db.session.flush()
    return user
