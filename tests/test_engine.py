"""The scenario engine and scoring, called as plain Python."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.paths import ROOT, TINY

from literacy.content import load
from literacy.learning import engine

TINY_SCENARIO = load(TINY).scenarios["ops-send"]


def test_advance_returns_next_node_feedback_effects_and_flags():
    state = engine.start(TINY_SCENARIO)
    assert state.node_id == "queue" and state.totals == {"ownership": 0, "data": 0} and state.step == 0
    result = engine.advance(TINY_SCENARIO, state, 0)
    assert result.state.node_id == "review"
    assert result.effects == {"data": 2}
    assert result.state.flags == {"checked"}
    assert "You looked before acting." in result.feedback
    assert result.state.totals == {"ownership": 0, "data": 2} and result.state.step == 1


def test_requires_filters_offered_choices():
    checked = engine.advance(TINY_SCENARIO, engine.start(TINY_SCENARIO), 0).state
    unchecked = engine.advance(TINY_SCENARIO, engine.start(TINY_SCENARIO), 1).state
    assert [c.index for c in engine.offered(TINY_SCENARIO, checked)] == [0, 2]
    assert [c.index for c in engine.offered(TINY_SCENARIO, unchecked)] == [1, 2]
    with pytest.raises(engine.InvalidChoice):
        engine.advance(TINY_SCENARIO, checked, 1)


def test_no_choice_after_an_ending():
    state = engine.replay(TINY_SCENARIO, [0, 0])
    assert state.finished(TINY_SCENARIO) and state.node(TINY_SCENARIO).outcome == "strong"
    with pytest.raises(engine.InvalidChoice):
        engine.advance(TINY_SCENARIO, state, 0)


def test_best_totals_and_scores_are_relative_to_the_best_path():
    assert TINY_SCENARIO.best == {"ownership": 3, "data": 2}
    assert engine.score(TINY_SCENARIO, {"ownership": 3, "data": 2}) == {"ownership": 100, "data": 100}
    assert engine.score(TINY_SCENARIO, {"ownership": 1, "data": -1}) == {"ownership": 33, "data": 0}
    assert engine.overall({"ownership": 33, "data": 0}) == 16


def test_strongest_path_ends_in_the_best_outcome():
    steps = engine.strongest_steps(TINY_SCENARIO)
    assert [(n.id, c.label) for n, c in steps] == [("queue", "Check the list first"), ("review", "Name an owner")]


SHIPPED = sorted(load(ROOT).scenarios.values(), key=lambda s: s.id) if (ROOT / "scenarios").is_dir() else []


@pytest.mark.parametrize("scenario", [*SHIPPED, TINY_SCENARIO], ids=lambda s: s.id)
@settings(max_examples=60, deadline=None)
@given(picks=st.lists(st.integers(min_value=0, max_value=1000), min_size=60, max_size=60))
def test_random_walks_end_at_an_ending_with_scores_in_range(scenario, picks):
    state = engine.start(scenario)
    for pick in picks:
        if state.finished(scenario):
            break
        options = engine.offered(scenario, state)
        assert options, f"no choice offered at {state.node_id}"
        state = engine.advance(scenario, state, options[pick % len(options)].index).state
    assert state.finished(scenario), f"walk did not reach an ending: {state.node_id}"
    scores = engine.score(scenario, state.totals)
    assert set(scores) == set(scenario.skills)
    assert all(0 <= value <= 100 for value in scores.values())


@pytest.mark.parametrize("scenario", SHIPPED, ids=lambda s: s.id)
def test_strongest_path_scores_full_marks_somewhere(scenario):
    state = engine.replay(scenario, [index for _, index in scenario.strongest_path])
    assert state.finished(scenario) and state.node(scenario).outcome == "strong"
    assert max(engine.score(scenario, state.totals).values()) == 100
