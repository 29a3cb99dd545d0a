"""Throughput: a bare Flask route against the authenticated scenario step, in one run, same server.

Starts gunicorn on loopback (SQLite), then for --seconds each drives --connections keep-alive
clients at (1) GET /bare, a route that returns a constant, and (2) GET /attempts/<id>, a signed-in
learner's current scenario node (session, access rule, attempt lookup, content, template), the two
in --turns alternating slices (so a drift in the machine's speed during the run touches both alike).
Prints requests per second and p95 for both and the ratio, and the memory of each gunicorn worker.
Target: the step at 50% or more of the bare route's rate. ``--versus N`` measures this checkout and
the baseline code (``common.BASELINE``) N times each, interleaved.

    .venv/bin/python bench/throughput.py [--connections 8] [--seconds 10] [--workers 2] [--versus 3]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, children, interleaved, pss_mb, result_line, rss_mb
from load import BIN, CODE, TOKEN, Cookies, free_port, prepare


class Client:
    """One keep-alive connection that carries its own session cookie."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies = Cookies()

    def send(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = self.cookies.headers()
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        self.cookies.keep(response)
        return response.status, text, response.getheader("Location") or ""

    def sign_in_and_start(self, email: str, password: str) -> str:
        page = self.send("GET", "/login")[1]
        self.send("POST", "/login", {"csrf_token": TOKEN.search(page)[1], "email": email, "password": password})
        scenario = re.search(r'href="(/scenarios/[^"]+)"', self.send("GET", "/")[1])[1]
        overview = self.send("GET", scenario)[1]
        after = re.search(r'name="after"[^>]*value="(\d+)"', overview)[1]
        location = self.send("POST", scenario + "/start", {"csrf_token": TOKEN.search(overview)[1], "after": after})[2]
        return urllib.parse.urlparse(location).path


def drive(clients: list[Client], paths: list[str], seconds: float) -> tuple[list[float], int]:
    """The latency of every request answered in ``seconds``, and the count of non-200 answers."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    until = time.perf_counter() + seconds

    def loop(client: Client, path: str):
        mine, bad = [], 0
        while time.perf_counter() < until:
            started = time.perf_counter()
            status = client.send("GET", path)[0]
            mine.append(time.perf_counter() - started)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    # one path per client: a missing or extra path is a caller's mistake, not something to skip silently
    threads = [threading.Thread(target=loop, args=pair) for pair in zip(clients, paths, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors[0]


def in_turns(
    routes: list[tuple[list[Client], list[str]]], seconds: float, turns: int
) -> list[tuple[float, float, int]]:
    """For each route (its clients and their paths): requests per second, p95 latency in ms and
    non-200 answers over ``seconds``, driven in ``turns`` alternating slices rather than one block
    each, so a machine that slows down or speeds up during the run affects every route alike."""
    found: list[tuple[list[float], int]] = [([], 0) for _ in routes]
    for _ in range(turns):
        for at, (clients, paths) in enumerate(routes):
            latencies, errors = drive(clients, paths, seconds / turns)
            found[at] = (found[at][0] + latencies, found[at][1] + errors)
    return [
        (len(latencies) / seconds, statistics.quantiles(latencies, n=100)[94] * 1000, errors)
        for latencies, errors in found
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--turns", type=int, default=5, help="alternating slices of each route")
    parser.add_argument("--versus", type=int, default=0, help="interleaved runs against the baseline code, each")
    args = parser.parse_args()
    if args.turns < 1:
        parser.error("--turns must be 1 or more")
    if args.versus:
        return versus(args.versus)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/throughput.sqlite3",
            "LITERACY_ENV": "development",
            "SECRET_KEY": "throughput-" * 4,
            "WEB_CONCURRENCY": str(args.workers),
            "THREADS": "1",
        }
        prepare(env, args.connections)
        port = free_port()
        with open(Path(tmp) / "server.log", "w") as log:
            server = subprocess.Popen(
                [
                    BIN / "gunicorn",
                    "-c",
                    "python:literacy.gunicorn_conf",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--pythonpath",
                    str(ROOT / "bench"),
                    "throughput_app:app",
                ],
                cwd=CODE,
                env=env,
                stdout=log,
                stderr=log,
            )
            try:
                for _ in range(100):
                    try:
                        Client(port).send("GET", "/healthz")
                        break
                    except OSError:
                        time.sleep(0.2)
                bare_clients = [Client(port) for _ in range(args.connections)]
                step_clients = [Client(port) for _ in range(args.connections)]
                steps = [
                    c.sign_in_and_start(f"load{i}@example.com", "load test passphrase")
                    for i, c in enumerate(step_clients)
                ]
                routes = [(bare_clients, ["/bare"] * args.connections), (step_clients, steps)]
                in_turns(routes, 1, 1)  # warm up both
                bare, step = in_turns(routes, args.seconds, args.turns)
                workers = children(server.pid)
                memory = [(rss_mb(pid), pss_mb(pid)) for pid in workers]
            finally:
                server.terminate()
                server.wait(timeout=30)
    print(
        f"gunicorn workers: {args.workers}, connections: {args.connections}, {args.seconds:.0f} s each, "
        f"in {args.turns} alternating turns"
    )
    print(f"bare route:      {bare[0]:8.0f} requests/s, p95 {bare[1]:6.1f} ms, non-200: {bare[2]}")
    print(f"scenario step:   {step[0]:8.0f} requests/s, p95 {step[1]:6.1f} ms, non-200: {step[2]}")
    print(
        f"ratio: the scenario step runs at {100 * step[0] / bare[0]:.0f}% of the bare route's rate (target 50% or more)"
    )
    print("memory per gunicorn worker: " + ", ".join(f"RSS {r:.0f} MB (PSS {p:.0f} MB)" for r, p in memory))
    print(result_line({"bare": bare[0], "step": step[0], "ratio": step[0] / bare[0]}))


def versus(rounds: int) -> None:

    def show(name: str, figures: dict) -> None:
        print(
            f"  {name:>8}: bare {figures['bare']:.0f}/s, step {figures['step']:.0f}/s, "
            f"step at {100 * figures['ratio']:.0f}% of bare"
        )

    found = interleaved("throughput.py", sys.argv[1:], rounds, show)
    if found:
        ratio = {name: statistics.median(r["ratio"] for r in runs) for name, runs in found.items()}
        print(f"median: the step at {100 * ratio['baseline']:.0f}% of bare before, {100 * ratio['now']:.0f}% now")


if __name__ == "__main__":
    main()
