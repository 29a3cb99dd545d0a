"""What a hostile tester found (issue 12): each test failed before its fix."""

from __future__ import annotations

import io
import logging
from datetime import datetime, timedelta

import pytest
from support import journeys, make
from support.browser import Browser

from literacy.platform.access import safe_next

HUGE = 2**64 + 5


@pytest.mark.parametrize(
    "url",
    [
        f"/attempts/{HUGE}",
        f"/attempts/{HUGE}/debrief",
        f"/attempts/1/steps/{HUGE}",
        f"/cohorts/{HUGE}",
        f"/cohorts/1/learners/{HUGE}",
        f"/insights/learners/{HUGE}",
        f"/progress/statements.json?x={HUGE}",
    ],
)
def test_ids_too_large_for_the_database_are_not_found_not_a_crash(app, world, url):
    """Item 13: an id of 2^64 or more used to raise OverflowError in the database driver (500)."""
    admin = journeys.signed_in(app, "admin@example.com")
    assert admin.get(url).status_code in (200, 404)


def test_a_huge_step_or_choice_in_a_form_is_refused_cleanly(app, learner):
    attempt = journeys.start_scenario(learner)
    for fields in ({"step": HUGE, "node": "queue", "choice": 0}, {"step": 0, "node": "queue", "choice": HUGE}):
        response = learner.post(f"/attempts/{attempt}/choose", fields, page=f"/attempts/{attempt}")
        assert response.status_code in (302, 400)
    after = learner.post("/scenarios/ops-send/start", {"after": HUGE}, page="/scenarios/ops-send")
    assert after.status_code in (302, 400)


def test_a_digit_that_is_not_a_number_in_a_check_answer_is_refused(app, learner):
    """Item 14: "²".isdigit() is true, and int("²") raised."""
    response = learner.post("/lessons/first/check", {"q0": "²"}, page="/lessons/first")
    assert response.status_code == 400


@pytest.mark.parametrize("target", ["/\r\n//evil.example", "/%0d%0a", "/ok\x00", "/\t//evil.example", "/a\x7f"])
def test_control_characters_never_pass_the_next_check(target):
    """Item 17: CR and LF passed the check and the redirect raised."""
    assert safe_next(target) is None or not any(ord(c) < 32 or ord(c) == 127 for c in safe_next(target))


def test_login_with_a_crlf_next_redirects_home(app, make_user):
    make_user("someone@example.com")
    browser = Browser(app.test_client())
    response = browser.post(
        "/login?next=%2F%0D%0A%2F%2Fevil.example",
        {"email": "someone@example.com", "password": "correct horse battery"},
        page="/login",
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_invitation_tokens_never_reach_the_logs(app, world, caplog):
    """Item 10: the invitation link (which sets a password) was logged in clear."""
    manager = journeys.signed_in(app, "owner@example.com")
    with caplog.at_level(logging.INFO):
        page = manager.post(
            f"/cohorts/{world['cohort']}/roster",
            {"email": "new.person@example.com", "name": "New Person", "role": "ops", "team": str(world["team"])},
        )
        shown = manager.get(page.headers["Location"]).get_data(as_text=True)
    token = shown.split("/invite/")[1].split('"')[0].split("<")[0].split(" ")[0]
    assert len(token) > 20
    assert not any(token in record.getMessage() for record in caplog.records)
    assert any("invitation created" in record.getMessage() for record in caplog.records)


def test_the_busy_page_never_echoes_a_password_and_is_not_cached(busy_app):
    """Item 9: the 503 page put the typed password into a hidden field, and could be cached."""
    _, browser, locked = busy_app
    browser.logout()
    with locked():
        response = browser.post("/login", {"email": "learner@example.com", "password": "a-secret-typed-here"})
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "a-secret-typed-here" not in html
    assert response.headers["Cache-Control"] == "no-store"


SPOOF = "Lee\u202eredaeL\u200b\u2066x\u2069\ufeff"  # right-to-left override, zero-width space, isolates, BOM


def test_bidi_controls_and_zero_width_characters_are_stripped_from_names(app, browser):
    """Item 12: a right-to-left override in a name could spoof what a manager sees."""
    make.signup_domain(app, "spoof@example.com")
    browser.register(email="spoof@example.com", name=SPOOF)
    with app.app_context():
        from literacy.people.tables import User
        from literacy.platform.extensions import db

        name = db.session.scalar(db.select(User.name).where(User.email == "spoof@example.com"))
    assert name == "LeeredaeLx"


def test_bidi_controls_are_stripped_from_roster_names():
    from literacy.cohorts import roster

    parsed = roster.parse(
        f"email,name,role,team\nr@example.com,{SPOOF},ops,crm\n".encode(), "r.csv", roles={"ops"}, teams={"crm"}
    )
    assert [row.name for row in parsed.rows] == ["LeeredaeLx"]


def parallel_posts(app, browser, url, page, fields, count=10):
    """``count`` simultaneous submits of the same form, as from several tabs: their status codes."""
    from concurrent.futures import ThreadPoolExecutor

    data = {**browser.hidden_fields(page, url), **fields}
    cookie = browser.client.get_cookie("session").value

    def submit(_):
        client = app.test_client()
        client.set_cookie("session", cookie)
        return client.post(url, data=data).status_code

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(submit, range(count)))


