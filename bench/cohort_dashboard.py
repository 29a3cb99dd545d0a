"""Benchmark: the cohort dashboard for 2,000 learners with 20 attempts each, on SQLite.

Prints the server time of the dashboard computation and of the whole page (median of several
requests), the SQL statements one page runs and the peak memory of the process serving it. Target:
half the time of the baseline code (bench/common.py), measured in the same run: each version of the
code gets its own database (same data, same seed) and runs in its own processes, old and new
interleaved for ``--rounds`` rounds; the figures are the medians over the rounds. Without a baseline
(no git, a shallow clone, or ``--no-baseline``) it measures this checkout alone, in this process.

    .venv/bin/python bench/cohort_dashboard.py [--learners 2000] [--attempts 20] [--runs 7] [--rounds 3]
        [--certified 0] [--no-baseline] [--code DIR] [--index NAME:TABLE:COL,COL ...]

``--certified N`` gives N% of the learners a certification cycle (some lapsed, revoked or renewing)
and publishes a policy most of them signed, for the page's compliance figures. ``--index`` creates
one more index in this checkout's database before measuring, to try one before writing its
migration (each version's schema is its own: this checkout's has the covering indexes of migration
d9e0f1a2b3c4 and the sums over each learner's track of a7d2e5c8b1f4, which the read models' rebuild
fills after the bulk inserts, as the event path would have)::

    --index ix_attempts_user_kind:attempts:user_id,kind
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

if __name__ == "__main__":  # an importing benchmark has put the code to measure on the path already
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from common import use_code

    sys.path.insert(0, str(use_code()))

from sqlalchemy import event, insert, text

from literacy import create_app
from literacy.cohorts import dashboard
from literacy.cohorts.tables import Cohort, CohortAssignment, CohortMember
from literacy.evidence.tables import Certification, Policy, PolicyAcknowledgement
from literacy.insights import readmodels
from literacy.learning import engine
from literacy.learning.tables import Attempt, AttemptStep, LessonCompletion, SkillScore
from literacy.people.tables import Organization, User
from literacy.platform.database import create_schema
from literacy.platform.extensions import db

RESULT = "RESULT "  # a measuring child's last line: this prefix, then JSON (common.result_line)


def populate(catalogue, learners: int, attempts: int, seed: int = 1, certified: int = 0) -> int:
    """Insert an organisation, a cohort and its history with bulk inserts; return the cohort id.
    ``certified``: the percent of learners with a certification cycle (and a policy to sign)."""
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
    lessons, attempt_rows, steps, scores = [], [], [], []
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
    tables = (
        (LessonCompletion, lessons),
        (Attempt, attempt_rows),
        (AttemptStep, steps),
        (SkillScore, scores),
        *_certification(org.id, users, certified, rng),
    )
    for model, rows in tables:
        for start in range(0, len(rows), 20_000):
            db.session.execute(insert(model), rows[start : start + 20_000])
    readmodels.rebuild(catalogue)  # the evidence and the sums kept from it, as the event path leaves them
    db.session.commit()
    print(f"data: {learners} learners, {len(attempt_rows)} attempts, {len(steps)} choices, {len(scores)} skill scores")
    return cohort.id


def _certification(org_id: int, users: list[dict], certified: int, rng: random.Random) -> list[tuple]:
    """Certification cycles for ``certified`` percent of the learners, dated from the real clock (the
    page reads standing as of now): mostly valid, some lapsed, revoked or renewing; a policy signed by
    four in five of the learners."""
    if not certified:
        return []
    now = datetime.now().replace(microsecond=0)
    cycles = []
    for user in users:
        if rng.randrange(100) >= certified:
            continue
        kind = rng.choice(["certified"] * 6 + ["lapsed", "revoked", "renewing"])
        at = now - timedelta(days=400 if kind == "lapsed" else rng.randint(30, 300))
        first = {
            "org_id": org_id, "user_id": user["id"], "number": 1, "role": user["role"], "opened_at": at,
            "certified_at": at, "expires_at": at + timedelta(days=365), "override": "",
            "revoked_at": now - timedelta(days=5) if kind == "revoked" else None,
        }  # fmt: skip
        cycles.append(first)
        if kind == "renewing":
            renewal = {"number": 2, "opened_at": now - timedelta(days=3), "certified_at": None, "expires_at": None}
            cycles.append({**first, **renewal})
    policy = Policy(org_id=org_id, version="1.0", text="Use AI with care.", published_at=now - timedelta(days=90))
    db.session.add(policy)
    db.session.flush()
    signed = [
        {"policy_id": policy.id, "user_id": u["id"], "name": u["name"], "at": now - timedelta(days=30)}
        for u in users
        if rng.randrange(5)
    ]
    return [(Certification, cycles), (PolicyAcknowledgement, signed)]


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


def prepare(app, args) -> int:
    """The data, the cohort's manager and any ``--index``; the cohort id."""
    with app.app_context():
        started = time.perf_counter()
        cohort_id = populate(app.extensions["catalogue"], args.learners, args.attempts, certified=args.certified)
        manager = User(
            org_id=1, email="m@bench.example", name="Manager", password_hash="", role="lifecycle", access="manager"
        )
        cohort = db.session.get(Cohort, cohort_id)
        cohort.managers.append(manager)
        for spec in args.index:
            name, table, columns = spec.split(":")
            db.session.execute(text(f"CREATE INDEX {name} ON {table} ({columns})"))
        db.session.commit()
        print(f"setup: {time.perf_counter() - started:.1f} s")
    return cohort_id


