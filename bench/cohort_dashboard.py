"""Benchmark: the cohort dashboard for 2,000 learners with 20 attempts each, on SQLite.

Prints the server time of the dashboard computation and of the whole page (median of several
runs). Target: under 300 ms on a 2-core machine.

    .venv/bin/python bench/cohort_dashboard.py [--learners 2000] [--attempts 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from literacy import create_app
from literacy.cohorts import dashboard
from literacy.cohorts.tables import Cohort, CohortAssignment, CohortMember
from literacy.insights.tables import Evidence
from literacy.learning import engine
from literacy.learning.tables import Attempt, AttemptStep, LessonCompletion, SkillScore
from literacy.people.tables import Organization, User
from literacy.platform.database import create_schema
from literacy.platform.extensions import db


def populate(catalogue, learners: int, attempts: int, seed: int = 1) -> int:
    """Insert an organisation, a cohort and its history with bulk inserts; return the cohort id."""
    rng = random.Random(seed)
    org = Organization(name="Bench", slug="bench")
    db.session.add(org)
    db.session.flush()
    roles = list(catalogue.roles)
    now = datetime(2026, 11, 1)
    users = [
        {
            "id": i + 1,
            "org_id": org.id,
            "email": f"l{i}@bench.example",
            "name": f"Learner {i:05d}",
            "password_hash": "x",
            "session_token": f"t{i}",
            "active": True,
            "role": roles[i % len(roles)],
            "access": "learner",
            "created_at": now,
        }
        for i in range(learners)
    ]
    db.session.execute(insert(User), users)
    cohort = Cohort(org_id=org.id, name="Bench cohort", starts_on=date(2026, 9, 1), due_on=date(2026, 12, 31))
    cohort.assignments.append(CohortAssignment(kind="track", ref=""))
    db.session.add(cohort)
    db.session.flush()
    db.session.execute(
        insert(CohortMember), [{"cohort_id": cohort.id, "user_id": u["id"], "added_at": now} for u in users]
    )
    lessons, attempt_rows, steps, scores, latest = [], [], [], [], {}
    attempt_id = 0
    for user in users:
        course = catalogue.courses[user["role"]]
        for lesson in course.lessons[: rng.randint(0, len(course.lessons))]:
            lessons.append({"user_id": user["id"], "lesson_id": lesson.id, "completed_at": now})
        scenarios = catalogue.role_scenarios(user["role"])
        for n in range(attempts):
            scenario = scenarios[n % len(scenarios)]
            attempt_id += 1
            state = engine.start(scenario)
            when = now + timedelta(minutes=attempt_id)
            while not state.finished(scenario):
                choice = rng.choice(engine.offered(scenario, state))
                after = engine.advance(scenario, state, choice.index).state
                steps.append(
                    {
                        "attempt_id": attempt_id,
                        "step": after.step,
                        "node_id": state.node_id,
                        "choice_index": choice.index,
                        "choice_label": choice.label,
                        "target_id": after.node_id,
                        "created_at": when,
                    }
                )
                state = after
            attempt_rows.append(
                {
                    "id": attempt_id,
                    "user_id": user["id"],
                    "scenario_id": scenario.id,
                    "role": scenario.role,
                    "content_version": scenario.version,
                    "node_id": state.node_id,
                    "step": state.step,
                    "flags_json": "[]",
                    "totals_json": "{}",
                    "outcome": state.node(scenario).outcome,
                    "started_at": when,
                    "updated_at": when,
                    "finished_at": when,
                    "kind": "assessed",
                }
            )
            for skill, value in engine.score(scenario, state.totals).items():
                scores.append(
                    {"attempt_id": attempt_id, "skill_id": skill, "total": state.totals[skill], "score": value}
                )
                latest[(user["id"], scenario.id, skill)] = {
                    "user_id": user["id"],
                    "scenario_id": scenario.id,
                    "skill_id": skill,
                    "attempt_id": attempt_id,
                    "score": value,
                    "finished_at": when,
                }
    tables = (
        (LessonCompletion, lessons),
        (Attempt, attempt_rows),
        (AttemptStep, steps),
        (SkillScore, scores),
        (Evidence, list(latest.values())),
    )
    for model, rows in tables:
        for start in range(0, len(rows), 20_000):
            db.session.execute(insert(model), rows[start : start + 20_000])
    db.session.commit()
    print(f"data: {learners} learners, {len(attempt_rows)} attempts, {len(steps)} choices, {len(scores)} skill scores")
    return cohort.id


def timed(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bench_app(tmp: str):
    """The app on a throwaway SQLite file, forms without CSRF, the schema created."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        create_schema()
    return app


def client_as(app, session_id: str):
    """A test client signed in with ``session_id`` (a user's login id) as if the person had just signed in."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["_fresh"] = True
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--attempts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        with app.app_context():
            started = time.perf_counter()
            cohort_id = populate(app.extensions["catalogue"], args.learners, args.attempts)
            print(f"setup: {time.perf_counter() - started:.1f} s")
            manager = User(
                org_id=1, email="m@bench.example", name="Manager", password_hash="", role="lifecycle", access="manager"
            )
            cohort = db.session.get(Cohort, cohort_id)
            cohort.managers.append(manager)
            db.session.commit()
            manager.signed_in_at = int(time.time())  # a sign-in just now (people/sessions.py)
            session_id = manager.get_id()
            catalogue = app.extensions["catalogue"]
            compute = timed(
                lambda: dashboard.build(db.session.get(Cohort, cohort_id), catalogue, date(2026, 11, 24)), args.runs
            )
        client = client_as(app, session_id)
        status = client.get(f"/cohorts/{cohort_id}").status_code
        assert status == 200, status
        page = timed(lambda: client.get(f"/cohorts/{cohort_id}"), args.runs)
    print(f"dashboard computation: {compute:.0f} ms (median of {args.runs})")
    print(f"dashboard page, server side: {page:.0f} ms (median of {args.runs}); target < 300 ms")


if __name__ == "__main__":
    main()
