"""Profile: where the time of bench/load.py's request mix goes, in one process under cProfile.

Ten learners sign in, then each opens their home page and a lesson and plays a whole scenario,
``--rounds`` times, through Flask's test client on a fresh SQLite file (no HTTP, no gunicorn, so
the figures are the app's own). Prints each kind of request's count and mean time, then the app's
functions with the most cumulative time per request. ``--code DIR`` profiles another checkout (the
baseline: ``--code $(python -c 'import common; print(common.baseline_tree())')``).

    .venv/bin/python bench/profile_mix.py [--rounds 6] [--top 15]
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import pstats
import random
import re
import sys
import tempfile
import time

from common import use_code

sys.path.insert(0, str(use_code()))
from load import CHOICE, PASSWORD, TOKEN
from werkzeug.security import generate_password_hash

from literacy import create_app
from literacy.people.tables import Organization, User
from literacy.platform.database import create_schema
from literacy.platform.extensions import db

LEARNERS = 10


def warm(scenario) -> None:
    """The decision estimate gunicorn's master works out at start (kept per process by older code)."""
    if hasattr(type(scenario), "typical_decisions"):
        scenario.typical_decisions  # noqa: B018
    else:
        from literacy.web import scenarios

        scenarios._decisions_estimate(scenario)


class Mix:
    """The load test's learners, driven through the test client, timing each kind of request."""

    def __init__(self, app, rng: random.Random):
        self.app, self.rng = app, rng
        self.times: dict[str, list[float]] = collections.defaultdict(list)

    def request(self, client, path: str, data: dict | None = None) -> tuple[int, str, str]:
        started = time.perf_counter()
        response = client.post(path, data=data) if data is not None else client.get(path)
        kind = re.sub(r"/(lessons|scenarios)/[^/]+", r"/\1/<id>", re.sub(r"/\d+", "/<n>", path))
        self.times[("POST " if data is not None else "GET ") + kind].append(time.perf_counter() - started)
        return response.status_code, response.get_data(as_text=True), response.headers.get("Location", "")

    def sign_in(self, number: int):
        client = self.app.test_client()
        page = self.request(client, "/login")[1]
        form = {"csrf_token": TOKEN.search(page)[1], "email": f"load{number}@example.com", "password": PASSWORD}
        self.request(client, "/login", form)
        return client

    def play(self, client) -> None:
        home = self.request(client, "/")[1]
        lessons, scenarios = (
            re.findall(r'href="(/lessons/[^"]+)"', home),
            re.findall(r'href="(/scenarios/[^"]+)"', home),
        )
        if lessons:
            self.request(client, self.rng.choice(lessons))
        if not scenarios:
            return
        scenario = self.rng.choice(scenarios)
        page = self.request(client, scenario)[1]
        token, after = TOKEN.search(page), re.search(r'name="after"[^>]*value="(\d+)"', page)
        location = self.request(client, scenario + "/start", {"csrf_token": token[1], "after": after[1]})[2]
        attempt = re.search(r"/attempts/(\d+)", location)[1]
        while True:
            status, node, _ = self.request(client, f"/attempts/{attempt}")
            choices, token = CHOICE.findall(node), TOKEN.search(node)
            if status != 200 or not choices or not token:
                return
            step, node_id, choice = self.rng.choice(choices)
            form = {"csrf_token": token[1], "step": step, "node": node_id, "choice": choice}
            status, _, location = self.request(client, f"/attempts/{attempt}/choose", form)
            if status == 302 and "/steps/" in location:
                self.request(client, location.replace("http://localhost", ""))


def prepared_app(folder: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/profile.sqlite3", "SECRET_KEY": "p" * 40})
    with app.app_context():
        create_schema()
        org = Organization(name="Load", slug="load")
        db.session.add(org)
        db.session.flush()
        digest = generate_password_hash(PASSWORD, method=app.config["PASSWORD_HASH_METHOD"])
        roles = list(app.extensions["catalogue"].roles)
        db.session.add_all(
            User(
                org_id=org.id,
                email=f"load{i}@example.com",
                name=f"Load {i}",
                role=roles[i % len(roles)],
                access="learner",
                password_hash=digest,
            )
            for i in range(LEARNERS)
        )
        db.session.commit()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        mix = Mix(prepared_app(folder), random.Random(1))
        clients = [mix.sign_in(i) for i in range(LEARNERS)]
        with mix.app.test_request_context():  # steady state: gunicorn's master works these out at start
            for scenario in mix.app.extensions["catalogue"].scenarios.values():
                warm(scenario)
        for client in clients:  # warm: first visits fill the other per-process caches
            mix.play(client)
        mix.times.clear()
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.rounds):
            for client in clients:
                mix.play(client)
        profile.disable()
    requests = sum(len(t) for t in mix.times.values())
    spent = sum(sum(t) for t in mix.times.values())
    print(f"{requests} requests, {spent / requests * 1000:.1f} ms each on average (under the profiler)")
    for kind, times in sorted(mix.times.items(), key=lambda item: -sum(item[1])):
        print(f"  {kind:32} {len(times):5}  mean {sum(times) / len(times) * 1000:6.1f} ms  {sum(times) / spent:6.1%}")
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(r"literacy/(?!platform/transactions)", args.top)
    print(f"\nthe app's functions by cumulative time (ms per request = cumtime / {requests} requests):")
    for line in out.getvalue().splitlines():
        parts = line.split()
        if len(parts) == 6 and "literacy/" in parts[-1] and parts[3].replace(".", "").isdigit():
            where = parts[-1].split("literacy/", 1)[1]
            print(f"  {float(parts[3]) * 1000 / requests:6.2f} ms  {parts[0]:>9} calls  {where}")


if __name__ == "__main__":
    main()
