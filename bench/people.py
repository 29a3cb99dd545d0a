"""Benchmark: the admin's People page for an organisation of 2,000 people in 20 teams, on SQLite.

Prints the server time of the directory query and of the whole page (median of several runs) for
the first page, a search by name and a team filter. Target: under 300 ms for the page at 2,000
people on a 2-core machine.

    .venv/bin/python bench/people.py [--people 2000] [--teams 20] [--runs 7]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cohort_dashboard import bench_app, client_as, timed  # shared set-up (bench/ is on a script's path)
from sqlalchemy import insert

from literacy.people import directory
from literacy.people.tables import Organization, Team, User, team_members
from literacy.platform.extensions import db


def populate(catalogue, people: int, teams: int) -> tuple[int, int]:
    """Insert an organisation, its teams and people with bulk inserts; return (org id, a team id)."""
    org = Organization(name="Bench", slug="bench")
    db.session.add(org)
    db.session.flush()
    team_rows = [Team(org_id=org.id, name=f"Team {t:02d}") for t in range(teams)]
    db.session.add_all(team_rows)
    db.session.flush()
    roles = list(catalogue.roles)
    accesses = ["learner"] * 16 + ["manager", "manager", "leader", "admin"]
    now = datetime(2026, 11, 1)
    users = [
        {
            "id": i + 1,
            "org_id": org.id,
            "email": f"person{i:05d}@bench.example",
            "name": f"Person {i:05d}",
            "password_hash": "" if i % 10 == 0 else "x",  # one in ten still invited
            "session_token": f"t{i}",
            "active": i % 25 != 0,  # some deactivated
            "role": roles[i % len(roles)],
            "access": accesses[i % len(accesses)],
            "created_at": now,
        }
        for i in range(people)
    ]
    db.session.execute(insert(User), users)
    memberships = [{"team_id": team_rows[i % teams].id, "user_id": u["id"]} for i, u in enumerate(users)]
    memberships += [
        {"team_id": team_rows[(i + 7) % teams].id, "user_id": u["id"]} for i, u in enumerate(users) if i % 3 == 0
    ]
    db.session.execute(insert(team_members), memberships)
    db.session.commit()
    print(f"data: {people} people, {teams} teams, {len(memberships)} memberships")
    return org.id, team_rows[0].id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        with app.app_context():
            started = time.perf_counter()
            org_id, team_id = populate(app.extensions["catalogue"], args.people, args.teams)
            print(f"setup: {time.perf_counter() - started:.1f} s")
            admin = User(
                org_id=org_id,
                email="admin@bench.example",
                name="Admin",
                password_hash="x",
                role="lifecycle",
                access="admin",
            )
            db.session.add(admin)
            db.session.commit()
            admin.signed_in_at = int(time.time())  # a sign-in just now (people/sessions.py)
            session_id = admin.get_id()
            cases = {
                "first page": ("", directory.Filters()),
                "search 'person 0001'": ("?q=person+0001", directory.Filters(q="person 0001")),
                "team filter": (f"?team={team_id}", directory.Filters(team=team_id)),
            }
            query_ms = {
                label: timed(lambda f=filters: directory.search(org_id, f, 1), args.runs)
                for label, (_, filters) in cases.items()
            }
        client = client_as(app, session_id)
        page_ms = {}
        for label, (query, _) in cases.items():
            response = client.get(f"/admin/users{query}")
            assert response.status_code == 200, response.status_code
            html = response.get_data(as_text=True)
            assert "Showing 1–" in html, html
            if not query:
                assert html.count('type="checkbox" name="user"') == min(directory.PAGE_SIZE, args.people + 1)
            page_ms[label] = timed(lambda q=query: client.get(f"/admin/users{q}"), args.runs)
    for label in cases:
        print(f"people query, {label}: {query_ms[label]:.1f} ms (median of {args.runs})")
    for label in cases:
        print(f"people page, {label}, server side: {page_ms[label]:.0f} ms (median of {args.runs}); target < 300 ms")


if __name__ == "__main__":
    main()
