"""Single sign-on without a provider: the pure rules (domains, claims, the discovery diagnosis), the
client secret's encryption, the admin page, the command line, the account rules of a verified sign-in,
and required single sign-on. tests/sso/ runs the real flow against a real OpenID provider."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select
from support import PASSWORD, make
from support.browser import Browser, forms
from support.journeys import signed_in

from literacy.evidence.tables import AuditEntry
from literacy.identity import client_secrets, oidc, sso, sso_rules
from literacy.identity.sso_rules import Fetched, Refused
from literacy.identity.tables import SsoConfig, SsoIdentity
from literacy.mail.tables import MailMessage
from literacy.people.onboarding import PUBLIC_MAIL
from literacy.people.tables import Organization, User
from literacy.platform.extensions import db
from literacy.platform.settings import ConfigError, Settings

ISSUER = "https://login.acme.example"
DOWN = "http://127.0.0.1:1"  # nothing listens on port 1
ROLES = ["ops"]

# The pure rules


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("login.acme.example", "is not a web address"),
        ("http://login.acme.example", "must start with https://"),
        ("https://login.acme.example/?tenant=1", "has no ? or # part"),
    ],
)
def test_issuer_urls_that_are_refused(typed, problem):
    with pytest.raises(Refused, match=re.escape(problem)):
        sso_rules.clean_issuer(typed)


def test_issuer_urls_are_kept_exactly_and_http_only_on_loopback():
    assert sso_rules.clean_issuer(" https://tenant.auth0.example/ ") == "https://tenant.auth0.example/"
    assert sso_rules.clean_issuer("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
    assert sso_rules.discovery_url("https://a.example/") == "https://a.example/.well-known/openid-configuration"


def test_domains_are_parsed_and_public_mail_refused():
    assert sso_rules.parse_domains("Acme.example, @eu.acme.example acme.example", PUBLIC_MAIL) == [
        "acme.example",
        "eu.acme.example",
    ]
    for typed, problem in (("gmail.com", "public mail provider"), ("acme", "not a domain name"), (" ", "at least one")):
        with pytest.raises(Refused, match=problem):
            sso_rules.parse_domains(typed, PUBLIC_MAIL)


def test_domains_match_exactly():
    assert sso_rules.domain_allowed("Ann@ACME.example", ["acme.example"])
    assert not sso_rules.domain_allowed("ann@eu.acme.example", ["acme.example"])
    assert not sso_rules.domain_allowed("ann@acme.example.evil", ["acme.example"])


def claims(**changes) -> dict:
    return {"sub": "s-1", "email": "Ann@Acme.example", "email_verified": True, "name": "Ann Archer", **changes}


def test_a_verified_address_in_the_domains_is_a_person():
    assert sso_rules.person_from(claims(), ["acme.example"], "Acme") == sso_rules.Person(
        "s-1", "ann@acme.example", "Ann Archer"
    )
    assert sso_rules.person_from(claims(email_verified="true"), ["acme.example"], "Acme")
    entra = claims(email_verified=None, xms_edov=True)  # Entra ID's "email domain owner verified"
    assert sso_rules.person_from(entra, ["acme.example"], "Acme")
    nameless = sso_rules.person_from(claims(name=None, given_name="Ann", family_name="Lee"), ["acme.example"], "A")
    assert nameless.name == "Ann Lee"
    assert sso_rules.person_from(claims(name=None), ["acme.example"], "A").name == "Ann"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"email_verified": False}, "does not confirm that ann@acme.example is verified"),
        ({"email_verified": None}, "is verified"),
        ({"email": None}, "did not share an email address"),
        ({"sub": ""}, "has no subject"),
        ({"email": "ann@other.example"}, "Acme signs in people with addresses at acme.example, and ann@other"),
    ],
)
def test_claims_that_let_nobody_in(changes, problem):
    with pytest.raises(Refused, match=problem):
        sso_rules.person_from(claims(**changes), ["acme.example"], "Acme")


def test_google_accounts_must_be_the_workspaces():
    google = "https://accounts.google.com"
    assert sso_rules.person_from(claims(hd="acme.example"), ["acme.example"], "Acme", google)
    with pytest.raises(Refused, match="a Google account outside Acme's Google Workspace"):
        sso_rules.person_from(claims(), ["acme.example"], "Acme", google)  # a consumer account, same address
    assert sso_rules.person_from(claims(), ["acme.example"], "Acme", ISSUER)  # other providers send no hd


def discovery(**changes) -> Fetched:
    document = {
        "issuer": ISSUER,
        "authorization_endpoint": ISSUER + "/authorize",
        "token_endpoint": ISSUER + "/token",
        "jwks_uri": ISSUER + "/keys",
        "code_challenge_methods_supported": ["S256"],
        **changes,
    }
    return Fetched(ISSUER + "/.well-known/openid-configuration", 200, json.dumps(document))


@pytest.mark.parametrize(
    ("fetched", "sentence"),
    [
        (Fetched("u", failure="the connection was refused"), "could not be reached: the connection was refused"),
        (Fetched("u", 404, "Not found"), "answered HTTP 404 instead of 200. Check the issuer URL."),
        (Fetched("u", 200, "<html>"), "did not answer with a JSON discovery document"),
        (discovery(issuer=ISSUER + "/"), "names its issuer 'https://login.acme.example/', not"),
        (discovery(jwks_uri=None), "has no jwks_uri, which sign-in needs"),
        (discovery(authorization_endpoint="", token_endpoint=None), "no authorization_endpoint or token_endpoint"),
        (discovery(code_challenge_methods_supported=["plain"]), "does not support PKCE with S256"),
    ],
)
def test_the_discovery_diagnosis_says_what_is_wrong(fetched, sentence):
    diagnosis = sso_rules.diagnose_discovery(ISSUER, fetched)
    assert not diagnosis.ok and sentence in diagnosis.sentence


def test_a_good_discovery_document_and_keys():
    diagnosis = sso_rules.diagnose_discovery(ISSUER, discovery())
    assert diagnosis.ok and diagnosis.document["jwks_uri"] == ISSUER + "/keys"
    keys = Fetched(ISSUER + "/keys", 200, json.dumps({"keys": [{"kty": "RSA"}, {"kty": "RSA"}]}))
    assert sso_rules.diagnose_keys(keys) is None
    works = sso_rules.connection_works(diagnosis.document, sso_rules.key_count(keys))
    assert works == f"The connection works: {ISSUER} publishes its endpoints and 2 signing keys."
    unlisted = sso_rules.diagnose_discovery(ISSUER, discovery(code_challenge_methods_supported=None))
    assert unlisted.ok and "does not list its PKCE methods" in sso_rules.connection_works(unlisted.document, 1)


def test_signing_keys_that_cannot_be_used():
    assert "could not be reached" in sso_rules.diagnose_keys(Fetched("k", failure="no answer within 10 seconds"))
    assert "holds no keys" in sso_rules.diagnose_keys(Fetched("k", 200, '{"keys": []}'))
    assert "answered HTTP 500" in sso_rules.diagnose_keys(Fetched("k", 500, ""))


# The client secret at rest


def test_secrets_are_encrypted_and_open_again(app):
    with app.app_context():
        sealed = client_secrets.seal("s3cret-value")
        assert "s3cret" not in sealed and client_secrets.open_sealed(sealed) == "s3cret-value"
        assert client_secrets.derived_key("a") != client_secrets.derived_key("b")


def test_a_changed_secret_key_makes_saved_secrets_unreadable_unless_kept(app):
    with app.app_context():
        sealed = client_secrets.seal("s3cret-value")
        app.config["SSO_SECRET_KEY"] = client_secrets.derived_key("another").decode()
        assert client_secrets.open_sealed(sealed) == "s3cret-value"  # SECRET_KEY's key is still tried last
        newer = client_secrets.seal("newer")
        app.config["SECRET_KEY"] = "rotated"
        assert client_secrets.open_sealed(newer) == "newer"  # sealed with SSO_SECRET_KEY
        with pytest.raises(client_secrets.Unreadable):
            client_secrets.open_sealed(sealed)


def test_a_bad_sso_secret_key_stops_start_up(tmp_path):
    with pytest.raises(ConfigError, match="SSO_SECRET_KEY must hold Fernet keys"):
        Settings.from_environment({"SSO_SECRET_KEY": "not-a-key"}, str(tmp_path))
    good = client_secrets.derived_key("x").decode()
    assert Settings.from_environment({"SSO_SECRET_KEY": good}, str(tmp_path)).sso_secret_key == good


# The admin page


@pytest.fixture
def acme(app):
    """Acme (slug acme) with an admin and a learner; no provider yet."""
    with make.saved(app):
        org = make.organization("Acme", slug="acme")
        make.user("admin@acme.example", org=org, access="admin")
        make.user("ann@acme.example", org=org)
        return org.id


def saved_config(app, org_id: int) -> SsoConfig:
    with app.app_context():
        return db.session.scalar(select(SsoConfig).where(SsoConfig.org_id == org_id))


def entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def settings_form(**changes) -> dict:
    return {"issuer": ISSUER, "client_id": "acme-app", "client_secret": "", "domains": "acme.example", **changes}


def test_the_admin_page_shows_what_to_give_the_provider(app, acme):
    admin = signed_in(app, "admin@acme.example")
    page = admin.get("/admin/sso").get_data(as_text=True)
    assert "http://localhost/sso/callback" in page and "openid email profile" in page
    assert "http://localhost/sso/acme/login" in page and 'for="client_secret"' in page
    assert 'href="/admin/sso"' in admin.get("/admin/users").get_data(as_text=True)


def test_a_saved_secret_is_encrypted_and_never_shown(app, acme):
    admin = signed_in(app, "admin@acme.example")
    response = admin.post("/admin/sso", settings_form(client_secret="top-s3cret-value"))
    assert response.status_code == 302
    page = admin.get("/admin/sso").get_data(as_text=True)
    assert "A client secret is saved" in page and "top-s3cret-value" not in page
    config = saved_config(app, acme)
    assert config.client_secret_encrypted and "top-s3cret" not in config.client_secret_encrypted
    (entry,) = entries(app, "sso.configured")
    assert "top-s3cret" not in entry.details and json.loads(entry.details)["client_secret"]["new"] == "replaced"
    # an empty field keeps the saved secret
    assert admin.post("/admin/sso", settings_form(domains="acme.example, eu.acme.example")).status_code == 302
    kept = saved_config(app, acme)
    assert kept.client_secret_encrypted == config.client_secret_encrypted
    assert kept.domains == "acme.example,eu.acme.example"
    with app.app_context():
        assert sso.client_secret(kept) == "top-s3cret-value"


def test_a_secret_from_the_environment(app, acme, monkeypatch):
    admin = signed_in(app, "admin@acme.example")
    admin.post("/admin/sso", settings_form(client_secret_env="SSO_CLIENT_SECRET_ACME"))
    page = admin.get("/admin/sso").get_data(as_text=True)
    assert "SSO_CLIENT_SECRET_ACME, which is not set on this server" in page
    monkeypatch.setenv("SSO_CLIENT_SECRET_ACME", "from-env")
    assert "SSO_CLIENT_SECRET_ACME, which is set on this server" in admin.get("/admin/sso").get_data(as_text=True)
    with app.app_context():
        assert sso.client_secret(saved_config(app, acme)) == "from-env"


def test_an_admin_cannot_name_a_server_setting_as_the_secret(app, acme, monkeypatch):
    """Any other variable would be sent to the provider as the client secret: SECRET_KEY, DATABASE_URL."""
    monkeypatch.setenv("SECRET_KEY_COPY", "server-secret")
    admin = signed_in(app, "admin@acme.example")
    for name in ("SECRET_KEY", "DATABASE_URL", "SSO_CLIENT_SECRET_OTHER", "SECRET_KEY_COPY"):
        refused = admin.post("/admin/sso", settings_form(client_secret_env=name))
        assert refused.status_code == 400 and "must be named SSO_CLIENT_SECRET_ACME" in refused.get_data(as_text=True)
    admin.post("/admin/sso", settings_form(client_secret="typed"))
    with make.saved(app):  # a name stored before this rule is never read
        config = db.session.get(SsoConfig, saved_config(app, acme).id)
        config.client_secret_env, config.client_secret_encrypted = "SECRET_KEY_COPY", ""
    with app.app_context(), pytest.raises(oidc.Failed):
        sso.client_secret(saved_config(app, acme))


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({}, "Enter the client secret, or the name of the environment variable"),
        ({"client_secret": "x", "client_secret_env": "X"}, "not both"),
        ({"client_secret_env": "lower-case"}, "must be named SSO_CLIENT_SECRET_ACME"),
        ({"client_secret": "x", "domains": "gmail.com"}, "gmail.com is a public mail provider"),
        ({"client_secret": "x", "issuer": "http://login.acme.example"}, "must start with https://"),
        ({"client_secret": "x", "domains": "taken.example"}, "taken.example signs in to another organisation"),
        ({"client_secret": "x", "domains": "signup.example"}, "is a sign-up domain of another organisation"),
    ],
)
def test_settings_that_are_refused(app, acme, changes, problem):
    with make.saved(app):
        other = make.organization("Other", slug="other")
        other.signup_domains = "signup.example"
        sso.save(other, ISSUER, "other-app", sso.Secret("x"), "taken.example")
    response = signed_in(app, "admin@acme.example").post("/admin/sso", settings_form(**changes))
    assert response.status_code == 400 and problem in response.get_data(as_text=True)
    assert saved_config(app, acme) is None


def test_requiring_single_sign_on_is_confirmed_first(app, acme):
    admin = signed_in(app, "admin@acme.example")
    asked = admin.post("/admin/sso", settings_form(client_secret="x", required="y"))
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Require single sign-on?" in page and "Admins keep their password" in page
    assert "flask --app app sso require --org acme --off" in page
    assert saved_config(app, acme) is not None and not saved_config(app, acme).required  # saved, not required yet
    (confirm,) = [form for form in forms(page) if form.action == "/admin/sso/require"]
    assert confirm.hidden["confirm"] == "yes" and confirm.hidden["required"] == "on"
    confirmed = admin.client.post("/admin/sso/require", data=confirm.hidden)
    assert confirmed.status_code == 302 and saved_config(app, acme).required
    assert json.loads(entries(app, "sso.required")[0].details) == {"old": False, "new": True, "sessions_ended": 1}
    off = admin.post("/admin/sso/require", {"required": "off"}, page="/admin/sso")
    assert off.status_code == 302 and not saved_config(app, acme).required


def test_the_connection_test_says_the_provider_is_down(app, acme):
    with make.saved(app):
        sso.save(db.session.get(Organization, acme), DOWN, "acme-app", sso.Secret("x"), "acme.example")
    admin = signed_in(app, "admin@acme.example")
    assert admin.post("/admin/sso/test", page="/admin/sso").status_code == 302
    page = admin.get("/admin/sso").get_data(as_text=True)
    assert "The discovery document at http://127.0.0.1:1/.well-known/openid-configuration could not be reached" in page
    assert "Last test" in page and saved_config(app, acme).tested_at is not None


def test_removing_single_sign_on_is_confirmed(app, acme):
    with make.saved(app):
        sso.save(db.session.get(Organization, acme), ISSUER, "acme-app", sso.Secret("x"), "acme.example")
    admin = signed_in(app, "admin@acme.example")
    asked = admin.post("/admin/sso/remove", page="/admin/sso")
    assert asked.status_code == 200 and "Remove single sign-on?" in asked.get_data(as_text=True)
    assert saved_config(app, acme) is not None
    assert admin.post("/admin/sso/remove", {"confirm": "yes"}, page="/admin/sso").status_code == 302
    assert saved_config(app, acme) is None and len(entries(app, "sso.removed")) == 1


# The command line


def test_configure_from_the_command_line(app, acme, runner):
    result = runner.invoke(
        args=[
            "sso",
            "configure",
            "--org",
            "acme",
            "--issuer",
            ISSUER,
            "--client-id",
            "acme-app",
            "--client-secret-env",
            "SSO_CLIENT_SECRET_ACME",
            "--domains",
            "acme.example,eu.acme.example",
            "--require",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "acme: single sign-on with https://login.acme.example for acme.example, eu.acme.example (required)" in (
        result.output
    )
    assert "Redirect URI to register at the provider: http://localhost:5000/sso/callback" in result.output
    config = saved_config(app, acme)
    assert (config.client_secret_env, config.required, config.client_secret_encrypted) == (
        "SSO_CLIENT_SECRET_ACME",
        True,
        "",
    )
    assert entries(app, "sso.configured")[0].actor == "command line"
    off = runner.invoke(args=["sso", "require", "--org", "acme", "--off"])
    assert off.exit_code == 0 and "no longer required" in off.output and not saved_config(app, acme).required


def test_a_secret_from_standard_input_is_saved_encrypted(app, acme, runner):
    args = ["sso", "configure", "--org", "acme", "--issuer", ISSUER, "--client-id", "c", "--domains", "acme.example"]
    result = runner.invoke(args=[*args, "--client-secret-stdin"], input="piped-s3cret\n")
    assert result.exit_code == 0 and "piped-s3cret" not in result.output
    with app.app_context():
        assert sso.client_secret(saved_config(app, acme)) == "piped-s3cret"


def test_the_command_line_refuses_with_a_sentence(app, acme, runner):
    args = ["sso", "configure", "--org", "acme", "--issuer", ISSUER, "--client-id", "c", "--client-secret-env", "S"]
    result = runner.invoke(args=[*args, "--domains", "gmail.com"])
    assert result.exit_code == 1 and "gmail.com is a public mail provider" in result.output
    missing = runner.invoke(args=["sso", "test", "--org", "acme"])
    assert missing.exit_code == 1 and "acme has no single sign-on" in missing.output


def test_the_connection_test_from_the_command_line(app, acme, runner):
    with make.saved(app):
        sso.save(db.session.get(Organization, acme), DOWN, "acme-app", sso.Secret("x"), "acme.example")
    result = runner.invoke(args=["sso", "test", "--org", "acme"])
    assert result.exit_code == 1 and "could not be reached" in result.output


# The accounts a verified sign-in finds, links or creates (the real flow: tests/sso)


def sign_in(app, org_id: int, **changes) -> tuple[str, bool]:
    """A verified sign-in with these claims: the account's email, and whether it was created."""
    with make.saved(app):
        organization = db.session.get(Organization, org_id)
        signed = sso.sign_in(organization, sso.config_for(org_id), claims(**changes), ROLES)
        return signed.user.email, signed.created


