"""xAPI statements: one per learning event, stored in the event's transaction, valid, stable, exportable.

Forwarding to a real LRS is in tests/lrs (``make test-lrs``); here the forwarder meets a closed port.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, select
from support import POOR, STRONG
from support.apps import make_app
from support.journeys import answer_check, choose, complete_lesson, play, signed_in, signed_up, start_scenario
from support.remote import free_port

from literacy.people.tables import User
from literacy.platform.extensions import db
from literacy.platform.retry import backoff
from literacy.xapi import events, forward, outbox, validate
from literacy.xapi import statements as xs
from literacy.xapi.tables import OutboxStatement

VERB = "http://adlnet.gov/expapi/verbs/"


def stored(app, **where) -> list[dict]:
    with app.app_context():
        query = select(OutboxStatement).order_by(OutboxStatement.timestamp, OutboxStatement.id)
        for key, value in where.items():
            query = query.where(getattr(OutboxStatement, key) == value)
        return [row.statement for row in db.session.scalars(query)]


def verbs(found: list[dict]) -> list[str]:
    return [s["verb"]["id"].removeprefix(VERB) for s in found]


def test_every_learning_event_stores_one_valid_statement(learner, app):
    learner.get("/lessons/first")
    answer_check(learner, "first", {0: 0})
    complete_lesson(learner, "first")
    strong, poor = play(learner, STRONG), play(learner, POOR)

    found = stored(app)
    assert verbs(found) == [
        "experienced",
        "answered",
        "completed",
        "attempted",
        "answered",
        "answered",
        "completed",
        "passed",
        "attempted",
        "answered",
        "answered",
        "completed",
        "failed",
    ]
    assert all(validate.errors(s) == [] for s in found)
    assert len({s["id"] for s in found}) == len(found)

    check = found[1]
    assert check["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    assert check["object"]["definition"]["interactionType"] == "choice"
    assert check["object"]["definition"]["correctResponsesPattern"] == ["option-2"]
    assert check["result"]["response"] == "option-1" and check["result"]["success"] is False
    assert (
        check["result"]["extensions"]["http://localhost:5000/xapi/extensions/feedback-id"]
        == "first/question-1/option-1"
    )

    with app.app_context():
        scenario = app.extensions["catalogue"].scenarios["ops-send"]
        lesson = app.extensions["catalogue"].lesson("first")
    first_choice, passed, failed = found[4], found[7], found[12]
    assert first_choice["object"]["id"] == "http://localhost:5000/scenarios/ops-send#queue"
    assert [c["id"] for c in first_choice["object"]["definition"]["choices"]] == ["choice-1", "choice-2"]
    assert first_choice["result"]["response"] == "choice-1"
    assert first_choice["result"]["extensions"]["http://localhost:5000/xapi/extensions/skill-effects"] == {"data": 2}
    assert first_choice["context"]["contextActivities"]["parent"][0]["id"] == "http://localhost:5000/scenarios/ops-send"
    assert passed["result"]["score"]["scaled"] == 1.0 and passed["result"]["success"] is True
    assert passed["result"]["extensions"]["http://localhost:5000/xapi/extensions/skill-scores"] == {
        "ownership": 100,
        "data": 100,
    }
    assert passed["result"]["extensions"]["http://localhost:5000/xapi/extensions/role-targets"] == {
        "ownership": 70,
        "data": 60,
    }
    assert passed["result"]["extensions"]["http://localhost:5000/xapi/extensions/ending"] == {
        "node": "good",
        "outcome": "strong",
    }
    assert failed["result"]["score"]["scaled"] == 0.0 and failed["result"]["success"] is False
    assert passed["result"]["duration"].startswith("PT")
    # context: one registration per attempt, the content version, the platform
    registrations = {s["context"].get("registration") for s in found[3:8]}
    assert registrations == {xs.registration(xs.Profile("http://localhost:5000", ""), strong)}
    assert found[8]["context"]["registration"] == xs.registration(xs.Profile("http://localhost:5000", ""), poor)
    assert {s["context"]["revision"] for s in found[3:]} == {scenario.version}
    assert found[0]["context"]["revision"] == lesson.version
    assert {s["context"]["platform"] for s in found} == {"Marketing AI judgment"}


def test_actor_is_the_account_not_the_email_unless_configured(tmp_path):
    for actor, expected in (
        ("account", {"objectType": "Agent", "account": {"homePage": "https://learn.example.com", "name": None}}),
        ("email", {"objectType": "Agent", "name": "Lee Learner", "mbox": "mailto:learner@example.com"}),
    ):
        (tmp_path / actor).mkdir()
        app = make_app(tmp_path / actor, XAPI_ACTOR=actor, XAPI_BASE_IRI="https://learn.example.com/")
        complete_lesson(signed_up(app), "first")
        (statement,) = stored(app, verb="completed")
        if actor == "account":
            with app.app_context():
                expected["account"]["name"] = str(db.session.scalar(select(User.id)))
        assert statement["actor"] == expected
        assert statement["object"]["id"] == "https://learn.example.com/lessons/first"  # one slash, however configured
        assert "learner@example.com" not in json.dumps(statement) or actor == "email"


def test_reopening_a_lesson_the_same_day_is_one_experience(learner, app):
    for _ in range(3):
        assert learner.get("/lessons/first").status_code == 200
    learner.get("/lessons/second")
    assert verbs(stored(app)) == ["experienced", "experienced"]


def test_a_repeated_or_refused_choice_stores_nothing_more(learner, app):
    attempt = start_scenario(learner)
    choose(learner, attempt, 0, "queue", 0)
    choose(learner, attempt, 0, "queue", 0)  # double submit
    choose(learner, attempt, 0, "queue", 1)  # stale tab
    choose(learner, attempt, 1, "review", 1)  # hidden by Requires
    assert verbs(stored(app)) == ["attempted", "answered"]


def test_history_rebuilds_the_same_statements_with_the_same_ids(learner, app):
    answer_check(learner, "first", {0: 1})
    complete_lesson(learner, "first")
    play(learner, STRONG)
    play(learner, [("queue", 1)])  # unfinished
    live = {s["id"]: s for s in stored(app) if not s["verb"]["id"].endswith("experienced")}  # views leave no history
    with app.app_context():
        db.session.execute(delete(OutboxStatement))
        assert events.backfill(app.extensions["catalogue"]) == len(live)
        db.session.commit()
        assert events.backfill(app.extensions["catalogue"]) == 0  # nothing twice
    assert {s["id"]: s for s in stored(app)} == live


def test_cohort_work_carries_the_cohort_as_grouping(app, world):
    learner = signed_in(app, "learner1@example.com")
    outsider = signed_in(app, "outsider@example.com")  # in a cohort with no assigned work
    play(learner, STRONG)
    play(outsider, STRONG)
    with app.app_context():
        mine = stored(app, user_id=world["learner1"])
        theirs = stored(app, user_id=db.session.scalar(select(User.id).where(User.email == "outsider@example.com")))
    assert {json.dumps(s["context"]["contextActivities"]["grouping"]) for s in mine} == {
        json.dumps(
            [
                {
                    "objectType": "Activity",
                    "id": f"http://localhost:5000/cohorts/{world['cohort']}",
                    "definition": {
                        "name": {"en-US": "Pilot cohort"},
                        "type": "http://localhost:5000/xapi/activity-types/cohort",
                    },
                }
            ]
        )
    }
    assert all("grouping" not in s["context"]["contextActivities"] for s in theirs)


def test_a_busy_database_costs_the_lesson_view_statement_not_the_page(busy_app):
    app, browser, locked = busy_app
    with locked():
        page = browser.get("/lessons/first")
    assert page.status_code == 200 and "Knowledge check" in page.get_data(as_text=True)
    assert stored(app) == []
    browser.get("/lessons/first")
    assert verbs(stored(app)) == ["experienced"]


# the rules


def sample() -> dict:
    profile = xs.Profile("https://learn.example.com", "Platform")
    learner = xs.Learner(7, "Lee", "lee@example.com")
    from literacy.content.types import Choice, Node, Scenario

    node = Node(
        "queue",
        "The queue",
        "",
        None,
        (
            Choice(0, "Check", "end", {"data": 2}, frozenset(), (), "", 1),
            Choice(1, "Send", "end", {}, frozenset(), (), "", 2),
        ),
        1,
    )
    scenario = Scenario("s", "ops", "Send", "A send.", ("data",), 5, "queue", {"queue": node}, "s.md", "abc123")
    now = datetime(2026, 11, 25, 9, 30, 15, 120000)
    facts = xs.AttemptFacts(3, now - timedelta(minutes=2), "abc123")
    return xs.scenario_answered(
        profile,
        learner,
        scenario,
        facts,
        xs.StepFacts(1, "queue", 0, now, now - timedelta(seconds=42.5)),
        [xs.Group(1, "Pilot")],
    )


def test_a_built_statement_follows_the_rules():
    statement = sample()
    assert validate.errors(statement) == []
    assert statement["timestamp"] == "2026-11-25T09:30:15.120Z" and statement["result"]["duration"] == "PT42.50S"


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s.pop("actor"), "statement.actor: is required"),
        (lambda s: s.update(id="not-a-uuid"), "statement.id: must be a lowercase UUID"),
        (lambda s: s["actor"].update(mbox="mailto:a@b.example"), "must have exactly one identifier"),
        (
            lambda s: s["actor"]["account"].update(homePage="learn.example.com"),
            "account.homePage: must be an absolute IRI",
        ),
        (lambda s: s["verb"].update(id="answered"), "statement.verb.id: must be an absolute IRI"),
        (lambda s: s["object"].update(id="has space:x y"), "statement.object.id: must be an absolute IRI"),
        (lambda s: s["result"].update(score={"scaled": 1.5}), "score.scaled: must be between -1 and 1"),
        (
            lambda s: s["result"].update(score={"raw": 120, "min": 0, "max": 100}),
            "score.raw: must lie between min and max",
        ),
        (lambda s: s["result"].update(duration="42 seconds"), "result.duration: must be an ISO 8601 duration"),
        (lambda s: s["result"].update(duration="PT"), "result.duration: must be an ISO 8601 duration"),
        (lambda s: s["result"].update(success="yes"), "result.success: must be true or false"),
        (lambda s: s.update(timestamp="2026-11-25T09:30:15"), "statement.timestamp: must be an ISO 8601 timestamp"),
        (lambda s: s.update(timestamp="2026-13-45T09:30:15Z"), "is not a real date and time"),
        (lambda s: s["context"].update(registration="3"), "context.registration: must be a lowercase UUID"),
        (lambda s: s["verb"].update(display={"en_US": "answered"}), "must be an RFC 5646 language tag"),
        (lambda s: s["object"]["definition"].update(interactionType="multiple"), "interactionType: must be one of"),
        (lambda s: s["object"]["definition"]["choices"].append({"id": "choice-1"}), "component ids must be unique"),
        (lambda s: s["object"]["definition"].update(name={}), "definition.name: must not be empty"),
        (
            lambda s: s["result"]["extensions"].update({"feedback": "x"}),
            "extensions['feedback']: must be an absolute IRI",
        ),
        (lambda s: s.update(colour="blue"), "statement.colour: is not an xAPI property"),
    ],
)
def test_each_rule_is_enforced(change, message):
    statement = copy.deepcopy(sample())
    change(statement)
    assert any(message in error for error in validate.errors(statement)), validate.errors(statement)


def test_an_invalid_statement_is_refused_by_the_outbox(app):
    broken = sample()
    broken["result"]["score"] = {"scaled": 2}
    with app.app_context(), pytest.raises(outbox.InvalidStatement, match="scaled"):
        outbox.add(1, "scenario:s", broken)


@pytest.mark.parametrize(
    "seconds, text",
    [(0, "PT0S"), (0.004, "PT0S"), (3.456, "PT3.46S"), (60, "PT1M"), (3723.5, "PT1H2M3.50S"), (90000, "PT25H")],
)
def test_durations_are_iso_8601_to_the_hundredth(seconds, text):
    assert xs.duration(seconds) == text and validate.DURATION.match(text)


# forwarding without an LRS


def test_an_unreachable_lrs_keeps_everything_pending_with_growing_back_off(learner, app):
    play(learner, STRONG)
    endpoint = forward.Endpoint(f"http://127.0.0.1:{free_port()}/xAPI/", "user", "secret", timeout=2)
    with app.app_context():
        now = datetime(2026, 11, 25, 12, 0)
        report = forward.send_due(endpoint, clock=lambda: now)
        rows = db.session.scalars(select(OutboxStatement)).all()
        assert report.sent == 0 and report.batches == 1
        assert report.error == f"LRS unreachable: could not connect to {endpoint.url.split('/')[2]}"
        assert {(r.status, r.tries, r.next_attempt_at) for r in rows} == {("pending", 1, now + timedelta(seconds=30))}
        waiting = forward.send_due(endpoint, clock=lambda: now + timedelta(seconds=29))  # still waiting
        assert waiting.batches == 0 and waiting.waiting_until == now + timedelta(seconds=30)
        forward.send_due(endpoint, clock=lambda: now + timedelta(seconds=30))
        assert {(r.tries, r.next_attempt_at) for r in db.session.scalars(select(OutboxStatement))} == {
            (2, now + timedelta(seconds=90))
        }
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 7, 8, 20)] == [30, 60, 120, 1920, 3600, 3600]


def test_an_lrs_that_never_answers_times_out_and_keeps_the_batch(learner, app):
    import socket

    play(learner, STRONG)
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        endpoint = forward.Endpoint(f"http://127.0.0.1:{silent.getsockname()[1]}/xAPI/", "user", "secret", timeout=0.5)
        with app.app_context():
            report = forward.send_due(endpoint)
            assert report.error == "LRS unreachable: no answer within 0.5 s"
            assert outbox.summary().counts == {"pending": 5, "sent": 0, "rejected": 0}


# what people see and download


def test_exports_hold_exactly_whose_and_which_statements(app, world):
    learner1, learner2 = signed_in(app, "learner1@example.com"), signed_in(app, "learner2@example.com")
    play(learner1, STRONG)
    complete_lesson(learner2, "first")
    with app.app_context():
        db.session.execute(delete(OutboxStatement).where(OutboxStatement.verb == "experienced"))
        db.session.commit()

    own = learner1.get("/progress/statements.json")
    assert own.headers["Content-Disposition"].startswith("attachment")
    assert own.json == stored(app, user_id=world["learner1"]) and len(own.json) == 5

    manager = signed_in(app, "owner@example.com")
    cohort = manager.get(f"/cohorts/{world['cohort']}/statements.json").json
    assert sorted(s["id"] for s in cohort) == sorted(s["id"] for s in stored(app))
    one = manager.get(f"/cohorts/{world['cohort']}/learners/{world['learner2']}/statements.json").json
    assert verbs(one) == ["completed"]
    admin = signed_in(app, "admin@example.com")
    assert admin.get(f"/admin/users/{world['learner1']}/statements.json").json == own.json
    with app.app_context():  # the cohort's work narrows to one scenario: the lesson drops out of its export
        from literacy.cohorts.tables import CohortAssignment

        db.session.execute(delete(CohortAssignment))
        db.session.add(CohortAssignment(cohort_id=world["cohort"], kind="scenario", ref="ops-send"))
        db.session.commit()
    assert verbs(manager.get(f"/cohorts/{world['cohort']}/statements.json").json) == verbs(own.json)


def test_admin_page_shows_the_outbox_of_their_own_organisation_and_queues_again(app, world):
    learner1, outsider = signed_in(app, "learner1@example.com"), signed_in(app, "outsider@example.com")
    play(learner1, STRONG)
    play(outsider, STRONG)
    play(outsider, POOR)
    with app.app_context():
        row = db.session.scalars(select(OutboxStatement).where(OutboxStatement.user_id == world["learner1"])).first()
        row.status, row.last_error = "rejected", "LRS answered 400: bad statement"
        db.session.commit()
    admin = signed_in(app, "admin@example.com")
    page = admin.get("/admin/xapi").get_data(as_text=True)
    assert (
        "<strong>4</strong> pending" in page
        and "<strong>1</strong> rejected" in page
        and "<strong>5</strong> in all" in page
    )
    assert "LRS answered 400: bad statement" in page and "XAPI_ENDPOINT" in page
    sent = admin.post("/admin/xapi/send", page="/admin/xapi", follow_redirects=True).get_data(as_text=True)
    assert "No LRS is configured" in sent
    queued = admin.post("/admin/xapi/replay", {"scope": "rejected"}, page="/admin/xapi", follow_redirects=True)
    assert "1 statement(s) queued to be sent again." in queued.get_data(as_text=True)
    with app.app_context():
        assert outbox.summary(world["org"]).counts == {"pending": 5, "sent": 0, "rejected": 0}
        assert outbox.summary().counts["pending"] == 15  # the other organisation's are there, unseen and untouched
    refused = admin.post("/admin/xapi/replay", {"scope": "everything"}, page="/admin/xapi", follow_redirects=True)
    assert "Choose which statements to queue again." in refused.get_data(as_text=True)


def test_admin_send_reports_an_unreachable_lrs(tmp_path):
    app = make_app(tmp_path, XAPI_ENDPOINT=f"http://127.0.0.1:{free_port()}/xAPI", XAPI_TIMEOUT_SECONDS=2)
    browser = signed_up(app)
    play(browser, STRONG)
    with app.app_context():
        db.session.execute(User.__table__.update().values(access="admin"))
        db.session.commit()
    page = browser.post("/admin/xapi/send", page="/admin/xapi", follow_redirects=True).get_data(as_text=True)
    assert "Sent 0 statement(s)" in page and "LRS unreachable" in page and "The rest wait and are retried." in page
    assert "<strong>5</strong> pending" in page and "Next retry" in page
    runner = app.test_cli_runner()
    waiting = runner.invoke(args=["xapi", "forward"])  # the admin's attempt just failed: the back-off holds
    assert waiting.exit_code == 0 and "Sent 0, rejected 0; the last failure's back-off runs until" in waiting.output
    forced = runner.invoke(args=["xapi", "forward", "--retry-now"])
    assert forced.exit_code == 1 and "stopped: LRS unreachable: could not connect to 127.0.0.1:" in forced.output


def test_cli_status_backfill_replay_and_export(app, world, tmp_path):
    learner1 = signed_in(app, "learner1@example.com")
    play(learner1, STRONG)
    runner = app.test_cli_runner()
    status = runner.invoke(args=["xapi", "status"])
    assert "not configured" in status.output and "5 pending, 0 sent, 0 rejected (5 in all)" in status.output
    assert "2 answered, 1 attempted" in status.output
    assert runner.invoke(args=["xapi", "forward"]).exit_code != 0
    assert "0 statement(s) added" in runner.invoke(args=["xapi", "backfill"]).output
    assert "5 statement(s) queued again" in runner.invoke(args=["xapi", "replay", "--all"]).output
    out = tmp_path / "cohort.json"
    result = runner.invoke(args=["xapi", "export", "--cohort", str(world["cohort"]), "--out", str(out)])
    assert result.exit_code == 0 and len(json.loads(out.read_text())) == 5
    mine = runner.invoke(args=["xapi", "export", "--learner", "learner1@example.com"])
    assert [s["id"] for s in json.loads(mine.output)] == [s["id"] for s in stored(app)]
    assert runner.invoke(args=["xapi", "export"]).exit_code == 2
    assert "no account" in runner.invoke(args=["xapi", "export", "--learner", "nobody@example.com"]).output


def test_parallel_views_and_completions_of_a_lesson_store_one_statement_each(learner, app):
    from concurrent.futures import ThreadPoolExecutor

    fields = learner.hidden_fields("/lessons/first", "/lessons/first/complete")
    cookie = learner.client.get_cookie("session").value
    with app.app_context():
        db.session.execute(delete(OutboxStatement))  # the view hidden_fields made
        db.session.commit()

    def client():
        c = app.test_client()
        c.set_cookie("session", cookie)
        return c

    with ThreadPoolExecutor(max_workers=5) as pool:
        views = list(pool.map(lambda _: client().get("/lessons/first").status_code, range(5)))
        completions = list(
            pool.map(lambda _: client().post("/lessons/first/complete", data=fields).status_code, range(5))
        )
    assert views == [200] * 5 and completions == [302] * 5
    assert sorted(verbs(stored(app))) == ["completed", "experienced"]
