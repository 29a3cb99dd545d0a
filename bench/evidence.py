"""Benchmark: the organisation's evidence pack for 5,000 people, on SQLite.

Each person has a role, a team, a cohort, assessed history (eight attempts through their role
track) and the xAPI completion statements behind it. Prints the time to gather the pack's lines
and to render each format (CSV, JSON, PDF), and the PDF's size and pages.

    .venv/bin/python bench/evidence.py [--people 5000] [--attempts 8]
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cohort_dashboard import bench_app, populate  # shared set-up (bench/ is on a script's path)
from sqlalchemy import insert, select

from literacy.evidence import packs
from literacy.learning.tables import Attempt
from literacy.people.tables import Team, User, team_members
from literacy.platform.extensions import db
from literacy.xapi.tables import OutboxStatement


def add_teams_and_statements(catalogue) -> None:
    """One team per role with its people in it, and a completed and a verdict statement per attempt."""
    teams = {r: Team(org_id=1, name=f"{role.name} team", role=r) for r, role in catalogue.roles.items()}
    db.session.add_all(teams.values())
    db.session.flush()
    people = db.session.execute(select(User.id, User.role)).all()
    db.session.execute(insert(team_members), [{"team_id": teams[role].id, "user_id": uid} for uid, role in people])
    attempts = db.session.execute(select(Attempt.user_id, Attempt.scenario_id, Attempt.finished_at)).all()
    rows = [
        {
            "statement_id": str(uuid.uuid4()),
            "user_id": uid,
            "verb": verb,
            "activity": f"scenario:{scenario}",
            "timestamp": at.replace(microsecond=at.microsecond // 1000 * 1000),
            "payload": "{}",
            "status": "sent",
        }
        for uid, scenario, at in attempts
        for verb in ("completed", "passed")
    ]
    for start in range(0, len(rows), 20_000):
        db.session.execute(insert(OutboxStatement), rows[start : start + 20_000])
    db.session.commit()
    print(f"teams: {len(teams)}, xAPI statements: {len(rows)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--attempts", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        with app.test_request_context():
            catalogue = app.extensions["catalogue"]
            started = time.perf_counter()
            populate(catalogue, args.people, args.attempts)
            add_teams_and_statements(catalogue)
            print(f"setup: {time.perf_counter() - started:.1f} s")
            scope = packs.Scope(1, "organisation")
            started = time.perf_counter()
            people = packs.gather(catalogue, scope, date.today())
            gathered = time.perf_counter() - started
            print(f"gather {len(people)} people's lines: {gathered:.1f} s")
            for fmt in ("csv", "json", "pdf"):
                started = time.perf_counter()
                content, _ = packs.build_file(catalogue, scope, date.today(), fmt)
                took = time.perf_counter() - started
                extra = ""
                if fmt == "pdf":
                    import pypdf

                    extra = f", {len(pypdf.PdfReader(io.BytesIO(content)).pages)} pages"
                print(
                    f"{fmt.upper()} pack for {len(people)} people (gather and render): {took:.1f} s, "
                    f"{len(content) / 1e6:.1f} MB{extra}"
                )


if __name__ == "__main__":
    main()