@pytest.fixture
def acme_sso(app, acme):
    with make.saved(app):
        sso.save(db.session.get(Organization, acme), ISSUER, "acme-app", sso.Secret("x"), "acme.example")
    return acme


def test_a_new_person_gets_the_organisations_most_common_role(app, acme_sso):
    with make.saved(app):
        for n in range(3):  # the admin and Ann are in ops
            make.user(f"pr{n}@acme.example", org=acme_sso, role="pr")
    with app.app_context():
        assert sso.likely_role(acme_sso, ["ops", "pr"]) == "pr"
        assert sso.likely_role(acme_sso, ["ops"]) == "ops"  # roles the content has no more are skipped
    assert sign_in(app, acme_sso, email="new@acme.example", sub="new") == ("new@acme.example", True)


def test_an_address_linked_to_another_subject_is_refused(app, acme_sso):
    assert sign_in(app, acme_sso, sub="first") == ("ann@acme.example", False)  # linked
    with pytest.raises(Refused, match="linked to another identity"):
        sign_in(app, acme_sso, sub="second")
    with app.app_context():
        assert [i.subject for i in db.session.scalars(select(SsoIdentity))] == ["first"]


def test_an_admin_unlinks_a_company_sign_in_after_confirming_so_the_new_subject_links(app, acme_sso):
    assert sign_in(app, acme_sso, sub="first") == ("ann@acme.example", False)
    with app.app_context():
        ann = db.session.scalar(select(User).where(User.email == "ann@acme.example")).id
    admin = signed_in(app, "admin@acme.example")
    assert "Company sign-in: linked to" in admin.get(f"/admin/users/{ann}").get_data(as_text=True)
    confirm = admin.get(f"/admin/users/{ann}/sso/unlink").get_data(as_text=True)
    assert "company sign-in?" in confirm and ISSUER in confirm and "Confirm: unlink" in confirm
    assert admin.post(f"/admin/users/{ann}/sso/unlink").status_code == 302
    assert sign_in(app, acme_sso, sub="second") == ("ann@acme.example", False), "linked afresh"
    assert [e.target for e in entries(app, "sso.account.unlinked")] == ["ann@acme.example"]


