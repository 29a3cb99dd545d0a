"""The cluster every scale test uses, set up once: the schema migrated on the throwaway PostgreSQL
of ``tests/with_postgres.sh`` (``make test-scale``), an organisation with learner accounts
(bench/load.py's ``prepare``), a cohort whose work is due in two days (the mail worker's reminders),
the two receiving ends, and two gunicorn servers. Everything is stopped at the end, failed or not."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from support.paths import ROOT
from support.smtp import SmtpServer

from literacy.platform.settings import Settings

from .cluster import (
    LEARNERS,
    REMINDED,
    SIGNUP_DOMAIN,
    Browser,
    Process,
    RecordingLRS,
    Server,
    Tally,
    email_of,
    flask_command,
    load,
    smtp_server,
    stop_all,
)


@dataclass
class Cluster:
    env: dict
    config: dict  # the servers' app.config, from the same environment
    servers: dict[str, Server]
    lrs: RecordingLRS
    smtp: SmtpServer
    engine: Engine
    folder: Path
    tally: Tally = field(default_factory=Tally)
    summary: list[str] = field(default_factory=list)

    @property
    def ports(self) -> dict[str, int]:
        return {name: server.port for name, server in self.servers.items()}

    def browser(self, address: str, seed: int = 0) -> Browser:
        return Browser(self.ports, address, self.tally, seed)

    def rows(self, sql: str, **params) -> list:
        with self.engine.connect() as connection:
            return list(connection.execute(text(sql), params))

    def scalar(self, sql: str, **params):
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()

    def worker(self, name: str, *args: str) -> Process:
        return flask_command(name, list(args), self.env, self.folder)

    def note(self, line: str) -> None:
        """A line for the summary printed at the end (shown with -s, as make test-scale runs it)."""
        self.summary.append(line)


def _reminder_cohort(url: str) -> None:
    """A cohort of REMINDED, their role's track due in two days, and the sign-up domain: set up
    straight in the tables, as bench/load.py's prepare() sets up its accounts."""
    from literacy.cohorts.tables import Cohort, CohortAssignment, CohortMember
    from literacy.people.tables import Organization, User
    from literacy.platform.database import import_tables

    import_tables()
    engine = create_engine(url)
    with Session(engine) as session:
        org = session.scalars(select(Organization).where(Organization.slug == "load")).one()
        org.signup_domains = SIGNUP_DOMAIN
        members = session.scalars(select(User).where(User.email.in_([email_of(i) for i in REMINDED]))).all()
        today = date.today()
        cohort = Cohort(
            org_id=org.id, name="Scale cohort", starts_on=today - timedelta(days=1), due_on=today + timedelta(days=2)
        )
        cohort.assignments.append(CohortAssignment(kind="track", ref=""))
        cohort.members.extend(CohortMember(user_id=user.id) for user in members)
        session.add(cohort)
        session.commit()
    engine.dispose()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url or not url.startswith("postgresql"):
        pytest.fail("the scale tests need a throwaway PostgreSQL: run them with 'make test-scale'")
    folder = tmp_path_factory.mktemp("scale")
    started = time.monotonic()
    lrs, smtp, servers, engine = RecordingLRS().start(), smtp_server(), {}, create_engine(url)
    try:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "LITERACY_ENV": "production",
            "SECRET_KEY": "scale-test-" * 4,
            "TRUSTED_HOSTS": "127.0.0.1",
            "TRUSTED_PROXIES": "1",  # the test's browsers act as the load balancer: X-Forwarded-For is theirs
            "WEB_CONCURRENCY": "2",
            "XAPI_BATCH_SIZE": "5",  # small batches: two forwarders take turns many times
            "XAPI_TIMEOUT_SECONDS": "30",  # longer than the receiving end's hold
            **lrs.settings,
            **{key: str(value) for key, value in smtp.settings.items()},
        }
        config = Settings.from_environment(env, str(ROOT / "instance")).flask_config()
        try:
            load.prepare(env, LEARNERS)  # flask db upgrade, the organisation, the learners
        except subprocess.CalledProcessError as error:
            pytest.fail(f"preparing the database failed: {error.stderr or error}")
        _reminder_cohort(url)
        servers = {name: Server(name, env, folder) for name in ("A", "B")}
        for server in servers.values():
            server.wait_healthy()
        cluster = Cluster(env, config, servers, lrs, smtp, engine, folder)
        cluster.note(
            f"set-up: schema, {LEARNERS} learners, servers A and B ready in {time.monotonic() - started:.0f} s"
        )
        yield cluster
        print(
            "\nscale summary:\n  "
            + "\n  ".join(cluster.summary)
            + f"\n  requests by server: {cluster.tally.by_server()}; 5xx or failed: {cluster.tally.errors()}"
            + f"\n  wall time: {time.monotonic() - started:.0f} s"
        )
    finally:
        for server in servers.values():
            server.stop()
            failures = [line for line in server.errors().splitlines() if '"level": "ERROR"' in line]
            if failures:
                print(f"\n{server.name} logged {len(failures)} error(s); the first:\n{failures[0][:3000]}")
        stop_all()  # a worker a failed test left running
        lrs.stop()
        smtp.stop()
        engine.dispose()