def test_parallel_first_answers_to_a_check_answer_once_each(app, learner):
    """Item 15: 4-5 of 10 parallel first answers got a 500 (the unique constraint was not handled)."""
    from literacy.learning.tables import CheckAnswer
    from literacy.platform.extensions import db

    statuses = parallel_posts(app, learner, "/lessons/first/check", "/lessons/first", {"q0": "1"})
    assert set(statuses) == {302}, statuses
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CheckAnswer)) == 1


def test_parallel_start_clicks_on_one_page_start_one_attempt(app, learner):
    """Item 16: ten parallel "Start" clicks created 4 to 10 attempts."""
    from literacy.learning.tables import Attempt
    from literacy.platform.extensions import db

    statuses = parallel_posts(app, learner, "/scenarios/ops-send/start", "/scenarios/ops-send", {})
    assert set(statuses) == {302}, statuses
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Attempt)) == 1


def other_team_learner(app, world):
    """A team the owner does not manage, with a learner in it; ids of (team, learner)."""
    from support import make

    with make.saved(app):
        team = make.team(world["org"], "Lifecycle marketing team", role="ops")
        person = make.user("lifecycle.person@example.com", org=world["org"], teams=[team])
        return team.id, person.id


def teams_of(app, user_id) -> list[str]:
    from literacy.people.tables import User
    from literacy.platform.extensions import db

    with app.app_context():
        return sorted(t.name for t in db.session.get(User, user_id).teams)


def test_a_roster_import_never_widens_a_managers_team_scope(app, world):
    """Item 1: importing one's own email with another team put the manager in that team, and a row for
    another team's learner moved them into the manager's team."""
    _, person = other_team_learner(app, world)
    owner = journeys.signed_in(app, "owner@example.com")
    own_row = b"email,name,role,team\nowner@example.com,Owner,ops,Lifecycle marketing team\n"
    journeys.upload_roster(owner, world["cohort"], own_row)
    assert teams_of(app, world["owner"]) == ["CRM team"]
    assert owner.get(f"/insights/learners/{person}").status_code == 404
    their_row = b"email,name,role,team\nlifecycle.person@example.com,L,ops,CRM team\n"
    refused = journeys.upload_roster(owner, world["cohort"], their_row)
    assert refused.status_code == 400 and "is not in one of your teams" in refused.get_data(as_text=True)
    assert teams_of(app, person) == ["Lifecycle marketing team"]


def test_a_manager_cannot_add_a_colleague_outside_their_teams_to_read_their_history(app, world):
    """Item 2: adding any colleague by email to a cohort opened their history to the manager."""
    _, person = other_team_learner(app, world)
    owner = journeys.signed_in(app, "owner@example.com")
    added = owner.post(f"/cohorts/{world['cohort']}/roster", {"email": "lifecycle.person@example.com"})
    assert added.status_code == 400
    assert owner.get(f"/cohorts/{world['cohort']}/learners/{person}").status_code == 404
    admin = journeys.signed_in(app, "admin@example.com")  # an admin may add anyone of the organisation
    assert (
        admin.post(f"/cohorts/{world['cohort']}/roster", {"email": "lifecycle.person@example.com"}).status_code == 302
    )


