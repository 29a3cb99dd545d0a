"""Forwarding to a real Ralph LRS: every kind of statement accepted and read back, faults survived.

Run with ``make test-lrs`` (it installs Ralph in its own virtualenv).
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta

from sqlalchemy import func, select
from support import POOR, STRONG, make
from support.apps import make_app
from support.journeys import answer_check, choose, complete_lesson, play, signed_in, signed_up, start_scenario
from support.lrs import LRS, LRS_PASSWORD, LRS_USER, strict_errors
from support.paths import ROOT

from literacy.demo import load_demo
from literacy.learning.tables import Attempt, AttemptStep, CheckAnswer, LessonCompletion
from literacy.people.tables import User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db
from literacy.xapi import forward, outbox
from literacy.xapi import statements as xs
from literacy.xapi.tables import OutboxStatement

LRS_ADDS = ("stored", "authority", "version")  # properties an LRS sets on what it stores


def lrs_app(tmp_path, lrs, content_root=None, **config):
    extra = {"content_root": content_root} if content_root else {}
    return make_app(
        tmp_path, XAPI_ENDPOINT=lrs.url, XAPI_USERNAME=LRS_USER, XAPI_PASSWORD=LRS_PASSWORD, **extra, **config
    )


def endpoint(app, password=LRS_PASSWORD) -> forward.Endpoint:
    return forward.Endpoint(app.config["XAPI_ENDPOINT"], LRS_USER, password, timeout=5)


def outbox_rows(app) -> dict[str, OutboxStatement]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxStatement)).all()
        return {row.statement_id: (row.status, row.statement) for row in rows}


def test_every_kind_of_statement_is_accepted_read_back_and_matches_the_database(tmp_path, lrs):
    app = lrs_app(tmp_path, lrs)
    browser = signed_up(app)
    browser.get("/lessons/first")
    answer_check(browser, "first", {0: 1})
    complete_lesson(browser, "first")
    strong, poor = play(browser, STRONG), play(browser, POOR)
    play(browser, [("queue", 0)])  # left unfinished

    with app.app_context():
        report = forward.send_due(endpoint(app), batch_size=4)
        assert (report.sent, report.rejected, report.error) == (15, 0, None) and report.batches == 4
    ours = outbox_rows(app)
    assert {status for status, _ in ours.values()} == {"sent"}

    theirs = lrs.statements()
    assert sorted(s["id"] for s in theirs) == sorted(ours)
    for statement in theirs:  # what the LRS gives back is what we sent, plus what an LRS adds
        assert {k: v for k, v in statement.items() if k not in LRS_ADDS} == ours[statement["id"]][1]
    assert strict_errors(theirs) == ["ok"] * len(theirs)

    verbs = [s["verb"]["display"]["en-US"] for s in theirs]
    with app.app_context():  # one statement per event in the database
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        finished = db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.finished_at.is_not(None)))
        assert verbs.count("answered") == count(CheckAnswer) + count(AttemptStep) == 6
        assert verbs.count("attempted") == count(Attempt) == 3
        assert verbs.count("completed") == count(LessonCompletion) + finished == 3
        assert verbs.count("passed") == verbs.count("failed") == 1 and verbs.count("experienced") == 1
        profile = outbox.profile()
        user_id = db.session.scalar(select(User.id))
    # the LRS answers the questions an LRS user asks: one attempt (registration), one learner (agent)
    attempt_statements = lrs.statements(registration=xs.registration(profile, strong))
    assert sorted(s["verb"]["display"]["en-US"] for s in attempt_statements) == [
        "answered",
        "answered",
        "attempted",
        "completed",
        "passed",
    ]
    assert [
        s["result"]["success"]
        for s in lrs.statements(registration=xs.registration(profile, poor))
        if "success" in s.get("result", {})
    ] == [False]
    agent = json.dumps({"account": {"homePage": "http://localhost:5000", "name": str(user_id)}})
    assert len(lrs.statements(agent=agent)) == 15


def test_ralph_strict_model_refuses_what_our_validator_refuses(tmp_path, lrs):
    """Our validator and Ralph's agree on the samples: the check has teeth on both sides."""
    app = lrs_app(tmp_path, lrs)
    play(signed_up(app), STRONG)
    sample = next(s for _, s in outbox_rows(app).values() if s["verb"]["display"]["en-US"] == "passed")
    broken = [copy.deepcopy(sample) for _ in range(3)]
    broken[0]["result"]["score"]["scaled"] = 1.5
    broken[1]["result"]["duration"] = "42 seconds"
    broken[2]["context"]["registration"] = "attempt-3"
    from literacy.xapi import validate

    assert all(validate.errors(s) for s in broken)
    assert all(result != "ok" for result in strict_errors(broken))
    assert strict_errors([sample]) == ["ok"]