def test_a_linked_address_confirms_a_pending_sign_up(app, acme_sso):
    with make.saved(app):
        make.user("kim@acme.example", org=acme_sso, confirmation_pending=True)
    sign_in(app, acme_sso, email="kim@acme.example", sub="kim")
    with app.app_context():
        assert not db.session.scalar(select(User).where(User.email == "kim@acme.example")).confirmation_pending


# Signing in


def test_the_sign_in_page_offers_the_company_account(app, acme_sso):
    browser = Browser(app.test_client())
    assert "Sign in with your company account" in browser.get("/login").get_data(as_text=True)
    unknown = browser.post("/sso/start", {"company-email": "x@nowhere.example"}, page="/login")
    assert "No organisation here signs in people at nowhere.example" in unknown.get_data(as_text=True)
    known = browser.post(
        "/sso/start?next=/progress", {"company-email": "ann@acme.example"}, page="/login?next=/progress"
    )
    page = known.get_data(as_text=True)
    assert known.status_code == 200 and 'content="0; url=/sso/acme/login?next=/progress"' in page.replace("%2F", "/")


def test_a_provider_that_cannot_be_reached_gets_a_friendly_page(app, acme):
    with make.saved(app):
        sso.save(db.session.get(Organization, acme), DOWN, "acme-app", sso.Secret("x"), "acme.example")
    response = Browser(app.test_client()).get("/sso/acme/login")
    assert response.status_code == 502 and "did not answer" in response.get_data(as_text=True)


