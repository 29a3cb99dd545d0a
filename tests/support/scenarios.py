"""Scenario Markdown parsed as the catalogue parses it, and scenarios compared by what a learner meets."""

from __future__ import annotations

import functools

from literacy.content import load
from literacy.content.errors import Problems
from literacy.content.scenario import parse_scenario
from literacy.content.types import Catalogue, Scenario

from .paths import ROOT


@functools.cache
def shipped() -> Catalogue:
    """The shipped content, loaded once."""
    return load(ROOT)


def parse(markdown: str, catalogue: Catalogue | None = None) -> Scenario:
    """Parse one scenario file's text against a catalogue's roles and skills (default: the shipped
    ones); it must have no problems."""
    catalogue = catalogue or shipped()
    problems = Problems()
    scenario = parse_scenario(markdown, "imported.md", set(catalogue.roles), set(catalogue.skills), problems)
    assert not problems, [str(p) for p in problems.items]
    return scenario


def shape(scenario: Scenario) -> tuple:
    """Everything about a scenario a learner meets (not its file, lines or version), for comparing."""
    nodes = {
        n.id: (
            n.title,
            n.html,
            tuple((passage.requires, passage.html) for passage in n.passages),
            n.outcome,
            tuple((c.label, c.target, c.effects, c.sets, c.requires, c.feedback) for c in n.choices),
        )
        for n in scenario.nodes.values()
    }
    return (
        scenario.id,
        scenario.title,
        scenario.role,
        scenario.skills,
        scenario.minutes,
        scenario.start,
        scenario.summary,
        nodes,
    )
