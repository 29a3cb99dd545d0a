"""The one path for learning events.

Each function records one event (a lesson viewed or completed, a knowledge check answered, an attempt
started, a choice made, which may finish the attempt) and, in the same transaction, everything that
follows from it, always in this order:

1. the history row (the evidence itself);
2. the read models derived from history (``insights.readmodels``);
3. certification: whoever now meets their role's rule is certified (``evidence.cycles``);
4. the xAPI statements (``xapi.events``), written to the outbox.

A new consequence of an event is one more step here, not one more call in every view. Functions
flush and never commit: the request or the CLI command owns the transaction
(``platform.transactions``). History written in bulk (the demo) calls :func:`history_imported`, which
applies the same consequences set-wise.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from literacy.content.types import Catalogue, Lesson, Scenario
from literacy.evidence import cycles
from literacy.insights import readmodels
from literacy.learning import engine
from literacy.learning.assessment import ASSESSED
from literacy.learning.queries import check_answers, lesson_completed_at
from literacy.learning.tables import Attempt, AttemptStep, CheckAnswer, LessonCompletion, SkillScore
from literacy.people.tables import User
from literacy.platform.clock import utcnow
from literacy.platform.database import lock_row
from literacy.platform.extensions import db
from literacy.xapi import events


def lesson_viewed(catalogue: Catalogue, user: User, lesson: Lesson, at: datetime | None = None) -> None:
    """A lesson page was read: the day's 'experienced' statement (lesson views leave no history row)."""
    events.lesson_opened(catalogue, user, lesson, at or utcnow())


def lesson_completed(catalogue: Catalogue, user: User, lesson: Lesson) -> bool:
    """Mark a lesson complete; False when it already was (marking twice, or a parallel submit, is harmless)."""
    if lesson_completed_at(user.id, lesson.id) is not None:
        return False
    done = LessonCompletion(user_id=user.id, lesson_id=lesson.id, completed_at=utcnow())
    db.session.add(done)
    try:
        db.session.flush()
    except IntegrityError:  # a parallel submit marked it first: the same result, and nothing else was written
        db.session.rollback()
        return False
    _derived(catalogue, [user.id])
    events.lesson_completed(catalogue, user, lesson, done.completed_at)
    return True


def _derived(catalogue: Catalogue, user_ids: list[int]) -> None:
    """What follows from new evidence: the read models, then the certifications they may complete."""
    readmodels.refresh(catalogue, user_ids)
    cycles.refresh(catalogue, user_ids)


def lock_learner(user_id: int) -> None:
    """Serialise this learner's writes of one kind until the transaction ends (parallel tabs, double
    clicks): a no-op update takes the row lock on PostgreSQL and the write lock on SQLite, so the
    second request waits, then sees what the first one wrote."""
    lock_row(User, user_id, "order_seed")


def check_answered(catalogue: Catalogue, user: User, lesson: Lesson, picks: dict[int, int]) -> int:
    """Store the learner's answer to every question (replacing earlier ones); return how many were right."""
    lock_learner(user.id)  # parallel first answers would otherwise both insert the same rows
    existing, now, rows = check_answers(user.id, lesson.id), utcnow(), []
    for question, option in picks.items():
        row = existing.get(question) or CheckAnswer(user_id=user.id, lesson_id=lesson.id, question=question)
        row.option, row.correct, row.answered_at = option, option == lesson.questions[question].answer, now
        db.session.add(row)
        rows.append(row)
    events.check_answered(catalogue, user, lesson, rows)
    db.session.flush()
    return sum(row.correct for row in rows)


def attempt_started(catalogue: Catalogue, user: User, scenario: Scenario, kind: str) -> Attempt:
    """A new attempt (assessed or practice) at the scenario's current version, at its first node."""
    attempt = new_attempt(user.id, scenario, utcnow(), kind)
    # a start can only be the learner's first activity on their track; once there is one, it changes
    # no read model (evidence, completion and monthly figures come from finished attempts)
    if scenario.role == user.role and not readmodels.started_track(user.id):
        readmodels.track_started(catalogue, user.id, attempt.started_at)
    events.attempt_started(catalogue, user, scenario, attempt)
    return attempt


