"""Benchmark: the AI-workflow registry of a large organisation, on SQLite.

500 workflows and 5,000 operators (ten named operators a workflow), each operator with assessed
evidence in every skill from several scenarios. Prints the server time of the registry page
(every workflow assessed, the organisation's figures) and of one workflow's page, and of the
readiness computation alone (median of several runs).

    .venv/bin/python bench/workflows.py [--workflows 500] [--operators 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cohort_dashboard import bench_app, client_as, timed  # shared set-up (bench/ is on a script's path)
from sqlalchemy import insert

from literacy.insights.tables import Evidence
from literacy.learning.tables import Attempt
from literacy.people.tables import Organization, Team, User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db
from literacy.workflows import queries, readiness
from literacy.workflows.tables import Workflow, WorkflowSource, workflow_operators


def populate(catalogue, workflows: int, operators: int) -> int:
    """Bulk-insert the organisation, people, evidence and workflows; the organisation's id."""
    org = Organization(name="Bench", slug="bench")
    db.session.add(org)
    db.session.flush()
    teams = [Team(org_id=org.id, name=f"{r.name} team", role=r.id) for r in catalogue.roles.values()]
    db.session.add_all(teams)
    db.session.flush()
    roles, scenarios, skills = list(catalogue.roles), list(catalogue.scenarios.values()), list(catalogue.skills)
    now = datetime(2026, 11, 1)
    people = [
        {
            "id": i + 1,
            "org_id": org.id,
            "email": f"op{i:05d}@bench.example",
            "name": f"Operator {i:05d}",
            "password_hash": "x",
            "session_token": f"t{i}",
            "role": roles[i % len(roles)],
            "access": "learner",
            "created_at": now,
        }
        for i in range(operators)
    ]
    db.session.execute(insert(User), people)
    attempts = [
        {
            "id": i + 1,
            "user_id": i + 1,
            "scenario_id": scenarios[0].id,
            "role": people[i]["role"],
            "content_version": "x",
            "node_id": "end",
            "kind": "assessed",
            "started_at": now,
            "updated_at": now,
            "finished_at": now,
        }
        for i in range(operators)
    ]
    db.session.execute(insert(Attempt), attempts)
    evidence = [
        {
            "user_id": i + 1,
            "scenario_id": scenarios[s].id,
            "skill_id": skill,
            "attempt_id": i + 1,
            "score": 60 + (i * 7 + s * 13) % 40,
            "earned": 8.0 * (60 + (i * 7 + s * 13) % 40) / 100,
            "available": 8,
            "finished_at": now - timedelta(days=(i + s * 50) % 500),
        }
        for i in range(operators)
        for s in range(min(4, len(scenarios)))
        for skill in skills
    ]
    db.session.execute(insert(Evidence), evidence)
    stages = ["production"] * 3 + ["pilot", "experiment"]
    today = date(2026, 11, 1)
    rows = [
        {
            "id": w + 1,
            "org_id": org.id,
            "name": f"Workflow {w:04d}",
            "kind": next(iter(catalogue.workflow_kinds), ""),
            "purpose": "p",
            "owner_id": (w * 10) % operators + 1,
            "team_id": teams[w % len(teams)].id,
            "stage": stages[w % len(stages)],
            "stage_since": today - timedelta(days=w % 300),
            "tools": "t",
            "ai_may": "a",
            "needs_approval": "n",
            "approver_id": 1,
            "outcome_measure": "o",
            "tracing": "t",
            "fault_noticed": "f",
            "fault_contact": "c",
            "fault_stop": "s",
            "review_days": 90,
            "reviewed_on": today - timedelta(days=w % 120),
            "roles_json": json.dumps([roles[w % len(roles)]]),
            "skills_json": json.dumps(skills[:3]),
            "scenarios_json": "[]",
            "created_at": now,
        }
        for w in range(workflows)
    ]
    db.session.execute(insert(Workflow), rows)
    db.session.execute(
        insert(WorkflowSource),
        [{"workflow_id": w + 1, "name": "Source", "rating": "ready", "checked_on": today} for w in range(workflows)],
    )
    seats = [
        {"workflow_id": w + 1, "user_id": (w * 10 + k) % operators + 1} for w in range(workflows) for k in range(10)
    ]
    db.session.execute(insert(workflow_operators), seats)
    db.session.commit()
    print(f"data: {workflows} workflows, {operators} operators, {len(seats)} seats, {len(evidence)} evidence rows")
    return org.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflows", type=int, default=500)
    parser.add_argument("--operators", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        with app.app_context():
            started = time.perf_counter()
            org_id = populate(app.extensions["catalogue"], args.workflows, args.operators)
            print(f"setup: {time.perf_counter() - started:.1f} s")
            leader = User(
                org_id=org_id,
                email="leader@bench.example",
                name="Leader",
                password_hash="x",
                role=next(iter(app.extensions["catalogue"].roles)),
                access="leader",
            )
            db.session.add(leader)
            db.session.commit()
            leader.signed_in_at = int(time.time())
            session_id = leader.get_id()
            catalogue = app.extensions["catalogue"]

            def assess_all():
                entries = queries.assess(catalogue, queries.in_organisation(org_id), utcnow())
                return readiness.figures((e.assessed for e in entries), utcnow().date())

            figures = assess_all()
            compute_ms = timed(assess_all, args.runs)
            db.session.remove()
        client = client_as(app, session_id)
        registry = client.get("/workflows/")
        assert registry.status_code == 200 and "Production workflows ready" in registry.get_data(as_text=True)
        assert client.get("/workflows/1").status_code == 200
        page_ms = timed(lambda: client.get("/workflows/"), args.runs)
        one_ms = timed(lambda: client.get("/workflows/1"), args.runs)
    print(
        f"registry figures: {figures.production_ready} of {figures.production} production workflows ready,"
        f" {figures.operators_ready} of {figures.operators} operators ready, {figures.sprawl} pilots in sprawl"
    )
    size = f"{args.workflows} workflows, {args.operators} operators"
    print(f"registry readiness, {size}: {compute_ms:.0f} ms (median of {args.runs})")
    print(f"registry page, server side: {page_ms:.0f} ms (median of {args.runs})")
    print(f"one workflow's page, server side: {one_ms:.0f} ms (median of {args.runs})")


if __name__ == "__main__":
    main()
