"""The scenario player in the browser: one node per page, feedback, debrief, and no corrupted attempts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support.journeys import choose, start_scenario

from literacy.learning.tables import Attempt, AttemptStep, SkillScore
from literacy.platform.extensions import db
from literacy.xapi import outbox
from literacy.xapi import statements as xs
from literacy.xapi.tables import OutboxStatement


def steps(app, attempt_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(AttemptStep).where(AttemptStep.attempt_id == attempt_id)
        )


def answered_statements(app, attempt_id) -> int:
    """The xAPI 'answered' statements stored for one attempt (its registration)."""
    with app.app_context():
        registration = xs.registration(outbox.profile(), attempt_id)
        rows = db.session.scalars(select(OutboxStatement.payload).where(OutboxStatement.verb == "answered"))
        return sum(f'"registration":"{registration}"' in payload for payload in rows)


def test_play_to_debrief_with_feedback_and_scores(learner, app):
    attempt = start_scenario(learner)
    page = learner.get(f"/attempts/{attempt}").get_data(as_text=True)
    assert "A send is queued." in page and "Check the list first" in page and "Send now" in page

    response = choose(learner, attempt, 0, "queue", 0)
    assert response.headers["Location"].endswith(f"/attempts/{attempt}/steps/1")
    feedback = learner.get(response.headers["Location"]).get_data(as_text=True)
    assert "You looked before acting." in feedback and "Data +2" not in feedback  # points wait for the debrief

    page = learner.get(f"/attempts/{attempt}").get_data(as_text=True)
    assert "Name an owner" in page and "without the check" not in page  # Requires: !checked hides it

    choose(learner, attempt, 1, "review", 0)
    debrief = learner.get(f"/attempts/{attempt}/debrief").get_data(as_text=True)
    assert "Strong judgment" in debrief and "Strong judgment." in debrief
    assert "You took it." in debrief  # the strongest path
    assert "Named and checked." in debrief  # the feedback seen on the path
    assert "Data +2" in debrief and "Ownership +3" in debrief  # each choice's points, now that it is over
    assert ">Different<" not in debrief
    with app.app_context():
        scores = dict(db.session.execute(select(SkillScore.skill_id, SkillScore.score)).all())
        attempt_row = db.session.get(Attempt, attempt)
        assert scores == {"ownership": 100, "data": 100}
        assert attempt_row.outcome == "strong" and attempt_row.finished_at is not None
        assert len(attempt_row.content_version) == 12


def test_poor_path_scores_and_shows_strongest_path(learner, app):
    attempt = start_scenario(learner)
    choose(learner, attempt, 0, "queue", 1)  # send now: data -1
    choose(learner, attempt, 1, "review", 1)  # owner without the check: ownership +1
    debrief = learner.get(f"/attempts/{attempt}/debrief").get_data(as_text=True)
    assert "Mixed judgment" in debrief
    assert "The strongest path" in debrief and "Check the list first" in debrief
    assert debrief.count(">Different<") == 2  # both decisions diverged from the strongest path, side by side
    with app.app_context():
        scores = dict(db.session.execute(select(SkillScore.skill_id, SkillScore.score)).all())
    assert scores == {"ownership": 33, "data": 0}


def test_double_submit_records_once_and_gets_same_answer(learner, app):
    attempt = start_scenario(learner)
    first = choose(learner, attempt, 0, "queue", 0)
    second = choose(learner, attempt, 0, "queue", 0)
    assert first.headers["Location"] == second.headers["Location"]
    assert steps(app, attempt) == 1


def test_stale_submit_from_another_tab_does_not_overwrite(learner, app):
    attempt = start_scenario(learner)
    choose(learner, attempt, 0, "queue", 0)
    stale = choose(learner, attempt, 0, "queue", 1)  # old page, different choice
    assert stale.headers["Location"].endswith(f"/attempts/{attempt}")
    page = learner.get(stale.headers["Location"]).get_data(as_text=True)
    assert "already answered that step" in page and "Who signs off?" in page
    with app.app_context():
        saved = db.session.scalars(select(AttemptStep).where(AttemptStep.attempt_id == attempt)).all()
        assert [(s.node_id, s.choice_index) for s in saved] == [("queue", 0)]


def test_hidden_or_bogus_choice_is_refused(learner, app):
    attempt = start_scenario(learner)
    choose(learner, attempt, 0, "queue", 0)
    response = choose(learner, attempt, 1, "review", 1)  # hidden by Requires: !checked
    assert "not available here" in learner.get(response.headers["Location"]).get_data(as_text=True)
    choose(learner, attempt, 1, "review", 99)
    assert steps(app, attempt) == 1
    bad = learner.post(
        f"/attempts/{attempt}/choose", {"step": "x", "node": "review", "choice": "0"}, page=f"/attempts/{attempt}"
    )
    assert bad.status_code == 302 and steps(app, attempt) == 1


def test_finished_attempt_rejects_more_choices(learner, app):
    attempt = start_scenario(learner)
    choose(learner, attempt, 0, "queue", 0)
    choose(learner, attempt, 1, "review", 2)
    again = choose(learner, attempt, 2, "bad", 0)
    assert again.status_code == 302
    assert learner.get(f"/attempts/{attempt}").headers["Location"].endswith("/debrief")
    assert steps(app, attempt) == 2


def test_leaving_and_coming_back_resumes(learner):
    attempt = start_scenario(learner)
    choose(learner, attempt, 0, "queue", 0)
    overview = learner.get("/scenarios/ops-send").get_data(as_text=True)
    assert f"/attempts/{attempt}" in overview and "Resume where you left off" in overview
    home = learner.get("/").get_data(as_text=True)
    assert "Resume the scenario" in home
    assert "Who signs off?" in learner.get(f"/attempts/{attempt}").get_data(as_text=True)


def test_retry_starts_new_attempt_and_keeps_earlier(learner, app):
    first = start_scenario(learner)
    choose(learner, first, 0, "queue", 1)
    choose(learner, first, 1, "review", 2)
    second = start_scenario(learner)
    assert second != first
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 2
    assert "Poor judgment" in learner.get("/progress").get_data(as_text=True)


def test_double_click_on_start_creates_one_attempt(learner, app):
    token = learner.token("/scenarios/ops-send")
    a = learner.client.post("/scenarios/ops-send/start", data={"csrf_token": token, "after": 0})
    b = learner.client.post("/scenarios/ops-send/start", data={"csrf_token": token, "after": 0})
    assert a.headers["Location"] == b.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_someone_elses_attempt_is_not_found(learner, app, make_user):
    attempt = start_scenario(learner)
    learner.logout()
    make_user("other@example.com")
    learner.login("other@example.com")
    for url in (f"/attempts/{attempt}", f"/attempts/{attempt}/debrief", f"/attempts/{attempt}/steps/1"):
        assert learner.get(url).status_code == 404
    token = learner.token("/progress")
    response = learner.client.post(
        f"/attempts/{attempt}/choose", data={"csrf_token": token, "step": 0, "node": "queue", "choice": 0}
    )
    assert response.status_code == 404
    assert steps(app, attempt) == 0


def test_changed_scenario_is_explained_not_crashed(learner, app):
    attempt = start_scenario(learner)
    with app.app_context():
        db.session.get(Attempt, attempt).content_version = "oldversion00"
        db.session.commit()
    response = learner.get(f"/attempts/{attempt}")
    assert response.status_code == 409 and "was updated" in response.get_data(as_text=True)
    response = choose(learner, attempt, 0, "queue", 0)
    assert response.status_code == 302 and steps(app, attempt) == 0


@pytest.mark.parametrize(
    "url", ["/scenarios/nope", "/attempts/999", "/attempts/999/debrief", "/lessons/nope", "/course/nope"]
)
def test_unknown_objects_are_404(learner, url):
    assert learner.get(url).status_code == 404


def test_expired_form_on_a_choice_reprompts_without_losing_the_attempt(learner, app):
    attempt = start_scenario(learner)
    choose(learner, attempt, 0, "queue", 0)
    response = learner.client.post(
        f"/attempts/{attempt}/choose",
        data={"csrf_token": "expired", "step": 1, "node": "review", "choice": 0},
        headers={"Referer": f"http://localhost/attempts/{attempt}"},
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/attempts/{attempt}"
    page = learner.get(f"/attempts/{attempt}").get_data(as_text=True)
    assert "nothing was recorded" in page and "Who signs off?" in page
    assert steps(app, attempt) == 1
    assert choose(learner, attempt, 1, "review", 0).status_code == 302 and steps(app, attempt) == 2


def test_expired_form_from_another_site_gets_an_error_page(learner):
    response = learner.client.post(
        "/settings", data={"csrf_token": "bad", "role": "ops"}, headers={"Referer": "https://evil.example/settings"}
    )
    assert response.status_code == 400 and "This form had expired" in response.get_data(as_text=True)


def test_locked_database_gives_503_and_keeps_the_answer(busy_app):
    """A writer holding the SQLite lock longer than the busy timeout: the learner is told, nothing is half-saved,
    and the page offers the same choice again, which then records once."""
    app, browser, locked = busy_app
    attempt = start_scenario(browser)
    with locked():
        busy = choose(browser, attempt, 0, "queue", 0)
    html = busy.get_data(as_text=True)
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "2"
    assert 'name="choice" value="0"' in html and 'name="node" value="queue"' in html and "Send it again" in html
    assert steps(app, attempt) == 0 and answered_statements(app, attempt) == 0  # the statement went with the step
    assert choose(browser, attempt, 0, "queue", 0).status_code == 302 and steps(app, attempt) == 1
    assert answered_statements(app, attempt) == 1


def test_five_parallel_identical_submits_record_once_with_the_same_answer(learner, app):
    from concurrent.futures import ThreadPoolExecutor

    attempt = start_scenario(learner)
    fields = learner.hidden_fields(f"/attempts/{attempt}", f"/attempts/{attempt}/choose")
    fields.update(step=0, node="queue", choice=0)
    cookie = learner.client.get_cookie("session").value

    def submit(_):
        client = app.test_client()
        client.set_cookie("session", cookie)
        return client.post(f"/attempts/{attempt}/choose", data=fields).headers.get("Location")

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(submit, range(5)))
    assert len(set(answers)) == 1 and answers[0].endswith(f"/attempts/{attempt}/steps/1")
    assert steps(app, attempt) == 1 and answered_statements(app, attempt) == 1