def new_attempt(user_id: int, scenario: Scenario, at: datetime, kind: str) -> Attempt:
    """An attempt row at the scenario's first node, added and flushed (so it has an id)."""
    state = engine.start(scenario)
    attempt = Attempt(
        user_id=user_id,
        scenario_id=scenario.id,
        role=scenario.role,
        content_version=scenario.version,
        node_id=state.node_id,
        step=0,
        flags_json="[]",
        totals_json=json.dumps(state.totals),
        started_at=at,
        updated_at=at,
        kind=kind,
    )
    db.session.add(attempt)
    db.session.flush()
    return attempt


def choice_made(catalogue: Catalogue, attempt: Attempt, scenario: Scenario, result: engine.StepResult) -> bool:
    """Write the step and move the attempt on; when the choice reaches an ending, also the skill
    scores. False, with nothing written, when another request recorded this step first."""
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
    user = db.session.get(User, attempt.user_id)
    # built before the writes below, so SQLite's write lock is not held while statements are built
    statements = events.choice_rows(
        catalogue, user, scenario, attempt, step, shown_at, (after.node_id, scores) if finished else None
    )
    moved_to = {
        "step": after.step,
        "node_id": after.node_id,
        "flags_json": json.dumps(sorted(after.flags)),
        "totals_json": json.dumps(after.totals),
        "updated_at": now,
        "finished_at": now if finished else None,
        "outcome": after.node(scenario).outcome if finished else None,
    }
    try:
        # the attempt moves first, with nothing pending to flush before it; the step row, the scores
        # and the statements then go in one flush, or two when an assessed attempt ends (the read
        # models' refresh flushes the history first); the (attempt, step) key still refuses a duplicate
        where = {"attempt_id": attempt.id, "from_step": after.step - 1}
        moved = db.session.execute(_MOVE, where | {f"new_{column}": moved_to[column] for column in _MOVED})
        if moved.rowcount != 1:
            return _lost_race()
        db.session.add(step)
        if finished:
            add_scores(attempt.id, scores, after.totals)
            if attempt.kind == ASSESSED:  # a practice ending is not evidence: no read model changes
                _derived(catalogue, [attempt.user_id])
        db.session.add_all(statements)
        db.session.flush()
    except IntegrityError:
        return _lost_race()
    for column in _MOVED:  # what the update wrote, without reading the row back
        set_committed_value(attempt, column, moved_to[column])
    return True


# The attempt moves on only from the step the choice was made at: of two parallel submits, the
# second updates no row. Built once (it runs for every choice), with a parameter per column.
_MOVED = ("step", "node_id", "flags_json", "totals_json", "updated_at", "finished_at", "outcome")
_MOVE = (
    update(Attempt)
    .where(Attempt.id == bindparam("attempt_id"), Attempt.step == bindparam("from_step"))
    .values({column: bindparam(f"new_{column}") for column in _MOVED})
    .execution_options(synchronize_session=False)
)


def _lost_race() -> bool:
    """Another request recorded the same step first. The request's only writes were this step's, so
    rolling its transaction back undoes exactly them."""
    db.session.rollback()
    return False


def add_scores(attempt_id: int, scores: dict[str, int], totals: dict[str, int]) -> None:
    """A finished attempt's skill scores (history; the evidence read model follows on refresh)."""
    db.session.add_all(
        SkillScore(attempt_id=attempt_id, skill_id=skill, total=totals.get(skill, 0), score=value)
        for skill, value in scores.items()
    )


def role_changed(catalogue: Catalogue, user: User, role: str) -> None:
    """The learner moved to another marketing role: their track, and so their progress, is the new role's."""
    user.role = role
    db.session.flush()
    _derived(catalogue, [user.id])


def history_imported(catalogue: Catalogue, user_ids: list[int]) -> None:
    """History written in bulk (the demo): bring read models and xAPI statements up to date at once."""
    db.session.flush()
    _derived(catalogue, user_ids)
    events.backfill(catalogue, user_ids)
