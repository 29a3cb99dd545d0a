"""Headers, health, password storage, sessions that end, and sign-in throttling."""

from __future__ import annotations

from support import make
from support.apps import app_for, make_app

from literacy.people.tables import User
from literacy.platform.extensions import db
from literacy.platform.settings import from_environment

CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"


def test_security_headers_on_every_response(browser):
    for response in (
        browser.get("/"),
        browser.get("/login"),
        browser.get("/nowhere"),
        browser.get("/static/style.css"),
    ):
        assert response.headers["Content-Security-Policy"] == CSP
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" not in browser.get("/login").headers.get("Cache-Control", "")
    assert "Strict-Transport-Security" not in browser.get("/").headers


def test_signed_in_pages_are_not_cached(learner):
    assert learner.get("/progress").headers["Cache-Control"] == "no-store"


def test_production_sends_hsts_and_refuses_unknown_hosts(tmp_path, monkeypatch):
    monkeypatch.setenv("LITERACY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("TRUSTED_HOSTS", "localhost")
    client = make_app(tmp_path).test_client()
    assert client.get("/").headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_common_and_short_passwords_are_refused_long_ones_accepted(app, browser):
    make.signup_domain(app, "a@example.com")
    common = browser.register(email="a@example.com", password="qwerty123")
    assert "one of the most common passwords" in common.get_data(as_text=True)
    assert "Use 8 to 256 characters." in browser.register(email="b@example.com", password="Zq9!x").get_data(
        as_text=True
    )
    long_one = "correct horse battery staple " * 8  # 232 characters, no composition rules
    assert browser.register(email="c@example.com", password=long_one).status_code == 302


def test_no_inline_script_or_style_in_pages(learner):
    for url in ("/", "/lessons/first", "/progress", "/scenarios/ops-send"):
        html = learner.get(url).get_data(as_text=True)
        assert "<script" not in html and " style=" not in html and " onclick=" not in html


def test_health_checks_the_database(app, tmp_path):
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}
    unreachable = app_for(f"sqlite:///{tmp_path}/no-such-folder/x.sqlite3")
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["database"] == "unreachable"


def test_default_password_hash_is_pbkdf2_with_600000_iterations(tmp_path, app):
    assert from_environment(str(tmp_path))["PASSWORD_HASH_METHOD"] == "pbkdf2:sha256:600000"
    with app.app_context():
        app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:600000"
        user = User(email="h@example.com", name="H", role="ops")
        user.set_password("a long passphrase")
        assert user.password_hash.startswith("pbkdf2:sha256:600000$") and user.check_password("a long passphrase")


def test_cookie_copied_before_logout_stops_working(browser, make_user):
    make_user("kim@example.com")
    browser.login("kim@example.com")
    stolen = browser.client.get_cookie("session").value
    browser.logout()
    thief = browser.client.application.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/progress").status_code == 302


def test_password_change_and_disabling_end_sessions(app, browser, make_user):
    uid = make_user("kim@example.com")
    browser.login("kim@example.com")
    assert browser.get("/progress").status_code == 200
    with app.app_context():
        db.session.get(User, uid).set_password("a new long passphrase")
        db.session.commit()
    assert browser.get("/progress").status_code == 302
    browser.login("kim@example.com", "a new long passphrase")
    with app.app_context():
        db.session.get(User, uid).active = False
        db.session.commit()
    assert browser.get("/progress").status_code == 302
    assert browser.login("kim@example.com", "a new long passphrase").status_code == 200  # refused, same message


def test_remember_cookie_lasts_no_longer_than_the_idle_limit(tmp_path):
    config = from_environment(str(tmp_path))
    assert config["REMEMBER_COOKIE_DURATION"].total_seconds() == config["SESSION_IDLE_MINUTES"] * 60 == 8 * 3600


def test_account_throttled_after_five_failures(browser, make_user, caplog):
    make_user("kim@example.com")
    make_user("lee@example.com")
    for _ in range(5):
        assert browser.login("kim@example.com", "wrong guess!").status_code == 200
    assert "correct horse battery" not in caplog.text and "login failed: email=kim@example.com" in caplog.text
    blocked = browser.login("kim@example.com")  # even the right password waits
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.get_data(as_text=True)
    assert browser.login("lee@example.com").status_code == 302  # other accounts are unaffected


def test_unknown_accounts_are_throttled_the_same_way(browser):
    for _ in range(5):
        browser.login("ghost@example.com", "guess")
    assert browser.login("ghost@example.com", "guess").status_code == 429


def test_address_throttled_across_accounts(app, browser, make_user):
    make_user("kim@example.com")
    app.config["LOGIN_LIMIT_ADDRESS"] = 6
    for i in range(6):
        browser.login(f"spray{i}@example.com", "guess")
    assert browser.login("kim@example.com").status_code == 429
