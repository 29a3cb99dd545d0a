"""Shared fixtures: a fresh app and database per test, a browser-like client that sends CSRF tokens."""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from literacy import create_app
from literacy.people.models import User
from literacy.platform.database import create_schema
from literacy.platform.extensions import db

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY = FIXTURES / "tiny"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


# `make test-postgres` sets this to a throwaway PostgreSQL database; otherwise each test gets a SQLite file.
SHARED_DATABASE = os.environ.get("TEST_DATABASE_URL")


def make_app(tmp_path: Path, content_root: Path = TINY, **config):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": SHARED_DATABASE or f"sqlite:///{tmp_path / 'test.sqlite3'}",
            "CONTENT_ROOT": str(content_root),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast tests; test_security checks the real default
            **config,
        }
    )
    with app.app_context():
        if SHARED_DATABASE:  # one server for the run: start every test from empty tables
            db.drop_all()
        create_schema()
    return app


@pytest.fixture
def busy_app(tmp_path):
    """An app whose SQLite writes give up after 100 ms, with a signed-in learner, and ``locked()``:
    a context in which another connection holds the database's write lock."""
    import sqlite3
    from contextlib import contextmanager

    app = make_app(tmp_path, SQLITE_BUSY_TIMEOUT_MS=100)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite locking")

    @contextmanager
    def locked():
        blocker = sqlite3.connect(str(tmp_path / "test.sqlite3"))
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            blocker.rollback()
            blocker.close()

    browser = Browser(app.test_client())
    browser.register()
    browser.login("learner@example.com")
    return app, browser, locked


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # close connections so the next test can drop the tables


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class _Forms(HTMLParser):
    """Collect each form's action and hidden inputs, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", {}))
        elif tag == "input" and attrs.get("type") == "hidden" and self.forms:
            self.forms[-1][1][attrs["name"]] = attrs.get("value", "")


class Browser:
    """A test client that behaves like a person with a browser: it reads the CSRF token from the page."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def token(self, page_url: str) -> str:
        html = self.client.get(page_url).get_data(as_text=True)
        match = TOKEN.search(html)
        assert match, f"no CSRF token on {page_url}"
        return match[1] or match[2]

    def hidden_fields(self, page_url: str, action: str) -> dict[str, str]:
        """The hidden inputs of the first form on ``page_url`` that posts to ``action``."""
        parser = _Forms()
        parser.feed(self.client.get(page_url, follow_redirects=True).get_data(as_text=True))
        for form_action, hidden in parser.forms:
            if form_action in ("", action) and (form_action or page_url == action):
                return hidden
        # An old tab: the form is no longer on the page, but its token is still the session's token.
        tokens = [hidden["csrf_token"] for _, hidden in parser.forms if "csrf_token" in hidden]
        assert tokens, f"no form with a CSRF token on {page_url}"
        return {"csrf_token": tokens[0]}

    def post(self, url, data=None, page=None, **kwargs):
        """Submit the form on ``page`` (default ``url``) that posts to ``url``: its hidden fields, then ``data``."""
        fields = self.hidden_fields(page or url, url)
        fields.update(data or {})
        return self.client.post(url, data=fields, **kwargs)

    def register(self, email="learner@example.com", password="correct horse battery", name="Lee Learner", role="ops"):
        return self.post(
            "/register", {"name": name, "email": email, "password": password, "confirm": password, "role": role}
        )

    def login(self, email, password="correct horse battery"):
        return self.post("/login", {"email": email, "password": password})

    def logout(self):
        return self.post("/logout", page="/")


@pytest.fixture
def browser(app):
    return Browser(app.test_client())


@pytest.fixture
def make_user(app):
    """Create a user directly (fast) with a known password."""

    def make(email="someone@example.com", role="ops", access="learner", password="correct horse battery", **extra):
        with app.app_context():
            user = User(email=email, name=email.split("@")[0], role=role, access=access, **extra)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def learner(browser):
    """A signed-in learner in the tiny 'ops' role, registered through the form."""
    assert browser.register().status_code == 302
    assert browser.login("learner@example.com").status_code == 302
    return browser


@pytest.fixture
def world(app):
    """Two organisations. Org A: a team, an owning manager, a co-manager-to-be, a leader, an admin, learners,
    and a cohort run by the owner. Org B: its own manager and cohort."""
    from datetime import date, timedelta

    from literacy.cohorts.models import Cohort, CohortAssignment, CohortMember
    from literacy.people.models import Organization, Team

    ids = {}
    with app.app_context():
        a, b = Organization(name="Org A", slug="a"), Organization(name="Org B", slug="b")
        db.session.add_all([a, b])
        db.session.flush()
        team_a, team_b = Team(org_id=a.id, name="CRM team", role="ops"), Team(org_id=b.id, name="B team", role="ops")
        db.session.add_all([team_a, team_b])

        def person(key, org, access, email=None):
            user = User(
                email=email or f"{key}@example.com", name=key.capitalize(), role="ops", access=access, org_id=org.id
            )
            user.set_password("correct horse battery")
            db.session.add(user)
            db.session.flush()
            ids[key] = user.id
            return user

        owner = person("owner", a, "manager")
        person("manager2", a, "manager")
        person("leader", a, "leader")
        person("admin", a, "admin")
        learners = [person(f"learner{i}", a, "learner") for i in range(1, 4)]
        for user in learners:
            user.teams.append(team_a)
        other = person("othermanager", b, "manager")
        outsider = person("outsider", b, "learner")
        today = date.today()
        cohort = Cohort(
            org_id=a.id, name="Pilot cohort", starts_on=today - timedelta(days=10), due_on=today + timedelta(days=10)
        )
        cohort.managers.append(owner)
        cohort.assignments.append(CohortAssignment(kind="track", ref=""))
        cohort.members.extend(CohortMember(user_id=u.id) for u in learners)
        cohort_b = Cohort(org_id=b.id, name="Secret B cohort", starts_on=today, due_on=today + timedelta(days=5))
        cohort_b.managers.append(other)
        cohort_b.members.append(CohortMember(user_id=outsider.id))
        db.session.add_all([cohort, cohort_b])
        db.session.commit()
        ids.update(cohort=cohort.id, cohort_b=cohort_b.id, team=team_a.id, team_b=team_b.id, org=a.id)
    return ids
