"""Demo data: an organisation with teams, learners, a manager and a leader, and history."""

from sqlalchemy import func, select
from support.apps import bare_app

from literacy.learning.tables import Attempt, SkillScore
from literacy.people.tables import Organization, Team, User
from literacy.platform.extensions import db


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(m)) for m in (Organization, Team, User, Attempt, SkillScore)
    )


def test_demo_is_idempotent_and_has_history(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "manager@northbeam.example" in first.output and "leader@northbeam.example" in first.output
    with app.app_context():
        before = counts()
        orgs, teams, users, attempts, scores = before
        assert (orgs, teams) == (1, 1) and users == 3 + 8
        assert attempts > 0 and scores > 0
        assert {u.access for u in db.session.scalars(select(User))} == {"learner", "manager", "leader", "admin"}
        finished = db.session.scalars(select(Attempt).where(Attempt.finished_at.is_not(None))).all()
        assert all(a.outcome in ("strong", "mixed", "poor") for a in finished)
        assert len({a.started_at.date() for a in finished}) > 1  # history spread over time
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert counts() == before


def test_demo_learner_can_sign_in_and_see_history(app, runner, browser):
    runner.invoke(args=["demo"])
    browser.login("ops.3@northbeam.example", "demo-password")
    assert "Tiny course" in browser.get("/").get_data(as_text=True)
    assert browser.get("/progress").status_code == 200


def test_demo_asks_for_the_schema_first(tmp_path):
    result = bare_app(tmp_path).test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 1 and "flask --app app db upgrade" in result.output
