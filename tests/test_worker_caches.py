"""What each worker remembers between requests to spare work (issue 18): verified session cookies
and signed form tokens. Each must give the answer the full check would."""

from __future__ import annotations

import time

from support import journeys

from literacy.platform import cookie_sessions

SESSION = "session"


def cookie(browser) -> str:
    return browser.client.get_cookie(SESSION).value


def opened(app, value: str, interface=None):
    """The session a request carrying the session cookie ``value`` opens."""
    interface = interface or app.session_interface
    with app.test_request_context("/", headers={"Cookie": f"{SESSION}={value}"}) as context:
        return interface.open_session(app, context.request)


def test_a_remembered_cookie_opens_the_same_session_and_a_change_to_one_stays_in_it(app, learner):
    value = cookie(learner)
    first = opened(app, value)
    assert value in app.session_interface.verified
    first["seen_at"] = 1  # as a request would note activity
    again = opened(app, value)
    verified = opened(app, value, cookie_sessions.RememberedCookieSessions())  # a new worker checks it in full
    assert dict(again) == dict(verified) != dict(first)
    assert "_user_id" in verified


def test_a_tampered_cookie_is_refused_although_the_real_one_is_remembered(app, learner):
    value = cookie(learner)
    assert learner.get("/progress").status_code == 200
    payload, _, signature = value.rpartition(".")
    forged = f"{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    learner.client.set_cookie(SESSION, forged)
    response = learner.get("/progress")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_remembered_cookie_still_ends_with_the_session_lifetime(tmp_path, monkeypatch):
    from support.apps import make_app
    from support.browser import Browser

    app = make_app(tmp_path, PERMANENT_SESSION_LIFETIME=600)
    browser = Browser(app.test_client()).sign_up()
    browser.get("/progress")  # shows, and so drops, the sign-in's messages: the cookie changes
    assert browser.get("/progress").status_code == 200  # and this one is now remembered
    assert cookie(browser) in app.session_interface.verified
    later = cookie_sessions.now() + 601
    monkeypatch.setattr(cookie_sessions, "now", lambda: later)
    response = browser.get("/progress")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_session_holding_a_list_is_verified_every_time(app, learner):
    """Flash messages are a list that the next request changes in place: such a session is never
    kept, so one request's change cannot reach another's copy."""
    response = journeys.choose(learner, journeys.start_scenario(learner), 5, "nowhere", 0)
    value = cookie(learner)  # holds the notice that the choice was out of date
    assert "_flashes" in opened(app, value)
    assert value not in app.session_interface.verified
    notice = "already answered that step"
    assert notice in learner.get(response.headers["Location"]).get_data(as_text=True)
    assert notice not in learner.get(response.headers["Location"]).get_data(as_text=True)  # shown once


def test_pages_of_one_session_carry_one_token_that_forms_accept(app, learner, monkeypatch):
    from itertools import count

    from itsdangerous import TimestampSigner

    # each form token signed ten seconds after the last, so that a token signed anew differs
    seconds, real = count(int(time.time()), 10), TimestampSigner.get_timestamp
    monkeypatch.setattr(
        TimestampSigner,
        "get_timestamp",
        lambda signer: next(seconds) if signer.salt == b"wtf-csrf-token" else real(signer),
    )
    first, second = learner.token("/"), learner.token("/progress")
    assert first == second
    assert first in app.extensions["form_tokens"].values()
    attempt = journeys.start_scenario(learner)  # posts the page's token
    assert learner.token(f"/attempts/{attempt}") == first


def test_a_new_session_gets_a_new_token_and_the_old_one_is_refused(app, learner):
    old = learner.token("/")
    learner.logout()
    learner.sign_in("learner@example.com")
    new = learner.token("/")
    assert new != old
    refused = learner.client.post("/scenarios/ops-send/start", data={"csrf_token": old, "after": 0})
    assert refused.status_code == 400


def test_with_a_time_limit_tokens_are_signed_each_time(tmp_path):
    from support.apps import make_app

    app = make_app(tmp_path, WTF_CSRF_TIME_LIMIT=3600)
    assert "form_tokens" not in app.extensions


def test_a_remembered_cookie_is_refused_once_its_key_is_changed_or_retired(app, learner):
    value = cookie(learner)
    assert "_user_id" in opened(app, value)  # verified and kept
    app.config["SECRET_KEY_FALLBACKS"] = ["test-secret"]
    app.secret_key = "a-new-secret"
    assert "_user_id" in opened(app, value)  # the old key, kept as a fallback, still verifies it
    app.config["SECRET_KEY_FALLBACKS"] = None
    assert dict(opened(app, value)) == {}  # retired: as a full check finds


def test_a_remembered_cookie_signed_in_the_future_is_refused_as_in_full(app, learner, monkeypatch):
    """A clock stepped back: itsdangerous refuses a signature younger than zero, and so does the cache."""
    value = cookie(learner)
    assert "_user_id" in opened(app, value)
    earlier = cookie_sessions.now() - 5
    monkeypatch.setattr(cookie_sessions, "now", lambda: earlier)
    assert dict(opened(app, value)) == {}


def test_after_an_idle_session_ends_the_sign_in_form_works(app, learner, monkeypatch):
    """The ended session's secret is gone, so the sign-in page that follows signs a new token, which
    the sign-in form then accepts."""
    from literacy.people import sessions

    later = sessions.now_seconds() + 9 * 3600  # past the 8 hours a learner may be idle
    assert learner.token("/")
    monkeypatch.setattr(sessions, "now_seconds", lambda: later)
    ended = learner.get("/progress")
    assert ended.status_code == 302 and "/login" in ended.headers["Location"]
    learner.sign_in("learner@example.com")
    assert learner.get("/progress").status_code == 200
