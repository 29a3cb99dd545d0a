"""Turn learning events into outbox statements, live (called inside the event's transaction) or
from history (``backfill``). Both paths build statements with the same functions and the same
stable ids, so a backfill after live recording adds nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from literacy.cohorts.assignments import Work, work_for
from literacy.cohorts.tables import Cohort, CohortAssignment, CohortMember
from literacy.content.types import Catalogue, Lesson, Scenario
from literacy.learning.tables import Attempt, AttemptStep, CheckAnswer, LessonCompletion
from literacy.people.tables import User
from literacy.platform.extensions import db
from literacy.xapi import outbox
from literacy.xapi import statements as xs
from literacy.xapi.tables import OutboxStatement


def learner(user: User) -> xs.Learner:
    return xs.Learner(user.id, user.name, user.email)


def cohort_work(catalogue: Catalogue, user: User) -> list[tuple[xs.Group, Work]]:
    """The learner's cohorts, each with the work it assigns them (one query)."""
    assigned: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for cohort_id, name, kind, ref in db.session.execute(_COHORT_WORK, {"user_id": user.id}):
        assigned.setdefault((cohort_id, name), []).append((kind, ref))
    return [
        (xs.Group(cohort_id, name), work_for(catalogue, items, user.role))
        for (cohort_id, name), items in assigned.items()
    ]


# built once: every choice and lesson event runs it
_COHORT_WORK = (
    select(Cohort.id, Cohort.name, CohortAssignment.kind, CohortAssignment.ref)
    .join(CohortMember, CohortMember.cohort_id == Cohort.id)
    .join(CohortAssignment, CohortAssignment.cohort_id == Cohort.id)
    .where(CohortMember.user_id == bindparam("user_id"))
    .order_by(Cohort.id)
)


def groups_for(
    cohorts: list[tuple[xs.Group, Work]], lesson_id: str | None = None, scenario_id: str | None = None
) -> list[xs.Group]:
    """The cohorts whose assigned work includes this lesson or scenario."""
    return [group for group, work in cohorts if lesson_id in work.lessons or scenario_id in work.scenarios]


def cohorts_for(
    catalogue: Catalogue, user: User, lesson_id: str | None = None, scenario_id: str | None = None
) -> list[xs.Group]:
    return groups_for(cohort_work(catalogue, user), lesson_id, scenario_id)


def _lesson_args(catalogue: Catalogue, user: User, lesson: Lesson) -> tuple[xs.Learner, xs.LessonFacts]:
    return learner(user), xs.LessonFacts(lesson, catalogue.courses[lesson.role].title, lesson.version)


def lesson_opened(catalogue: Catalogue, user: User, lesson: Lesson, now: datetime) -> bool:
    """The day's 'experienced' statement, unless stored already: a reopened lesson costs one lookup."""
    profile = outbox.profile()
    if outbox.stored(profile.statement_id(xs.experienced_key(user.id, lesson.id, now))):
        return False
    statement = xs.lesson_experienced(
        profile, *_lesson_args(catalogue, user, lesson), now, cohorts_for(catalogue, user, lesson_id=lesson.id)
    )
    return outbox.add(user.id, f"lesson:{lesson.id}", statement)


def lesson_completed(catalogue: Catalogue, user: User, lesson: Lesson, completed_at: datetime) -> None:
    statement = xs.lesson_completed(
        outbox.profile(),
        *_lesson_args(catalogue, user, lesson),
        completed_at,
        cohorts_for(catalogue, user, lesson_id=lesson.id),
    )
    outbox.add(user.id, f"lesson:{lesson.id}", statement)


def check_answered(catalogue: Catalogue, user: User, lesson: Lesson, answers: list[CheckAnswer]) -> None:
    profile, groups = outbox.profile(), cohorts_for(catalogue, user, lesson_id=lesson.id)
    for answer in answers:
        statement = xs.check_answered(
            profile, *_lesson_args(catalogue, user, lesson), answer.question, answer.option, answer.answered_at, groups
        )
        outbox.add(user.id, f"lesson:{lesson.id}", statement)


def _attempt(attempt: Attempt) -> xs.AttemptFacts:
    return xs.AttemptFacts(attempt.id, attempt.started_at, attempt.content_version, attempt.kind)


def attempt_started(catalogue: Catalogue, user: User, scenario: Scenario, attempt: Attempt) -> None:
    statement = xs.scenario_attempted(
        outbox.profile(),
        learner(user),
        scenario,
        _attempt(attempt),
        cohorts_for(catalogue, user, scenario_id=scenario.id),
    )
    outbox.add(user.id, f"scenario:{scenario.id}", statement)


