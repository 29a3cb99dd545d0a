"""Load test: simulated learners against the app under gunicorn on loopback.

Starts gunicorn (production settings) on a free port against DATABASE_URL (default: a fresh
SQLite file; run under tests/with_postgres.sh with --postgres for PostgreSQL), creates the
learner accounts, then runs N concurrent learners for a fixed time. Each signs in, opens their
home page and a lesson, and plays whole scenarios, thinking 1-3 s between requests (--no-think
removes the pause). It prints requests per second, p50/p95/p99 latency, the count of 5xx
answers, and a reconciliation of the choices the clients saw accepted against the rows in the
database. Bounded: it stops by itself after --seconds.

It also prints the memory (RSS) of each gunicorn worker at the end, with all ten roles' content
loaded. ``--versus N`` runs the same load N times each against this checkout and against the code
before the work on cost and scale (``common.BASELINE``), interleaved, and prints both side by side.

    .venv/bin/python bench/load.py [--learners 100] [--seconds 60] [--workers 2] [--versus 3]
    tests/with_postgres.sh .venv/bin/python bench/load.py --postgres
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from common import children, interleaved, pss_mb, result_line, rss_mb, use_code

CODE = use_code()  # the checkout whose app is served: this one, or another with --code DIR
sys.path.insert(0, str(CODE))
BIN = Path(sys.executable).parent
PASSWORD = "load test passphrase"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CHOICE = re.compile(
    r'<input type="hidden" name="step" value="(\d+)">\s*<input type="hidden" name="node" value="([^"]+)">\s*'
    r'<input type="hidden" name="choice" value="(\d+)">'
)


class Cookies:
    """The cookies a server set, sent back with each request: a browser's jar without paths or expiry."""

    def __init__(self):
        self.values: dict[str, str] = {}

    def headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.values.items())} if self.values else {}

    def keep(self, response: http.client.HTTPResponse) -> None:
        for line in response.headers.get_all("Set-Cookie") or []:
            name, _, value = line.split(";", 1)[0].partition("=")
            self.values[name.strip()] = value


