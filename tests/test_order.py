"""Order carries no information: each attempt shows its choices, and each learner their check
options, in a random order fixed by a stored seed, the same on every reload."""

from __future__ import annotations

import re

from support import journeys
from support.browser import forms

from literacy.learning.order import option_order, shuffled
from literacy.learning.tables import Attempt
from literacy.people.tables import User
from literacy.platform.extensions import db


def test_an_order_is_a_fixed_permutation_for_its_seed_and_place():
    items = list(range(6))
    assert shuffled(items, 7, "queue") == shuffled(items, 7, "queue")
    assert sorted(shuffled(items, 7, "queue")) == items
    orders = {tuple(shuffled(items, seed, "queue")) for seed in range(40)}
    assert len(orders) > 20  # seeds really vary the order
    assert {tuple(shuffled(items, 7, place)) for place in ("a", "b", "c", "d")} != {tuple(items)}


def buttons(browser, attempt_id: int) -> list[tuple[str, str]]:
    """(choice id, label) of the choice buttons on the attempt's page, top to bottom."""
    html = browser.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    labels = re.findall(r'<button type="submit" class="choice">([^<]+)</button>', html)
    ids = [f.hidden["choice"] for f in forms(html) if f.action.endswith("/choose")]
    return list(zip(ids, labels, strict=True))


def set_seed(app, attempt_id: int, seed: int) -> None:
    with app.app_context():
        db.session.get(Attempt, attempt_id).order_seed = seed
        db.session.commit()


def test_the_attempt_page_shows_its_own_order_on_every_reload_and_resume(app, learner):
    scenario = app.extensions["catalogue"].scenarios["ops-send"]
    first = journeys.start_scenario(learner)
    labels = [c.label for c in scenario.nodes["queue"].choices]
    seeds = [s for s in range(50) if [c.label for c in shuffled(scenario.nodes["queue"].choices, s, "queue")] != labels]
    set_seed(app, first, seeds[0])
    shown = buttons(learner, first)
    expected = [(str(c.index), c.label) for c in shuffled(scenario.nodes["queue"].choices, seeds[0], "queue")]
    assert shown == expected and [label for _, label in shown] != labels  # not the authored order
    assert buttons(learner, first) == shown  # a reload
    learner.get(f"/scenarios/{scenario.id}")  # away and back: the resume link goes to the same attempt
    assert buttons(learner, first) == shown


def test_attempts_get_different_seeds(app, learner):
    ids = [journeys.start_scenario(learner) for _ in range(2)]  # the second start makes a new attempt
    with app.app_context():
        seeds = {db.session.get(Attempt, i).order_seed for i in ids}
    assert len(seeds) == 2


def test_a_choice_is_recorded_by_its_id_whatever_its_position(app, learner):
    attempt = journeys.start_scenario(learner)
    for seed in range(50):
        set_seed(app, attempt, seed)
        if buttons(learner, attempt)[0][0] != "0":
            break
    assert buttons(learner, attempt)[0][0] != "0"
    journeys.choose(learner, attempt, 0, "queue", 0)  # the authored first choice, shown elsewhere
    with app.app_context():
        assert db.session.get(Attempt, attempt).steps[0].choice_index == 0


def test_check_options_follow_the_learners_order_in_the_form_and_the_explanations(app, learner):
    lesson = app.extensions["catalogue"].lesson("first")
    seed = next(s for s in range(50) if option_order(lesson, s)[0] != sorted(option_order(lesson, s)[0]))
    with app.app_context():
        db.session.scalar(db.select(User).where(User.email == "learner@example.com")).order_seed = seed
        db.session.commit()
    order = option_order(lesson, seed)
    html = learner.get("/lessons/first").get_data(as_text=True)
    values = re.findall(r'name="q0"[^>]*value="(\d+)"', html)
    assert values == [str(i) for i in order[0]]
    journeys.answer_check(learner, "first", dict.fromkeys(range(len(lesson.questions)), 0))
    html = learner.get("/lessons/first").get_data(as_text=True)
    shown = [o.text for o in lesson.questions[0].options]
    positions = [html.index(f"<strong>{text}</strong>") for text in shown]
    assert sorted(range(len(shown)), key=positions.__getitem__) == order[0]
