"""The multi-node set-up the scale tests run against, all real and all on loopback.

- Two gunicorn servers (production settings, ``WEB_CONCURRENCY=2`` each) on two ports, on the one
  PostgreSQL database of ``tests/with_postgres.sh``.
- The outbox workers, run as the ``flask`` commands an operator runs.
- An xAPI receiving end: an HTTP server that checks the credentials and the version header, as an
  LRS does, and records every statement id it is sent, every time it is sent. (Ralph, the LRS of
  ``make test-lrs``, keeps the first copy of an id and drops a repeat, so it could not tell a
  statement sent twice from one sent once.)
- An SMTP server (aiosmtpd, ``support.smtp``) that keeps every message it accepts.

Both receiving ends hold their first delivery until a second one is in flight (a few seconds at
most): two workers are then seen holding two different batches at once, rather than one worker
draining everything before the other has started.

``Browser`` is a person's browser behind the load balancer: one cookie jar (bench/load.py's), one
client address sent as ``X-Forwarded-For`` (the servers run with ``TRUSTED_PROXIES=1``), and each
request sent to the server the caller names or to either at random.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import email
import email.policy
import http.client
import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from support.browser import TOKEN
from support.paths import ROOT
from support.remote import free_port
from support.smtp import Inbox, SmtpServer


def _bench_load():
    """bench/load.py, imported by path: its account set-up, cookie jar and choice-form pattern."""
    folder = str(ROOT / "bench")
    sys.path.insert(0, folder)  # for the modules it imports from its own folder, as when it runs as a script
    try:
        spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(folder)
    return module


load = _bench_load()
BIN = ROOT / ".venv" / "bin"
PASSWORD = load.PASSWORD  # every account bench/load.py's prepare() creates has it
CHOICE_FORM = load.CHOICE  # a choice button's hidden fields on a scenario step: step, node, choice
LRS_USER, LRS_PASSWORD = "scale", "scale-lrs-secret"
HOLD_SECONDS = 8  # how long a receiving end holds its first delivery for a second one (MAIL_TIMEOUT is 10 s)


# The cast: bench/load.py's prepare() makes load0@example.com ... load39@example.com; each test has its own.
LEARNERS = 40
PLAYERS = range(0, 20)  # play scenarios side by side (the choices test)
SESSION_PEOPLE = range(20, 22)  # the sessions test
THROTTLED = range(22, 26)  # the throttling test
MAILED = range(26, 40)  # ask for password resets and play while the workers run (the workers test)
REMINDED = range(30, 40)  # members of a cohort due in two days: the mailers queue their reminders
SIGNUP_DOMAIN = "scale.example"  # the organisation's sign-up domain: registering there sends a confirmation


def email_of(i: int) -> str:
    return f"load{i}@example.com"


def token(page: str) -> str:
    found = TOKEN.search(page)
    assert found, "no CSRF token on the page"
    return found[1] or found[2]


# --- processes ----------------------------------------------------------------------------------

_running: set[Process] = set()


@atexit.register
def stop_all() -> None:
    """Stop every process still running: at the end of the session, and at exit at the latest."""
    for process in list(_running):
        process.stop()


class Process:
    """A command in its own process group (gunicorn's workers, flask's children go with it), its
    output in files."""

    def __init__(self, name: str, argv: list[str], env: dict, folder: Path):
        self.name = name
        self.out_path, self.err_path = folder / f"{name}.out", folder / f"{name}.err"
        self._out, self._err = self.out_path.open("wb"), self.err_path.open("wb")
        self.popen = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self._out, stderr=self._err, start_new_session=True
        )
        _running.add(self)

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self) -> None:
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)
        self._out.close()
        self._err.close()
        _running.discard(self)

    def output(self) -> str:
        return self.out_path.read_text(errors="replace")

    def errors(self) -> str:
        return self.err_path.read_text(errors="replace")

    def tail(self, lines: int = 30) -> str:
        return "\n".join((self.output() + self.errors()).splitlines()[-lines:])


class Server(Process):
    """``gunicorn -c python:literacy.gunicorn_conf --bind 127.0.0.1:PORT app:app``."""

    def __init__(self, name: str, env: dict, folder: Path):
        self.port = free_port()
        argv = [str(BIN / "gunicorn"), "-c", "python:literacy.gunicorn_conf", "--bind", f"127.0.0.1:{self.port}"]
        super().__init__(f"server-{name}", [*argv, "app:app"], env, folder)
        self.label = name

    def wait_healthy(self, seconds: float = 90) -> None:
        """Until /healthz answers 200 (the database answers too)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.alive, f"{self.name} stopped:\n{self.tail()}"
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                connection.close()
            time.sleep(0.2)
        raise AssertionError(f"{self.name} not healthy after {seconds:g} s:\n{self.tail()}")


