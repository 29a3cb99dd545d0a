"""The OpenID Connect protocol, through Authlib: the authorization code flow with PKCE (S256),
``state`` and ``nonce``, and the ID token's signature (the provider's JWKS), issuer, audience,
expiry and nonce verified; the discovery checks behind "Test the connection"; the provider's
end-session address for signing out.

A client is built for each request from the organisation's row, rather than kept in Authlib's
registry, which caches a client (its secret and the provider's metadata) for the life of the
process: a secret or issuer changed on the admin page applies to the very next sign-in."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

import requests
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app, request
from joserfc.errors import BadSignatureError, ClaimError, ExpiredTokenError, JoseError

from literacy.identity import sso_rules
from literacy.identity.sso_rules import Fetched

log = logging.getLogger(__name__)
LEEWAY_SECONDS = 60  # clock difference allowed between this server and the provider on exp, iat and nbf
SESSION_KEY = "sso"  # in the session after a company sign-in: what signing out at the provider needs
USERINFO_CLAIMS = ("email", "email_verified", "xms_edov", "hd", "name", "given_name", "family_name")


class Failed(Exception):
    """A sign-in that cannot go on: ``sentence`` is for the person, ``reason`` for the log."""

    def __init__(self, sentence: str, reason: str, status: int = 400):
        super().__init__(sentence)
        self.sentence, self.reason, self.status = sentence, reason, status


@dataclass(frozen=True)
class Provider:
    """What a sign-in needs of an organisation's configuration (its secret already opened)."""

    org_id: int
    issuer: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class Verified:
    claims: dict  # the ID token's verified claims, completed from the user info endpoint
    id_token: str  # kept for the end-session request's id_token_hint
    end_session_endpoint: str  # empty when the provider has none


def client_name(org_id: int) -> str:
    return f"sso-{org_id}"


def _timeout() -> float:
    return current_app.config.get("SSO_TIMEOUT_SECONDS", 10.0)


def client(provider: Provider) -> FlaskOAuth2App:
    name = client_name(provider.org_id)
    return FlaskOAuth2App(
        FlaskIntegration(name),
        name,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        server_metadata_url=sso_rules.discovery_url(provider.issuer),
        client_kwargs={"scope": sso_rules.SCOPES, "code_challenge_method": "S256", "default_timeout": _timeout()},
    )


def begin(provider: Provider, redirect_uri: str, **params):
    """The redirect to the provider's authorization endpoint; state, nonce and the PKCE verifier
    wait in the session for the callback. ``params``: more of the request, such as ``login_hint``."""
    try:
        return client(provider).authorize_redirect(redirect_uri, nonce=secrets.token_urlsafe(24), **params)
    except (requests.RequestException, ValueError, RuntimeError, KeyError) as error:
        raise Failed(UNREACHABLE, f"authorization request failed: {error!r}", 502) from error


def _claims_options(provider: Provider) -> dict:
    """Each claim the ID token must have, and the values it must hold (Authlib checks the nonce)."""
    return {
        "iss": {"essential": True, "value": provider.issuer},
        "aud": {"essential": True, "values": [provider.client_id]},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "nonce": {"essential": True},
    }


def finish(provider: Provider) -> Verified:
    """Exchange the callback's code for tokens and verify the ID token; Failed with a sentence for
    anything wrong: state unknown or used, the provider's refusal, or a token that does not hold."""
    returned_issuer = request.args.get("iss")
    if returned_issuer and returned_issuer != provider.issuer:  # RFC 9207: a mix-up of providers
        raise Failed(TRY_AGAIN, f"callback iss {returned_issuer!r} is not {provider.issuer!r}")
    app = client(provider)
    try:
        token = app.authorize_access_token(claims_options=_claims_options(provider), leeway=LEEWAY_SECONDS)
        if "userinfo" not in token:
            raise Failed(INVALID_TOKEN, "the token response holds no ID token")
        claims = _completed(app, dict(token["userinfo"]), token)
    except Failed:
        raise
    except Exception as error:
        raise _failure(error) from error
    end_session = app.server_metadata.get("end_session_endpoint") or ""
    return Verified(claims, token["id_token"], end_session if isinstance(end_session, str) else "")


