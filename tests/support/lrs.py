"""A real Ralph LRS on loopback, for ``make test-lrs`` (which installs Ralph in .venv-lrs)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import requests

from .paths import ROOT
from .remote import free_port

RALPH_PYTHON = Path(os.environ.get("RALPH_PYTHON", ROOT / ".venv-lrs" / "bin" / "python"))
SERVER = ROOT / "tests" / "lrs" / "ralph_server.py"
LRS_USER, LRS_PASSWORD = "literacy", "lrs-test-secret"

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
            [str(RALPH_PYTHON), str(SERVER), str(self.port), str(self.data), str(self.auth_file)],
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
            auth=(LRS_USER, LRS_PASSWORD),
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
            auth=(LRS_USER, LRS_PASSWORD),
            headers={"X-Experience-API-Version": "1.0.3"},
            timeout=10,
        )


def write_auth_file(folder: Path) -> Path:
    """Credentials for ``LRS_USER``, made the documented way, with ``ralph auth``."""
    path = folder / "auth.json"
    env = {**os.environ, "RALPH_AUTH_FILE": str(path), "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_APP_DIR": str(folder)}
    subprocess.run(
        [
            str(RALPH_PYTHON.parent / "ralph"),
            "auth",
            "-u",
            LRS_USER,
            "-p",
            LRS_PASSWORD,
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


def strict_errors(statements: list[dict]) -> list:
    """What Ralph's strict xAPI model says of each statement: 'ok' or the failing locations."""
    lines = "".join(json.dumps(s) + "\n" for s in statements)
    result = subprocess.run([str(RALPH_PYTHON), "-c", STRICT], input=lines, capture_output=True, text=True, check=True)
    return [line if line == "ok" else json.loads(line) for line in result.stdout.splitlines()]
