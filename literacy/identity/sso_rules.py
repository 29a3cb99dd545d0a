"""PURE: the rules of single sign-on, on plain values: which issuer URLs and email domains an
organisation may configure, whether a verified sign-in's claims let a person in, and the checks of a
provider's discovery document that make the one-sentence diagnosis of "Test the connection".

Nothing here imports Flask, SQLAlchemy or a table: docs/identity.md explains each rule."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

SCOPES = "openid email profile"
DISCOVERY_PATH = "/.well-known/openid-configuration"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}  # http is accepted only here: a provider on this machine, for tests
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
GOOGLE = "https://accounts.google.com"
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")


class Refused(ValueError):
    """A configuration or a sign-in that is not accepted, with the sentence to show."""


def discovery_url(issuer: str) -> str:
    """Where the provider publishes its OpenID configuration (OpenID Connect Discovery 1.0, section 4)."""
    return issuer.rstrip("/") + DISCOVERY_PATH


def clean_issuer(typed: str) -> str:
    """The issuer URL as typed, checked: https (http only on loopback), a host, no query or fragment.
    A trailing slash is kept: some providers' issuers end in one, and the match must be exact."""
    issuer = typed.strip()
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Refused(f"{issuer!r} is not a web address: the issuer looks like https://login.example.com/….")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise Refused("The issuer URL must start with https://: sign-in tokens must not travel unencrypted.")
    if parts.query or parts.fragment:
        raise Refused("The issuer URL has no ? or # part: copy it from the provider's discovery document.")
    return issuer


def parse_domains(typed: str, public_mail: frozenset[str] | set[str]) -> list[str]:
    """The allowed email domains, comma- or space-separated, lower-cased, without repeats. Refused:
    none at all, a malformed domain, or a public mail provider (anyone can have an address there)."""
    domains = list(dict.fromkeys(d.strip().lower().lstrip("@") for d in re.split(r"[,\s]+", typed) if d.strip()))
    if not domains:
        raise Refused("Name at least one email domain whose people sign in here, for example acme.example.")
    for domain in domains:
        if not DOMAIN.match(domain):
            raise Refused(f"{domain!r} is not a domain name (for example acme.example).")
        if domain in public_mail:
            raise Refused(f"{domain} is a public mail provider: anyone can have an address there.")
    return domains


def split_domains(stored: str) -> list[str]:
    return [d for d in stored.split(",") if d]


def email_domain(email: str) -> str:
    return email.strip().lower().rpartition("@")[2]


def domain_allowed(email: str, domains: list[str]) -> bool:
    """Exact matches only: a subdomain (eu.acme.example) is allowed when it is listed itself."""
    domain = email_domain(email)
    return bool(domain) and domain in domains


def secret_env_name(slug: str) -> str:
    """The one environment variable an organisation's client secret may come from. Naming any other
    would let an admin send a server setting (SECRET_KEY, DATABASE_URL, another organisation's secret)
    to a provider of their choosing, as the client secret of the token request."""
    return "SSO_CLIENT_SECRET_" + re.sub(r"[^A-Z0-9]", "_", slug.upper())


def check_env_name(name: str, slug: str) -> str:
    name, allowed = name.strip(), secret_env_name(slug)
    if name != allowed:
        raise Refused(f"The client secret's environment variable for this organisation must be named {allowed}.")
    return name


@dataclass(frozen=True)
class Person:
    """Who a verified sign-in says the person is."""

    subject: str
    email: str
    name: str


def verified_email(claims: dict) -> bool:
    """Whether the provider vouches for the address. ``email_verified`` is the standard claim
    (Okta, Google; some providers send it as the string "true"); Microsoft Entra ID sends none, and
    instead ``xms_edov`` (email domain owner verified) when the admin adds that optional claim."""
    return any(claims.get(name) in (True, "true", "True", 1) for name in ("email_verified", "xms_edov"))


