"""Reads about one learner's history, returning plain values or rows for the pure core and the views."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from literacy.insights.metrics import ScoreRow
from literacy.insights.models import Evidence
from literacy.learning.models import Attempt, CheckAnswer, LessonCompletion
from literacy.platform.extensions import db


def completed_lessons(user_id: int) -> set[str]:
    return set(db.session.scalars(select(LessonCompletion.lesson_id).where(LessonCompletion.user_id == user_id)))


def check_answers(user_id: int, lesson_id: str) -> dict[int, CheckAnswer]:
    rows = db.session.scalars(
        select(CheckAnswer).where(CheckAnswer.user_id == user_id, CheckAnswer.lesson_id == lesson_id)
    )
    return {row.question: row for row in rows}


def attempts_by_scenario(user_id: int) -> dict[str, dict]:
    """Per scenario: attempt count, finished count, newest attempt id and whether it is unfinished."""
    rows = db.session.execute(
        select(
            Attempt.scenario_id,
            func.count(Attempt.id),
            func.count(Attempt.finished_at),
            func.max(Attempt.id),
        )
        .where(Attempt.user_id == user_id)
        .group_by(Attempt.scenario_id)
    )
    summary = {sid: {"attempts": n, "finished": done, "latest": latest} for sid, n, done, latest in rows}
    if summary:
        open_ids = set(
            db.session.scalars(
                select(Attempt.id).where(
                    Attempt.id.in_([s["latest"] for s in summary.values()]), Attempt.finished_at.is_(None)
                )
            )
        )
        for item in summary.values():
            item["in_progress"] = item["latest"] in open_ids
    return summary


def user_attempts(user_id: int) -> list[Attempt]:
    return list(
        db.session.scalars(
            select(Attempt).where(Attempt.user_id == user_id).order_by(Attempt.started_at.desc(), Attempt.id.desc())
        )
    )


def score_rows(user_id: int) -> list[ScoreRow]:
    """The learner's latest finished score per scenario and skill."""
    rows = db.session.execute(
        select(
            Evidence.attempt_id, Evidence.scenario_id, Evidence.skill_id, Evidence.score, Evidence.finished_at
        ).where(Evidence.user_id == user_id)
    )
    return [ScoreRow(*row) for row in rows]


def learner_attempts(user_id: int, scenario_ids) -> list[Attempt]:
    """A learner's attempts on the given scenarios, newest first, with their steps (one query each way)."""
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.user_id == user_id, Attempt.scenario_id.in_(tuple(scenario_ids)))
            .options(selectinload(Attempt.steps), selectinload(Attempt.skill_scores))
            .order_by(Attempt.id.desc())
        )
    )
