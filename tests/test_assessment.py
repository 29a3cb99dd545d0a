"""Assessed and practice attempts: the first attempt counts, replays are practice and never replace
it, an abandoned assessed attempt waits to be resumed, and a cool-down opens a new assessed one."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from support import POOR, STRONG, journeys

from literacy.insights.tables import Evidence
from literacy.learning.assessment import ASSESSED, PRACTICE, PastAttempt, next_attempt
from literacy.learning.tables import Attempt
from literacy.platform.extensions import db

NOW = datetime(2026, 12, 1, 9, 0)


def past(id, kind=ASSESSED, version="v1", days_ago=10, finished=True):
    started = NOW - timedelta(days=days_ago)
    return PastAttempt(id, kind, version, started, started + timedelta(minutes=12) if finished else None)


def test_the_first_attempt_is_assessed():
    assert next_attempt([], "v1", NOW, 30).kind == ASSESSED


def test_starting_again_before_finishing_the_assessed_attempt_is_practice_and_keeps_it_to_resume():
    plan = next_attempt([past(1, finished=False)], "v1", NOW, 30)
    assert plan.kind == PRACTICE and plan.resume == 1


def test_a_changed_scenario_makes_the_first_attempt_on_the_new_version_assessed():
    plan = next_attempt([past(1, version="v0", finished=False)], "v1", NOW, 30)
    assert plan.kind == ASSESSED and plan.resume is None


def test_replays_within_the_cool_down_are_practice_and_say_when_it_ends():
    history = [past(1, days_ago=10), past(2, PRACTICE, days_ago=2)]
    plan = next_attempt(history, "v1", NOW, 30)
    assert plan.kind == PRACTICE
    assert plan.assessed_again_on == history[0].finished_at + timedelta(days=30)
    assert plan.assessed_again_on.strftime("%d %B %Y") in plan.reason


def test_after_the_cool_down_the_next_attempt_is_assessed_again():
    assert next_attempt([past(1, days_ago=31), past(2, PRACTICE, days_ago=20)], "v1", NOW, 30).kind == ASSESSED
    assert next_attempt([past(1, days_ago=29)], "v1", NOW, 30).kind == PRACTICE


def evidence(app) -> dict[str, int]:
    with app.app_context():
        return dict(db.session.execute(db.select(Evidence.skill_id, Evidence.score)).all())


def kinds(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(Attempt.kind).order_by(Attempt.id)))


def test_a_practice_replay_never_replaces_the_assessed_result(app, learner):
    journeys.play(learner, POOR)
    assert evidence(app) == {"ownership": 0, "data": 0}
    overview = learner.get("/scenarios/ops-send").get_data(as_text=True)
    assert "Next attempt: practice" in overview and "Start a practice attempt" in overview
    journeys.play(learner, STRONG)
    assert kinds(app) == [ASSESSED, PRACTICE]
    assert evidence(app) == {"ownership": 0, "data": 0}  # the strong replay is practice
    progress = learner.get("/progress").get_data(as_text=True)
    assert "Practice" in progress and "Assessed" in progress


def test_peeking_then_abandoning_leaves_the_assessed_attempt_to_resume(app, learner):
    assessed = journeys.start_scenario(learner)
    journeys.choose(learner, assessed, 0, "queue", 1)  # saw the feedback of a poor first choice
    overview = learner.get("/scenarios/ops-send").get_data(as_text=True)
    assert f'href="/attempts/{assessed}"' in overview and "assessed attempt" in overview
    assert "Your assessed attempt is not finished" in overview
    journeys.play(learner, STRONG)  # a clean run from the top: practice, not a fresh "first" attempt
    assert kinds(app) == [ASSESSED, PRACTICE]
    assert evidence(app) == {}  # the assessed attempt is unfinished: no evidence yet


def test_after_the_cool_down_a_new_assessed_attempt_becomes_the_evidence(app, learner):
    journeys.play(learner, POOR)
    with app.app_context():
        first = db.session.scalar(db.select(Attempt))
        first.started_at -= timedelta(days=31)
        first.finished_at -= timedelta(days=31)
        db.session.commit()
    assert "Next attempt: assessed" in learner.get("/scenarios/ops-send").get_data(as_text=True)
    journeys.play(learner, STRONG)
    assert kinds(app) == [ASSESSED, ASSESSED]
    assert evidence(app) == {"ownership": 100, "data": 100}


def test_managers_see_assessed_results_and_practice_counted_apart(app, world):
    learner = journeys.signed_in(app, "learner1@example.com")
    journeys.play(learner, POOR)
    journeys.play(learner, STRONG)
    manager = journeys.signed_in(app, "owner@example.com")
    page = manager.get(f"/cohorts/{world['cohort']}/learners/{world['learner1']}").get_data(as_text=True)
    assert "assessed on" in page and "1 practice attempt on assigned scenarios, not counted" in page
    export = manager.get(f"/cohorts/{world['cohort']}/export.csv").get_data(as_text=True)
    header, *rows = export.splitlines()
    columns = header.split(",")
    learner_row = next(r.split(",") for r in rows if r.startswith("Learner1"))
    assert learner_row[columns.index("attempts")] == "1" and learner_row[columns.index("practice_attempts")] == "1"


def test_statements_say_which_kind_of_attempt_they_belong_to(app, learner):
    journeys.play(learner, POOR)
    journeys.play(learner, STRONG)
    statements = learner.get("/progress/statements.json").get_json()
    by_registration = {}
    for statement in statements:
        if "registration" in statement["context"]:
            kind = next(v for k, v in statement["context"]["extensions"].items() if k.endswith("/attempt-kind"))
            by_registration.setdefault(statement["context"]["registration"], set()).add(kind)
    assert sorted(by_registration.values(), key=sorted) == [{ASSESSED}, {PRACTICE}]


def test_cohort_figures_use_the_proficiency_estimate(app, world):
    journeys.play(journeys.signed_in(app, "learner1@example.com"), STRONG)
    manager = journeys.signed_in(app, "owner@example.com")
    rows = list(
        csv.DictReader(io.StringIO(manager.get(f"/cohorts/{world['cohort']}/export.csv").get_data(as_text=True)))
    )
    scores = {r["skill"]: r["score"] for r in rows if r["name"] == "Learner1"}
    # 3 of 3 ownership points: (1 + 3) / (2 + 3) = 80; 2 of 2 data points: (1 + 2) / (2 + 2) = 75
    assert scores == {"ownership": "80", "data": "75"}
