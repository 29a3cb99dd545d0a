"""Benchmark: the leader's overview for organisations of N learners over the shipped content.

For each N (default 1,000, 10,000 and 50,000) it builds a fresh SQLite database with about 40
attempts per learner (each with its path of choices and skill scores) and builds the read models
and organisation totals, then times the overview computation and the whole page (median of
several runs) with this checkout's code and, side by side on the same database, with the code
before the organisation totals (``common.BASELINE``), interleaved. It prints both, the growth
against the smallest N, and each process's peak memory (RSS). Target: the overview at 50,000
learners within 2x of its time at 1,000; at 200,000 it still answers.

    .venv/bin/python bench/rollup.py [--sizes 1000 10000 50000] [--attempts 40] [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from common import ROOT, baseline_tree, rss_mb, use_code

sys.path.insert(0, str(use_code()))
from literacy import create_app
from literacy.insights import overview as insights
from literacy.insights import readmodels as readmodel
from literacy.insights.rollups import Scope
from literacy.learning import engine
from literacy.platform.clock import utcnow
from literacy.platform.database import create_schema
from literacy.platform.extensions import db

CODE = Path(sys.path[0])
NOW = utcnow().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=1)  # the history ends here


def walks(catalogue, per_scenario: int, rng: random.Random) -> dict[str, list]:
    """A pool of random play-throughs per scenario (path, ending, scores), sampled for speed."""
    pool = {}
    for scenario in catalogue.scenarios.values():
        pool[scenario.id] = []
        for _ in range(per_scenario):
            state, path = engine.start(scenario), []
            while not state.finished(scenario):
                choice = rng.choice(engine.offered(scenario, state))
                after = engine.advance(scenario, state, choice.index).state
                path.append((state.node_id, choice.index, choice.label, after.node_id))
                state = after
            pool[scenario.id].append(
                (path, state.node_id, state.node(scenario).outcome, engine.score(scenario, state.totals))
            )
    return pool


def populate(catalogue, learners: int, attempts: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    pool = walks(catalogue, 60, rng)
    roles = list(catalogue.roles)
    raw = db.engine.raw_connection()
    cur = raw.cursor()
    cur.execute("INSERT INTO organizations (id, name, slug) VALUES (1, 'Bench', 'bench')")
    cur.executemany(
        "INSERT INTO teams (id, org_id, name, role) VALUES (?, 1, ?, ?)",
        [(i + 1, f"{role} team {k}", role) for i, (role, k) in enumerate((r, k) for r in roles for k in range(3))],
    )
    cur.execute(
        "INSERT INTO users (id, org_id, email, name, password_hash, role, access, created_at, active, session_token,"
        " order_seed) VALUES (?, 1, ?, ?, '', ?, 'leader', ?, 1, 'bench-leader', 0)",
        (learners + 1, "leader@bench.example", "Leader", roles[0], NOW),
    )
    users, members, lessons, attempt_rows, steps, scores = [], [], [], [], [], []
    latest = {}  # (learner, scenario) -> the evidence row of the last finished attempt
    attempt_id = 0
    for uid in range(1, learners + 1):
        role = roles[uid % len(roles)]
        users.append((uid, f"l{uid}@bench.example", f"Learner {uid:06d}", role, NOW, uid))
        members.append((roles.index(role) * 3 + uid % 3 + 1, uid))
        course = catalogue.courses[role]
        start = NOW - timedelta(days=rng.randint(30, 420))
        for lesson in course.lessons[: rng.randint(0, len(course.lessons))]:
            lessons.append((uid, lesson.id, start + timedelta(days=rng.randint(0, 20))))
        scenarios = catalogue.role_scenarios(role)
        for n in range(rng.randint(attempts // 2, attempts * 3 // 2)):
            scenario = scenarios[n % len(scenarios)]
            attempt_id += 1
            path, node, outcome, skill_scores = rng.choice(pool[scenario.id])
            when = min(NOW, start + timedelta(days=n * 3, minutes=rng.randint(0, 600)))
            attempt_rows.append(
                (
                    attempt_id,
                    uid,
                    scenario.id,
                    role,
                    scenario.version,
                    node,
                    len(path),
                    outcome,
                    when,
                    when,
                    when,
                    attempt_id,
                )
            )
            steps.extend((attempt_id, i + 1, a, b, c, d, when) for i, (a, b, c, d) in enumerate(path))
            scores.extend((attempt_id, skill, 0, value) for skill, value in skill_scores.items())
            latest[(uid, scenario.id)] = (attempt_id, skill_scores, when)
    cur.executemany(
        "INSERT INTO users (id, org_id, email, name, password_hash, role, access, created_at, active, session_token,"
        " order_seed) VALUES (?, 1, ?, ?, '', ?, 'learner', ?, 1, 'bench', ?)",
        users,
    )
    cur.executemany("INSERT INTO team_members (team_id, user_id) VALUES (?, ?)", members)
    cur.executemany("INSERT INTO lesson_completions (user_id, lesson_id, completed_at) VALUES (?, ?, ?)", lessons)
    cur.executemany(
        "INSERT INTO attempts (id, user_id, scenario_id, role, content_version, node_id, step, flags_json,"
        " totals_json, outcome, started_at, updated_at, finished_at, order_seed, kind)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, '[]', '{}', ?, ?, ?, ?, ?, 'assessed')",
        attempt_rows,
    )
    cur.executemany(
        "INSERT INTO attempt_steps (attempt_id, step, node_id, choice_index, choice_label, target_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        steps,
    )
    cur.executemany("INSERT INTO skill_scores (attempt_id, skill_id, total, score) VALUES (?, ?, ?, ?)", scores)
    cur.executemany(
        "INSERT INTO evidence (user_id, scenario_id, skill_id, attempt_id, score, earned, available, finished_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (uid, sid, skill, aid, value, value * best / 100, best, when)
            for (uid, sid), (aid, values, when) in latest.items()
            for skill, value in values.items()
            for best in [catalogue.scenarios[sid].best[skill]]
        ],
    )
    raw.commit()
    cur.execute("ANALYZE")
    raw.close()
    print(
        f"  data: {learners:,} learners, {len(attempt_rows):,} attempts, {len(steps):,} choices, "
        f"{len(scores):,} skill scores"
    )


def timed(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def build(path: str, size: int, attempts: int) -> None:
    """The benchmark database: history for ``size`` learners up to NOW, its read models and totals."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        create_schema()
        started = time.perf_counter()
        populate(app.extensions["catalogue"], size, attempts)
        print(f"  setup: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        readmodel.rebuild(app.extensions["catalogue"])
        db.session.commit()
        print(f"  read models and totals rebuilt from the full history: {time.perf_counter() - started:.1f} s")


def measure(path: str, size: int, runs: int) -> dict:
    """Time the overview and its page on a built database with whichever code this process runs."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        catalogue = app.extensions["catalogue"]
        # at the moment of reading, as the page does; the first call may sweep evidence turned stale
        insights.overview(Scope(1), catalogue, utcnow())
        db.session.commit()
        compute = timed(lambda: insights.overview(Scope(1), catalogue, utcnow()), runs)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{size + 1}:bench-leader:{int(time.time())}"  # signed in just now
        session["_fresh"] = True
    assert client.get("/insights/").status_code == 200
    page = timed(lambda: client.get("/insights/"), runs)
    return {"compute": compute, "page": page, "rss": rss_mb()}


def in_child(code, path: str, size: int, runs: int) -> dict:
    """``measure`` in a new process running ``code`` (a checkout), so each has its own imports and memory."""
    command = [sys.executable, str(ROOT / "bench" / "rollup.py"), "--measure", path, "--sizes", str(size)]
    command += ["--runs", str(runs), "--code", str(code)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 50000])
    parser.add_argument("--attempts", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="interleaved runs of each version per size")
    parser.add_argument("--no-baseline", action="store_true", help="measure this checkout only")
    parser.add_argument(
        "--baseline-sizes", type=int, nargs="+", help="measure the baseline at these sizes only (default: every size)"
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child mode: a built database to time
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.sizes[0], args.runs)))
        return
    baseline = None if args.no_baseline else baseline_tree()
    versions = [("now", CODE)] + ([("baseline", baseline)] if baseline else [])
    results = []
    for size in args.sizes:
        print(f"N = {size:,}")
        with tempfile.TemporaryDirectory() as tmp:
            path = f"{tmp}/bench.sqlite3"
            build(path, size, args.attempts)
            here = [(n, c) for n, c in versions if n == "now" or size in (args.baseline_sizes or [size])]
            found = {name: [] for name, _ in here}
            for _ in range(args.rounds):
                for name, code in here:
                    found[name].append(in_child(code, path, size, args.runs))
        row = {name: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for name, runs in found.items()}
        results.append((size, row))
        for name, figures in row.items():
            print(
                f"  {name:>8}: overview {figures['compute'] * 1000:.0f} ms, page {figures['page'] * 1000:.0f} ms, "
                f"peak RSS {figures['rss']:.0f} MB"
            )
    base_size = results[0][0]
    print("\nlearners   version    computation   page     growth vs smallest (computation, page) / learners ratio")
    for size, row in results:
        for name, figures in row.items():
            first = results[0][1][name]
            print(
                f"{size:>9,}   {name:<9} {figures['compute'] * 1000:>8.0f} ms  {figures['page'] * 1000:>6.0f} ms   "
                f"{figures['compute'] / first['compute']:>5.1f}x, {figures['page'] / first['page']:>5.1f}x"
                f" / {size / base_size:.0f}x"
            )


if __name__ == "__main__":
    main()