def test_a_secret_that_cannot_be_read_gets_a_friendly_page(app, acme_sso):
    app.config["SECRET_KEY"] = "rotated without SSO_SECRET_KEY"
    response = Browser(app.test_client()).get("/sso/acme/login")
    assert response.status_code == 503 and "client secret cannot be read" in response.get_data(as_text=True)
    admin = signed_in(app, "admin@acme.example")
    assert "this server cannot decrypt it" in admin.get("/admin/sso").get_data(as_text=True)


def test_a_callback_with_no_sign_in_pending(app):
    response = Browser(app.test_client()).get("/sso/callback?code=x&state=y")
    assert response.status_code == 400 and "Start again from the sign-in page" in response.get_data(as_text=True)


def test_required_single_sign_on_refuses_passwords_but_admins_keep_theirs(app, acme_sso):
    with make.saved(app):
        sso.set_required(db.session.get(Organization, acme_sso), True)
    learner = Browser(app.test_client())
    refused = learner.login("ann@acme.example")
    assert refused.status_code == 200 and "Acme signs in with its company account" in refused.get_data(as_text=True)
    assert learner.get("/progress").status_code == 302
    wrong = Browser(app.test_client()).login("ann@acme.example", "wrong password")
    assert "do not match" in wrong.get_data(as_text=True)  # nothing said without the right password
    assert Browser(app.test_client()).login("admin@acme.example").status_code == 302  # break-glass


