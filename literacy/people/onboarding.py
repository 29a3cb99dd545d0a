"""How people join: an organisation started from the command line with its first admin, invitations
by email, self-registration for an organisation's verified email domains (after confirming the
address), and password reset by email. Every message goes to the mail outbox in the same
transaction (literacy/mail)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from literacy.evidence import audit
from literacy.identity.tables import SsoConfig
from literacy.mail import messages, outbox
from literacy.people import invitations, throttle
from literacy.people.tables import Organization, User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db
from literacy.platform.text import plain

log = logging.getLogger(__name__)
RESETS_PER_HOUR = 3  # per account: more requests send nothing (no mail bombing)


class Refused(ValueError):
    """A request that cannot be done, with the reason to show."""


@dataclass(frozen=True)
class Created:
    organization: Organization
    admin: User
    link: str  # the admin's invitation link (also in the mail outbox)


def create_organization(name: str, admin_email: str, admin_name: str, role: str) -> Created:
    name = plain(name).strip()
    if not name or len(name) > 200:
        raise Refused("The organisation needs a name of 1 to 200 characters.")
    try:
        email = validate_email(admin_email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise Refused(f"{admin_email!r} is not an email address.") from None
    if db.session.scalar(select(Organization.id).where(func.lower(Organization.name) == name.lower())):
        raise Refused(f"An organisation called {name!r} exists already: 'flask org list' shows them all.")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Refused(f"{email} already has an account.")
    organization = Organization(name=name, slug=_free_slug(name))
    db.session.add(organization)
    db.session.flush()
    admin = User(
        org_id=organization.id,
        email=email,
        name=admin_name.strip() or email.split("@")[0].replace(".", " ").title(),
        role=role,
        access="admin",
        password_hash="",
    )
    db.session.add(admin)
    db.session.flush()
    log.info("organisation created: org=%s admin=%s", organization.id, admin.id)
    audit.record(organization.id, "organisation.created", organization.name, admin=admin.email)
    return Created(organization, admin, invite(admin, inviter=None))


def _free_slug(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "organisation"
    slug, n = base, 1
    while db.session.scalar(select(Organization.id).where(Organization.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    return slug


def invite(user: User, inviter: User | None) -> str:
    """Issue ``user`` a fresh invitation (older links stop working) and email it; returns the link,
    for a page that shows it once when no mail server is set."""
    token = invitations.issue(user)
    messages.invitation(user, token, inviter)
    by = inviter.id if inviter else None
    log.info("invitation created for %s: user=%s by=%s", user.email, user.id, by)  # never the token
    return outbox.link("auth.accept_invitation", token=token)


@dataclass(frozen=True)
class Registration:
    answer: str  # "confirm" (check your email), "invitation-only" or "throttled"


def organization_for(email: str) -> Organization | None:
    """The organisation that lets people with this address's domain sign up, if any."""
    domain = email.strip().lower().rpartition("@")[2]
    if not domain:
        return None
    for organization in db.session.scalars(select(Organization).where(Organization.signup_domains != "")):
        if domain in signup_domains(organization):
            return organization
    return None


def signup_domains(organization: Organization) -> list[str]:
    return [d.strip().lower() for d in organization.signup_domains.split(",") if d.strip()]


DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# anyone can have an address here, so they can never prove someone works for the organisation
PUBLIC_MAIL = {
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "yahoo.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.de",
    "web.de",
    "mail.com",
    "yandex.com",
    "zoho.com",
    "fastmail.com",
}


def claimed_elsewhere(email: str, org_id: int) -> bool:
    """Whether another organisation holds this address's domain, as a sign-up or a single sign-on
    domain: such addresses are that organisation's to create."""
    domain = email.strip().lower().rpartition("@")[2]
    home = organization_for(email)
    return (home is not None and home.id != org_id) or domain in _single_sign_on_domains(org_id)


def _single_sign_on_domains(except_org_id: int) -> set[str]:
    """The email domains other organisations sign in with single sign-on: each domain has one home."""
    rows = db.session.scalars(select(SsoConfig.domains).where(SsoConfig.org_id != except_org_id))
    return {domain for stored in rows for domain in stored.split(",") if domain}