def test_the_outbox_drains_completely_after_the_lrs_stops_mid_run(tmp_path, lrs):
    app = lrs_app(tmp_path, lrs, content_root=ROOT)
    with make.saved(app):
        load_demo(app.extensions["catalogue"])
        total = db.session.scalar(select(func.count()).select_from(OutboxStatement))
    assert total > 500

    calls, now = [], utcnow()

    def clock():  # the forwarder reads the time once per batch: stop the LRS before the fourth
        calls.append(1)
        if len(calls) == 4:
            lrs.stop()
        return now

    with app.app_context():
        report = forward.send_due(endpoint(app), batch_size=50, clock=clock)
    assert report.sent == 150 and report.batches == 4 and "LRS unreachable" in report.error

    # learners keep working while the LRS is down: their statements wait too
    browser = signed_in(app, "lifecycle.1@northbeam.example", "demo-password")
    scenario = next(iter(app.extensions["catalogue"].role_scenarios("lifecycle")))
    attempt = start_scenario(browser, scenario.id)
    assert choose(browser, attempt, 0, scenario.start, 0).status_code == 302
    with app.app_context():
        assert forward.send_due(endpoint(app), clock=lambda: now).waiting_until == now + timedelta(seconds=30)
        assert forward.send_due(endpoint(app), clock=lambda: now, ignore_backoff=True).error  # still down
        pending = outbox.summary().counts["pending"]
    assert pending == total + 2 - 150

    lrs.start()
    with app.app_context():
        assert forward.send_due(endpoint(app), clock=lambda: now + timedelta(seconds=1)).batches == 0  # backing off
        assert (
            forward.send_due(
                endpoint(app), clock=lambda: now + timedelta(seconds=1), max_batches=2, ignore_backoff=True
            ).sent
            == 100
        )
        report = forward.send_due(endpoint(app), clock=lambda: now + timedelta(minutes=5))
        assert report.error is None and report.sent == pending - 100
        assert outbox.summary().counts == {"pending": 0, "sent": total + 2, "rejected": 0}
    ids = [s["id"] for s in lrs.statements()]
    assert len(ids) == len(set(ids)) == total + 2 and set(ids) == set(outbox_rows(app))

    # acknowledgements lost (a crash after the POST): everything goes again, the LRS stores nothing twice
    with app.app_context():
        assert outbox.requeue(None) == total + 2
        db.session.commit()
        assert forward.send_due(endpoint(app)).sent == total + 2
    assert len(lrs.statements()) == total + 2


def test_a_statement_the_lrs_refuses_is_parked_and_the_others_still_go(tmp_path, lrs):
    app = lrs_app(tmp_path, lrs)
    browser = signed_up(app)
    play(browser, STRONG)
    with app.app_context():
        assert forward.send_due(endpoint(app)).sent == 5
        # the same id with different content: the LRS must refuse it (409), whatever else is in the batch
        row = db.session.scalars(select(OutboxStatement).where(OutboxStatement.verb == "passed")).one()
        changed = row.statement
        changed["result"]["score"]["raw"] = 99
        row.payload, row.status = json.dumps(changed), "pending"
        db.session.commit()
    play(browser, POOR)
    with app.app_context():
        report = forward.send_due(endpoint(app), batch_size=50)
        assert (report.sent, report.rejected, report.error) == (5, 1, None)
        state = outbox.summary()
        assert state.counts == {"pending": 0, "sent": 9, "rejected": 1}  # the LRS keeps its first copy
        assert state.rejected[0].verb == "passed" and state.rejected[0].last_error.startswith("LRS answered 409")
    assert len(lrs.statements()) == 10


def test_refused_credentials_keep_statements_waiting_until_fixed(tmp_path, lrs):
    app = lrs_app(tmp_path, lrs)
    play(signed_up(app), STRONG)
    now = datetime(2026, 11, 25, 9, 0)
    with app.app_context():
        report = forward.send_due(endpoint(app, password="wrong"), clock=lambda: now)
        assert report.sent == 0 and report.error.startswith("LRS answered 401")
        assert outbox.summary().counts["pending"] == 5
        assert forward.send_due(endpoint(app), clock=lambda: now + timedelta(seconds=31)).sent == 5
    assert len(lrs.statements()) == 5


def test_cli_forwards_and_an_export_imports_into_another_lrs(tmp_path, lrs, auth_file):
    app = lrs_app(tmp_path, lrs)
    play(signed_up(app), STRONG)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["xapi", "forward"])
    assert result.exit_code == 0 and "Sent 5, rejected 0" in result.output
    assert "0 pending, 5 sent, 0 rejected" in runner.invoke(args=["xapi", "status"]).output

    exported = json.loads(runner.invoke(args=["xapi", "export", "--learner", "learner@example.com"]).output)
    lrs.stop()
    other = LRS(tmp_path / "other-lrs", auth_file)
    other.start()
    try:
        assert other.post(exported).status_code == 200
        assert sorted(s["id"] for s in other.statements()) == sorted(s["id"] for s in exported)
    finally:
        other.stop()