def test_requiring_single_sign_on_ends_members_password_sessions_but_not_the_admins(app, acme_sso):
    member, admin = signed_in(app, "ann@acme.example"), signed_in(app, "admin@acme.example")
    assert member.get("/progress").status_code == 200
    with make.saved(app):
        sso.set_required(db.session.get(Organization, acme_sso), True)
    assert member.get("/progress").status_code == 302, "signed out: sign in again with the company account"
    assert admin.get("/admin/sso").status_code == 200, "the break-glass admin stays signed in"


def test_required_single_sign_on_refuses_password_reset_and_invitations(app, acme_sso):
    browser = Browser(app.test_client())
    browser.post("/password/forgot", {"email": "ann@acme.example"})  # a link from before the requirement
    with make.saved(app):
        sso.set_required(db.session.get(Organization, acme_sso), True)
    reset = browser.get(make.link_in_mail(app, "ann@acme.example", "password-reset"))
    assert reset.status_code == 403 and "signs in with its company account" in reset.get_data(as_text=True)
    asked = browser.post("/password/forgot", {"email": "ann@acme.example"})
    assert asked.status_code == 302, "the same answer as for any address"
    with app.app_context():
        resets = select(MailMessage).where(
            MailMessage.kind == "password-reset", MailMessage.to_address == "ann@acme.example"
        )
        assert len(db.session.scalars(resets).all()) == 1, "no new link: it could only refuse"
    browser.post("/password/forgot", {"email": "admin@acme.example"})
    assert browser.get(make.link_in_mail(app, "admin@acme.example", "password-reset")).status_code == 200
    admin = signed_in(app, "admin@acme.example")
    invite = {"email": "new@acme.example", "name": "New", "role": "ops", "access": "learner", "external": "staff"}
    assert admin.post("/admin/users/invite", invite).status_code == 200
    invitation = Browser(app.test_client()).get(make.link_in_mail(app, "new@acme.example", "invitation"))
    assert invitation.status_code == 403


