"""How many decisions a typical play of a scenario takes ("Decision 3 of about 6"), on hand-made graphs."""

from __future__ import annotations

from support.paths import ROOT, TINY

from literacy.content import load
from literacy.content.graph import typical_decisions
from literacy.content.types import Choice, Node, Requirement, Scenario


def choice(index: int, target: str, sets=(), requires=()) -> Choice:
    return Choice(index, f"go {target}", target, {}, frozenset(sets), tuple(requires), "<p>ok</p>", 1)


def scenario(nodes: dict[str, list[Choice]], endings=("end",)) -> Scenario:
    built = {nid: Node(nid, nid, "", None, tuple(cs), 1) for nid, cs in nodes.items()}
    built |= {e: Node(e, e, "", "strong", (), 1) for e in endings}
    return Scenario("s", "ops", "S", "", ("data",), 5, "a", built, "s.md", "v1")


def test_a_straight_line_counts_every_decision():
    assert typical_decisions(scenario({"a": [choice(0, "b")], "b": [choice(0, "c")], "c": [choice(0, "end")]})) == 3


def test_the_median_over_the_paths_to_an_ending():
    # a -> end (1 decision); a -> b -> end (2); a -> b -> c -> end (3): median 2
    graph = {"a": [choice(0, "end"), choice(1, "b")], "b": [choice(0, "end"), choice(1, "c")], "c": [choice(0, "end")]}
    assert typical_decisions(scenario(graph)) == 2


def test_an_even_number_of_paths_rounds_the_middle_half_up():
    # lengths 1 and 2: median 1.5, shown as 2
    assert typical_decisions(scenario({"a": [choice(0, "end"), choice(1, "b")], "b": [choice(0, "end")]})) == 2


def test_loops_are_walked_once_and_flags_hide_choices():
    # b can loop back to a; the shortcut from a needs a flag that only b sets
    graph = {
        "a": [choice(0, "b"), choice(1, "end", requires=[Requirement("seen", True)])],
        "b": [choice(0, "a", sets=["seen"]), choice(1, "end")],
    }
    # paths: a-b-end (2), a-b-a(seen)-end (3), a-b-a(seen)-b(seen)-end (4): median 3
    assert typical_decisions(scenario(graph)) == 3


def test_shipped_scenarios_have_a_plausible_estimate():
    assert typical_decisions(load(TINY).scenarios["ops-send"]) == 2
    for s in load(ROOT).scenarios.values():
        assert 1 <= typical_decisions(s) <= len(s.decision_nodes) * 2
