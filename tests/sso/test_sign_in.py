"""Company sign-in through a real OpenID provider: the accounts it creates and links, every check on
the ID token (signature, issuer, audience, expiry, nonce), state and code replays, the domains, a
provider that is down, required single sign-on, and signing out at the provider."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from sqlalchemy import func, select
from support import PASSWORD, make
from support.browser import forms
from support.oidc import Person, configure, person, refresh_target

from literacy.evidence.tables import AuditEntry
from literacy.identity.tables import SsoIdentity
from literacy.people.tables import User
from literacy.platform.extensions import db

ANN = person("ann@acme.example", name="Ann Archer")


def people(app, email: str) -> list[User]:
    with app.app_context():
        return list(db.session.scalars(select(User).where(User.email == email)))


def identities(app, email: str) -> list[SsoIdentity]:
    with app.app_context():
        query = select(SsoIdentity).join(User, User.id == SsoIdentity.user_id).where(User.email == email)
        return list(db.session.scalars(query))


def audited(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_a_first_sign_in_creates_a_learner_who_confirms_their_role(app, site, provider):
    org_id = configure(app, provider.issuer)
    provider.world({"ann": ANN})
    browser = Person(site)
    authorize = browser.start_by_email("Ann@Acme.example")
    query = parse_qs(urlsplit(authorize.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["scope"] == ["openid email profile"]
    assert query["login_hint"] == ["ann@acme.example"]
    answer = browser.get(browser.at_provider(authorize, "ann"))
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/sso/welcome")
    (ann,) = people(app, "ann@acme.example")
    assert (ann.org_id, ann.access, ann.name, ann.password_hash) == (org_id, "learner", "Ann Archer", "")
    assert [i.subject for i in identities(app, "ann@acme.example")] == ["ann"]
    assert audited(app, "sso.account.created") == 1
    assert "which marketing role is yours?" in browser.get("/sso/welcome").text
    chosen = browser.post_form("/sso/welcome", "/sso/welcome", {"role": "ops"})
    assert chosen.status_code == 302 and browser.signed_in()


def test_an_existing_account_is_linked_never_duplicated(app, site, provider):
    org_id = configure(app, provider.issuer)
    with make.saved(app):
        make.user("ann@acme.example", org=org_id, name="Ann A.")
    provider.world({"ann": ANN})
    first = Person(site).company_sign_in("ann@acme.example", "ann")
    assert first.status_code == 302 and "/sso/welcome" not in first.headers["Location"]
    assert len(people(app, "ann@acme.example")) == 1
    assert len(identities(app, "ann@acme.example")) == 1 and audited(app, "sso.account.linked") == 1
    again = Person(site)  # another browser, a new session at the provider: the identity is found
    assert again.company_sign_in("ann@acme.example", "ann").status_code == 302 and again.signed_in()
    assert len(people(app, "ann@acme.example")) == 1 and len(identities(app, "ann@acme.example")) == 1
    assert audited(app, "sso.account.linked") == 1 and identities(app, "ann@acme.example")[0].last_sign_in_at


def test_a_company_sign_in_keeps_the_session_rules(app, site, provider):
    """The same session machinery as a password sign-in: "keep me signed in" sets the remember cookie,
    and deactivating the account ends the session at once."""
    org_id = configure(app, provider.issuer)
    with make.saved(app):
        make.user("ann@acme.example", org=org_id)
    provider.world({"ann": ANN})
    browser = Person(site)
    answer = browser.get(browser.at_provider(browser.start_by_email("ann@acme.example", remember=True), "ann"))
    assert answer.status_code == 302 and "remember_token" in browser.http.cookies
    with make.saved(app):
        db.session.scalar(select(User).where(User.email == "ann@acme.example")).active = False
    assert not browser.signed_in()


def test_an_account_of_another_organisation_is_refused(app, site, provider):
    configure(app, provider.issuer)
    with make.saved(app):
        make.user("ann@acme.example", org=make.organization("Elsewhere", slug="elsewhere"))
    provider.world({"ann": ANN})
    browser = Person(site)
    answer = browser.company_sign_in("ann@acme.example", "ann")
    assert answer.status_code == 403 and "does not belong to Acme" in answer.text
    assert not browser.signed_in() and not identities(app, "ann@acme.example")


def test_a_deactivated_account_cannot_sign_in(app, site, provider):
    org_id = configure(app, provider.issuer)
    with make.saved(app):
        make.user("ann@acme.example", org=org_id, active=False)
    provider.world({"ann": ANN})
    answer = Person(site).company_sign_in("ann@acme.example", "ann")
    assert answer.status_code == 403 and "deactivated" in answer.text


# Each check on the ID token: the provider re-signs its token after one change (provider.mjs).
TAMPERED = {
    "wrong-audience": "aud claim",
    "audience-with-our-azp": "aud claim",
    "wrong-issuer": "iss claim",
    "wrong-nonce": "nonce claim",
    "expired": "expired",
    "bad-signature": "signature",
}


@pytest.mark.parametrize("how", TAMPERED)
def test_an_id_token_that_does_not_hold_is_refused(app, site, provider, caplog, how):
    configure(app, provider.issuer)
    provider.world({"ann": ANN}, id_token=how)
    browser = Person(site)
    with caplog.at_level(logging.WARNING, logger="literacy.web.sso"):
        answer = browser.company_sign_in("ann@acme.example", "ann")
    assert answer.status_code == 400 and "Company sign-in did not work" in answer.text
    assert "nobody was signed in" in answer.text
    assert any(TAMPERED[how] in r.getMessage() for r in caplog.records), [r.getMessage() for r in caplog.records]
    assert not browser.signed_in() and not people(app, "ann@acme.example")


def test_the_same_token_untampered_is_accepted(app, site, provider):
    """The control for the test above: only the change made the difference."""
    configure(app, provider.issuer)
    provider.world({"ann": ANN}, id_token=None)
    assert Person(site).company_sign_in("ann@acme.example", "ann").status_code == 302


def test_a_tampered_state_is_refused(app, site, provider):
    configure(app, provider.issuer)
    provider.world({"ann": ANN})
    browser = Person(site)
    callback = browser.callback_for("ann@acme.example", "ann")
    state = parse_qs(urlsplit(callback).query)["state"][0]
    answer = browser.get(callback.replace(f"state={state}", f"state={state[:-2]}xy"))
    assert answer.status_code == 400 and "could not be matched to this browser" in answer.text
    assert not browser.signed_in() and not people(app, "ann@acme.example")


def test_a_replayed_callback_is_refused(app, site, provider):
    configure(app, provider.issuer)
    provider.world({"ann": ANN})
    browser = Person(site)
    callback = browser.callback_for("ann@acme.example", "ann")
    assert browser.get(callback).status_code == 302
    assert browser.get(callback).status_code == 400  # its state was used up
    thief = Person(site)  # the address in another browser: no sign-in of its own pending
    assert thief.get(callback).status_code == 400 and not thief.signed_in()


def test_a_used_code_is_refused_by_the_provider(app, site, provider, caplog):
    """A code that was used once, sent again with a state this browser really has pending."""
    configure(app, provider.issuer)
    provider.world({"ann": ANN})
    browser = Person(site)
    used = browser.callback_for("ann@acme.example", "ann")
    assert browser.get(used).status_code == 302
    fresh = browser.callback_for("ann@acme.example", "ann")
    old_code, new_code = (parse_qs(urlsplit(url).query)["code"][0] for url in (used, fresh))
    with caplog.at_level(logging.WARNING, logger="literacy.web.sso"):
        answer = browser.get(fresh.replace(new_code, old_code))
    assert answer.status_code == 400 and any("refused the code" in r.getMessage() for r in caplog.records)


def test_a_disallowed_domain_is_refused(app, site, provider):
    configure(app, provider.issuer)
    provider.world({"cy": person("cy@elsewhere.example")})
    browser = Person(site)
    # the sign-in page finds no organisation for the domain ...
    answer = browser.post_form("/login", "/sso/start", {"company-email": "cy@elsewhere.example"})
    assert "No organisation here signs in people at elsewhere.example" in answer.text
    # ... and the organisation's own link does not let the address in
    answer = browser.get(browser.at_provider(browser.get("/sso/acme/login"), "cy"))
    assert answer.status_code == 403 and "acme.example, and cy@elsewhere.example is not one of them" in answer.text
    assert not people(app, "cy@elsewhere.example")


def test_an_unverified_address_is_refused(app, site, provider):
    configure(app, provider.issuer)
    provider.world({"ann": person("ann@acme.example", verified=False)})
    answer = Person(site).company_sign_in("ann@acme.example", "ann")
    assert answer.status_code == 403 and "does not confirm that ann@acme.example is verified" in answer.text


def test_a_provider_that_is_down(app, site, provider):
    configure(app, provider.issuer)
    provider.world({"ann": ANN})
    browser = Person(site)
    callback = browser.callback_for("ann@acme.example", "ann")
    provider.stop()  # between the provider's page and the callback
    answer = browser.get(callback)
    assert answer.status_code == 502 and "did not answer" in answer.text
    starting = browser.start_by_email("ann@acme.example")  # and when starting again
    assert starting.status_code == 502 and "did not answer" in starting.text
    with make.saved(app):
        make.user("admin@acme.example", org=1, access="admin")
    admin = Person(site)
    admin.post_form("/login", "/login", {"email": "admin@acme.example", "password": PASSWORD})
    tested = admin.post_form("/admin/sso", "/admin/sso/test")
    assert tested.status_code == 302
    page = admin.get("/admin/sso").text
    assert f"The discovery document at {provider.issuer}/.well-known/openid-configuration could not be reached" in page


def test_the_connection_test_passes_against_the_real_provider(app, site, provider):
    org_id = configure(app, provider.issuer)
    with make.saved(app):
        make.user("admin@acme.example", org=org_id, access="admin")
    admin = Person(site)
    admin.post_form("/login", "/login", {"email": "admin@acme.example", "password": PASSWORD})
    admin.post_form("/admin/sso", "/admin/sso/test")
    assert (
        f"The connection works: {provider.issuer} publishes its endpoints and 1 signing key."
        in admin.get("/admin/sso").text
    )


def test_required_single_sign_on_keeps_only_admins_on_passwords(app, site, provider):
    org_id = configure(app, provider.issuer, required=True)
    with make.saved(app):
        make.user("ann@acme.example", org=org_id)
        make.user("admin@acme.example", org=org_id, access="admin")
    provider.world({"ann": ANN})
    learner = Person(site)
    refused = learner.post_form("/login", "/login", {"email": "ann@acme.example", "password": PASSWORD})
    assert refused.status_code == 200 and "signs in with its company account, not a password" in refused.text
    assert not learner.signed_in()
    assert learner.company_sign_in("ann@acme.example", "ann").status_code == 302 and learner.signed_in()
    admin = Person(site)  # the break-glass path
    answer = admin.post_form("/login", "/login", {"email": "admin@acme.example", "password": PASSWORD})
    assert answer.status_code == 302 and admin.signed_in()


def test_signing_out_ends_the_session_here_and_at_the_provider(app, site, provider):
    configure(app, provider.issuer)
    provider.world({"ann": ANN})
    browser = Person(site)
    browser.company_sign_in("ann@acme.example", "ann")
    browser.post_form("/sso/welcome", "/sso/welcome", {"role": "ops"})
    leaving = browser.post_form("/progress", "/logout")
    assert leaving.status_code == 200 and not browser.signed_in()
    target = refresh_target(leaving.text)
    query = parse_qs(urlsplit(target).query)
    assert target.startswith(provider.issuer + "/session/end?")
    assert query["post_logout_redirect_uri"] == [site + "/login"] and query["client_id"] == ["literacy"]
    assert query["id_token_hint"][0].count(".") == 2
    # the provider accepts the hint and the address: its page asks to confirm, then sends the person back
    confirm = browser.http.get(target, timeout=30)
    form = next(f for f in forms(confirm.text) if f.hidden)
    back = browser.http.post(
        urljoin(confirm.url, form.action), data={**form.hidden, "logout": "yes"}, allow_redirects=False
    )
    while back.is_redirect and not back.headers["Location"].startswith(site):
        back = browser.http.get(back.headers["Location"], allow_redirects=False)
    assert back.headers["Location"].startswith(site + "/login")
    # the provider's session is gone too: signing in again asks for the login once more
    authorize = browser.start_by_email("ann@acme.example")
    assert browser.http.get(authorize.headers["Location"], allow_redirects=True, timeout=30).url.startswith(
        provider.issuer + "/interaction/"
    )
