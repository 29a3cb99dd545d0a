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
MIN_CHOICES = 3  # with two options, one obvious wrong one makes the other a giveaway
LABEL_SPREAD = 1.5  # the longest offered label at most this many times the shortest
MIN_DECISIONS = 8  # fewer decisions than this cannot rank learners finer than a few steps
MIN_ENDINGS = 3  # a strong, a mixed and a poor ending at least
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
        state_graph = graph.explore(scenario)
        misleading_endings(scenario, targets, found, state_graph)
        flags_never_required(scenario, found)
        too_small(scenario, found)
        if state_graph is not None:
            few_choices(scenario, state_graph, found)
            uneven_labels(scenario, state_graph, found)
            conditions_that_never_vary(scenario, state_graph, found)
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


def misleading_endings(
    scenario: Scenario, targets: dict[str, int], found: Problems, state_graph: graph.Graph | None = None
) -> None:
    """A poor ending reachable at or above target, or a strong ending reachable below STRONG_FLOOR."""
    state_graph = state_graph if state_graph is not None else graph.explore(scenario)
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
    required |= {req.flag for node in scenario.nodes.values() for p in node.conditional for req in p.requires}
    for node in scenario.nodes.values():
        for choice in node.choices:
            for flag in sorted(choice.sets - required):
                found.add(scenario.path, choice.line, f"flag '{flag}' is set here but no choice or text depends on it")


def too_small(scenario: Scenario, found: Problems) -> None:
    """Fewer than MIN_DECISIONS decision nodes or MIN_ENDINGS endings, or an outcome with no ending."""
    line = scenario.lines.get("start", 1)
    decisions, endings = len(scenario.decision_nodes), len(scenario.endings)
    if decisions < MIN_DECISIONS:
        found.add(scenario.path, line, f"{decisions} decision nodes: a scenario needs at least {MIN_DECISIONS}")
    missing = [o for o in ("strong", "mixed", "poor") if o not in {e.outcome for e in scenario.endings}]
    if endings < MIN_ENDINGS or missing:
        lacking = f" (no {' or '.join(missing)} ending)" if missing else ""
        found.add(scenario.path, line, f"{endings} endings{lacking}: a scenario needs a strong, a mixed and a poor one")


def _offered(scenario: Scenario, state_graph: graph.Graph) -> Iterable[tuple[Node, frozenset[str], list]]:
    """Each reachable decision state: its node, the flags carried and the choices offered."""
    for (node_id, flags), moves in state_graph.items():
        node = scenario.nodes[node_id]
        if not node.is_ending:
            yield node, flags, [choice for choice, _ in moves]


def _flags_shown(flags: frozenset[str]) -> str:
    return ", ".join(sorted(flags)) or "none"


def few_choices(scenario: Scenario, state_graph: graph.Graph, found: Problems) -> None:
    """A decision offering fewer than MIN_CHOICES options in some reachable state (once per node)."""
    reported = set()
    for node, flags, offered in _offered(scenario, state_graph):
        if len(offered) < MIN_CHOICES and node.id not in reported:
            reported.add(node.id)
            found.add(
                scenario.path,
                node.line,
                f"node '{node.id}' offers {len(offered)} choice(s) when the flags are: {_flags_shown(flags)};"
                f" offer at least {MIN_CHOICES} a competent professional might pick",
            )


def uneven_labels(scenario: Scenario, state_graph: graph.Graph, found: Problems) -> None:
    """Offered labels of very different lengths: the odd one out is a cue (once per node)."""
    reported = set()
    for node, flags, offered in _offered(scenario, state_graph):
        lengths = [len(c.label) for c in offered]
        if len(lengths) > 1 and max(lengths) > LABEL_SPREAD * min(lengths) and node.id not in reported:
            reported.add(node.id)
            found.add(
                scenario.path,
                node.line,
                f"node '{node.id}' offers labels of {min(lengths)} to {max(lengths)} characters (flags: "
                f"{_flags_shown(flags)}); keep the longest within {LABEL_SPREAD}x the shortest",
            )


def conditions_that_never_vary(scenario: Scenario, state_graph: graph.Graph, found: Problems) -> None:
    """Conditional text that no learner sees, or that every learner sees (then it needs no condition)."""
    arrivals: dict[str, list[frozenset[str]]] = {}
    for node_id, flags in state_graph:
        arrivals.setdefault(node_id, []).append(flags)
    for node in scenario.nodes.values():
        for passage in node.conditional:
            shown = [passage.shown(flags) for flags in arrivals.get(node.id, [])]
            if shown and not any(shown):
                found.add(scenario.path, passage.line, "no path reaches this text with its condition met")
            elif shown and all(shown):
                found.add(scenario.path, passage.line, "every path reaches this text with its condition met: drop it")


def figures(text: str) -> set[str]:
    """The distinctive figures in a text, normalised (no thousands commas, no spaces, lower case)."""
    return {
        match.group().replace(",", "").replace(" ", "").lower()
        for match in FIGURE.finditer(text)
        if not YEAR.fullmatch(match.group())
    }


def lesson_text(lesson: Lesson) -> str:
    """What a lesson shows a learner: its text and its knowledge check (questions, options, explanations)."""
    checks = [q.prompt + " " + " ".join(f"{o.text} {o.explanation}" for o in q.options) for q in lesson.questions]
    return " ".join([lesson.html, *checks])


def shared_figures(scenario: Scenario, lessons: Iterable[Lesson], found: Problems) -> None:
    taught = {figure: lesson for lesson in lessons for figure in figures(lesson_text(lesson))}
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