def set_signup_domains(organization: Organization, typed: str) -> list[str]:
    """Let people with addresses at these domains sign up (comma- or space-separated; empty: by
    invitation only). Refused: a malformed domain, a public mail provider, or a domain another
    organisation has."""
    domains = list(dict.fromkeys(d.strip().lower().lstrip("@") for d in re.split(r"[,\s]+", typed) if d.strip()))
    for domain in domains:
        if not DOMAIN.match(domain):
            raise Refused(f"{domain!r} is not a domain name (for example acme.example).")
        if domain in PUBLIC_MAIL:
            raise Refused(f"{domain} is a public mail provider: anyone can have an address there.")
        taken = organization_for(f"x@{domain}")
        if taken is not None and taken.id != organization.id:
            raise Refused(f"{domain} is a sign-up domain of another organisation.")
        if domain in _single_sign_on_domains(organization.id):
            raise Refused(f"{domain} signs in to another organisation with its company account.")
    before = organization.signup_domains
    organization.signup_domains = ",".join(domains)
    db.session.flush()
    audit.record(
        organization.id, "organisation.settings", "sign-up domains", old=before, new=organization.signup_domains
    )
    log.info("sign-up domains changed: org=%s domains=%s", organization.id, organization.signup_domains)
    return domains


def register(email: str, name: str, role: str, password: str, address: str) -> Registration:
    """Self-registration. Only addresses of an organisation's sign-up domains may register; the
    account joins it as a learner once the address is confirmed by the emailed link. The answer
    and the work (a password hash) are the same whether or not the address has an account: its
    owner gets an email saying so instead."""
    config = current_app.config
    if throttle.over_limit(f"register:{address}", limit=config["REGISTER_LIMIT_ADDRESS"], window=_window()):
        log.warning("registration throttled: address=%s", address)
        return Registration("throttled")
    organization = organization_for(email)
    if organization is None:
        return Registration("invitation-only")
    throttle.count(f"register:{address}")
    email = email.strip().lower()
    existing = db.session.scalar(select(User).where(User.email == email))
    if existing is None:
        user = User(email=email, name=name.strip(), role=role, access="learner", org_id=organization.id)
        user.confirmation_pending = True
        user.set_password(password)
        db.session.add(user)
        db.session.flush()
        messages.address_confirmation(user, invitations.issue(user, "verify"))
    else:
        generate_password_hash(password, method=config["PASSWORD_HASH_METHOD"])  # the same work either way
        if existing.confirmation_pending and existing.org_id == organization.id:
            messages.address_confirmation(existing, invitations.issue(existing, "verify"))  # a new link
        else:
            messages.already_registered(existing)
        log.info("registration for an existing email: user=%s", existing.id)
    return Registration("confirm")


def confirm_address(token: str) -> User | None:
    """Open a confirmation link: the account is confirmed (and can sign in); None for a bad link."""
    link = invitations.find(token, "verify")
    if link is None:
        return None
    user = db.session.get(User, link.user_id)
    user.confirmation_pending = False
    link.used_at = utcnow()
    db.session.flush()
    log.info("address confirmed: user=%s", user.id)
    return user


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])


def request_reset(email: str, address: str, refusal=None) -> bool:
    """Email a reset link if an active account has this address. The answer is the same either way;
    False only when this client address asked too often (then nothing was looked up). ``refusal``:
    why an account may not use a password (single sign-on required), if it may not; no link is sent
    then, since the link would only refuse."""
    limit = current_app.config["REGISTER_LIMIT_ADDRESS"]
    if throttle.over_limit(f"reset:{address}", limit=limit, window=_window()):
        return False
    throttle.count(f"reset:{address}")
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        log.info("password reset for an unknown or inactive address")
        return True
    if refusal is not None and refusal(user):
        log.info("password reset not sent: user=%s signs in with single sign-on", user.id)
        return True
    if throttle.over_limit(f"reset-account:{user.id}", limit=RESETS_PER_HOUR, window=timedelta(hours=1)):
        log.warning("password reset: too many for user=%s this hour, none sent", user.id)
        return True
    throttle.count(f"reset-account:{user.id}")
    messages.password_reset(user, invitations.issue(user, "reset"))
    log.info("password reset sent: user=%s", user.id)
    return True
