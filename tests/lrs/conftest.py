"""A real Ralph LRS on loopback, started and stopped by the tests (``make test-lrs`` installs it)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from load import free_port  # noqa: E402

RALPH_PYTHON = Path(os.environ.get("RALPH_PYTHON", ROOT / ".venv-lrs" / "bin" / "python"))
USER, PASSWORD = "literacy", "lrs-test-secret"

# Ralph's own strict statement model, run in its virtualenv: an xAPI validator written by other people.
STRICT = """
import json, sys
from pydantic import ValidationError
from ralph.models.xapi.base.statements import BaseXapiStatement
for line in sys.stdin:
    try:
        BaseXapiStatement.model_validate(json.loads(line))
        print("ok")
    except ValidationError as error:
        print(json.dumps([e["loc"] for e in error.errors()]))
"""


class LRS:
    """One Ralph server with the file-system backend; its data survives a stop and start."""

    def __init__(self, workdir: Path, auth_file: Path):
        self.workdir, self.auth_file, self.port = workdir, auth_file, free_port()
        self.data = workdir / "data"
        self.data.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.origin}/xAPI/"

    def start(self) -> None:
        log = (self.workdir / "ralph.log").open("ab")
        self.process = subprocess.Popen(
            [str(RALPH_PYTHON), str(HERE / "ralph_server.py"), str(self.port), str(self.data), str(self.auth_file)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(self.url + "statements", timeout=1)
                return
            except requests.ConnectionError:
                assert self.process.poll() is None, (self.workdir / "ralph.log").read_text()
                time.sleep(0.1)
        raise TimeoutError("Ralph did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        self.process = None

    def get(self, path: str, **params) -> requests.Response:
        return requests.get(
            self.origin + path,
            params=params,
            auth=(USER, PASSWORD),
            headers={"X-Experience-API-Version": "1.0.3"},
            timeout=10,
        )

    def statements(self, **query) -> list[dict]:
        """Every statement the LRS returns for a query, following its ``more`` links."""
        found, response = [], self.get("/xAPI/statements", **query)
        while True:
            assert response.status_code == 200, response.text
            body = response.json()
            found += body["statements"]
            if not body.get("more") or not body["statements"]:
                return found
            response = self.get(body["more"])

    def post(self, statements: list[dict]) -> requests.Response:
        return requests.post(
            self.url + "statements",
            json=statements,
            auth=(USER, PASSWORD),
            headers={"X-Experience-API-Version": "1.0.3"},
            timeout=10,
        )


@pytest.fixture(scope="session")
def auth_file(tmp_path_factory) -> Path:
    """Credentials made the documented way, with ``ralph auth``."""
    if not RALPH_PYTHON.exists():
        pytest.fail(f"no Ralph at {RALPH_PYTHON}: run these tests with 'make test-lrs', which installs it")
    folder = tmp_path_factory.mktemp("ralph-auth")
    path = folder / "auth.json"
    env = {**os.environ, "RALPH_AUTH_FILE": str(path), "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_APP_DIR": str(folder)}
    subprocess.run(
        [
            str(RALPH_PYTHON.parent / "ralph"),
            "auth",
            "-u",
            USER,
            "-p",
            PASSWORD,
            "-s",
            "all",
            "-M",
            "mailto:lrs-admin@example.com",
            "-w",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    return path


@pytest.fixture
def lrs(tmp_path, auth_file):
    server = LRS(tmp_path / "lrs", auth_file)
    server.start()
    yield server
    server.stop()


def strict_errors(statements: list[dict]) -> list:
    """What Ralph's strict xAPI model says of each statement: 'ok' or the failing locations."""
    lines = "".join(json.dumps(s) + "\n" for s in statements)
    result = subprocess.run([str(RALPH_PYTHON), "-c", STRICT], input=lines, capture_output=True, text=True, check=True)
    return [line if line == "ok" else json.loads(line) for line in result.stdout.splitlines()]
