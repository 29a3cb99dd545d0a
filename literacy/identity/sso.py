"""Single sign-on's reads and writes: an organisation's provider (its client secret encrypted, or
named in the environment), the connection test, the accounts a verified sign-in finds, links or
creates, and the rule that an organisation requiring single sign-on signs its members in no other
way. Services flush; the request or the command commits. The rules are in sso_rules (pure) and
docs/identity.md."""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from literacy.evidence import audit
from literacy.identity import client_secrets, oidc, sso_rules
from literacy.identity.sso_rules import Refused
from literacy.identity.tables import SsoConfig, SsoIdentity
from literacy.people import onboarding
from literacy.people.tables import Organization, User
from literacy.platform.clock import utcnow
from literacy.platform.database import lock_row
from literacy.platform.extensions import db

log = logging.getLogger(__name__)


# Reads


def config_for(org_id: int | None) -> SsoConfig | None:
    if org_id is None:
        return None
    return db.session.scalar(select(SsoConfig).where(SsoConfig.org_id == org_id))


def _with_provider(*where) -> tuple[Organization, SsoConfig] | None:
    found = db.session.execute(
        select(Organization, SsoConfig).join(SsoConfig, SsoConfig.org_id == Organization.id).where(*where)
    ).first()
    return (found[0], found[1]) if found else None


def organisation_by_slug(slug: str) -> tuple[Organization, SsoConfig] | None:
    """The organisation with this slug and its provider, if it has one."""
    return _with_provider(Organization.slug == slug)


def organisation_by_id(org_id: int | None) -> tuple[Organization, SsoConfig] | None:
    return _with_provider(Organization.id == org_id) if isinstance(org_id, int) else None


def organisation_for_email(email: str) -> tuple[Organization, SsoConfig] | None:
    """The organisation whose provider signs in this address's domain (a domain belongs to one
    organisation at most: ``save`` refuses a second)."""
    domain = sso_rules.email_domain(email)
    if not domain:
        return None
    rows = db.session.execute(select(Organization, SsoConfig).join(SsoConfig, SsoConfig.org_id == Organization.id))
    for organization, config in rows:
        if domain in sso_rules.split_domains(config.domains):
            return organization, config
    return None


def secret_state(config: SsoConfig) -> str:
    """What the admin page says about the client secret, never the secret itself."""
    if config.client_secret_env:
        name = _own_variable(config)
        if os.environ.get(name):
            return f"The client secret is read from the environment variable {name}, which is set on this server."
        return f"The client secret is read from the environment variable {name}, which is not set on this server."
    if not config.client_secret_encrypted:
        return "No client secret is saved."
    try:
        client_secrets.open_sealed(config.client_secret_encrypted)
    except client_secrets.Unreadable:
        return (
            "A client secret is saved, but this server cannot decrypt it (SECRET_KEY or SSO_SECRET_KEY changed): "
            "enter it again."
        )
    return "A client secret is saved. It is never shown again; leave the field empty to keep it."


def _own_variable(config: SsoConfig) -> str:
    """The organisation's own variable (sso_rules.secret_env_name), never another name stored."""
    slug = db.session.scalar(select(Organization.slug).where(Organization.id == config.org_id))
    return sso_rules.secret_env_name(slug)


def client_secret(config: SsoConfig) -> str:
    """The secret in clear, for the token request only; ``oidc.Failed`` when it cannot be had."""
    if config.client_secret_env:
        value = os.environ.get(_own_variable(config), "")
        if not value:
            raise oidc.Failed(NOT_WORKING, f"environment variable {_own_variable(config)} is not set", 503)
        return value
    try:
        return client_secrets.open_sealed(config.client_secret_encrypted)
    except client_secrets.Unreadable as error:
        raise oidc.Failed(NOT_WORKING, str(error), 503) from error


NOT_WORKING = (
    "Single sign-on for your organisation is not working right now (its client secret cannot be read). "
    "Tell your admin: the Single sign-on page says what to fix."
)


def provider(config: SsoConfig) -> oidc.Provider:
    return oidc.Provider(config.org_id, config.issuer, config.client_id, client_secret(config))


def password_refusal(user: User) -> str | None:
    """Why this account may not use a password, or None. Members of an organisation that requires
    single sign-on sign in through it; its admins keep their password (the break-glass path, for
    when the provider is down or misconfigured)."""
    if user.access == "admin" or user.org_id is None:
        return None
    config = config_for(user.org_id)
    if config is None or not config.required:
        return None
    return (
        f"{user.organization.name} signs in with its company account, not a password: "
        'use "Sign in with your company account" on the sign-in page.'
    )


# Writes


@dataclass(frozen=True)
class Secret:
    """The client secret as the admin gave it: typed (to encrypt), an environment variable's
    name, or neither (keep the saved one)."""

    typed: str = ""
    env: str = ""


