"""Every message the platform sends: its subject, template and who it is for, in one place.
Each is queued in the caller's transaction (see outbox.queue), in the organisation's name."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from literacy.mail import outbox
from literacy.people.tables import User

UNSUBSCRIBE_SALT = "unsubscribe"


def org_name(user: User) -> str:
    return user.organization.name if user.organization else "Marketing AI judgment"


def _to(user: User, kind: str, subject: str, template: str, *, organization=None, **context):
    """Queue a message to ``user`` in their organisation's name (or ``organization``'s)."""
    organization = organization or user.organization
    return outbox.queue(
        kind,
        user.email,
        subject,
        template,
        org_id=organization.id if organization else None,
        user_id=user.id,
        person=user,
        org_name=organization.name if organization else org_name(user),
        **context,
    )


def invitation(user: User, token: str, inviter: User | None):
    """The link to set a password and start; a new invitation ends the old link."""
    link = outbox.link("auth.accept_invitation", token=token)
    subject = f"{org_name(user)} invites you to AI judgment training"
    return _to(user, "invitation", subject, "invitation", secret=True, inviter=inviter, link=link)


def join_invitation(user: User, token: str, cohort, organization, inviter: User):
    """An account of no organisation, invited into a cohort: its history comes along."""
    link = outbox.link("cohorts.join", token=token)
    subject = f"{organization.name} invites you to join its AI judgment training"
    return _to(
        user,
        "join-invitation",
        subject,
        "join_invitation",
        organization=organization,
        secret=True,
        inviter=inviter,
        cohort=cohort,
        link=link,
    )


def password_reset(user: User, token: str):
    link = outbox.link("auth.reset_password", token=token)
    return _to(user, "password-reset", "Choose a new password", "password_reset", secret=True, link=link)


def address_confirmation(user: User, token: str):
    link = outbox.link("auth.verify_address", token=token)
    return _to(user, "verification", "Confirm your email address", "verification", secret=True, link=link)


def already_registered(user: User):
    """Someone signed up with an address that has an account: tell its owner, not the visitor."""
    return _to(
        user,
        "already-registered",
        "Someone tried to create an account with your address",
        "already_registered",
        sign_in=outbox.link("auth.login"),
        reset=outbox.link("auth.forgot_password"),
    )


def unsubscribe_token(user: User, topic: str) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT).dumps([user.id, topic])


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        user_id, topic = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT).loads(token)
    except (BadData, ValueError, TypeError):
        return None
    return (user_id, topic) if isinstance(user_id, int) and topic in TOPICS else None


TOPICS = {"reminders": "reminders and overdue nudges", "digest": "the weekly digest"}


def unsubscribe_link(user: User, topic: str) -> str:
    return outbox.link("mail.unsubscribe", token=unsubscribe_token(user, topic))
