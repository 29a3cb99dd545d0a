"""Register, sign in, sign out, CSRF, and the ?next= rule."""

from support import make

from literacy.people.tables import User
from literacy.platform.extensions import db


def test_register_creates_hashed_account_then_sign_in_after_confirming(browser, app):
    signup_org = make.signup_domain(app, "someone@example.com")
    response = browser.register(email="New.Person@Example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/check-email?reason=confirm"
    with app.app_context():
        user = db.session.query(User).one()
        assert user.email == "new.person@example.com" and user.org_id == signup_org
        assert user.password_hash != "correct horse battery" and user.check_password("correct horse battery")
        assert user.role == "ops" and user.access == "learner" and user.confirmation_pending
    refused = browser.login("new.person@example.com")
    assert refused.status_code == 200 and "Confirm your address first" in refused.get_data(as_text=True)
    assert browser.open_link_in_mail("new.person@example.com", "verification").status_code == 302
    assert browser.login("new.person@example.com").status_code == 302
    assert "Tiny course" in browser.get("/").get_data(as_text=True)


def test_registration_is_by_invitation_unless_the_domain_may_sign_up(browser, app):
    refused = browser.register(email="someone@elsewhere.example")
    assert refused.status_code == 200 and "by invitation" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_registration_does_not_reveal_existing_accounts(browser, app, make_user):
    make.signup_domain(app, "someone@example.com")
    make_user("taken@example.com", password="the owner's passphrase")
    existing = browser.register(email="taken@example.com", password="an attacker's passphrase")
    fresh = browser.register(email="free@example.com", password="an attacker's passphrase")
    assert (existing.status_code, existing.headers["Location"]) == (fresh.status_code, fresh.headers["Location"])
    with app.app_context():  # the existing account is untouched; its owner is told by email
        assert (
            db.session.query(User).filter_by(email="taken@example.com").one().check_password("the owner's passphrase")
        )
    assert make.link_in_mail(app, "taken@example.com", "already-registered") == "/login"


def test_register_rejects_bad_input_and_keeps_what_was_typed(browser):
    response = browser.post(
        "/register", {"name": "Kim", "email": "not-an-email", "password": "short", "confirm": "other", "role": "ops"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Invalid email address" in html and "Use 8 to 256 characters." in html and "do not match" in html
    assert 'value="Kim"' in html


def test_register_refuses_unknown_role(browser):
    response = browser.post(
        "/register",
        {
            "name": "A",
            "email": "a@example.com",
            "password": "a long passphrase",
            "confirm": "a long passphrase",
            "role": "astronaut",
        },
    )
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_login_logout_round_trip(browser, make_user):
    make_user("kim@example.com")
    assert browser.login("kim@example.com", "wrong password").status_code == 200
    response = browser.login("kim@example.com")
    assert response.status_code == 302
    assert browser.get("/progress").status_code == 200
    browser.logout()
    assert browser.get("/progress").status_code == 302


def test_login_gives_same_answer_for_unknown_email_and_wrong_password(browser, make_user):
    make_user("kim@example.com")
    wrong = browser.login("kim@example.com", "nope nope nope").get_data(as_text=True)
    unknown = browser.login("nobody@example.com", "nope nope nope").get_data(as_text=True)
    message = "That email and password do not match an account."
    assert message in wrong and message in unknown


def test_post_without_csrf_token_is_refused(browser, make_user):
    make_user("kim@example.com")
    response = browser.client.post("/login", data={"email": "kim@example.com", "password": "correct horse battery"})
    assert response.status_code == 400
    assert browser.get("/progress").status_code == 302  # not signed in


def test_login_follows_only_local_next(browser, make_user):
    make_user("kim@example.com")
    token = browser.token("/login")
    ok = browser.client.post(
        "/login?next=/progress",
        data={"csrf_token": token, "email": "kim@example.com", "password": "correct horse battery"},
    )
    assert ok.headers["Location"] == "/progress"
    browser.logout()
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        token = browser.token("/login")
        response = browser.client.post(
            f"/login?next={evil}",
            data={"csrf_token": token, "email": "kim@example.com", "password": "correct horse battery"},
        )
        assert response.headers["Location"] == "/", evil
        browser.logout()


def test_logout_requires_post(learner):
    assert learner.get("/logout").status_code == 405
    assert learner.get("/progress").status_code == 200


def test_registration_binds_only_allowlisted_fields(browser, app):
    signup_org = make.signup_domain(app, "m@example.com")
    with make.saved(app):
        other_org = make.organization("Other", "other").id
    browser.post(
        "/register",
        {
            "name": "Mallory",
            "email": "m@example.com",
            "password": "a long passphrase here",
            "confirm": "a long passphrase here",
            "role": "ops",
            "access": "admin",
            "org_id": str(other_org),
            "session_token": "x",
            "active": "0",
        },
    )
    with app.app_context():
        user = db.session.query(User).one()
        assert (user.access, user.org_id, user.active) == ("learner", signup_org, True) and user.session_token != "x"


def test_denied_access_is_logged_without_secrets(learner, caplog):
    assert learner.get("/cohorts/").status_code == 403
    assert "access denied: user=1 endpoint=cohorts.index path=/cohorts/" in caplog.text