def test_unknown_and_foreign_emails_get_the_same_answer(app, world):
    """Item 3: "belongs to another organisation" told a manager the address had an account elsewhere."""
    owner = journeys.signed_in(app, "owner@example.com")
    answers = [
        owner.post(f"/cohorts/{world['cohort']}/roster", {"email": email}).get_data(as_text=True)
        for email in ("outsider@example.com", "nobody.at.all@example.com")
    ]
    errors = [html.split('class="error"')[1].split("</")[0] for html in answers]
    assert errors[0] == errors[1] and "organisation" not in errors[0]


@pytest.mark.parametrize(("proxies", "second_client_blocked"), [(0, True), (1, False)])
def test_sign_in_throttling_behind_a_proxy_counts_each_client(tmp_path, proxies, second_client_blocked):
    """Item 6: without ProxyFix every client behind the proxy shared one address, so one client's
    failures locked out everyone; TRUSTED_PROXIES=1 believes the proxy's X-Forwarded-For."""
    from support.apps import make_app

    app = make_app(tmp_path, TRUSTED_PROXIES=proxies, LOGIN_LIMIT_ADDRESS=3, LOGIN_LIMIT_ACCOUNT=100)

    def attempt(client_address: str, email: str) -> int:
        browser = Browser(app.test_client())
        fields = {**browser.hidden_fields("/login", "/login"), "email": email, "password": "wrong password here"}
        return browser.client.post("/login", data=fields, headers={"X-Forwarded-For": client_address}).status_code

    assert [attempt("203.0.113.7", f"guess{i}@example.com") for i in range(3)] == [200, 200, 200]
    assert attempt("203.0.113.7", "guess4@example.com") == 429
    assert (attempt("198.51.100.20", "someone@example.com") == 429) is second_client_blocked


def test_a_wrong_password_costs_the_same_for_unknown_and_existing_accounts(tmp_path):
    """Item 4: a wrong password took 117-141 ms for an existing account and 4-7 ms for an unknown email,
    which told an attacker which accounts exist. With a deliberately slow hash the gap is plain."""
    import time

    from support import make
    from support.apps import make_app

    app = make_app(
        tmp_path, PASSWORD_HASH_METHOD="pbkdf2:sha256:300000", LOGIN_LIMIT_ACCOUNT=100, LOGIN_LIMIT_ADDRESS=100
    )
    with make.saved(app):
        make.user("real@example.com")
        make.user("invited@example.com", password=None)  # no password yet

    def seconds(email: str) -> float:
        browser = Browser(app.test_client())
        fields = {**browser.hidden_fields("/login", "/login"), "email": email, "password": "wrong password here"}
        started = time.perf_counter()
        assert browser.client.post("/login", data=fields).status_code == 200
        return time.perf_counter() - started

    existing = min(seconds("real@example.com") for _ in range(3))
    for email in ("nobody@example.com", "invited@example.com"):
        assert min(seconds(email) for _ in range(3)) > 0.6 * existing, email


def test_registration_is_limited_per_address(tmp_path):
    """Item 8: there was no limit: 8 sign-ups a second were accepted, each about 120 ms of hashing."""
    from support.apps import make_app

    app = make_app(tmp_path, REGISTER_LIMIT_ADDRESS=3)
    make.signup_domain(app, "p0@example.com")

    def register(address: str, n: int):
        browser = Browser(app.test_client())
        fields = {**browser.hidden_fields("/register", "/register"), "name": f"P{n}", "email": f"p{n}@example.com"}
        fields.update(password="correct horse battery", confirm="correct horse battery", role="ops")
        return browser.client.post("/register", data=fields, environ_base={"REMOTE_ADDR": address})

    assert [register("203.0.113.7", n).status_code for n in range(3)] == [302, 302, 302]
    refused = register("203.0.113.7", 3)
    assert refused.status_code == 429 and "Too many new accounts" in refused.get_data(as_text=True)
    assert register("198.51.100.20", 4).status_code == 302