def test_without_the_requirement_passwords_still_work(app, acme_sso):
    assert Browser(app.test_client()).login("ann@acme.example", PASSWORD).status_code == 302


def test_a_single_sign_on_domain_cannot_become_another_organisations_sign_up_domain(app, acme_sso):
    with make.saved(app):
        other = make.organization("Other", slug="other")
        make.user("boss@other.example", org=other, access="admin")
    browser = signed_in(app, "boss@other.example")
    refused = browser.post("/admin/organisation", {"domains": "acme.example"})
    assert refused.status_code == 400 and "acme.example signs in to another organisation" in refused.get_data(
        as_text=True
    )


def test_a_company_sign_in_account_is_active_not_invited_and_has_no_password_to_change(app, acme_sso):
    assert sign_in(app, acme_sso, email="new@acme.example", sub="new") == ("new@acme.example", True)
    admin = signed_in(app, "admin@acme.example")
    people = admin.get("/admin/users?status=invited").get_data(as_text=True)
    assert "new@acme.example" not in people
    assert "new@acme.example" in admin.get("/admin/users?status=active").get_data(as_text=True)
    with app.app_context():
        new = db.session.scalar(select(User).where(User.email == "new@acme.example")).id
    page = admin.get(f"/admin/users/{new}").get_data(as_text=True)
    assert "(signs in with the company account)" in page and "has not set a password yet" not in page