def save(
    organization: Organization, issuer: str, client_id: str, secret: Secret, domains: str, required: bool | None = None
) -> SsoConfig:
    """Create or change the organisation's provider; Refused with the sentence to show (then nothing
    has changed). ``required`` None keeps the current setting (off for a new provider)."""
    issuer = sso_rules.clean_issuer(issuer)
    client_id = client_id.strip()
    if not client_id or len(client_id) > 300:
        raise Refused("Enter the client id (application id) the provider gave this app.")
    allowed = _free_domains(organization, sso_rules.parse_domains(domains, onboarding.PUBLIC_MAIL))
    config = config_for(organization.id)
    sealed, env = _secret_fields(config, secret, organization.slug)
    before = _described(config) if config else {}
    if config is None:
        config = SsoConfig(org_id=organization.id, issuer=issuer, client_id=client_id)
        db.session.add(config)
    if sealed is not None:
        config.client_secret_encrypted, config.client_secret_env = sealed, env
    config.issuer, config.client_id, config.domains = issuer, client_id, ",".join(allowed)
    config.updated_at = utcnow()
    if before.get("issuer") != issuer:
        config.tested_at, config.test_result = None, ""  # a test of another provider says nothing of this one
    db.session.flush()
    after = _described(config)
    changes = {k: {"old": before.get(k), "new": v} for k, v in after.items() if before.get(k) != v}
    if secret.typed:
        changes["client_secret"] = {"old": "saved" if before else "", "new": "replaced"}
    if changes:
        audit.record(organization.id, "sso.configured", config.issuer, **changes)
    log.info("sso configured: org=%s issuer=%s client=%s", organization.id, issuer, client_id)  # never the secret
    if required is not None:
        set_required(organization, required)
    return config


def _secret_fields(config: SsoConfig | None, secret: Secret, slug: str) -> tuple[str | None, str]:
    """The (encrypted secret, environment variable) to store; (None, "") keeps the saved ones."""
    if secret.typed and secret.env:
        raise Refused("Give the client secret or the name of the environment variable that holds it, not both.")
    if secret.typed:
        return client_secrets.seal(secret.typed.strip()), ""
    if secret.env:
        return "", sso_rules.check_env_name(secret.env, slug)
    if config is None or not (config.client_secret_encrypted or config.client_secret_env):
        raise Refused("Enter the client secret, or the name of the environment variable that holds it.")
    return None, ""


def _free_domains(organization: Organization, domains: list[str]) -> list[str]:
    """Each domain may point at one organisation only, or an email could not tell where to sign in."""
    for domain in domains:
        found = organisation_for_email(f"x@{domain}")
        if found is not None and found[0].id != organization.id:
            raise Refused(f"{domain} signs in to another organisation already.")
        signup = onboarding.organization_for(f"x@{domain}")
        if signup is not None and signup.id != organization.id:
            raise Refused(f"{domain} is a sign-up domain of another organisation.")
    return domains


def _described(config: SsoConfig) -> dict:
    return {
        "issuer": config.issuer,
        "client_id": config.client_id,
        "domains": config.domains,
        "secret_from": f"environment variable {_own_variable(config)}" if config.client_secret_env else "saved",
    }


def _end_member_sessions(org_id: int) -> int:
    """Sign members out (not admins, the break-glass path): sessions do not say how they began, and
    one begun with a password must not outlive the rule that passwords no longer sign in. Members
    sign in again with their company account."""
    members = db.session.scalars(select(User).where(User.org_id == org_id, User.access != "admin", User.active))
    count = 0
    for user in members:
        user.rotate_sessions()
        count += 1
    return count


def set_required(organization: Organization, required: bool) -> bool:
    """Turn "require single sign-on" on or off; False when there is no provider or nothing changed."""
    config = config_for(organization.id)
    if config is None or config.required == required:
        return False
    config.required = required
    ended = _end_member_sessions(organization.id) if required else 0
    db.session.flush()
    audit.record(organization.id, "sso.required", config.issuer, old=not required, new=required, sessions_ended=ended)
    log.info("sso required: org=%s required=%s", organization.id, required)
    return True


def remove(organization: Organization) -> bool:
    """Remove the provider: members sign in with passwords again (linked identities are kept, so
    a provider configured again with the same issuer finds them)."""
    config = config_for(organization.id)
    if config is None:
        return False
    db.session.delete(config)
    db.session.flush()
    audit.record(organization.id, "sso.removed", config.issuer)
    log.info("sso removed: org=%s", organization.id)
    return True


