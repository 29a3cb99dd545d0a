"""The learner's home, lessons, knowledge checks, progress and settings."""

from __future__ import annotations

from sqlalchemy import func, select
from support import STRONG
from support.journeys import answer_check, complete_lesson, play

from literacy.learning.tables import CheckAnswer, LessonCompletion
from literacy.platform.extensions import db


def test_landing_page_for_visitors(browser):
    html = browser.get("/").get_data(as_text=True)
    assert "Create an account" in html and "Operations" in html


def test_home_shows_track_progress_and_next_step(learner):
    html = learner.get("/").get_data(as_text=True)
    assert "Tiny course" in html and "First lesson" in html and "The send" in html
    assert "0 of 2 lessons done" in html and "0 of 1 scenarios finished" in html
    assert 'href="/lessons/first"' in html and "Open the lesson" in html
    assert '<progress value="0" max="100"' in html


def test_lesson_renders_markdown_and_marks_complete_once(learner, app):
    html = learner.get("/lessons/first").get_data(as_text=True)
    assert "<strong>named owner</strong>" in html and "Lesson 1 of 2" in html
    response = complete_lesson(learner, "first")
    assert response.headers["Location"] == "/lessons/second"
    complete_lesson(learner, "first", page="/lessons/second")  # the button on an old tab: harmless
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LessonCompletion)) == 1
    home = learner.get("/").get_data(as_text=True)
    assert "1 of 2 lessons done" in home and "Second lesson" in home


def test_knowledge_check_records_answer_and_explains(learner, app):
    response = answer_check(learner, "first", {0: 0})
    assert response.status_code == 302
    html = learner.get("/lessons/first").get_data(as_text=True)
    assert "You answered 0 of 1 correctly" in html
    assert "Shared involvement is not ownership." in html and "A named owner knows the outcome" in html
    assert "Your answer: not the best answer" in html and "Best answer" in html
    answer_check(learner, "first", {0: 1})
    with app.app_context():
        answer = db.session.scalars(select(CheckAnswer)).one()  # the latest answer replaces the first
        assert (answer.option, answer.correct) == (1, True)


def test_knowledge_check_without_an_answer_keeps_the_page(learner, app):
    response = learner.post("/lessons/first/check", {}, page="/lessons/first")
    assert response.status_code == 400
    assert "Answer every question" in response.get_data(as_text=True)
    bogus = learner.post("/lessons/first/check", {"q0": "7"}, page="/lessons/first")
    assert bogus.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CheckAnswer)) == 0


def test_lesson_without_check_has_no_check_route(learner):
    assert learner.post("/lessons/second/check", {"q0": "0"}, page="/lessons/second").status_code == 404


def test_progress_shows_attempts_and_skill_profile(learner):
    html = learner.get("/progress").get_data(as_text=True)
    assert "No scenario attempts yet" in html and "No evidence yet" in html
    play(learner, STRONG)
    html = learner.get("/progress").get_data(as_text=True)
    assert "Strong judgment" in html and "At target" in html
    assert "1 of 1 scenarios finished" in learner.get("/").get_data(as_text=True)


def test_the_skills_page_gives_each_skills_scope_and_each_roles_targets_with_reasons(learner):
    html = learner.get("/progress").get_data(as_text=True)
    assert 'href="/skills"' in html
    html = learner.get("/skills").get_data(as_text=True)
    assert "Scope:</strong> Who is accountable for the workflow; not the checks on its data." in html
    assert "Operations runs the send, so owning it matters more than the data." in html
    assert "<td>70</td><td>60</td>" in html and "(yours)" in html


def test_settings_changes_role_but_ignores_unknown(learner):
    response = learner.post("/settings", {"name": "Lee Learner", "role": "astronaut"})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert learner.post("/settings", {"name": "Lee Learner", "role": "ops"}).status_code == 302


def test_settings_change_the_name_and_the_optional_emails(app, learner):
    from literacy.people.tables import User
    from literacy.platform.extensions import db

    saved = learner.post("/settings", {"name": "Lee Q. Learner", "role": "ops", "reminders": ""})
    assert saved.status_code == 302 and "Your settings are saved" in learner.get("/settings").get_data(as_text=True)
    with app.app_context():
        person = db.session.scalar(db.select(User).where(User.email == "learner@example.com"))
        assert (person.name, person.reminders_opt_out) == ("Lee Q. Learner", True)
    learner.post("/settings", {"name": "Lee Q. Learner", "role": "ops", "reminders": "y"})
    with app.app_context():
        assert not db.session.scalar(db.select(User).where(User.email == "learner@example.com")).reminders_opt_out
    refused = learner.post("/settings", {"name": "", "role": "ops"})
    assert refused.status_code == 200 and "This field is required" in refused.get_data(as_text=True)