def test_parallel_add_learner_posts_for_a_new_email_invite_once(app, world):
    """Item 15: ten parallel add-learner posts for a new email gave 1 to 4 answers of 500."""
    from literacy.people.tables import User
    from literacy.platform.extensions import db

    owner = journeys.signed_in(app, "owner@example.com")
    roster = f"/cohorts/{world['cohort']}/roster"
    fields = {"email": "racer@example.com", "name": "Racer", "role": "ops", "team": str(world["team"])}
    statuses = parallel_posts(app, owner, roster, roster, fields)
    assert set(statuses) == {302}, statuses
    with app.app_context():
        assert (
            db.session.scalar(db.select(db.func.count()).select_from(User).where(User.email == "racer@example.com"))
            == 1
        )


def test_racing_roster_imports_answer_cleanly(app, world):
    """Item 15: two racing imports of the same new people: one answered 500."""
    owner = journeys.signed_in(app, "owner@example.com")
    data = b"email,name,role,team\n" + b"".join(f"r{i}@example.com,R{i},ops,CRM team\n".encode() for i in range(20))
    url, page = f"/cohorts/{world['cohort']}/import", f"/cohorts/{world['cohort']}/roster"
    from concurrent.futures import ThreadPoolExecutor

    fields = owner.hidden_fields(page, url)
    cookie = owner.client.get_cookie("session").value

    def upload(_):
        client = app.test_client()
        client.set_cookie("session", cookie)
        return client.post(url, data={**fields, "file": (io.BytesIO(data), "r.csv")}).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(upload, range(4)))
    assert set(statuses) == {200}, statuses


def test_hardening_headers_and_cookies(app, browser):
    """Hardening: Permissions-Policy, Cross-Origin-Opener-Policy and -Resource-Policy on every page;
    the invitation page (which sets a password) is never cached; the remember cookie is SameSite."""
    page = browser.get("/login")
    assert page.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=()"
    assert page.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert page.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    assert browser.get("/invite/not-a-token").headers["Cache-Control"] == "no-store"
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_gunicorn_binds_to_loopback_unless_told_otherwise(monkeypatch):
    import importlib

    monkeypatch.delenv("BIND", raising=False)
    import literacy.gunicorn_conf as conf

    assert importlib.reload(conf).bind == "127.0.0.1:8000"


def sign_in_from(app, address: str, email: str, password: str, client=None):
    """A sign-in from the client address ``address``, in a browser of its own unless ``client`` is given."""
    browser = Browser(client or app.test_client())
    fields = {**browser.hidden_fields("/login", "/login"), "email": email, "password": password}
    return browser.client.post("/login", data=fields, environ_base={"REMOTE_ADDR": address})