def test_connection(config: SsoConfig) -> sso_rules.Diagnosis:
    """Fetch the discovery document and keys; keep the sentence and its time on the configuration."""
    diagnosis = oidc.probe(config.issuer)
    sentence = diagnosis.sentence
    if diagnosis.ok and config.client_secret_env and not os.environ.get(_own_variable(config)):
        sentence += f" But {_own_variable(config)}, which holds the client secret, is not set on this server."
        diagnosis = sso_rules.Diagnosis(False, sentence, diagnosis.document)
    config.tested_at, config.test_result = utcnow(), sentence
    db.session.flush()
    log.info("sso connection test: org=%s ok=%s result=%s", config.org_id, diagnosis.ok, sentence)
    return diagnosis


@dataclass(frozen=True)
class SignedIn:
    user: User
    created: bool = False  # a new account, just in time: the person is asked to check their role


def sign_in(organization: Organization, config: SsoConfig, claims: dict, roles: list[str]) -> SignedIn:
    """The account a verified sign-in belongs to: the one linked to this subject; else this
    organisation's account with the same address, now linked; else a new learner (just in time).
    Refused: an address outside the allowed domains or not verified, a deactivated account, an
    account of another organisation, or one linked to another subject at this provider."""
    domains = sso_rules.split_domains(config.domains)
    person = sso_rules.person_from(claims, domains, organization.name, config.issuer)
    lock_row(Organization, organization.id, "name")  # two first sign-ins at once: one account
    identity = db.session.scalar(
        select(SsoIdentity).where(SsoIdentity.issuer == config.issuer, SsoIdentity.subject == person.subject)
    )
    if identity is not None:
        user = _usable(db.session.get(User, identity.user_id), organization)
        identity.last_sign_in_at = utcnow()
        db.session.flush()
        return SignedIn(user)
    user = db.session.scalar(select(User).where(User.email == person.email))
    if user is None:
        user = _create(organization, person, roles)
        _link(user, config, person)
        audit.record(organization.id, "sso.account.created", user.email, actor=user, role=user.role)
        log.info("sso account created: org=%s user=%s", organization.id, user.id)
        return SignedIn(user, created=True)
    _usable(user, organization)
    if db.session.scalar(
        select(SsoIdentity.id).where(SsoIdentity.user_id == user.id, SsoIdentity.issuer == config.issuer)
    ):
        log.warning("sso refused: user=%s is linked to another subject at %s", user.id, config.issuer)
        raise Refused(
            f"The account for {user.email} is linked to another identity at your company's sign-in. "
            "Ask your admin: the address may have belonged to someone else."
        )
    user.confirmation_pending = False  # the provider vouched for the address
    _link(user, config, person)
    audit.record(organization.id, "sso.account.linked", user.email, actor=user, issuer=config.issuer)
    log.info("sso account linked: org=%s user=%s", organization.id, user.id)
    return SignedIn(user)


def _usable(user: User | None, organization: Organization) -> User:
    if user is None or user.org_id != organization.id:
        log.warning("sso refused: the address has an account outside org=%s", organization.id)
        raise Refused(
            f"This address has an account that does not belong to {organization.name}, so it cannot be signed in "
            "here. Sign in with your password, or ask your admin."
        )
    if not user.active:
        log.warning("sso refused: user=%s is deactivated", user.id)
        raise Refused("This account is deactivated. Ask your admin if you need it again.")
    return user


def _link(user: User, config: SsoConfig, person: sso_rules.Person) -> None:
    now = utcnow()
    db.session.add(
        SsoIdentity(user_id=user.id, issuer=config.issuer, subject=person.subject, linked_at=now, last_sign_in_at=now)
    )
    db.session.flush()


def _create(organization: Organization, person: sso_rules.Person, roles: list[str]) -> User:
    user = User(
        org_id=organization.id,
        email=person.email,
        name=person.name,
        role=likely_role(organization.id, roles),
        access="learner",
        password_hash="",  # no password: this person signs in through the provider
    )
    db.session.add(user)
    db.session.flush()
    return user


def likely_role(org_id: int, roles: list[str]) -> str:
    """The organisation's most common marketing role (the first of the taxonomy for a new one): a
    first guess the person confirms or changes on the page after their first sign-in."""
    held = Counter(db.session.scalars(select(User.role).where(User.org_id == org_id, User.active.is_(True))))
    for role, _ in held.most_common():
        if role in roles:
            return role
    return roles[0]


def linked_identities(user: User) -> list[SsoIdentity]:
    query = select(SsoIdentity).where(SsoIdentity.user_id == user.id).order_by(SsoIdentity.linked_at)
    return list(db.session.scalars(query))


def unlink(user: User) -> int:
    """Forget the provider identities linked to the account, so that the next company sign-in with
    its address links afresh (the provider's subject changed: an app registered again, a tenant
    moved). How many were removed; an audit entry names them."""
    found = linked_identities(user)
    for identity in found:
        db.session.delete(identity)
    db.session.flush()
    if found:
        issuers = sorted({i.issuer for i in found})
        audit.record(user.org_id, "sso.account.unlinked", user.email, issuers=issuers, identities=len(found))
    return len(found)
