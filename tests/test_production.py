"""The production entry point: gunicorn serving the app, structured logs with a request id."""

from __future__ import annotations

import json
import logging
import os
import random
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import ROOT

from literacy.platform.observability import JsonFormatter

sys.path.insert(0, str(ROOT / "bench"))
from load import free_port


def test_request_id_is_generated_or_passed_through(browser):
    generated = browser.get("/login").headers["X-Request-ID"]
    assert len(generated) == 32
    assert browser.get("/login", headers={"X-Request-ID": "req-12345678"}).headers["X-Request-ID"] == "req-12345678"
    assert browser.get("/login", headers={"X-Request-ID": "<bad id>"}).headers["X-Request-ID"] != "<bad id>"


def test_access_log_line_carries_request_id_and_user(learner, caplog):
    with caplog.at_level(logging.INFO, logger="literacy.access"):
        response = learner.get("/progress", headers={"X-Request-ID": "trace-abcdef12"})
    [record] = [r for r in caplog.records if r.name == "literacy.access"]
    assert (record.method, record.path, record.status) == ("GET", "/progress", 200) and record.user_id
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /progress 200" and line["status"] == 200 and "time" in line
    assert response.headers["X-Request-ID"] == "trace-abcdef12"


BIN = Path(sys.executable).parent


def gunicorn(env: dict, port: int) -> subprocess.Popen:
    """Start gunicorn with the production config and wait until /healthz answers."""
    server = subprocess.Popen(
        [BIN / "gunicorn", "-c", "python:literacy.gunicorn_conf", "--bind", f"127.0.0.1:{port}", "app:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 20
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
            return server
        except OSError:
            assert time.time() < deadline and server.poll() is None, "gunicorn did not start"
            time.sleep(0.2)


def environment(tmp_path, **extra) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path}/prod.sqlite3",
        "SECRET_KEY": "k" * 32,
        "TRUSTED_HOSTS": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        **extra,
    }
    subprocess.run([BIN / "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    return env


def test_gunicorn_serves_the_app_with_the_documented_config(tmp_path):
    env = environment(tmp_path, LITERACY_ENV="production")
    port = free_port()
    server = gunicorn(env, port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            body, headers = json.load(response), response.headers
        assert body == {"status": "ok", "database": "ok"}
        assert headers["Strict-Transport-Security"] and headers["X-Request-ID"]
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert '"path": "/healthz"' in output  # the structured access line


def test_server_killed_mid_attempt_loses_no_choice_and_the_learner_resumes(tmp_path):
    from load import CHOICE, TOKEN, Learner, Stats, count_steps, prepare  # the load test's own HTTP client

    env = environment(tmp_path, LITERACY_ENV="development")
    prepare(env, 1)
    port = free_port()
    server = gunicorn(env, port)
    learner = Learner(f"http://127.0.0.1:{port}", "load0@example.com", random.Random(1), False, Stats())
    page = learner.request("/login")[1]
    learner.request(
        "/login",
        {"csrf_token": TOKEN.search(page)[1], "email": "load0@example.com", "password": "load test passphrase"},
    )
    scenario = re.search(r'href="(/scenarios/[^"]+)"', learner.request("/")[1])[1]
    overview = learner.request(scenario)[1]
    after = re.search(r'name="after"[^>]*value="(\d+)"', overview)[1]
    attempt = re.search(
        r"/attempts/(\d+)",
        learner.request(scenario + "/start", {"csrf_token": TOKEN.search(overview)[1], "after": after})[2],
    )[1]
    for _ in range(2):  # two decisions, each acknowledged with a redirect to its feedback
        node = learner.request(f"/attempts/{attempt}")[1]
        step, node_id, choice = CHOICE.findall(node)[0]
        status, _, location = learner.request(
            f"/attempts/{attempt}/choose",
            {"csrf_token": TOKEN.search(node)[1], "step": step, "node": node_id, "choice": choice},
        )
        assert status == 302 and location.endswith(f"/steps/{int(step) + 1}")
    server.kill()  # SIGKILL: no graceful shutdown
    server.wait(timeout=10)
    assert count_steps(env) == 2
    server = gunicorn(env, port)
    try:
        status, page, _ = learner.request(f"/attempts/{attempt}")  # the same browser session resumes
        assert status == 200 and 'name="step" value="2"' in page
    finally:
        server.terminate()
        server.communicate(timeout=20)
