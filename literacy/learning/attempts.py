"""Scenario attempts: start one, accept a choice exactly once.

The engine decides what a choice does and ``record`` writes it; this module decides whether a
submitted choice may be recorded at all. A choice is accepted
only for the attempt's current step and node, and the (attempt, step) unique constraint plus a
conditional update make a double-click, a second tab or parallel requests record it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from literacy.content.types import Catalogue, Scenario
from literacy.learning import engine, record
from literacy.learning.queries import attempt_step, next_attempt, scenario_history
from literacy.learning.tables import Attempt
from literacy.people.tables import User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db


class Outcome(Enum):
    RECORDED = "recorded"  # the choice was saved now
    REPEATED = "repeated"  # the same choice was already saved (double submit): same answer as before
    STALE = "stale"  # the page was out of date: the attempt has moved on
    FINISHED = "finished"  # the attempt already reached an ending
    CHANGED = "changed"  # the scenario file changed since the attempt started
    INVALID = "invalid"  # not a choice offered at this node


@dataclass(frozen=True)
class ChoiceResult:
    outcome: Outcome
    step: int | None = None  # the step whose feedback to show


def start(catalogue: Catalogue, user: User, scenario: Scenario, known_latest: int, cooldown_days: int) -> Attempt:
    """Start a new attempt of the kind the assessment policy gives, unless one was started since the
    page was shown (a repeated submit)."""
    record.lock_learner(user.id)  # a parallel click waits here, then finds the attempt the first one started
    history = scenario_history(user.id, scenario.id)
    if history and history[0].id != known_latest:
        return history[0]
    plan = next_attempt(history, scenario, utcnow(), cooldown_days)
    return record.attempt_started(catalogue, user, scenario, plan.kind)


def state_of(attempt: Attempt) -> engine.AttemptState:
    return engine.AttemptState(attempt.node_id, attempt.flags, attempt.totals, attempt.step)


def choose(
    attempt: Attempt, scenario: Scenario, posted_step: int, posted_node: str, choice_index: int, catalogue: Catalogue
) -> ChoiceResult:
    """Record one choice for the attempt's current step, exactly once."""
    if attempt.content_version != scenario.version:
        return ChoiceResult(Outcome.CHANGED)
    if posted_step != attempt.step or posted_node != attempt.node_id:
        return _earlier_submit(attempt, posted_step, posted_node, choice_index)
    if attempt.finished:
        return ChoiceResult(Outcome.FINISHED)
    try:
        result = engine.advance(scenario, state_of(attempt), choice_index)
    except engine.InvalidChoice:
        return ChoiceResult(Outcome.INVALID)
    if not record.choice_made(catalogue, attempt, scenario, result):
        db.session.refresh(attempt)
        return _earlier_submit(attempt, posted_step, posted_node, choice_index)
    return ChoiceResult(Outcome.RECORDED, result.state.step)


def _earlier_submit(attempt: Attempt, posted_step: int, posted_node: str, choice_index: int) -> ChoiceResult:
    """A submit for a step already answered: the same choice is a repeat, anything else is stale."""
    saved = attempt_step(attempt.id, posted_step + 1)
    if saved is not None and saved.node_id == posted_node and saved.choice_index == choice_index:
        return ChoiceResult(Outcome.REPEATED, saved.step)
    return ChoiceResult(Outcome.FINISHED if attempt.finished else Outcome.STALE)
