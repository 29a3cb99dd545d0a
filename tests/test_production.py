"""The production entry point: gunicorn serving the app, structured logs with a request id."""
from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from literacy.observability import JsonFormatter

from conftest import ROOT


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_serves_the_app_with_the_documented_config(tmp_path):
    database = f"sqlite:///{tmp_path}/prod.sqlite3"
    env = {**os.environ, "DATABASE_URL": database, "LITERACY_ENV": "production", "SECRET_KEY": "k" * 32,
           "TRUSTED_HOSTS": "127.0.0.1", "WEB_CONCURRENCY": "2"}
    bin_dir = Path(sys.executable).parent
    subprocess.run([bin_dir / "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([bin_dir / "gunicorn", "-c", "python:literacy.gunicorn_conf", "--bind", f"127.0.0.1:{port}", "app:app"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body, headers = json.load(response), response.headers
                break
            except OSError:
                assert time.time() < deadline and server.poll() is None, "gunicorn did not start"
                time.sleep(0.2)
        assert body == {"status": "ok", "database": "ok"}
        assert headers["Strict-Transport-Security"] and headers["X-Request-ID"]
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode()
    assert '"path": "/healthz"' in output  # the structured access line
