"""Reads for the cohort pages: each function runs a fixed number of queries, never one per learner
or per role, so a dashboard for thousands of learners stays fast."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, select, tuple_
from sqlalchemy.orm import selectinload

from literacy.cohorts import assignments
from literacy.cohorts.assignments import work_for
from literacy.cohorts.status import LearnerFacts
from literacy.cohorts.tables import Cohort, CohortMember
from literacy.insights import metrics, totals
from literacy.insights.tables import Evidence, TrackSkillPoints
from literacy.learning.assessment import ASSESSED
from literacy.learning.tables import Attempt, AttemptStep, CheckAnswer, LessonCompletion
from literacy.people.tables import Team, User, team_members
from literacy.platform.database import column_rows
from literacy.platform.extensions import db


def cohort_facts(cohort, catalogue, user_id: int | None = None) -> list:
    """One :class:`progress.LearnerFacts` per member of ``cohort`` (or only for ``user_id``).

    Each table is read once for the whole cohort, whatever its size and roles, and summed up per
    learner in the database: which lessons and scenarios count for a learner depends on their role,
    so the queries match (role, item) against the pairs the cohort assigns. Five queries (seven with
    item due dates): members with their latest activity, teams, lessons, attempts, and the evidence,
    or, when every learner is assigned their whole track, its sums kept per track (one more to see
    that they are current)."""
    membership = [CohortMember.cohort_id == cohort.id] + (
        [CohortMember.user_id == user_id] if user_id is not None else []
    )
    members = select(CohortMember.user_id).where(*membership).scalar_subquery()
    latest = (  # the last activity of each kind: an attempt played, a lesson completed, a check answered
        _latest(Attempt.updated_at, Attempt.user_id),
        _latest(LessonCompletion.completed_at, LessonCompletion.user_id),
        _latest(CheckAnswer.answered_at, CheckAnswer.user_id),
    )
    query = (
        select(User.id, User.name, User.email, User.role, CohortMember.added_at, User.external, User.agency, *latest)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(*membership)
        .order_by(User.name)
    )
    people = [tuple(person) for person in column_rows(query)]  # plain tuples: lighter than rows
    pairs = [(a.kind, a.ref) for a in cohort.assignments]
    work = {role: work_for(catalogue, pairs, role) for role in {p[3] for p in people}}
    dated = [(a.kind, a.ref, a.due_on) for a in cohort.assignments]
    due = {role: assignments.item_due_dates(catalogue, dated, role, cohort.due_on) for role in work}
    fresh = cohort.id if cohort.recertification else None  # count only work done since joining
    done_items = _done_items(members, work, fresh) if any(a.due_on for a in cohort.assignments) else None
    teams = _teams_of(members)
    lessons = _lessons_done(members, [(role, i) for role, w in work.items() for i in w.lessons])
    assigned_scenarios = [(role, i) for role, w in work.items() for i in w.scenarios]
    scenarios = _scenario_counts(members, assigned_scenarios, fresh)
    all_skills = sorted({s for w in work.values() for s in w.skills})
    kept = fresh is None and _whole_tracks(catalogue, work) and totals.sums_ready(catalogue)
    scores = _latest_scores(members, assigned_scenarios, all_skills, fresh, kept)
    # the role's target for each assigned skill: one dict per role, shared by its learners (read only)
    targets = {role: _targets(catalogue, role, w.skills) for role, w in work.items()}
    facts = []
    for uid, name, email, role, added_at, external, agency, *latest_at in people:
        assigned = work[role]
        done, attempts, practice = scenarios.get(uid, (0, 0, 0))
        # with no item dates of its own, every item is due with the cohort (LearnerFacts.due_on None)
        next_due = (
            assignments.next_due(due[role], *done_items.get(uid, (set(), set()))) if done_items is not None else None
        )
        activity = [at for at in latest_at if at is not None]
        mine = scores.get(uid, {})
        facts.append(
            LearnerFacts(
                uid,
                name,
                email,
                role,
                tuple(teams.get(uid, ())),
                lessons.get(uid, 0),
                len(assigned.lessons),
                done,
                len(assigned.scenarios),
                attempts,
                max(activity) if activity else None,
                {s: mine[s] for s in assigned.skills if s in mine},
                targets[role],
                added_at,
                practice,
                next_due,
                external,
                agency,
            )
        )
    return facts


def _latest(column, user_column):
    """The latest ``column`` of the member (correlated with the members' query: one index seek each)."""
    return select(func.max(column)).where(user_column == User.id).correlate(User).scalar_subquery()


def _targets(catalogue, role: str, skills: tuple[str, ...]) -> dict[str, int]:
    known = catalogue.roles[role].targets if role in catalogue.roles else {}
    return {s: known.get(s, 0) for s in skills}


def _teams_of(members) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    rows = column_rows(
        select(team_members.c.user_id, Team.name)
        .join(Team, Team.id == team_members.c.team_id)
        .where(team_members.c.user_id.in_(members))
        .order_by(Team.name)
    )
    for uid, name in rows:
        result.setdefault(uid, []).append(name)
    return result


def _lessons_done(members, assigned: list[tuple[str, str]]) -> dict[int, int]:
    """Per learner: the lessons assigned to their role they completed (whenever: lessons count in a
    recertification cohort too)."""
    if not assigned:
        return {}
    query = (
        select(LessonCompletion.user_id, func.count(LessonCompletion.id))
        .join(User, User.id == LessonCompletion.user_id)
        .where(LessonCompletion.user_id.in_(members), tuple_(User.role, LessonCompletion.lesson_id).in_(assigned))
        .group_by(LessonCompletion.user_id)
    )
    return dict(column_rows(query).all())


def _since_joining(query, user_column, finished_column, cohort_id: int | None):
    """For a recertification cohort (``cohort_id``), keep only what was finished after the learner joined."""
    if cohort_id is None:
        return query
    joined = and_(CohortMember.cohort_id == cohort_id, CohortMember.user_id == user_column)
    return query.join(CohortMember, joined).where(finished_column >= CohortMember.added_at)


def _done_items(members, work: dict, fresh: int | None = None) -> dict[int, tuple[set[str], set[str]]]:
    """Per learner: the assigned lessons completed and the assigned scenarios with a finished assessed
    attempt (since joining, in a recertification cohort), for the items' own due dates (two queries)."""
    lesson_ids = {i for w in work.values() for i in w.lessons}
    scenario_ids = {i for w in work.values() for i in w.scenarios}
    result: dict[int, tuple[set[str], set[str]]] = {}
    if lesson_ids:
        rows = column_rows(
            select(LessonCompletion.user_id, LessonCompletion.lesson_id)
            .where(LessonCompletion.user_id.in_(members), LessonCompletion.lesson_id.in_(lesson_ids))
            .distinct()
        )
        for uid, lesson_id in rows:
            result.setdefault(uid, (set(), set()))[0].add(lesson_id)
    if scenario_ids:
        query = select(Attempt.user_id, Attempt.scenario_id).where(
            Attempt.user_id.in_(members),
            Attempt.scenario_id.in_(scenario_ids),
            Attempt.kind == ASSESSED,
            Attempt.finished_at.is_not(None),
        )
        rows = column_rows(_since_joining(query, Attempt.user_id, Attempt.finished_at, fresh).distinct())
        for uid, scenario_id in rows:
            result.setdefault(uid, (set(), set()))[1].add(scenario_id)
    return result


def _scenario_counts(
    members, assigned: list[tuple[str, str]], fresh: int | None = None
) -> dict[int, tuple[int, int, int]]:
    """Per learner: the scenarios assigned to their role with a finished assessed attempt, then the
    assessed and the practice attempts on those scenarios (since joining, in a recertification
    cohort). The attempts are summed per learner and scenario first, then per learner over the
    scenarios their role is assigned."""
    if not assigned:
        return {}
    assessed = Attempt.kind == ASSESSED
    # an unfinished attempt begun since joining counts too: its updated_at is at least its start
    since = (Attempt.updated_at >= CohortMember.added_at,) if fresh is not None else ()
    per_scenario = select(
        Attempt.user_id.label("user_id"),
        Attempt.scenario_id.label("scenario_id"),
        func.max(case((and_(assessed, Attempt.finished_at.is_not(None), *since), 1), else_=0)).label("done"),
        func.count(case((and_(assessed, *since), 1))).label("assessed"),
        func.count(case((and_(~assessed, *since), 1))).label("practice"),
    ).where(Attempt.user_id.in_(members))
    if fresh is not None:
        joined = and_(CohortMember.cohort_id == fresh, CohortMember.user_id == Attempt.user_id)
        per_scenario = per_scenario.join(CohortMember, joined)
    played = per_scenario.group_by(Attempt.user_id, Attempt.scenario_id).subquery()
    query = (
        select(played.c.user_id, func.sum(played.c.done), func.sum(played.c.assessed), func.sum(played.c.practice))
        .join(User, User.id == played.c.user_id)
        .where(tuple_(User.role, played.c.scenario_id).in_(assigned))
        .group_by(played.c.user_id)
    )
    return {uid: (int(done), int(n), int(practice)) for uid, done, n, practice in column_rows(query)}


def _whole_tracks(catalogue, work: dict) -> bool:
    """Whether the cohort assigns each of its learners exactly the scenarios of their own role track."""
    return all({s.id for s in catalogue.role_scenarios(role)} == set(w.scenarios) for role, w in work.items())


def _latest_scores(
    members, assigned: list[tuple[str, str]], skills: list[str], fresh: int | None = None, kept: bool = False
) -> dict[int, dict[str, int]]:
    """Per learner and skill (of ``skills``): the proficiency estimate (docs/metrics.md) from the
    assessed evidence of the scenarios assigned to their role (``assigned``: (role, scenario) pairs;
    since joining, in a recertification cohort), the same model as the leader figures. One row per
    learner: the points earned in each skill, then the points available (null earned: no evidence in
    the skill; a row's earned is never null).

    ``kept``: every learner is assigned their own whole track, so the sums kept per learner and
    skill (``track_skill_points``, in step with the evidence) hold the same points, read without
    adding up the evidence again."""
    if not assigned or not skills:
        return {}
    source = TrackSkillPoints if kept else Evidence
    earned = [func.sum(case((source.skill_id == skill, source.earned))) for skill in skills]
    available = [func.sum(case((source.skill_id == skill, source.available))) for skill in skills]
    query = select(source.user_id, *earned, *available).where(source.user_id.in_(members))
    if not kept:
        # `|| ''` keeps SQLite from seeking the primary key once per (learner, assigned scenario): it
        # reads each learner's few rows and filters them, which is cheaper for a whole cohort
        scenario = Evidence.scenario_id.concat("")
        query = query.join(User, User.id == Evidence.user_id).where(tuple_(User.role, scenario).in_(assigned))
        query = _since_joining(query, Evidence.user_id, Evidence.finished_at, fresh)
    posterior, n = metrics.posterior, len(skills)
    return {
        row[0]: {
            skill: round(100 * posterior(points, out_of or 0)[0])
            for skill, points, out_of in zip(skills, row[1 : n + 1], row[n + 1 :], strict=True)
            if points is not None
        }
        for row in column_rows(query.group_by(source.user_id))
    }


def choice_patterns(cohort_id: int, scenario) -> tuple[int, dict[str, int], dict[tuple[str, int], int]]:
    """For one scenario (current version) among a cohort's members' assessed attempts: learners who
    played it, learners who reached each node, and learners who took each (node, choice)."""
    members = select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id).scalar_subquery()
    played = (
        Attempt.kind == ASSESSED,
        Attempt.scenario_id == scenario.id,
        Attempt.content_version == scenario.version,
        Attempt.user_id.in_(members),
    )
    players = db.session.scalar(select(func.count(func.distinct(Attempt.user_id))).where(*played)) or 0
    learners = func.count(func.distinct(Attempt.user_id))
    steps = (
        select(AttemptStep.node_id, AttemptStep.choice_index, learners)
        .join(Attempt, Attempt.id == AttemptStep.attempt_id)
        .where(*played)
    )
    taken = {
        (node, index): n
        for node, index, n in column_rows(steps.group_by(AttemptStep.node_id, AttemptStep.choice_index))
    }
    reached_query = (
        select(AttemptStep.node_id, learners).join(Attempt, Attempt.id == AttemptStep.attempt_id).where(*played)
    )
    reached = dict(column_rows(reached_query.group_by(AttemptStep.node_id)).all())
    return players, reached, taken


