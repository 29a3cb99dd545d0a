"""The production entry point: gunicorn serving the app, structured logs with a request id."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select
from support import make
from support.apps import app_for
from support.paths import ROOT
from support.remote import HttpBrowser, free_port

from literacy.learning.tables import AttemptStep
from literacy.platform.extensions import db
from literacy.platform.observability import JsonFormatter


def test_request_id_is_generated_or_passed_through_from_a_trusted_proxy(tmp_path):
    from support.apps import make_app

    behind_proxy = make_app(tmp_path, TRUSTED_PROXIES=1).test_client()
    generated = behind_proxy.get("/login").headers["X-Request-ID"]
    assert len(generated) == 32
    passed = behind_proxy.get("/login", headers={"X-Request-ID": "req-12345678"})
    assert passed.headers["X-Request-ID"] == "req-12345678"
    assert behind_proxy.get("/login", headers={"X-Request-ID": "<bad id>"}).headers["X-Request-ID"] != "<bad id>"


def test_a_clients_own_request_id_is_not_believed_without_a_proxy(browser):
    """Hardening (issue 12): any client could choose the id its requests were logged under."""
    answered = browser.get("/login", headers={"X-Request-ID": "req-12345678"}).headers["X-Request-ID"]
    assert answered != "req-12345678" and len(answered) == 32


def test_access_log_line_carries_request_id_and_user(learner, caplog):
    with caplog.at_level(logging.INFO, logger="literacy.access"):
        response = learner.get("/progress")
    [record] = [r for r in caplog.records if r.name == "literacy.access"]
    assert (record.method, record.path, record.status) == ("GET", "/progress", 200) and record.user_id
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "GET /progress 200" and line["status"] == 200 and "time" in line
    assert len(response.headers["X-Request-ID"]) == 32


BIN = Path(sys.executable).parent


def gunicorn(env: dict, port: int) -> subprocess.Popen:
    """Start gunicorn with the production config and wait until /healthz answers."""
    server = subprocess.Popen(
        [BIN / "gunicorn", "-c", "python:literacy.gunicorn_conf", "--bind", f"127.0.0.1:{port}", "app:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: master and workers can be killed together
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


@pytest.mark.own_database
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


@pytest.mark.own_database
def test_a_worker_stopped_while_it_boots_does_not_hold_up_shutdown(tmp_path):
    """Regression: a SIGTERM that reached a worker before gunicorn installed the worker's own handlers
    was lost, and the master waited its whole graceful timeout (30 s) for that worker. The window is
    widened here: the worker pauses for a second before the documented post_fork hook runs."""
    config = tmp_path / "slow_boot.py"
    config.write_text(
        "import time\n"
        "from literacy import gunicorn_conf\n"
        "from literacy.gunicorn_conf import *  # noqa: F403\n"
        "def post_fork(server, worker):\n"
        "    print('worker paused', flush=True)\n"
        "    time.sleep(1)\n"
        "    gunicorn_conf.post_fork(server, worker)\n"
    )
    env = environment(tmp_path, LITERACY_ENV="production", PRELOAD_APP="1", WEB_CONCURRENCY="1")
    server = subprocess.Popen(
        [BIN / "gunicorn", "-c", str(config), "--bind", f"127.0.0.1:{free_port()}", "app:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for line in server.stdout:  # the app is preloaded: the worker is forked once the master is ready
            if b"worker paused" in line:
                break
        started = time.monotonic()
        server.terminate()
        server.wait(timeout=10)
        assert time.monotonic() - started < 5
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.communicate()


@pytest.mark.own_database
def test_server_killed_mid_attempt_loses_no_choice_and_the_learner_resumes(tmp_path):
    env = environment(tmp_path, LITERACY_ENV="development")
    app = app_for(env["DATABASE_URL"], ROOT)  # the shipped content, as the server has it
    with make.saved(app):
        make.user(
            "learner@example.com", org=make.organization("Load"), role=next(iter(app.extensions["catalogue"].roles))
        )
    port = free_port()
    server = gunicorn(env, port)
    learner = HttpBrowser(f"http://127.0.0.1:{port}").sign_in("learner@example.com")
    scenario = re.search(r'href="(/scenarios/[^"]+)"', learner.get("/").text)[1]
    attempt = re.search(r"/attempts/(\d+)", learner.post(scenario + "/start", page=scenario).location)[1]
    for _ in range(2):  # two decisions, each acknowledged with a redirect to its feedback
        button = next(f for f in learner.forms(f"/attempts/{attempt}") if f.action == f"/attempts/{attempt}/choose")
        step = button.hidden["step"]
        answer = learner.submit(button)
        assert answer.status == 302 and answer.location.endswith(f"/steps/{int(step) + 1}")
    os.killpg(server.pid, signal.SIGKILL)  # the master and every worker at once: no graceful shutdown
    server.wait(timeout=10)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttemptStep)) == 2
    server = gunicorn(env, port)
    try:
        resumed = learner.get(f"/attempts/{attempt}")  # the same browser session resumes
        assert resumed.status == 200 and 'name="step" value="2"' in resumed.text
    finally:
        server.terminate()
        server.communicate(timeout=20)