def measure(app, cohort_id: int, runs: int) -> dict:
    """Time the computation and the page (after a first, warming request); count one page's SQL."""
    with app.app_context():
        manager = db.session.scalar(db.select(User).where(User.email == "m@bench.example"))
        manager.signed_in_at = int(time.time())  # a sign-in just now (people/sessions.py)
        session_id = manager.get_id()
        catalogue = app.extensions["catalogue"]
        compute = timed(lambda: dashboard.build(db.session.get(Cohort, cohort_id), catalogue, date(2026, 11, 24)), runs)
        engine = db.engine
    client = client_as(app, session_id)
    page = client.get(f"/cohorts/{cohort_id}")
    assert page.status_code == 200, page.status_code
    statements = []
    count = lambda *_: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", count)
    client.get(f"/cohorts/{cohort_id}")
    event.remove(engine, "before_cursor_execute", count)
    wall, cpu = [], []
    for _ in range(runs):
        started, used = time.perf_counter(), time.process_time()
        client.get(f"/cohorts/{cohort_id}")
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return {
        "compute_ms": compute,
        "page_ms": statistics.median(wall),
        "page_cpu_ms": statistics.median(cpu),  # less disturbed by other work on a shared machine
        "queries": len(statements),
        "rss_mb": _rss_mb(),
        "output": _fingerprint(client, cohort_id),
    }


VIEWS = ("", "?page=3", "?sort=status&order=desc&page=2", "?status=in-progress&sort=progress", "?q=learner 0001")
OUTPUTS = ("/export.csv", "/follow-up", "/follow-up.csv", "/patterns", "/learners/7")


def _fingerprint(client, cohort_id: int) -> str:
    """A digest of what the manager sees: the cohort list, the page with some sorts, filters and pages,
    the CSV export, the follow-up list, the judgment patterns and a learner's page (CSRF tokens left
    out), to compare old and new code."""
    digest = hashlib.sha256()
    for path in ["/cohorts/", *(f"/cohorts/{cohort_id}{tail}" for tail in [*VIEWS, *OUTPUTS])]:
        response = client.get(path)
        digest.update(f"{path} {response.status_code} ".encode())
        digest.update(re.sub(rb'name="csrf_token" value="[^"]*"', b"", response.data))
    return digest.hexdigest()[:16]


def _rss_mb() -> float:
    from common import rss_mb  # bench/ is on the path of a script run from it

    return rss_mb()


def child(args) -> None:
    """``--populate DB``: build the database with this code; ``--measure DB``: time the page on it."""
    if args.populate:
        prepare(bench_app(args.populate), args)
        return
    from common import result_line  # bench/ is on the path of a script run from it

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{args.measure}/bench.sqlite3", "WTF_CSRF_ENABLED": False})
    print(result_line(measure(app, 1, args.runs)))


def run_child(code: Path, *options: str) -> dict | None:
    here = Path(__file__).resolve()
    done = subprocess.run(
        [sys.executable, str(here), "--code", str(code), *options], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"benchmark with the code in {code} failed:\n{done.stdout}{done.stderr}")
    lines = done.stdout.splitlines()
    found = [json.loads(line[len(RESULT) :]) for line in lines if line.startswith(RESULT)]
    return found[-1] if found else {"lines": lines}