def learner_cohorts(user_id: int) -> list[tuple[str, object, list[tuple[str, str, object]], object]]:
    """(name, due date, assignments as (kind, ref, own due date), joined at if only work since then
    counts) of every cohort the learner is in, archived cohorts left out."""
    rows = db.session.execute(
        select(Cohort, CohortMember.added_at)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user_id, Cohort.archived_at.is_(None))
        .options(selectinload(Cohort.assignments))
    )
    return [
        (c.name, c.due_on, [(a.kind, a.ref, a.due_on) for a in c.assignments], added if c.recertification else None)
        for c, added in rows
    ]


def _finished_since(user_id: int, since) -> set[str]:
    query = select(Attempt.scenario_id).where(
        Attempt.user_id == user_id, Attempt.kind == ASSESSED, Attempt.finished_at >= since
    )
    return set(db.session.scalars(query))


def due_work(catalogue, user, completed: set[str], finished: set[str], today: date) -> list[assignments.Assignment]:
    """The learner's cohort assignments as their home page shows them, overdue ones first. In a
    recertification cohort only scenarios finished since joining count, as on its dashboard."""
    cohorts = learner_cohorts(user.id)
    found = assignments.for_learner(
        [c[:3] for c in cohorts if c[3] is None], catalogue, user.role, completed, finished, today
    )
    for name, due_on, items, since in (c for c in cohorts if c[3] is not None):
        fresh = _finished_since(user.id, since)
        found += assignments.for_learner([(name, due_on, items)], catalogue, user.role, completed, fresh, today)
    return sorted(found, key=lambda a: (not a.overdue, a.due_on, a.cohort))


