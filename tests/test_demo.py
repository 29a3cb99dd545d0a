"""Demo data: an organisation with teams, learners, a manager and a leader, and history."""

from sqlalchemy import func, select
from support.apps import bare_app, make_app
from support.paths import ROOT

from literacy.learning.tables import Attempt, SkillScore
from literacy.people.tables import Organization, Team, User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db
from literacy.workflows import queries, readiness
from literacy.workflows.tables import Workflow


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


def test_the_shipped_demo_registry_has_workflows_in_every_stage_and_state(tmp_path):
    app = make_app(tmp_path, ROOT)
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        org = db.session.scalar(select(Organization))
        entries = queries.assess(app.extensions["catalogue"], queries.in_organisation(org.id), utcnow())
        stages = {e.workflow.stage for e in entries}
        figures = readiness.figures((e.assessed for e in entries), utcnow().date())
        assert len(entries) >= 8 and stages == set(readiness.STAGES)
        assert figures.production >= 3 and figures.production_ready < figures.production  # something to fix
        assert figures.sprawl >= 1 and figures.without_owner >= 1 and figures.overdue_reviews >= 1
        assert db.session.scalar(select(func.count()).select_from(Workflow).where(Workflow.kind == "")) == 0