def person_from(claims: dict, domains: list[str], organisation: str, issuer: str = "") -> Person:
    """The person behind a verified ID token (and user info), or Refused with the sentence to show:
    no address, an address the provider does not vouch for, or one outside the allowed domains. At
    Google, anyone may make a Google account with a verified address at any domain: only the ``hd``
    (hosted domain) claim says the account is the Workspace's."""
    subject = claims.get("sub")
    email = (claims.get("email") or "").strip().lower()
    if not isinstance(subject, str) or not subject:
        raise Refused("The provider's answer names nobody (it has no subject), so nobody was signed in.")
    if not email or "@" not in email:
        raise Refused(
            "Your company account did not share an email address, so we cannot tell which account is yours. "
            "Ask your admin to release the email claim to this application."
        )
    if not verified_email(claims):
        raise Refused(
            f"Your company account does not confirm that {email} is verified, so it cannot sign you in here. "
            "Ask your admin to check the address in your identity provider."
        )
    if not domain_allowed(email, domains):
        raise Refused(
            f"{organisation} signs in people with addresses at {', '.join(domains)}, and {email} is not one of them."
        )
    if issuer == GOOGLE and claims.get("hd") not in domains:
        raise Refused(
            f"{email} is a Google account outside {organisation}'s Google Workspace, so it cannot sign in here. "
            "Sign in with your Workspace account."
        )
    return Person(subject, email, display_name(claims, email))


def display_name(claims: dict, email: str) -> str:
    name = claims.get("name") or " ".join(p for p in (claims.get("given_name"), claims.get("family_name")) if p)
    if not isinstance(name, str) or not name.strip():
        name = email.split("@")[0].replace(".", " ").title()
    return name.strip()[:200]


# Test the connection: what a fetch found, and the one sentence it comes to.


@dataclass(frozen=True)
class Fetched:
    """One HTTP GET's outcome: the status and body, or why no answer came (``failure``)."""

    url: str
    status: int | None = None
    body: str = ""
    failure: str = ""  # e.g. "the connection was refused"; empty when an answer came


@dataclass(frozen=True)
class Diagnosis:
    ok: bool
    sentence: str
    document: dict | None = None  # the discovery document, when it could be read


def _json(fetched: Fetched) -> object:
    try:
        return json.loads(fetched.body)
    except ValueError:
        return None


def _answer_problem(fetched: Fetched, what: str) -> str | None:
    if fetched.failure:
        return f"The {what} at {fetched.url} could not be reached: {fetched.failure}."
    if fetched.status != 200:
        return f"The {what} at {fetched.url} answered HTTP {fetched.status} instead of 200."
    return None


def diagnose_discovery(issuer: str, fetched: Fetched) -> Diagnosis:
    """Whether the discovery document at the issuer is one this app can sign in with."""
    problem = _answer_problem(fetched, "discovery document")
    if problem:
        hint = " Check the issuer URL." if not fetched.failure else " Is the provider up, and the address right?"
        return Diagnosis(False, problem + hint)
    document = _json(fetched)
    if not isinstance(document, dict):
        return Diagnosis(False, f"{fetched.url} did not answer with a JSON discovery document: check the issuer URL.")
    named = document.get("issuer")
    if named != issuer:
        return Diagnosis(False, f"The provider names its issuer {named!r}, not {issuer!r}: enter it exactly as that.")
    missing = [name for name in ENDPOINTS if not isinstance(document.get(name), str) or not document.get(name)]
    if missing:
        return Diagnosis(False, f"The discovery document has no {' or '.join(missing)}, which sign-in needs.")
    methods = document.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        return Diagnosis(False, "The provider does not support PKCE with S256, which this app requires for sign-in.")
    return Diagnosis(True, "", document)


def diagnose_keys(fetched: Fetched) -> str | None:
    """None when the provider's signing keys (its JWKS) could be read; otherwise the sentence."""
    problem = _answer_problem(fetched, "signing key set (jwks_uri)")
    if problem:
        return problem
    keys = _json(fetched)
    if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list) or not keys["keys"]:
        return f"The signing key set at {fetched.url} holds no keys, so no ID token could be verified."
    return None


def connection_works(document: dict, keys: int) -> str:
    note = ""
    if not isinstance(document.get("code_challenge_methods_supported"), list):
        note = " It does not list its PKCE methods (Entra ID does not); S256 is sent anyway."
    signing = f"{keys} signing key{'s' if keys != 1 else ''}"
    return f"The connection works: {document['issuer']} publishes its endpoints and {signing}.{note}"


def key_count(fetched: Fetched) -> int:
    keys = _json(fetched)
    return len(keys["keys"]) if isinstance(keys, dict) and isinstance(keys.get("keys"), list) else 0
