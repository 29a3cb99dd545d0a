"""Persisting scenario attempts: start, record one choice exactly once, finish with scores.

The engine decides what a choice does; this module makes it durable. A choice is accepted
only for the attempt's current step and node, and the (attempt, step) unique constraint plus a
conditional update make a double-click, a second tab or parallel requests record it once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from literacy.content.types import Catalogue, Scenario
from literacy.insights import readmodels as readmodel
from literacy.insights.models import Evidence
from literacy.learning import engine
from literacy.learning.models import Attempt, AttemptStep, SkillScore
from literacy.people.models import User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db
from literacy.xapi import events


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


def latest(user_id: int, scenario_id: str) -> Attempt | None:
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.user_id == user_id, Attempt.scenario_id == scenario_id)
        .order_by(Attempt.id.desc())
        .limit(1)
    )


def start(user_id: int, scenario: Scenario, known_latest: int, catalogue: Catalogue) -> Attempt:
    """Start a new attempt, unless one was started since the page was shown (a repeated submit)."""
    current = latest(user_id, scenario.id)
    if current is not None and current.id != known_latest:
        return current
    state, now = engine.start(scenario), utcnow()
    attempt = Attempt(
        user_id=user_id,
        scenario_id=scenario.id,
        role=scenario.role,
        content_version=scenario.version,
        node_id=state.node_id,
        step=0,
        flags_json="[]",
        totals_json=json.dumps(state.totals),
        started_at=now,
        updated_at=now,
    )
    db.session.add(attempt)
    db.session.flush()
    readmodel.refresh(catalogue, [user_id])
    events.attempt_started(catalogue, db.session.get(User, user_id), scenario, attempt)
    db.session.commit()
    return attempt


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
    if not _save(attempt, scenario, result, catalogue):
        db.session.rollback()
        db.session.refresh(attempt)
        return _earlier_submit(attempt, posted_step, posted_node, choice_index)
    return ChoiceResult(Outcome.RECORDED, result.state.step)


def _save(attempt: Attempt, scenario: Scenario, result: engine.StepResult, catalogue: Catalogue) -> bool:
    """Write the step and move the attempt on in one transaction; False if another request won."""
    after = result.state
    finished = after.finished(scenario)
    now, shown_at = utcnow(), attempt.updated_at  # the previous step (or the start) showed this node
    step = AttemptStep(
        attempt_id=attempt.id,
        step=after.step,
        node_id=attempt.node_id,
        choice_index=result.choice.index,
        choice_label=result.choice.label,
        target_id=after.node_id,
        created_at=now,
    )
    scores = engine.score(scenario, after.totals) if finished else None
    statements = events.choice_rows(
        catalogue,
        db.session.get(User, attempt.user_id),
        scenario,
        attempt,
        step,
        shown_at,
        (after.node_id, scores) if finished else None,
    )
    try:
        db.session.add(step)
        moved = db.session.execute(
            update(Attempt)
            .where(Attempt.id == attempt.id, Attempt.step == after.step - 1)
            .values(
                step=after.step,
                node_id=after.node_id,
                flags_json=json.dumps(sorted(after.flags)),
                totals_json=json.dumps(after.totals),
                updated_at=now,
                finished_at=now if finished else None,
                outcome=after.node(scenario).outcome if finished else None,
            )
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            return False
        if finished:
            record_scores(attempt.user_id, attempt.id, scenario.id, scores, after.totals, now)
            readmodel.refresh(catalogue, [attempt.user_id])
        db.session.add_all(statements)
        db.session.commit()
    except IntegrityError:
        return False
    db.session.refresh(attempt)
    return True


def record_scores(
    user_id: int, attempt_id: int, scenario_id: str, scores: dict[str, int], totals: dict[str, int], finished_at
) -> None:
    """Store a finished attempt's skill scores and make them the learner's latest evidence."""
    db.session.execute(delete(Evidence).where(Evidence.user_id == user_id, Evidence.scenario_id == scenario_id))
    for skill, value in scores.items():
        db.session.add(SkillScore(attempt_id=attempt_id, skill_id=skill, total=totals.get(skill, 0), score=value))
        db.session.add(
            Evidence(
                user_id=user_id,
                scenario_id=scenario_id,
                skill_id=skill,
                attempt_id=attempt_id,
                score=value,
                finished_at=finished_at,
            )
        )


def _earlier_submit(attempt: Attempt, posted_step: int, posted_node: str, choice_index: int) -> ChoiceResult:
    """A submit for a step already answered: the same choice is a repeat, anything else is stale."""
    saved = db.session.scalar(
        select(AttemptStep).where(AttemptStep.attempt_id == attempt.id, AttemptStep.step == posted_step + 1)
    )
    if saved is not None and saved.node_id == posted_node and saved.choice_index == choice_index:
        return ChoiceResult(Outcome.REPEATED, saved.step)
    return ChoiceResult(Outcome.FINISHED if attempt.finished else Outcome.STALE)
