"""The scenario state machine and scoring. Pure: no Flask, no database.

An attempt is a scenario plus the choices made so far. ``advance`` applies one choice and
returns everything the caller must persist or show; ``replay`` rebuilds a state from stored
choice indices, so the database only needs to keep the path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from literacy.content.types import Choice, Node, Scenario


class InvalidChoice(ValueError):
    """The choice is not offered at the attempt's current node (stale page, finished attempt, bad index)."""


@dataclass(frozen=True)
class AttemptState:
    node_id: str
    flags: frozenset[str] = frozenset()
    totals: dict[str, int] = field(default_factory=dict)
    step: int = 0  # number of choices made so far

    def node(self, scenario: Scenario) -> Node:
        return scenario.nodes[self.node_id]

    def finished(self, scenario: Scenario) -> bool:
        return self.node(scenario).is_ending


@dataclass(frozen=True)
class StepResult:
    choice: Choice
    feedback: str
    effects: dict[str, int]
    state: AttemptState  # the state after the choice


def start(scenario: Scenario) -> AttemptState:
    return AttemptState(scenario.start, frozenset(), dict.fromkeys(scenario.skills, 0), 0)


def offered(scenario: Scenario, state: AttemptState) -> list[Choice]:
    """The choices the learner sees now (``Requires`` filters some out)."""
    return [c for c in state.node(scenario).choices if c.available(state.flags)]


def advance(scenario: Scenario, state: AttemptState, choice_index: int) -> StepResult:
    """Apply one choice: next node, feedback, skill effects and updated flags."""
    if state.finished(scenario):
        raise InvalidChoice("this attempt has already reached an ending")
    choice = next((c for c in offered(scenario, state) if c.index == choice_index), None)
    if choice is None:
        raise InvalidChoice(f"choice {choice_index} is not offered at node '{state.node_id}'")
    totals = dict(state.totals)
    for skill, delta in choice.effects.items():
        totals[skill] = totals.get(skill, 0) + delta
    after = AttemptState(choice.target, state.flags | choice.sets, totals, state.step + 1)
    return StepResult(choice, choice.feedback, dict(choice.effects), after)


def replay(scenario: Scenario, choice_indices: list[int]) -> AttemptState:
    """Rebuild an attempt's state from its stored path; raises InvalidChoice if the path no longer fits."""
    state = start(scenario)
    for index in choice_indices:
        state = advance(scenario, state, index).state
    return state


def score(scenario: Scenario, totals: dict[str, int]) -> dict[str, int]:
    """Per-skill score 0-100: the share of the best achievable total that the attempt earned."""
    result = {}
    for skill in scenario.skills:
        best = scenario.best.get(skill, 0)
        earned = max(0, totals.get(skill, 0))
        result[skill] = 0 if best <= 0 else min(100, round(100 * earned / best))
    return result


def overall(scores: dict[str, int]) -> int:
    """One headline number for an attempt: the mean of its skill scores."""
    return round(sum(scores.values()) / len(scores)) if scores else 0


def strongest_steps(scenario: Scenario) -> list[tuple[Node, Choice]]:
    """The strongest path as (node, choice) pairs, for the debrief."""
    return [
        (scenario.nodes[node_id], scenario.nodes[node_id].choices[index]) for node_id, index in scenario.strongest_path
    ]


@dataclass(frozen=True)
class Decision:
    """One row of the debrief: the learner's choice beside the strongest path's at the same step."""

    step: int
    taken: tuple[Node, Choice] | None  # None: the learner's path was shorter
    strongest: tuple[Node, Choice] | None  # None: the strongest path was shorter
    same: bool  # the same choice at the same node


def side_by_side(scenario: Scenario, taken: list[tuple[Node, Choice]]) -> list[Decision]:
    """The learner's path and the strongest path, decision by decision, marking where they differ."""
    strongest = strongest_steps(scenario)
    rows = []
    for step in range(max(len(taken), len(strongest))):
        mine = taken[step] if step < len(taken) else None
        best = strongest[step] if step < len(strongest) else None
        same = mine is not None and best is not None and (mine[0].id, mine[1].index) == (best[0].id, best[1].index)
        rows.append(Decision(step + 1, mine, best, same))
    return rows