class Learner:
    """One simulated learner on one keep-alive connection, carrying its session cookie."""

    def __init__(self, base: str, email: str, rng: random.Random, think: bool, stats: Stats):
        self.base, self.email, self.rng, self.think, self.stats = base, email, rng, think, stats
        self.address = urllib.parse.urlparse(base)
        self.connection: http.client.HTTPConnection | None = None
        self.cookies = Cookies()
        self.accepted: set[tuple[int, int]] = set()  # (attempt, step) the server confirmed

    def _send(self, path: str, body: bytes | None) -> tuple[int, str, str]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.address.hostname, self.address.port, timeout=30)
        headers = self.cookies.headers()
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode(errors="replace")
        self.cookies.keep(response)
        return response.status, text, response.getheader("Location") or ""

    def request(self, path: str, data: dict | None = None, stats: Stats | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.perf_counter()
        try:
            try:
                status, text, location = self._send(path, body)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection = None  # the server closed an idle keep-alive connection: one fresh try
                status, text, location = self._send(path, body)
        except OSError as error:
            self.connection = None
            status, text, location = 0, "", ""
            (stats or self.stats).failure(f"{path}: {type(error).__name__}: {error}")
        (stats or self.stats).record(status, time.perf_counter() - started, started)
        if self.think:
            time.sleep(self.rng.uniform(1, 3))
        return status, text, location

    def run(self, until: float, signin: Stats) -> None:
        """Sign in (timed apart: a deliberately slow password hash), then browse and play until ``until``."""
        _, page, _ = self.request("/login", stats=signin)
        token = TOKEN.search(page)
        if not token:
            return
        self.request("/login", {"csrf_token": token[1], "email": self.email, "password": PASSWORD}, stats=signin)
        while time.time() < until:
            _, home, _ = self.request("/")
            lessons = re.findall(r'href="(/lessons/[^"]+)"', home)
            scenarios = re.findall(r'href="(/scenarios/[^"]+)"', home)
            if lessons:
                self.request(self.rng.choice(lessons))
            if scenarios:
                self.play(self.rng.choice(scenarios), until)

    def play(self, scenario: str, until: float) -> None:
        _, page, _ = self.request(scenario)
        token, after = TOKEN.search(page), re.search(r'name="after"[^>]*value="(\d+)"', page)
        if not token or not after:
            return
        _, _, location = self.request(scenario + "/start", {"csrf_token": token[1], "after": after[1]})
        match = re.search(r"/attempts/(\d+)", location)
        if not match:
            return
        attempt = int(match[1])
        while time.time() < until:
            status, node, _ = self.request(f"/attempts/{attempt}")
            choices = CHOICE.findall(node)
            token = TOKEN.search(node)
            if status != 200 or not choices or not token:
                return  # finished (redirect to the debrief) or an error already counted
            step, node_id, choice = self.rng.choice(choices)
            status, _, location = self.request(
                f"/attempts/{attempt}/choose", {"csrf_token": token[1], "step": step, "node": node_id, "choice": choice}
            )
            if status == 302 and f"/attempts/{attempt}/steps/{int(step) + 1}" in location:
                self.accepted.add((attempt, int(step) + 1))
                self.request(urllib.parse.urlparse(location).path)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.starts: list[float] = []
        self.statuses: dict[int, int] = {}
        self.failures: list[str] = []

    def failure(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)

    def record(self, status: int, seconds: float, started: float) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.starts.append(started)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def after(self, moment: float) -> list[float]:
        """Latencies of the requests that started after ``moment``."""
        # under the lock: record() appends to both lists together, so they always have equal length
        with self.lock:
            pairs = list(zip(self.latencies, self.starts, strict=True))
        return sorted(latency for latency, start in pairs if start >= moment)

    def last_answer(self) -> float:
        """When the last of the requests was answered (its start plus its latency)."""
        with self.lock:
            return max(start + latency for start, latency in zip(self.starts, self.latencies, strict=True))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(env: dict, learners: int) -> None:
    """Migrate the schema and create the learner accounts (one shared strong hash)."""
    subprocess.run([BIN / "flask", "--app", "app", "db", "upgrade"], cwd=CODE, env=env, check=True, capture_output=True)
    script = f"""
from app import app
from literacy.platform.extensions import db
from literacy.people.tables import Organization, User
from werkzeug.security import generate_password_hash
with app.app_context():
    org = Organization(name="Load", slug="load"); db.session.add(org); db.session.flush()
    digest = generate_password_hash({PASSWORD!r}, method=app.config["PASSWORD_HASH_METHOD"])
    roles = list(app.extensions["catalogue"].roles)
    db.session.add_all(
        User(org_id=org.id, email=f"load{{i}}@example.com", name=f"Load {{i}}", role=roles[i % len(roles)],
             access="learner", password_hash=digest)
        for i in range({learners})
    )
    db.session.commit()
"""
    subprocess.run([sys.executable, "-c", script], cwd=CODE, env=env, check=True)


def count_steps(env: dict) -> int:
    script = (
        "from app import app\n"
        "from literacy.platform.extensions import db\n"
        "from literacy.learning.tables import AttemptStep\n"
        "with app.app_context(): print(db.session.query(AttemptStep).count())"
    )
    return int(
        subprocess.run(
            [sys.executable, "-c", script], cwd=CODE, env=env, check=True, capture_output=True, text=True
        ).stdout
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-think", action="store_true", help="no pause between requests")
    parser.add_argument("--postgres", action="store_true", help="use TEST_DATABASE_URL (set by tests/with_postgres.sh)")
    parser.add_argument("--versus", type=int, default=0, help="interleaved runs against the baseline code, each")
    args = parser.parse_args()
    if args.versus:
        return versus(args.versus)
    with tempfile.TemporaryDirectory() as tmp:
        database = os.environ["TEST_DATABASE_URL"] if args.postgres else f"sqlite:///{tmp}/load.sqlite3"
        port = free_port()
        # development mode: production cookies are Secure and would not travel over plain HTTP on loopback
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "LITERACY_ENV": "development",
            "SECRET_KEY": "load-" * 8,
            "TRUSTED_HOSTS": "127.0.0.1",
            "WEB_CONCURRENCY": str(args.workers),
        }
        prepare(env, args.learners)
        with open(Path(tmp) / "server.log", "w") as log:
            server = subprocess.Popen(
                [BIN / "gunicorn", "-c", "python:literacy.gunicorn_conf", "--bind", f"127.0.0.1:{port}", "app:app"],
                cwd=CODE,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                for _ in range(100):
                    try:
                        urllib.request.urlopen(base + "/healthz", timeout=2).close()
                        break
                    except OSError:
                        time.sleep(0.2)
                stats, signin = Stats(), Stats()
                clients = [
                    Learner(base, f"load{i}@example.com", random.Random(i), not args.no_think, stats)
                    for i in range(args.learners)
                ]
                until = time.time() + args.seconds
                threads = [threading.Thread(target=c.run, args=(until, signin)) for c in clients]
                started = time.time()
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(timeout=args.seconds + 60)
                elapsed = time.time() - started
                workers = children(server.pid)
                workers_mb, workers_pss = [rss_mb(pid) for pid in workers], [pss_mb(pid) for pid in workers]
            finally:
                server.terminate()
                server.wait(timeout=30)
        server_log = (Path(tmp) / "server.log").read_text()
        locked = server_log.count("database is locked")
        # the last line of each traceback the server logged: what a 5xx was
        raised = [block.strip().splitlines()[-1][:300] for block in server_log.split("Traceback")[1:]]
        accepted = sum(len(c.accepted) for c in clients)
        rows = count_steps(env)
    latencies = sorted(stats.latencies)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0] * 99
    errors = sum(n for s, n in (*stats.statuses.items(), *signin.statuses.items()) if s >= 500 or s == 0)
    signins = sorted(signin.latencies)
    print(
        f"database: {'PostgreSQL' if args.postgres else 'SQLite'}, gunicorn workers: {args.workers}, "
        f"learners: {args.learners}, think time: {'none' if args.no_think else '1-3 s'}, duration: {elapsed:.0f} s"
    )
    print(
        f"requests: {len(latencies)}, {len(latencies) / elapsed:.1f} per second; "
        f"statuses: {dict(sorted(stats.statuses.items()))}"
    )
    print(
        f"latency of pages and choices: p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms"
    )
    if signins:
        print(
            f"sign-in requests (PBKDF2 600,000 iterations, all at the start): {len(signins)}, "
            f"median {statistics.median(signins) * 1000:.0f} ms, max {signins[-1] * 1000:.0f} ms"
        )
        steady = stats.after(signin.last_answer())
        if len(steady) > 1:
            p = statistics.quantiles(steady, n=100)
            print(
                f"steady state (after the last sign-in): {len(steady)} requests, p50 {p[49] * 1000:.0f} ms, "
                f"p95 {p[94] * 1000:.0f} ms, p99 {p[98] * 1000:.0f} ms"
            )
    print(f"5xx or failed connections: {errors}; 'database is locked' in the server log: {locked}")
    for line in raised[:3]:
        print(f"  server error: {line}")
    for message in (stats.failures + signin.failures)[:5]:
        print(f"  failed: {message}")
    print(
        f"choices acknowledged to clients: {accepted}; choice rows in the database: {rows}; "
        f"lost: {max(0, accepted - rows)}; extra rows: {max(0, rows - accepted)}"
    )
    memory, shared = (", ".join(f"{m:.0f} MB" for m in figures) for figures in (workers_mb, workers_pss))
    print(f"memory per gunicorn worker (RSS, ten roles of content loaded): {memory}; PSS: {shared}")
    steady_p99 = statistics.quantiles(steady, n=100)[98] if signins and len(steady) > 1 else q[98]
    summary = {"rps": len(latencies) / elapsed, "p50": q[49], "p99": q[98], "steady_p99": steady_p99}
    summary |= {"errors": errors, "lost": max(0, accepted - rows), "extra": max(0, rows - accepted)}
    summary |= {"raised": raised[:3]}
    print(result_line(summary | {"rss": workers_mb, "pss": workers_pss}))


def versus(rounds: int) -> None:
    """The same load against this checkout and the baseline, interleaved; medians side by side."""

    def show(name: str, result: dict) -> None:
        print(
            f"  {name:>8}: {result['rps']:.0f} requests/s, steady p99 {result['steady_p99'] * 1000:.0f} ms, "
            f"5xx {result['errors']}, lost {result['lost']}, extra {result['extra']}, "
            f"worker RSS {', '.join(f'{m:.0f}' for m in result['rss'])} MB "
            f"(PSS {', '.join(f'{m:.0f}' for m in result['pss'])} MB)"
        )
        for line in result.get("raised", []):
            print(f"    server error: {line}")

    found = interleaved("load.py", sys.argv[1:], rounds, show)
    if found is None:
        return
    medians = {
        name: {k: statistics.median(r[k] for r in runs) for k in ("rps", "steady_p99", "p50")}
        for name, runs in found.items()
    }
    old, new = medians["baseline"], medians["now"]
    print(
        f"median of {rounds} interleaved runs each: {old['rps']:.0f} -> {new['rps']:.0f} requests/s "
        f"({new['rps'] / old['rps']:.2f}x); steady-state p99 {old['steady_p99'] * 1000:.0f} -> "
        f"{new['steady_p99'] * 1000:.0f} ms; p50 {old['p50'] * 1000:.0f} -> {new['p50'] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
