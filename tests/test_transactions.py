"""The request owns the transaction: it commits once after a successful response, and an error
response or an exception leaves nothing written (platform/transactions.py)."""

from __future__ import annotations

import pytest
from flask import Blueprint, abort

from literacy.people.tables import Organization
from literacy.platform.access import allow
from literacy.platform.extensions import db


@pytest.fixture
def probe(app):
    """Routes that write an organisation (flushed, as services do) and then answer in different ways."""
    bp = Blueprint("probe", __name__)

    def write(name: str) -> None:
        db.session.add(Organization(name=name, slug=name))
        db.session.flush()

    @bp.route("/probe/<outcome>", methods=["GET", "POST"])
    @allow("public")
    def answer(outcome: str):
        write(outcome)
        if outcome == "refused":
            return "refused", 400
        if outcome == "missing":
            abort(404)
        if outcome == "crash":
            raise RuntimeError("a bug after the write")
        return "ok", 302 if outcome == "moved" else 200

    app.register_blueprint(bp)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer a crash with the 500 page, as in production
    return app


def saved(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(db.select(Organization.name)))


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_successful_response_commits_what_the_request_wrote(probe, method):
    client = probe.test_client()
    probe.config["WTF_CSRF_ENABLED"] = False
    assert getattr(client, method)("/probe/kept").status_code == 200
    assert getattr(client, method)("/probe/moved").status_code == 302
    assert saved(probe) == ["kept", "moved"]


@pytest.mark.parametrize(("outcome", "status"), [("refused", 400), ("missing", 404), ("crash", 500)])
def test_an_error_response_or_exception_leaves_nothing_written(probe, outcome, status):
    probe.config["WTF_CSRF_ENABLED"] = False
    assert probe.test_client().post(f"/probe/{outcome}").status_code == status
    assert saved(probe) == []


def test_the_closing_commit_skips_expiry_only_for_itself(probe):
    """The request's own commit skips expiring its loaded objects (the request ends there), but only
    for itself: a session that outlives the request, as a test's does, still expires its objects at
    its later commits."""
    with probe.app_context():
        assert probe.test_client().get("/probe/kept").status_code == 200  # runs in this app context's session
        kept = db.session.scalars(db.select(Organization)).one()
        db.session.commit()
        assert "name" not in kept.__dict__  # expired, as SQLAlchemy does by default


def test_the_sync_check_is_kept_per_function_and_bounded(app):
    """Flask's ensure_sync is worked out once per hook or view function; the kept answers stay
    bounded, bound methods are not kept, and a coroutine is still refused or wrapped as Flask
    would, never passed through as if sync."""

    def view():
        return "ok"

    assert app.ensure_sync(view) is view and app.ensure_sync(view) is view

    class PerRequestView:  # a class-based view's bound method is made anew for every request
        # (asked while the store has room, so only the rule can keep it out)
        def dispatch(self):
            return "ok"

    method = PerRequestView().dispatch
    assert app.ensure_sync(method)() == "ok" and method not in app._sync_kept

    for n in range(app.SYNC_KEPT + 50):
        assert app.ensure_sync(lambda n=n: n)() == n
    assert len(app._sync_kept) <= app.SYNC_KEPT

    async def coroutine():
        return "ok"

    for _ in range(2):  # kept or not, the answer is Flask's own
        try:
            wrapped = app.ensure_sync(coroutine)
        except RuntimeError:  # Flask without its async extra refuses a coroutine
            continue
        assert wrapped is not coroutine and wrapped() == "ok"
