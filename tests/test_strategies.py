"""Scores cannot be gamed by position or label length: every shipped scenario is played through the
pages by learners who always press the first button, always the longest label, or pick at random.
Neither cue strategy reaches a strong ending more often than random play (printed with -s)."""

from __future__ import annotations

import random
import re
from html import unescape

import pytest
from support import journeys
from support.apps import make_app
from support.browser import forms
from support.paths import ROOT

from literacy.learning import engine, order
from literacy.learning.tables import Attempt
from literacy.platform.extensions import db

RUNS = 3  # per scenario for the strategies that depend on chance (random picks, random order)
MARGIN = 10  # percentage points of slack for chance over every shipped scenario x RUNS plays
BUTTON = re.compile(r'<button type="submit" class="choice">([^<]+)</button>')


class SeededSecrets:
    """Stands in for ``secrets`` in learning.order, so the attempts' random orders are reproducible."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def randbelow(self, n: int) -> int:
        return self.rng.randrange(n)


def first(buttons, rng):
    return buttons[0]


def longest(buttons, rng):
    return max(buttons, key=lambda b: len(b[1]))


def at_random(buttons, rng):
    return rng.choice(buttons)


def play(browser, scenario_id: str, pick, rng) -> int:
    """Play one attempt pressing ``pick``'s button on every page; the attempt's id."""
    attempt = journeys.start_scenario(browser, scenario_id)
    page = f"/attempts/{attempt}"
    for _ in range(60):
        response = browser.get(page)
        if response.status_code == 302:  # finished: the page sends the learner to the debrief
            return attempt
        html = response.get_data(as_text=True)
        labels = [
            unescape(label) for label in re.findall(r'<button type="submit" class="choice">([^<]+)</button>', html)
        ]
        fields = [f.hidden for f in forms(html) if f.action == f"{page}/choose"]
        choice = pick(list(zip(fields, labels, strict=True)), rng)[0]
        assert browser.client.post(f"{page}/choose", data=choice).status_code == 302
    raise AssertionError(f"{scenario_id}: no ending after 60 choices")


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    monkeypatch.setattr(order, "secrets", SeededSecrets(11))
    return make_app(tmp_path, ROOT)


def test_cue_strategies_do_better_than_random_play_nowhere(shipped):
    rng = random.Random(5)
    scenarios = list(shipped.extensions["catalogue"].scenarios)
    strong, points = {}, {}
    for name, pick, runs in (("first button", first, RUNS), ("longest label", longest, 1), ("random", at_random, RUNS)):
        browser = journeys.signed_up(shipped, f"{name.replace(' ', '-')}@example.com", role="lifecycle")
        attempts = [play(browser, scenario, pick, rng) for scenario in scenarios for _ in range(runs)]
        with shipped.app_context():
            played = list(db.session.scalars(db.select(Attempt).where(Attempt.id.in_(attempts))))
            strong[name] = round(100 * sum(a.outcome == "strong" for a in played) / len(played))
            points[name] = round(sum(engine.overall(a.scores) for a in played) / len(played))
    print(
        f"\nover all {len(scenarios)} shipped scenarios, strong endings:",
        ", ".join(f"{k} {v}%" for k, v in strong.items()),
        "; mean overall score (points):",
        ", ".join(f"{k} {v}" for k, v in points.items()),
    )
    assert strong["first button"] <= strong["random"] + MARGIN
    assert strong["longest label"] <= strong["random"] + MARGIN
    assert points["first button"] <= points["random"] + MARGIN
    assert points["longest label"] <= points["random"] + MARGIN
