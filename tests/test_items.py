"""Item analysis on hand-made data: selection rates, strong and rest shares, discrimination, flags,
the privacy floor, and assessed attempts only, in the command and on the admin page."""

from __future__ import annotations

import csv
import io
import shutil

from support import POOR, STRONG, journeys, make
from support.apps import make_app
from support.paths import TINY

from literacy.insights import items, rollups
from literacy.learning.assessment import PRACTICE

OPTIONS = [(0, "Check the list", True), (1, "Send now", False), (2, "Ask the vendor", False)]


def test_rates_shares_and_discrimination_by_hand():
    # 10 learners, 4 strong: 3 strong and 2 others chose the keyed option, 1 strong and 4 others option 1
    counts = {(0, True): 3, (0, False): 2, (1, True): 1, (1, False): 4}
    found = items.item("queue", "The queue", OPTIONS, counts, {True: 4, False: 6}, floor=5)
    keyed, wrong, _ = found.options
    assert (keyed.rate, keyed.strong_share, keyed.rest_share, keyed.discrimination) == (50, 75, 33, 42)
    assert (wrong.rate, wrong.strong_share, wrong.rest_share, wrong.discrimination) == (50, 25, 67, -42)
    assert found.flags == ["never chosen: 'Ask the vendor'"]


def test_flags_too_easy_and_possibly_miskeyed():
    easy = items.item("q", "Q", OPTIONS[:2], {(0, True): 5, (0, False): 5}, {True: 5, False: 5}, floor=5)
    assert "too easy: 100% choose the best option" in easy.flags
    # the strong learners prefer option 1: it separates them better than the keyed option
    miskeyed = {(0, True): 1, (0, False): 4, (1, True): 4, (1, False): 1}
    found = items.item("q", "Q", OPTIONS[:2], miskeyed, {True: 5, False: 5}, floor=5)
    assert found.flags == ["possibly miskeyed: 'Send now' separates strong learners better than the keyed option"]


def test_an_item_below_the_privacy_floor_shows_no_figures():
    found = items.item("q", "Q", OPTIONS, {(0, True): 4}, {True: 4}, floor=5)
    assert (found.enough, found.answered, found.options, found.flags) == (False, 4, [], [])


def org_with_attempts(app, world):
    """Org A: three learners took the strong path and two the poor one (assessed); a practice replay
    and Org B's learner must not count."""
    with make.saved(app):
        extra = [make.user(f"x{i}@example.com", org=world["org"], teams=[world["team"]]).id for i in (4, 5)]
        for person in (world["learner1"], world["learner2"], world["learner3"]):
            make.attempt(person, STRONG)
        for person in extra:
            make.attempt(person, POOR)
        make.attempt(extra[0], STRONG, kind=PRACTICE)
        make.attempt(world["outsider"], POOR)


def test_the_admin_page_and_csv_analyse_the_organisations_assessed_attempts(app, world):
    org_with_attempts(app, world)
    admin = journeys.signed_in(app, "admin@example.com")
    page = admin.get("/admin/items").get_data(as_text=True)
    assert "5 learners, 3 strong" in page  # not the practice replay, not Org B's learner
    assert "never chosen: &#39;Name an owner without the check&#39;" in page
    rows = list(csv.DictReader(io.StringIO(admin.get("/admin/items.csv").get_data(as_text=True))))
    queue = {r["option"]: r for r in rows if r["content"] == "scenario:ops-send" and r["item"] == "queue"}
    assert (queue["0"]["rate_percent"], queue["0"]["strong_share_percent"], queue["0"]["rest_share_percent"]) == (
        "60",
        "100",
        "0",
    )
    assert (queue["0"]["discrimination"], queue["0"]["keyed"], queue["1"]["discrimination"]) == ("100", "True", "-100")


def test_the_command_prints_each_item_and_its_flags(app, world, runner):
    org_with_attempts(app, world)
    result = runner.invoke(args=["content", "stats", "ops-send"])
    assert result.exit_code == 0
    assert "queue: 6 learners, 3 strong" in result.output  # the command covers every organisation
    assert "! never chosen: 'Name an owner without the check'" in result.output
    assert runner.invoke(args=["content", "stats", "no-such"]).exit_code != 0


SECOND_QUESTION = """

## Knowledge check

### What comes before the model acts?
- [ ] The model's own confidence score
  Why: A model grading itself is not a data check.
- [x] A check of the data it acts on
  Why: The data decides what the model can get right.
"""


def test_knowledge_check_items_split_learners_by_their_other_answers(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(TINY, root)
    with (root / "curricula/ops/02-second.md").open("a") as lesson:
        lesson.write(SECOND_QUESTION)
    app = make_app(tmp_path, root)
    course = app.extensions["catalogue"].courses["ops"]
    for i in range(6):
        browser = journeys.signed_up(app, f"c{i}@example.com")
        for lesson in course.lessons:  # three learners answer everything right, three everything wrong
            picks = {
                q: question.answer if i < 3 else 1 - question.answer for q, question in enumerate(lesson.questions)
            }
            journeys.answer_check(browser, lesson.id, picks)
    with app.app_context():
        stats = rollups.check_items(None, course, floor=5)
    assert [s.item for s in stats] == ["first/question-1", "second/question-1"]
    keyed = next(o for o in stats[0].options if o.keyed)
    # the three who got the other question right all chose the correct option here; the others none
    assert (stats[0].answered, stats[0].strong, keyed.rate, keyed.discrimination) == (6, 3, 50, 100)