class Clock:
    """The throttle's clock, moved by hand."""

    def __init__(self, monkeypatch):
        from literacy.people import throttle

        self.now = datetime(2026, 12, 1, 9, 0, 0)
        monkeypatch.setattr(throttle, "utcnow", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(app, make_user):
    """Item 5: five wrong passwords from anywhere gave the real owner 429 for 15 minutes."""
    from support import PASSWORD

    make_user("kim@example.com")
    guesses = [sign_in_from(app, "203.0.113.7", "kim@example.com", f"guess {i}!").status_code for i in range(6)]
    assert guesses == [200] * 5 + [429]
    assert sign_in_from(app, "203.0.113.7", "kim@example.com", PASSWORD).status_code == 429  # that client waits
    assert sign_in_from(app, "198.51.100.20", "kim@example.com", PASSWORD).status_code == 302  # the owner does not


def test_guesses_from_many_addresses_meet_growing_delays(app, make_user, monkeypatch):
    """Item 5: across addresses the account is not locked; each guess after the tenth waits twice as long
    as the one before (1, 2, 4 ... seconds, at most a minute), so no more than 100 guesses an hour get through."""
    make_user("kim@example.com")
    clock = Clock(monkeypatch)
    addresses = (f"198.51.100.{n}" for n in range(1, 250))
    for i in range(10):
        assert sign_in_from(app, next(addresses), "kim@example.com", f"guess {i}!").status_code == 200
    waits = []
    for i in range(4):
        refused = sign_in_from(app, next(addresses), "kim@example.com", "another guess")
        assert refused.status_code == 429 and "Too many failed sign-ins" in refused.get_data(as_text=True)
        waits.append(int(refused.headers["Retry-After"]))
        clock.advance(waits[-1])
        assert sign_in_from(app, next(addresses), "kim@example.com", f"guess {i}?").status_code == 200
    assert waits == [1, 2, 4, 8]

    checked, started = 14, clock.now  # an attacker with endless addresses, retrying the moment it may
    while clock.now - started < timedelta(hours=1):
        answer = sign_in_from(app, next(addresses, "192.0.2.1"), "kim@example.com", "yet another guess")
        if answer.status_code == 200:
            checked += 1
            continue
        assert int(answer.headers["Retry-After"]) <= 60
        clock.advance(int(answer.headers["Retry-After"]))
    assert checked <= 100, checked


def test_a_trusted_device_signs_in_while_the_account_is_under_attack(app, make_user, monkeypatch):
    """Item 5: a browser that signed in to the account before carries a signed device cookie; the
    delays that guesses from elsewhere cause do not apply to it (OWASP's device cookies)."""
    from support import PASSWORD

    make_user("kim@example.com")
    Clock(monkeypatch)
    owner = app.test_client()
    assert sign_in_from(app, "198.51.100.20", "kim@example.com", PASSWORD, client=owner).status_code == 302
    assert owner.get_cookie("device") is not None
    owner.post("/logout", data=Browser(owner).hidden_fields("/", "/logout"))
    for i in range(12):
        sign_in_from(app, f"203.0.113.{i}", "kim@example.com", f"guess {i}!")
    assert sign_in_from(app, "203.0.113.99", "kim@example.com", PASSWORD).status_code == 429  # a stranger waits
    assert sign_in_from(app, "192.0.2.44", "kim@example.com", PASSWORD, client=owner).status_code == 302

    owner.post("/logout", data=Browser(owner).hidden_fields("/", "/logout"))
    mistakes = [sign_in_from(app, "192.0.2.44", "kim@example.com", "oops!", client=owner).status_code for _ in range(6)]
    assert mistakes == [200] * 5 + [429]  # the device itself has the usual limit


def test_a_forged_device_cookie_is_ignored(app, make_user, monkeypatch):
    from support import PASSWORD

    make_user("kim@example.com")
    Clock(monkeypatch)
    for i in range(12):
        sign_in_from(app, f"203.0.113.{i}", "kim@example.com", f"guess {i}!")
    forger = app.test_client()
    forger.set_cookie("device", "eyJ1IjoxLCJuIjoiYWFhYSJ9.forged.signature")
    assert sign_in_from(app, "192.0.2.44", "kim@example.com", PASSWORD, client=forger).status_code == 429


def test_parallel_guesses_against_one_account_are_counted_before_checking(app, make_user):
    """Item 7: 20 simultaneous guesses against one account had 8 to 19 of them checked."""
    from concurrent.futures import ThreadPoolExecutor

    make_user("kim@example.com")
    browsers = [Browser(app.test_client()) for _ in range(20)]
    forms = [browser.hidden_fields("/login", "/login") for browser in browsers]

    def guess(i: int) -> int:
        data = {**forms[i], "email": "kim@example.com", "password": f"guess {i}!"}
        return browsers[i].client.post("/login", data=data, environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(guess, range(20)))
    assert sorted(statuses) == [200] * 5 + [429] * 15, statuses


def test_the_password_is_checked_without_holding_the_database_write_lock(app, make_user, monkeypatch):
    """On SQLite the account's lock is the database's write lock: held through the slow hash, every
    other request's write waited for each sign-in (about 200 ms each with 50 people signing in)."""
    import sqlite3

    from support import PASSWORD

    from literacy.people.tables import User
    from literacy.platform.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL locks the one account, not the database")
        path = db.engine.url.database
    make_user("kim@example.com")
    check, writes = User.check_password, []

    def check_while_another_request_writes(user, password):
        with sqlite3.connect(path, timeout=0) as other:  # no waiting: the write goes now or fails
            try:
                other.execute("UPDATE users SET order_seed = order_seed WHERE id = ?", (user.id,))
                writes.append("written")
            except sqlite3.OperationalError as error:
                writes.append(str(error))
        return check(user, password)

    monkeypatch.setattr(User, "check_password", check_while_another_request_writes)
    assert sign_in_from(app, "203.0.113.7", "kim@example.com", "a wrong guess!").status_code == 200
    assert sign_in_from(app, "203.0.113.7", "kim@example.com", PASSWORD).status_code == 302
    assert writes == ["written", "written"]


def test_old_throttle_records_are_pruned(app, make_user, monkeypatch):
    """Hardening: failed sign-ins older than the window were kept for ever."""
    from literacy.people.tables import LoginFailure
    from literacy.platform.extensions import db

    clock = Clock(monkeypatch)
    for i in range(3):
        sign_in_from(app, "203.0.113.7", f"guess{i}@example.com", "guess!")
    clock.advance(61 * 60)  # records are kept for an hour (the longest window), then pruned
    sign_in_from(app, "203.0.113.8", "someone@example.com", "guess!")
    with app.app_context():
        keys = db.session.scalars(db.select(LoginFailure.key)).all()
    assert keys and all("203.0.113.8" in key or "someone@" in key for key in keys), keys


@pytest.mark.parametrize(
    "password",
    ["kim.lee@example.com!", "KIM.LEE is my password", "kimberly-lee-2026", "I am Kimberly", "leeward kimberly"],
)
def test_a_password_with_the_accounts_email_or_name_is_refused(password):
    """Hardening: a password made of the account's own email or name was accepted."""
    from literacy.people.passwords import problem

    assert "email address or your name" in problem(password, email="kim.lee@example.com", name="Kimberly Lee")


def test_a_password_sharing_only_short_name_parts_is_accepted():
    from literacy.people.passwords import problem

    assert problem("a lee shore in kimchi season", email="kl@example.com", name="Kim Lee") is None


def test_registration_and_invitations_refuse_a_password_with_the_email_or_name(app, world):
    browser = Browser(app.test_client())
    response = browser.register("kimberly@example.com", "kimberly rocks on", name="Kimberly Lee")
    assert response.status_code == 200 and "does not contain your email address or your name" in response.get_data(
        as_text=True
    )
    owner = journeys.signed_in(app, "owner@example.com")
    page = owner.post(
        f"/cohorts/{world['cohort']}/roster",
        {"email": "newbie@example.com", "name": "Harriet Newbie", "role": "ops", "team": str(world["team"])},
    )
    shown = owner.get(page.headers["Location"]).get_data(as_text=True)
    token = shown.split("/invite/")[1].split('"')[0].split("<")[0].split(" ")[0]
    invited = Browser(app.test_client())
    typed = {"password": "harriet's secret", "confirm": "harriet's secret"}
    refused = invited.post(f"/invite/{token}", typed, page=f"/invite/{token}")
    assert refused.status_code == 200 and "does not contain your email" in refused.get_data(as_text=True)


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(app, world):
    """Hardening: there was no way to change a password from settings."""
    from support import PASSWORD

    laptop = journeys.signed_in(app, "learner1@example.com")
    phone = journeys.signed_in(app, "learner1@example.com")
    new = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    wrong = laptop.post("/settings/password", {"current": "not my password", **new}, page="/settings")
    assert wrong.status_code == 200 and "not your current password" in wrong.get_data(as_text=True)
    changed = laptop.post("/settings/password", {"current": PASSWORD, **new}, page="/settings")
    assert changed.status_code == 302
    assert laptop.get("/progress").status_code == 200  # this session goes on
    assert phone.get("/progress").status_code == 302  # the other one has ended
    assert Browser(app.test_client()).login("learner1@example.com", PASSWORD).status_code == 200  # refused
    journeys.signed_in(app, "learner1@example.com", "a brand new passphrase")


def test_wrong_current_passwords_count_as_failed_sign_ins(app, world):
    browser = journeys.signed_in(app, "learner1@example.com")
    new = {"password": "a brand new passphrase", "confirm": "a brand new passphrase"}
    answers = [
        browser.post("/settings/password", {"current": f"guess {i}!", **new}, page="/settings").status_code
        for i in range(6)
    ]
    assert answers == [200] * 5 + [429]