def cohort(cohort_id: int) -> Cohort | None:
    return db.session.get(Cohort, cohort_id)


def managed_by(user: User, archived: bool = False) -> list[Cohort]:
    """Cohorts the user manages (an admin sees every cohort of their organisation): the current ones,
    or with ``archived`` the archived ones."""
    query = (
        select(Cohort)
        .where(
            Cohort.org_id == user.org_id, Cohort.archived_at.is_not(None) if archived else Cohort.archived_at.is_(None)
        )
        .order_by(Cohort.due_on, Cohort.name)
    )
    if user.access != "admin":
        query = query.where(Cohort.managers.any(User.id == user.id))
    return list(db.session.scalars(query))


def archived_count(user: User) -> int:
    """How many archived cohorts the user manages (for the list's "Archived (N)" filter)."""
    query = select(func.count(Cohort.id)).where(Cohort.org_id == user.org_id, Cohort.archived_at.is_not(None))
    if user.access != "admin":
        query = query.where(Cohort.managers.any(User.id == user.id))
    return db.session.scalar(query) or 0


def name_taken(org_id: int, name: str, except_id: int | None = None) -> bool:
    """Whether another cohort of the organisation has this name, ignoring case and outer spaces."""
    query = select(Cohort.id).where(Cohort.org_id == org_id, func.lower(Cohort.name) == name.strip().lower())
    if except_id is not None:
        query = query.where(Cohort.id != except_id)
    return db.session.scalar(query.limit(1)) is not None


def can_manage(user: User, cohort: Cohort | None) -> bool:
    if cohort is None or user.org_id is None or cohort.org_id != user.org_id:
        return False
    return user.access == "admin" or any(m.id == user.id for m in cohort.managers)


def member_ids(cohort_id: int):
    """A select of the ids of the cohort's members (to filter other queries by, in the database)."""
    return select(CohortMember.user_id).where(CohortMember.cohort_id == cohort_id)


def members(cohort_id: int) -> list[User]:
    """The cohort's learners, by name."""
    query = (
        select(User)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort_id)
        .order_by(User.name)
    )
    return list(db.session.scalars(query))


def membership(cohort_id: int, user_id: int) -> CohortMember | None:
    return db.session.scalar(
        select(CohortMember).where(CohortMember.cohort_id == cohort_id, CohortMember.user_id == user_id)
    )