def flask_command(name: str, args: list[str], env: dict, folder: Path) -> Process:
    """``flask --app app ARGS`` as a long-running worker; unbuffered, so what it printed survives its stop."""
    return Process(name, [str(BIN / "flask"), "--app", "app", *args], {**env, "PYTHONUNBUFFERED": "1"}, folder)


# --- the receiving ends ---------------------------------------------------------------------------


class Hold:
    """The first delivery waits until a second is in flight, or ``HOLD_SECONDS`` have passed; then
    everything passes at once. Notes the most deliveries ever in flight together, and what the
    first two in flight carried."""

    def __init__(self):
        self.condition = threading.Condition()
        self.open = False
        self.in_flight: list[list[str]] = []
        self.most_in_flight = 0
        self.first_together: list[list[str]] = []

    def passing(self, items: list[str]) -> None:
        with self.condition:
            self.in_flight.append(items)
            self.most_in_flight = max(self.most_in_flight, len(self.in_flight))
            if len(self.in_flight) >= 2 and not self.first_together:
                self.first_together = [list(batch) for batch in self.in_flight]
            self.condition.notify_all()
            self.condition.wait_for(lambda: self.open or len(self.in_flight) >= 2, timeout=HOLD_SECONDS)
            self.open = True
            self.condition.notify_all()

    def passed(self, items: list[str]) -> None:
        with self.condition:
            self.in_flight.remove(items)


class RecordingLRS:
    """The xAPI statements resource of an LRS (POST /xAPI/statements): it answers 200 with the ids,
    as the spec says, and records each id every time it arrives."""

    def __init__(self):
        self.port = free_port()
        self.received: list[str] = []  # every statement id, once per arrival
        self.batches = 0
        self.hold = Hold()
        self.lock = threading.Lock()
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                expected = "Basic " + base64.b64encode(f"{LRS_USER}:{LRS_PASSWORD}".encode()).decode()
                if urllib.parse.urlsplit(self.path).path.rstrip("/") != "/xAPI/statements":
                    return self._answer(404, {"error": "not found"})
                if self.headers.get("Authorization") != expected:
                    return self._answer(401, {"error": "unauthorised"})
                if self.headers.get("X-Experience-API-Version") != "1.0.3":
                    return self._answer(400, {"error": "X-Experience-API-Version 1.0.3 expected"})
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                ids = [statement["id"] for statement in (body if isinstance(body, list) else [body])]
                lrs.hold.passing(ids)
                try:
                    with lrs.lock:
                        lrs.received.extend(ids)
                        lrs.batches += 1
                finally:
                    lrs.hold.passed(ids)
                return self._answer(200, ids)

            def _answer(self, status: int, body) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> RecordingLRS:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def settings(self) -> dict:
        return {
            "XAPI_ENDPOINT": f"http://127.0.0.1:{self.port}/xAPI/",
            "XAPI_USERNAME": LRS_USER,
            "XAPI_PASSWORD": LRS_PASSWORD,
        }


