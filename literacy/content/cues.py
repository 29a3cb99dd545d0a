"""Warnings about content that lets a learner score without judgment. Pure.

A valid scenario can still measure badly: the best choice always the longest label, a skill so thin
that only 0, 50 or 100 are possible, a poor ending that scores at target, a lesson that hands out
the scenario's own figures. ``flask content check`` prints these as warnings and ``--strict`` (used
by CI) fails on them. Thresholds are documented in docs/authoring.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from literacy.content import graph
from literacy.content.errors import Problem, Problems
from literacy.content.types import Catalogue, Lesson, Node, Scenario

LONGEST_SHARE = 40  # percent: more than this and "pick the longest" becomes a strategy
MIN_BEST_TOTAL = 3  # a skill's best total below this allows only a few coarse scores
STRONG_FLOOR = 50  # a strong ending must not score below this on a skill the scenario evidences
# Money, percentages and numbers of three or more digits; years (1900-2099 alone) are dates, not answers.
FIGURE = re.compile(r"[£$€]\s?\d[\d,]*(?:\.\d+)?[kmb]?|\d[\d,]*(?:\.\d+)?\s?%|\b\d[\d,]{2,}(?:\.\d+)?\b", re.I)
YEAR = re.compile(r"(?:19|20)\d\d")


def warnings(catalogue: Catalogue) -> list[Problem]:
    """Every cue in the catalogue, sorted by file and line."""
    found = Problems()
    for scenario in catalogue.scenarios.values():
        targets = catalogue.roles[scenario.role].targets
        longest_labels(scenario, found)
        thin_skills(scenario, found)
        misleading_endings(scenario, targets, found)
        flags_never_required(scenario, found)
    for course in catalogue.courses.values():
        longest_answers(list(course.lessons), found)
        for scenario in catalogue.role_scenarios(course.role):
            shared_figures(scenario, course.lessons, found)
    return found.sorted()


def best_choice(node: Node):
    """The node's single best choice by total effect, or None when two tie."""
    totals = sorted((sum(c.effects.values()), c.index) for c in node.choices)
    if len(totals) < 2 or totals[-1][0] == totals[-2][0]:
        return None
    return node.choices[totals[-1][1]]


def is_longest(label: str, labels: Iterable[str]) -> bool:
    return len(label) >= max(len(other) for other in labels)


def longest_labels(scenario: Scenario, found: Problems) -> None:
    keyed = [(node, best_choice(node)) for node in scenario.decision_nodes]
    keyed = [(node, best) for node, best in keyed if best is not None]
    longest = [node for node, best in keyed if is_longest(best.label, (c.label for c in node.choices))]
    if keyed and 100 * len(longest) > LONGEST_SHARE * len(keyed):
        found.add(
            scenario.path,
            longest[0].line,
            f"the best choice is the longest label in {len(longest)} of {len(keyed)} decision nodes"
            f" (more than {LONGEST_SHARE}%): {', '.join(n.id for n in longest)}",
        )


def longest_answers(lessons: list[Lesson], found: Problems) -> None:
    questions = [(lesson, q) for lesson in lessons for q in lesson.questions]
    longest = [
        (lesson, q) for lesson, q in questions if is_longest(q.options[q.answer].text, (o.text for o in q.options))
    ]
    if questions and 100 * len(longest) > LONGEST_SHARE * len(questions):
        lesson, question = longest[0]
        found.add(
            lesson.path,
            question.line,
            f"the correct option is the longest in {len(longest)} of {len(questions)} knowledge-check questions"
            f" of this course (more than {LONGEST_SHARE}%)",
        )


def thin_skills(scenario: Scenario, found: Problems) -> None:
    for skill, best in scenario.best.items():
        if 0 < best < MIN_BEST_TOTAL:
            found.add(
                scenario.path,
                scenario.lines.get("skills", 1),
                f"skill '{skill}' has a best total of {best} point(s): at least {MIN_BEST_TOTAL} are needed"
                " for a score finer than a few steps",
            )


def _score(total: int, best: int) -> int:
    return 0 if best <= 0 else min(100, round(100 * max(0, total) / best))


def misleading_endings(scenario: Scenario, targets: dict[str, int], found: Problems) -> None:
    """A poor ending reachable at or above target, or a strong ending reachable below STRONG_FLOOR."""
    state_graph = graph.explore(scenario)
    if state_graph is None:
        return
    for skill in scenario.skills:
        best = scenario.best.get(skill, 0)
        poor = graph.best_path(scenario, state_graph, lambda c, s=skill: c.effects.get(s, 0), lambda o: o == "poor")
        if poor is not None and _score(poor[0], best) >= targets.get(skill, 101):
            found.add(
                scenario.path,
                scenario.nodes[poor[1][-1][0]].line if poor[1] else 1,
                f"a path to a poor ending scores {_score(poor[0], best)} on '{skill}', at or above the role"
                f" target of {targets[skill]}",
            )
        strong = graph.best_path(
            scenario, state_graph, lambda c, s=skill: -c.effects.get(s, 0), lambda o: o == "strong"
        )
        if strong is not None and _score(-strong[0], best) < STRONG_FLOOR:
            found.add(
                scenario.path,
                scenario.nodes[strong[1][-1][0]].line if strong[1] else 1,
                f"a path to a strong ending scores {_score(-strong[0], best)} on '{skill}', below {STRONG_FLOOR}",
            )


def flags_never_required(scenario: Scenario, found: Problems) -> None:
    required = {req.flag for node in scenario.nodes.values() for c in node.choices for req in c.requires}
    for node in scenario.nodes.values():
        for choice in node.choices:
            for flag in sorted(choice.sets - required):
                found.add(scenario.path, choice.line, f"flag '{flag}' is set here but no choice requires it")


def figures(text: str) -> set[str]:
    """The distinctive figures in a text, normalised (no thousands commas, no spaces, lower case)."""
    return {
        match.group().replace(",", "").replace(" ", "").lower()
        for match in FIGURE.finditer(text)
        if not YEAR.fullmatch(match.group())
    }


def shared_figures(scenario: Scenario, lessons: Iterable[Lesson], found: Problems) -> None:
    taught = {figure: lesson for lesson in lessons for figure in figures(lesson.html)}
    for node in scenario.nodes.values():
        texts = [(node.line, node.source or node.html)] + [(c.line, f"{c.label} {c.source}") for c in node.choices]
        for line, text in texts:
            for figure in sorted(figures(text) & set(taught)):
                found.add(
                    scenario.path,
                    line,
                    f"the figure {figure} also appears in the lesson '{taught[figure].id}': test transfer with"
                    " other numbers",
                )
