"""Reads about one learner's history, returning plain values or rows for the pure core and the views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from literacy.cohorts import queries as cohort_queries
from literacy.cohorts.assignments import Assignment
from literacy.content.types import Catalogue
from literacy.insights import metrics
from literacy.insights.metrics import ScoreRow
from literacy.insights.tables import Evidence
from literacy.learning import assessment, track
from literacy.learning.tables import Attempt, AttemptStep, CheckAnswer, LessonCompletion
from literacy.platform.database import loader_by_id
from literacy.platform.extensions import db


def completed_lessons(user_id: int) -> set[str]:
    return set(db.session.scalars(select(LessonCompletion.lesson_id).where(LessonCompletion.user_id == user_id)))


def lesson_completed_at(user_id: int, lesson_id: str) -> datetime | None:
    return db.session.scalar(
        select(LessonCompletion.completed_at).where(
            LessonCompletion.user_id == user_id, LessonCompletion.lesson_id == lesson_id
        )
    )


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


attempt = loader_by_id(Attempt)  # every page of a scenario being played starts with it


def attempt_step(attempt_id: int, step: int) -> AttemptStep | None:
    """One recorded choice of an attempt (the feedback page after every choice), by the unique
    (attempt, step) index rather than by loading all the attempt's steps."""
    return db.session.execute(_ATTEMPT_STEP, {"attempt_id": attempt_id, "step": step}).scalar_one_or_none()


_ATTEMPT_STEP = select(AttemptStep).where(
    AttemptStep.attempt_id == bindparam("attempt_id"), AttemptStep.step == bindparam("step")
)


def scenario_history(user_id: int, scenario_id: str) -> list[Attempt]:
    """The learner's attempts at one scenario, newest first."""
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.user_id == user_id, Attempt.scenario_id == scenario_id)
            .order_by(Attempt.id.desc())
        )
    )


def latest_attempt(user_id: int, scenario_id: str) -> Attempt | None:
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.user_id == user_id, Attempt.scenario_id == scenario_id)
        .order_by(Attempt.id.desc())
        .limit(1)
    )


def learner_track(catalogue: Catalogue, user_id: int, role: str) -> track.Track:
    """The role's track (course, then scenarios) with this learner's progress on it."""
    return _track(catalogue, role, completed_lessons(user_id), attempts_by_scenario(user_id))


def _track(catalogue: Catalogue, role: str, completed: set[str], attempts: dict[str, dict]) -> track.Track:
    return track.build(catalogue.courses.get(role), catalogue.role_scenarios(role), completed, attempts)


@dataclass(frozen=True)
class Home:
    track: track.Track
    assignments: list[Assignment]


def home(catalogue: Catalogue, user, today: date) -> Home:
    """The learner's start page: their role track and their cohorts' assignments."""
    completed, attempts = completed_lessons(user.id), attempts_by_scenario(user.id)
    finished = {scenario_id for scenario_id, summary in attempts.items() if summary["finished"]}
    due = cohort_queries.due_work(catalogue, user, completed, finished, today)
    return Home(_track(catalogue, user.role, completed, attempts), due)


def next_attempt(history: list[Attempt], scenario, now: datetime, cooldown_days: int) -> assessment.NextAttempt:
    """What a new start of the scenario would make (assessed or practice), and why, given the
    learner's attempts at it (``scenario_history``)."""
    past = [assessment.PastAttempt(a.id, a.kind, a.content_version, a.started_at, a.finished_at) for a in history]
    return assessment.next_attempt(past, scenario.version, now, cooldown_days)


def skill_profile(catalogue: Catalogue, user_id: int) -> dict[str, metrics.SkillLevel]:
    """The learner's estimate and interval per skill, from their assessed evidence."""
    best = {scenario.id: scenario.best for scenario in catalogue.scenarios.values()}
    return metrics.skill_profile(score_rows(user_id), catalogue.skills, best)
