"""Sessions end after inactivity (30 minutes for admins, 8 hours for others) and 12 hours after
signing in however active (issue 12, hardening); each test failed before sessions had limits."""

from __future__ import annotations

import pytest
from support import PASSWORD, journeys
from support.browser import Browser

from literacy.people import sessions


class SessionClock:
    """The sessions' clock, moved by hand."""

    def __init__(self, monkeypatch):
        self.now = 1_800_000_000
        monkeypatch.setattr(sessions, "now_seconds", lambda: self.now)

    def advance(self, minutes: float) -> None:
        self.now += int(minutes * 60)


@pytest.fixture
def clock(monkeypatch):
    return SessionClock(monkeypatch)


def signed_out(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(("email", "idle_minutes"), [("admin@example.com", 30), ("learner1@example.com", 8 * 60)])
def test_an_idle_session_ends_after_its_access_level_allows(app, world, clock, email, idle_minutes):
    browser = journeys.signed_in(app, email)
    clock.advance(idle_minutes - 1)
    assert browser.get("/progress").status_code == 200
    browser = journeys.signed_in(app, email)
    clock.advance(idle_minutes + 1)
    ended = browser.get("/progress")
    assert signed_out(ended) and ended.headers["Location"].endswith("next=/progress")
    page = browser.get(ended.headers["Location"]).get_data(as_text=True)
    assert "signed out after" in page and "without activity" in page
    assert signed_out(browser.get("/progress"))  # and it stays ended


def test_activity_keeps_an_admin_signed_in(app, world, clock):
    browser = journeys.signed_in(app, "admin@example.com")
    for _ in range(4):
        clock.advance(29)
        assert browser.get("/progress").status_code == 200  # two hours in, never 30 minutes idle


def test_a_session_ends_twelve_hours_after_sign_in_however_active(app, world, clock):
    browser = journeys.signed_in(app, "learner1@example.com")
    for _ in range(7):
        clock.advance(100)
        assert browser.get("/progress").status_code == 200  # 11 h 40 min in, active throughout
    clock.advance(25)
    ended = browser.get("/progress")
    assert signed_out(ended)
    assert "Your session has ended" in browser.get("/login").get_data(as_text=True)
    browser.sign_in("learner1@example.com")  # a new sign-in starts a new lifetime
    assert browser.get("/progress").status_code == 200


def test_remember_me_survives_a_browser_restart_but_not_the_lifetime(app, world, clock):
    browser = Browser(app.test_client())
    fields = {"email": "learner1@example.com", "password": PASSWORD, "remember": "y"}
    assert browser.post("/login", fields).status_code == 302
    copied = browser.client.get_cookie("remember_token").value

    browser.client.delete_cookie("session")  # the browser restarts: the session cookie is gone
    clock.advance(60)
    assert browser.get("/progress").status_code == 200

    replay = app.test_client()  # the remember cookie, copied and replayed after the lifetime
    replay.set_cookie("remember_token", copied)
    assert replay.get("/progress").status_code == 200
    clock.advance(12 * 60)
    assert signed_out(replay.get("/progress"))


def test_the_remember_cookie_expires_after_the_idle_limit(app, world, clock):
    from datetime import UTC, datetime

    browser = Browser(app.test_client())
    browser.post("/login", {"email": "admin@example.com", "password": PASSWORD, "remember": "y"})
    cookie = browser.client.get_cookie("remember_token")
    lasts = cookie.expires.replace(tzinfo=UTC) - datetime.now(UTC)
    assert 25 * 60 < lasts.total_seconds() <= 30 * 60  # an admin's idle limit, not days