def choice_rows(
    catalogue: Catalogue,
    user: User,
    scenario: Scenario,
    attempt: Attempt,
    step: AttemptStep,
    shown_at: datetime,
    finish: tuple[str, dict[str, int]] | None,
) -> list[OutboxStatement]:
    """The outbox rows for a choice about to be recorded; ``finish`` is (ending node, skill scores)
    when it ends the attempt. Built before the choice's writes, so the database's write lock is not
    held while statements are built; the ids are new by construction (one per attempt step)."""
    profile, facts = outbox.profile(), _attempt(attempt)
    groups = cohorts_for(catalogue, user, scenario_id=scenario.id)
    found = [xs.scenario_answered(profile, learner(user), scenario, facts, _step(step, shown_at), groups)]
    if finish is not None:
        ending, scores = finish
        found += xs.scenario_finished(
            profile,
            learner(user),
            scenario,
            facts,
            step.created_at,
            ending,
            scores,
            catalogue.roles[scenario.role].targets,
            groups,
        )
    return [outbox.row(user.id, f"scenario:{scenario.id}", statement) for statement in found]


def _step(step: AttemptStep, shown_at: datetime) -> xs.StepFacts:
    return xs.StepFacts(step.step, step.node_id, step.choice_index, step.created_at, shown_at)


# history


def backfill(catalogue: Catalogue, user_ids: list[int] | None = None) -> int:
    """Store the statements of past events that have none yet (events from before statements were
    recorded, or imported history). Lesson views leave no history, so they cannot be rebuilt.
    Attempts on a scenario version that no longer exists are skipped. No commit."""
    query = select(User).order_by(User.id)
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    added = 0
    for user in db.session.scalars(query):
        stored = set(db.session.scalars(select(OutboxStatement.statement_id).where(OutboxStatement.user_id == user.id)))
        for activity, statement in history(catalogue, user):
            if statement["id"] not in stored:
                db.session.add(outbox.row(user.id, activity, statement))
                stored.add(statement["id"])
                added += 1
    return added


def history(catalogue: Catalogue, user: User):
    """(activity, statement) for every recorded event of one learner, rebuilt from the database."""
    profile, who, cohorts = outbox.profile(), learner(user), cohort_work(catalogue, user)
    for done in db.session.scalars(select(LessonCompletion).where(LessonCompletion.user_id == user.id)):
        lesson = catalogue.lesson(done.lesson_id)
        if lesson is not None:
            yield (
                f"lesson:{lesson.id}",
                xs.lesson_completed(
                    profile,
                    *_lesson_args(catalogue, user, lesson),
                    done.completed_at,
                    groups_for(cohorts, lesson_id=lesson.id),
                ),
            )
    for answer in db.session.scalars(select(CheckAnswer).where(CheckAnswer.user_id == user.id)):
        lesson = catalogue.lesson(answer.lesson_id)
        if lesson is not None and answer.question < len(lesson.questions):
            yield (
                f"lesson:{lesson.id}",
                xs.check_answered(
                    profile,
                    *_lesson_args(catalogue, user, lesson),
                    answer.question,
                    answer.option,
                    answer.answered_at,
                    groups_for(cohorts, lesson_id=lesson.id),
                ),
            )
    attempts = select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.id)
    for attempt in db.session.scalars(
        attempts.options(selectinload(Attempt.steps), selectinload(Attempt.skill_scores))
    ):
        scenario = catalogue.scenarios.get(attempt.scenario_id)
        if scenario is not None and scenario.version == attempt.content_version:
            yield from _attempt_history(
                catalogue, profile, who, scenario, attempt, groups_for(cohorts, scenario_id=scenario.id)
            )


def _attempt_history(catalogue, profile, who, scenario, attempt, groups):
    activity, facts = f"scenario:{scenario.id}", _attempt(attempt)
    yield activity, xs.scenario_attempted(profile, who, scenario, facts, groups)
    shown_at = attempt.started_at
    for step in attempt.steps:
        yield activity, xs.scenario_answered(profile, who, scenario, facts, _step(step, shown_at), groups)
        shown_at = step.created_at
    if attempt.finished:
        for statement in xs.scenario_finished(
            profile,
            who,
            scenario,
            facts,
            attempt.finished_at,
            attempt.node_id,
            attempt.scores,
            catalogue.roles[scenario.role].targets,
            groups,
        ):
            yield activity, statement