def side_by_side(args, baseline: Path) -> None:
    """Each version populates its own database once, then old and new are measured in turn."""
    from common import BASELINE, ROOT  # bench/ is on the path of a script run from it

    shared = [
        *("--learners", str(args.learners), "--attempts", str(args.attempts), "--runs", str(args.runs)),
        *("--certified", str(args.certified)),
    ]
    versions = {"baseline": baseline, "now": ROOT}
    indexes = {"baseline": [], "now": [option for spec in args.index for option in ("--index", spec)]}
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        for name, code in versions.items():
            Path(tmp, name).mkdir()
            report = run_child(code, *shared, *indexes[name], "--populate", str(Path(tmp, name)))
            if name == "now":
                print(*(line for line in report["lines"] if line.startswith("data:")), sep="\n")
        print(f"setup: {time.perf_counter() - started:.1f} s (two databases)")
        if args.index:
            print(f"indexes added to this checkout's database only (as a migration would): {', '.join(args.index)}")
        results: dict[str, list[dict]] = {name: [] for name in versions}
        for _ in range(args.rounds):
            for name, code in versions.items():
                results[name].append(run_child(code, *shared, "--measure", str(Path(tmp, name))))
    keys = ("compute_ms", "page_ms", "page_cpu_ms")
    old, new = ({k: statistics.median(r[k] for r in results[n]) for k in keys} for n in versions)
    ratio = {k: new[k] / old[k] if old[k] else float("nan") for k in keys}
    size = f"{args.learners:,} learners"
    for label, key in (
        ("dashboard page", "page_ms"),
        ("  its CPU time", "page_cpu_ms"),
        ("dashboard computation", "compute_ms"),
    ):
        print(f"{label}, {size}: {old[key]:.0f} ms baseline, {new[key]:.0f} ms now ({ratio[key]:.2f}x)")
    rounds = {name: [round(r["page_ms"]) for r in results[name]] for name in versions}
    print(f"  page, each round: baseline {rounds['baseline']} ms, now {rounds['now']} ms", end="; ")
    print(f"medians of {args.rounds} rounds of {args.runs} requests; baseline {BASELINE} in {baseline}")
    queries = [results[name][0]["queries"] for name in versions]
    print(f"SQL statements for one page: {queries[0]} baseline, {queries[1]} now")
    rss = [max(r["rss_mb"] for r in results[name]) for name in versions]
    print(f"peak RSS of the process with the content loaded: {rss[0]:.0f} MB baseline, {rss[1]:.0f} MB now")
    outputs = sorted({r["output"] for name in versions for r in results[name]})
    same = "the same for both versions" if len(outputs) == 1 else f"DIFFERENT: {', '.join(outputs)}"
    print(f"what the manager sees (pages, sorts, filters, CSV export, follow-up, patterns): {same}")
    met = "met" if ratio["page_ms"] <= 0.5 else "not met"
    print(f"dashboard page, server side: {new['page_ms']:.0f} ms now, {old['page_ms']:.0f} ms baseline ", end="")
    print(f"({ratio['page_ms']:.2f}x); target half the baseline's or less: {met}")


def alone(args) -> None:
    """This checkout only, in this process (no baseline to compare with)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = bench_app(tmp)
        result = measure(app, prepare(app, args), args.runs)
    print(f"dashboard computation: {result['compute_ms']:.0f} ms (median of {args.runs})")
    print(f"SQL statements for one page: {result['queries']}; peak RSS: {result['rss_mb']:.0f} MB")
    print(f"dashboard page, server side: {result['page_ms']:.0f} ms (median of {args.runs}); no baseline to compare")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--attempts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=7, help="requests timed per process")
    parser.add_argument("--rounds", type=int, default=3, help="processes per version, old and new interleaved")
    parser.add_argument("--certified", type=int, default=0, help="percent of learners with a certification")
    parser.add_argument("--index", action="append", default=[], metavar="NAME:TABLE:COL,COL")
    parser.add_argument("--no-baseline", action="store_true", help="measure this checkout alone")
    parser.add_argument("--populate", help=argparse.SUPPRESS)  # child modes: a folder for the database
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.populate or args.measure:
        return child(args)
    baseline = None
    if not args.no_baseline:
        from common import baseline_tree

        baseline = baseline_tree()
    side_by_side(args, baseline) if baseline else alone(args)


if __name__ == "__main__":
    main()
