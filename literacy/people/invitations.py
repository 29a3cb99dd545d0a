"""One-time links, shown or emailed once; only a hash of each token is kept. Three purposes: an
invitation to set a password (14 days), a password reset (1 hour) and the confirmation of a
self-registered address (3 days). Issuing a new link of a purpose ends the person's older ones."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from literacy.people.tables import Invitation, User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db

LIFETIMES = {
    "invitation": timedelta(days=14),
    "join": timedelta(days=14),
    "reset": timedelta(hours=1),
    "verify": timedelta(days=3),
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, purpose: str = "invitation", **where) -> str:
    """Create a link for ``user`` and return its secret token (the caller builds the URL). The
    person's unused links of the same purpose stop working. ``where``: a join link's cohort_id and team_id."""
    now = utcnow()
    end_links(user, purpose)
    token = secrets.token_urlsafe(32)
    expires = now + LIFETIMES[purpose]
    db.session.add(Invitation(user_id=user.id, purpose=purpose, token_hash=_hash(token), expires_at=expires, **where))
    db.session.flush()
    return token


def end_links(user: User, purpose: str) -> None:
    db.session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.purpose == purpose, Invitation.used_at.is_(None))
        .values(expires_at=utcnow())
    )


def find(token: str, purpose: str = "invitation") -> Invitation | None:
    """A usable link for this token and purpose: unused and not expired."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _hash(token), Invitation.purpose == purpose)
    )
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        return None
    return invitation


def accept(invitation: Invitation, password: str) -> User:
    """Use an invitation or a reset link: set the password (which ends every session) and confirm
    the address (the person opened a link sent to it)."""
    user = db.session.get(User, invitation.user_id)
    user.set_password(password)
    user.confirmation_pending = False
    invitation.used_at = utcnow()
    db.session.flush()
    return user
