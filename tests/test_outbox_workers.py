"""Two outbox workers at once on PostgreSQL: each claims a different batch (SKIP LOCKED), so neither
the xAPI forwarder nor the mailer sends an item twice. SQLite runs one worker (docs/operations.md)."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime

import pytest
from support import make

from literacy.mail import sender
from literacy.mail.tables import MailMessage
from literacy.platform.extensions import db
from literacy.xapi import outbox
from literacy.xapi.tables import OutboxStatement


@pytest.fixture
def postgres_app(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("row locks: PostgreSQL only (SQLite runs one worker)")
    return app


def _claim_side_by_side(app, claim) -> tuple[list[int], list[int]]:
    """Worker A claims and holds its rows until worker B has claimed too; the ids each got."""
    claimed_a, held, got = [], threading.Event(), {}

    def worker_a():
        with app.app_context():
            claimed_a.extend(claim())
            held.set()
            threading.Event().wait(0.5)  # hold the locks while B claims
            db.session.rollback()

    def worker_b():
        held.wait(5)
        with app.app_context():
            got["b"] = claim()
            db.session.rollback()

    threads = [threading.Thread(target=worker_a), threading.Thread(target=worker_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return claimed_a, got["b"]


def test_two_forwarders_claim_different_batches(postgres_app, make_user):
    uid = make_user("lee@example.com")
    with make.saved(postgres_app):
        db.session.add_all(
            OutboxStatement(
                statement_id=str(uuid.uuid4()),
                user_id=uid,
                verb="experienced",
                activity="lesson:first",
                timestamp=datetime(2026, 11, 1, 9, minute),
                payload="{}",
            )
            for minute in range(40)
        )
    a, b = _claim_side_by_side(postgres_app, lambda: [row.id for row in outbox.due(25)])
    assert len(a) == 25 and len(b) == 15 and not set(a) & set(b)


def test_two_mailers_claim_different_messages(postgres_app):
    with make.saved(postgres_app):
        db.session.add_all(
            MailMessage(kind="reminder", to_address=f"p{n}@example.com", subject="s", text_body="t", html_body="h")
            for n in range(2)
        )
    a, b = _claim_side_by_side(postgres_app, lambda: [m.id for m in [sender._next_due(datetime(2030, 1, 1))] if m])
    assert len(a) == 1 and len(b) == 1 and a != b