class HeldInbox(Inbox):
    """support.smtp's inbox, holding its first message for a second one (on aiosmtpd's event loop)."""

    def __init__(self):
        super().__init__()
        self.in_flight = 0
        self.most_in_flight = 0
        self.open = False

    async def handle_DATA(self, server, session, envelope):
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        deadline = time.monotonic() + HOLD_SECONDS
        while not self.open and self.in_flight < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        self.open = True
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.in_flight -= 1
        return "250 Message accepted for delivery"


def smtp_server() -> SmtpServer:
    server = SmtpServer()
    server.inbox = HeldInbox()
    return server.start()


# --- browsers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int  # 0: the connection failed
    text: str
    location: str  # the path the Location header names, or ""
    server: str
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case


@dataclass
class Tally:
    """Every request's server and status, across all browsers."""

    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, server: str, status: int) -> None:
        with self.lock:
            self.counts[(server, status)] += 1

    @property
    def requests(self) -> int:
        return sum(self.counts.values())

    def by_server(self) -> dict[str, int]:
        found = Counter()
        for (server, _), n in self.counts.items():
            found[server] += n
        return dict(sorted(found.items()))

    def errors(self) -> int:
        """5xx answers and failed connections."""
        return sum(n for (_, status), n in self.counts.items() if status >= 500 or status == 0)


class Browser:
    """A person's browser behind the load balancer (see the module's docstring)."""

    def __init__(self, ports: dict[str, int], address: str, tally: Tally, seed: int = 0):
        self.ports, self.address, self.tally = ports, address, tally
        self.rng = random.Random(seed)
        self.cookies = load.Cookies()
        self.lock = threading.Lock()

    def copy(self, address: str | None = None, only: set[str] | None = None) -> Browser:
        """Another browser holding this one's cookies (or only the named ones) as they are now."""
        other = Browser(self.ports, address or self.address, self.tally)
        with self.lock:
            other.cookies.values = {k: v for k, v in self.cookies.values.items() if only is None or k in only}
        return other

    def request(self, path: str, data: dict | None = None, server: str | None = None) -> Answer:
        server = server or self.rng.choice(sorted(self.ports))
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with self.lock:
            headers = {"X-Forwarded-For": self.address, **self.cookies.headers()}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.ports[server], timeout=60)
        try:
            connection.request("POST" if body is not None else "GET", path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
            with self.lock:
                self.cookies.keep(response)
            location = urllib.parse.urlsplit(response.getheader("Location") or "").path
            headers = {name.lower(): value for name, value in response.getheaders()}
            answer = Answer(response.status, text, location, server, headers)
        except OSError as error:
            with self.tally.lock:
                self.tally.failures.append(f"{server} {path}: {type(error).__name__}: {error}")
            answer = Answer(0, "", "", server)
        finally:
            connection.close()
        self.tally.record(server, answer.status)
        return answer

    def get(self, path: str, server: str | None = None) -> Answer:
        return self.request(path, None, server)

    def submit(self, page: str, path: str, data: dict, server: str | None = None, page_server: str | None = None):
        """GET ``page`` (for its CSRF token), then POST ``data`` with the token to ``path``."""
        shown = self.get(page, page_server or server)
        assert shown.status == 200, f"{page} on {shown.server}: {shown.status}"
        return self.request(path, {"csrf_token": token(shown.text), **data}, server)

    def sign_in(self, email: str, password: str = PASSWORD, server: str | None = None, remember: bool = False):
        fields = {"email": email, "password": password, **({"remember": "y"} if remember else {})}
        return self.submit("/login", "/login", fields, server)

    def together(self, *calls: tuple[str, dict | None, str]) -> list[Answer]:
        """Send (path, data, server) requests at the same moment, each on its own thread."""
        answers: list[Answer | None] = [None] * len(calls)
        start = threading.Barrier(len(calls))

        def send(i: int) -> None:
            start.wait()
            answers[i] = self.request(*calls[i])

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        return answers