def _failure(error: Exception) -> Failed:
    """What went wrong at the callback: the sentence for the person and the reason for the log."""
    if isinstance(error, MismatchingStateError):
        return Failed(TRY_AGAIN, "state unknown to this session (tampered, replayed or expired)")
    if isinstance(error, OAuthError):
        return _refused(error)
    if isinstance(error, ExpiredTokenError):
        return Failed(EXPIRED, "the ID token has expired")
    if isinstance(error, BadSignatureError):
        return Failed(INVALID_TOKEN, "the ID token's signature does not verify")
    if isinstance(error, ClaimError):
        return Failed(INVALID_TOKEN, f"the ID token's {error.claim} claim is wrong or missing")
    if isinstance(error, JoseError):
        return Failed(INVALID_TOKEN, f"the ID token cannot be read: {error}")
    if isinstance(error, (requests.RequestException, ValueError, RuntimeError, KeyError)):
        return Failed(UNREACHABLE, f"provider request failed: {error!r}", 502)
    log.exception("sso callback: unexpected error")  # a page with a sentence all the same, never a 500
    return Failed(INVALID_TOKEN, f"unexpected {type(error).__name__}")


def _completed(app: FlaskOAuth2App, claims: dict, token: dict) -> dict:
    """Providers may keep the email out of the ID token and give it from the user info endpoint
    (OpenID Connect Core 5.4): ask there, for the same subject only (5.3.2)."""
    if claims.get("email") or not app.server_metadata.get("userinfo_endpoint"):
        return claims
    info = app.userinfo(token=token)
    if info.get("sub") != claims.get("sub"):
        raise Failed(INVALID_TOKEN, "user info is about another subject than the ID token")
    return {**{k: info[k] for k in USERINFO_CLAIMS if k in info}, **claims}


TRY_AGAIN = (
    "This sign-in could not be matched to this browser: the link was already used, has expired, or was changed. "
    "Start again from the sign-in page."
)
INVALID_TOKEN = (
    "Your company's sign-in answered with a token this app cannot trust, so nobody was signed in. "
    "Try again; if it happens again, tell your admin."
)
EXPIRED = (
    "Your company's sign-in answered with a token that has already expired, so nobody was signed in. "
    "Start again; if it happens again, this server's clock or the provider's may be wrong."
)


def _refused(error: OAuthError) -> Failed:
    if error.error == "access_denied":
        return Failed("The sign-in was cancelled at your company's sign-in page. Start again to sign in.", "denied")
    if error.error == "invalid_grant":
        return Failed(TRY_AGAIN, f"the provider refused the code: {error.description}")
    return Failed(INVALID_TOKEN, f"the provider refused: {error.error}: {error.description}")


UNREACHABLE = (
    "Your company's sign-in service did not answer, so you could not be signed in. "
    "Try again in a few minutes; if it goes on, tell your admin."
)


def logout_url(end_session_endpoint: str, id_token: str, client_id: str, after: str) -> str:
    """RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the provider ends its session
    too, then sends the person back to ``after`` (which the provider must have registered)."""
    params = {"id_token_hint": id_token, "client_id": client_id, "post_logout_redirect_uri": after}
    return add_params_to_uri(end_session_endpoint, params)


# Test the connection


def fetch(url: str) -> Fetched:
    """One GET, however it ends: never raises."""
    try:
        response = requests.get(url, timeout=_timeout(), headers={"Accept": "application/json"})
    except requests.exceptions.SSLError:
        return Fetched(url, failure="its TLS certificate could not be verified")
    except requests.exceptions.Timeout:
        return Fetched(url, failure=f"no answer within {_timeout():g} seconds")
    except requests.exceptions.ConnectionError:
        return Fetched(url, failure="the connection was refused or the host name is unknown")
    except requests.RequestException as error:
        return Fetched(url, failure=type(error).__name__)
    return Fetched(url, response.status_code, response.text[:1_000_000])


def probe(issuer: str) -> sso_rules.Diagnosis:
    """Fetch the discovery document and the signing keys it names, and say in one sentence what is
    wrong, or that it works."""
    diagnosis = sso_rules.diagnose_discovery(issuer, fetch(sso_rules.discovery_url(issuer)))
    if not diagnosis.ok:
        return diagnosis
    keys = fetch(diagnosis.document["jwks_uri"])
    problem = sso_rules.diagnose_keys(keys)
    if problem:
        return sso_rules.Diagnosis(False, problem, diagnosis.document)
    sentence = sso_rules.connection_works(diagnosis.document, sso_rules.key_count(keys))
    return sso_rules.Diagnosis(True, sentence, diagnosis.document)
