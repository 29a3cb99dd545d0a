"""Organisation rollups in SQL: skill-gap cells, maturity counts, monthly trends, drill-downs.

Every figure is an aggregate query over the learners in a :class:`Scope`; nothing loops over
learners or attempts in Python. Content facts (role targets, which lessons belong to which role)
enter the queries as small literal tables. Definitions live in docs/metrics.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Float, Integer, String, and_, case, column, distinct, func, select, text, union_all

from literacy.content import cues
from literacy.content.types import Catalogue
from literacy.insights import items, metrics
from literacy.insights.metrics import CellRow, RoleCounts
from literacy.insights.tables import Evidence, LearnerMonth, TrackProgress
from literacy.learning.assessment import ASSESSED
from literacy.learning.tables import Attempt, AttemptStep, CheckAnswer, LessonCompletion, SkillScore
from literacy.people.tables import Team, User, team_members
from literacy.platform.extensions import db


@dataclass(frozen=True)
class Scope:
    """Whose evidence a view covers: an organisation, optionally narrowed to some teams."""

    org_id: int
    team_ids: tuple[int, ...] | None = None  # None: the whole organisation

    def people(self):
        """Subquery (id, role) of the learners in scope."""
        query = select(User.id.label("id"), User.role.label("role")).where(
            User.org_id == self.org_id, User.access == "learner"
        )
        if self.team_ids is not None:
            members = select(team_members.c.user_id).where(team_members.c.team_id.in_(self.team_ids))
            query = query.where(User.id.in_(members))
        return query.subquery("people")

    def teams(self):
        query = select(Team).where(Team.org_id == self.org_id).order_by(Team.name)
        if self.team_ids is not None:
            query = query.where(Team.id.in_(self.team_ids))
        return list(db.session.scalars(query))


@dataclass(frozen=True)
class Windows:
    now: datetime
    evidence_days: int = 365  # evidence older than this is stale
    currency_months: int = 3  # current: finished a scenario this calendar month or the ones just before

    @property
    def fresh_since(self) -> datetime:
        return self.now - timedelta(days=self.evidence_days)


_KEPT: list[tuple[Catalogue, dict]] = []  # the few catalogues alive (one per app) and their literal tables


def per_catalogue(catalogue: Catalogue, name: str, build):
    """A content table built once per catalogue: the learning-event path joins them on every event."""
    tables = next((kept for known, kept in _KEPT if known is catalogue), None)
    if tables is None:
        tables = {}
        _KEPT.append((catalogue, tables))
        del _KEPT[:-4]
    if name not in tables:
        tables[name] = build()
    return tables[name]


def _sql(value) -> str:
    """A content value (an id, a number) as an SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int | float):
        return repr(int(value) if isinstance(value, bool) else value)
    return "'" + str(value).replace("'", "''") + "'"


def _table(name: str, columns: tuple[str, ...], rows: list[tuple]):
    """A small literal table (role targets, lesson roles) usable in joins on SQLite and PostgreSQL,
    written as SQL text: built from SQL expressions, a table of 200 rows cost more to construct
    and to key for the statement cache than the query that uses it."""
    if not rows:
        rows = [tuple(None for _ in columns)]
    # every row has one value per column: a short row would silently drop columns from the union
    selects = [", ".join(f"{_sql(v)} AS {c}" for v, c in zip(row, columns, strict=True)) for row in rows]
    kinds = [next((v for v in values if v is not None), "") for values in zip(*rows, strict=True)]
    types = [Float() if isinstance(k, float) else Integer() if isinstance(k, int) else String() for k in kinds]
    typed = [column(c, t) for c, t in zip(columns, types, strict=True)]
    return text(" UNION ALL ".join(f"SELECT {line}" for line in selects)).columns(*typed).subquery(name)


def targets_table(catalogue: Catalogue):
    return per_catalogue(catalogue, "targets", lambda: _targets_table(catalogue))


def _targets_table(catalogue: Catalogue):
    rows = [
        (r.id, s, t, int(s in metrics.critical_skills(r.targets)))
        for r in catalogue.roles.values()
        for s, t in r.targets.items()
    ]
    return _table("targets", ("role", "skill_id", "target", "critical"), rows)


def best_table(catalogue: Catalogue):
    """Literal table (scenario_id, skill_id, best): the points each scenario can award in each skill."""
    return per_catalogue(catalogue, "best", lambda: _best_table(catalogue))


def _best_table(catalogue: Catalogue):
    rows = [(s.id, skill, best) for s in catalogue.scenarios.values() for skill, best in s.best.items()]
    return _table("best", ("scenario_id", "skill_id", "best"), rows)


def fresh_sums(since: datetime) -> tuple:
    """Aggregate columns over a learner's evidence in one skill, counting only what finished since
    ``since``: points earned, points available, and scores (the estimate's inputs)."""
    fresh = Evidence.finished_at >= since
    return (
        func.sum(case((fresh, Evidence.earned), else_=0.0)).label("earned"),
        func.sum(case((fresh, Evidence.available), else_=0)).label("available"),
        func.count(case((fresh, 1))).label("attempts"),
    )


def learner_skill(people, since: datetime, name: str = "learner_skill"):
    """Subquery: per learner and skill with any evidence, the proficiency estimate (``prof``, points
    out of 100) and its posterior variance (``var``) from fresh evidence since ``since`` (both NULL
    when all of it is stale), the points earned and available behind them, the fresh scores, and
    the date of the last evidence.

    The estimate is ``metrics.posterior``'s mean: (1 + points earned) / (2 + points available)."""
    sums = (
        select(
            Evidence.user_id.label("user_id"),
            Evidence.skill_id.label("skill_id"),
            *fresh_sums(since),
            func.max(Evidence.finished_at).label("last_at"),
        )
        .where(Evidence.user_id.in_(select(people.c.id)))
        .group_by(Evidence.user_id, Evidence.skill_id)
        .subquery(f"{name}_sums")
    )
    successes = metrics.PRIOR_SUCCESSES + sums.c.earned
    trials = metrics.PRIOR_SUCCESSES + metrics.PRIOR_FAILURES + sums.c.available
    mean = successes / trials
    counted = sums.c.attempts > 0
    return select(
        sums.c.user_id,
        sums.c.skill_id,
        case((counted, 100.0 * mean)).label("prof"),
        case((counted, 10000.0 * mean * (1.0 - mean) / (trials + 1.0))).label("var"),
        sums.c.earned,
        sums.c.available,
        sums.c.attempts,
        sums.c.last_at,
    ).subquery(name)


def cells(scope: Scope, catalogue: Catalogue, windows: Windows, dimension: str) -> list[CellRow]:
    """Aggregated evidence per (group, skill) for dimension 'role' or 'team' (one query).

    The organisation row is the sum of the role rows (every learner has exactly one role); see
    ``metrics.combine``. Teams need their own query because a learner can be in several teams."""
    if dimension not in ("role", "team"):
        raise ValueError(f"cells are grouped by role or team, not {dimension!r}")
    people, targets = scope.people(), targets_table(catalogue)
    ls = learner_skill(people, windows.fresh_since)
    counted = ls.c.attempts > 0
    key = people.c.role if dimension == "role" else team_members.c.team_id
    query = (
        select(
            key,
            ls.c.skill_id,
            func.count(case((counted, 1))),
            func.sum(case((and_(counted, ls.c.prof >= targets.c.target - metrics.FLOAT_SLACK), 1), else_=0)),
            func.avg(ls.c.prof),
            func.avg(case((counted, targets.c.target))),
            func.sum(ls.c.attempts),
            func.count(),
            func.sum(ls.c.var),
        )
        .join(people, people.c.id == ls.c.user_id)
        .join(targets, and_(targets.c.role == people.c.role, targets.c.skill_id == ls.c.skill_id))
    )
    if dimension == "team":
        query = query.join(team_members, team_members.c.user_id == ls.c.user_id)
        if scope.team_ids is not None:
            query = query.where(team_members.c.team_id.in_(scope.team_ids))
    rows = db.session.execute(query.group_by(key, ls.c.skill_id))
    return [
        CellRow(
            str(group),
            skill,
            learners,
            int(at or 0),
            float(prof or 0),
            float(target or 0),
            int(n or 0),
            everyone - learners,
            float(variance or 0),
        )
        for group, skill, learners, at, prof, target, n, everyone, variance in rows
    ]


# --- maturity counts ---------------------------------------------------------------------------


def _lesson_roles(catalogue: Catalogue):
    rows = [(lesson.id, course.role) for course in catalogue.courses.values() for lesson in course.lessons]
    return per_catalogue(catalogue, "lesson_roles", lambda: _table("lesson_roles", ("lesson_id", "role"), rows))


def _role_totals(catalogue: Catalogue):
    rows = [(r, len(catalogue.courses[r].lessons) if r in catalogue.courses else 0) for r in catalogue.roles]
    rows = [(r, n + len(catalogue.role_scenarios(r))) for r, n in rows]
    return per_catalogue(catalogue, "role_totals", lambda: _table("role_totals", ("role", "total"), rows))


def _scenario_roles(catalogue: Catalogue):
    rows = [(s.id, s.role) for s in catalogue.scenarios.values()]
    return per_catalogue(catalogue, "scenario_roles", lambda: _table("scenario_roles", ("scenario_id", "role"), rows))


def track_skill_points(people, catalogue: Catalogue):
    """Select (user_id, skill_id, earned, available): per learner and skill, the evidence points
    summed over the scenarios of the learner's own role track (run after the evidence is written)."""
    tracks = _scenario_roles(catalogue)
    return (
        select(
            Evidence.user_id,
            Evidence.skill_id,
            func.sum(Evidence.earned).label("earned"),
            func.sum(Evidence.available).label("available"),
        )
        .join(people, people.c.id == Evidence.user_id)
        .join(tracks, and_(tracks.c.scenario_id == Evidence.scenario_id, tracks.c.role == people.c.role))
        .group_by(Evidence.user_id, Evidence.skill_id)
    )


def latest_assessed_scores(people, catalogue: Catalogue):
    """Select (user_id, scenario_id, skill_id, attempt_id, score, earned, available, finished_at): each
    learner's newest finished assessed attempt per scenario, one row per skill, with the points the
    score earned of those the scenario can award: the evidence every figure reads."""
    newest = (
        select(Attempt.user_id, Attempt.scenario_id, func.max(Attempt.id).label("attempt_id"))
        .where(Attempt.user_id.in_(select(people.c.id)), Attempt.kind == ASSESSED, Attempt.finished_at.is_not(None))
        .group_by(Attempt.user_id, Attempt.scenario_id)
        .subquery("newest")
    )
    best = best_table(catalogue)
    return (
        select(
            newest.c.user_id.label("user_id"),
            newest.c.scenario_id.label("scenario_id"),
            SkillScore.skill_id.label("skill_id"),
            newest.c.attempt_id.label("attempt_id"),
            SkillScore.score.label("score"),
            (SkillScore.score * func.coalesce(best.c.best, 0) / 100.0).label("earned"),
            func.coalesce(best.c.best, 0).label("available"),
            Attempt.finished_at.label("finished_at"),
        )
        .join(SkillScore, SkillScore.attempt_id == newest.c.attempt_id)
        .join(Attempt, Attempt.id == newest.c.attempt_id)
        .outerjoin(best, and_(best.c.scenario_id == newest.c.scenario_id, best.c.skill_id == SkillScore.skill_id))
    )


def first_activity(people, catalogue: Catalogue):
    """Subquery: each learner's first activity on their own role's track (user_id, role, first_at)."""
    lessons = _lesson_roles(catalogue)
    events = union_all(
        select(LessonCompletion.user_id.label("user_id"), LessonCompletion.completed_at.label("at"))
        .join(people, people.c.id == LessonCompletion.user_id)
        .join(lessons, and_(lessons.c.lesson_id == LessonCompletion.lesson_id, lessons.c.role == people.c.role)),
        select(Attempt.user_id, Attempt.started_at)
        .join(people, people.c.id == Attempt.user_id)
        .where(Attempt.role == people.c.role),
    ).subquery("events")
    return (
        select(events.c.user_id, people.c.role, func.min(events.c.at).label("first_at"))
        .join(people, people.c.id == events.c.user_id)
        .group_by(events.c.user_id, people.c.role)
        .subquery("first_activity")
    )


def track_completion(people, catalogue: Catalogue):
    """Subquery: learners who finished every lesson and scenario of their role track, and when."""
    lessons, totals = _lesson_roles(catalogue), _role_totals(catalogue)
    items = union_all(
        select(
            LessonCompletion.user_id.label("user_id"),
            LessonCompletion.lesson_id.label("item"),
            LessonCompletion.completed_at.label("at"),
        )
        .join(people, people.c.id == LessonCompletion.user_id)
        .join(lessons, and_(lessons.c.lesson_id == LessonCompletion.lesson_id, lessons.c.role == people.c.role)),
        select(Attempt.user_id, Attempt.scenario_id, func.min(Attempt.finished_at))
        .join(people, people.c.id == Attempt.user_id)
        .where(Attempt.role == people.c.role, Attempt.finished_at.is_not(None), Attempt.kind == ASSESSED)
        .group_by(Attempt.user_id, Attempt.scenario_id),
    ).subquery("items")
    return (
        select(items.c.user_id, people.c.role, func.max(items.c.at).label("done_at"))
        .join(people, people.c.id == items.c.user_id)
        .join(totals, totals.c.role == people.c.role)
        .group_by(items.c.user_id, people.c.role, totals.c.total)
        .having(func.count(distinct(items.c.item)) == totals.c.total)
        .subquery("completion")
    )


def critical_at_target(people, catalogue: Catalogue, since: datetime):
    """Subquery: learners at or above target in every critical skill of their role (fresh evidence)."""
    targets = targets_table(catalogue)
    ls = learner_skill(people, since)  # a stale skill has prof NULL, so it never counts as met
    needed = (
        select(targets.c.role, func.sum(targets.c.critical).label("needed")).group_by(targets.c.role).subquery("needed")
    )
    return (
        select(ls.c.user_id, people.c.role)
        .join(people, people.c.id == ls.c.user_id)
        .join(
            targets, and_(targets.c.role == people.c.role, targets.c.skill_id == ls.c.skill_id, targets.c.critical == 1)
        )
        .join(needed, needed.c.role == people.c.role)
        .group_by(ls.c.user_id, people.c.role, needed.c.needed)
        .having(func.sum(case((ls.c.prof >= targets.c.target - metrics.FLOAT_SLACK, 1), else_=0)) == needed.c.needed)
        .subquery("at_target")
    )


def role_counts(scope: Scope, catalogue: Catalogue, windows: Windows) -> list[RoleCounts]:
    """Per role: people, started, completed, at target in critical skills, current (read models)."""
    people = scope.people()
    recent = months_back(windows.now.date(), windows.currency_months)
    current = select(LearnerMonth.user_id).where(LearnerMonth.month.in_(recent))
    # IN (subquery) is hashed once; an outer join to a subquery would be scanned once per learner
    rows = db.session.execute(
        select(
            people.c.role,
            func.count(),
            func.count(TrackProgress.started_at),
            func.count(TrackProgress.completed_at),
            func.sum(case((people.c.id.in_(current), 1), else_=0)),
        )
        .select_from(people)
        .outerjoin(TrackProgress, TrackProgress.user_id == people.c.id)
        .group_by(people.c.role)
    )
    at_target = critical_at_target(people, catalogue, windows.fresh_since)
    on_target = dict(db.session.execute(select(at_target.c.role, func.count()).group_by(at_target.c.role)).all())
    found = {role: (n, started, done, now) for role, n, started, done, now in rows}
    return [
        RoleCounts(role, *found[role][:3], on_target.get(role, 0), found[role][3])
        for role in catalogue.roles
        if role in found
    ]


# --- monthly trend -----------------------------------------------------------------------------


def month_of(column):
    """'YYYY-MM' of a timestamp, in the database's own dialect."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def months_back(today: date, count: int) -> list[str]:
    year, month = today.year, today.month
    result = []
    for _ in range(count):
        result.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result[::-1]


def month_end(month: str) -> datetime:
    year, number = int(month[:4]), int(month[5:])
    return datetime(year + number // 12, number % 12 + 1, 1)


def trend_rows(scope: Scope, catalogue: Catalogue, windows: Windows, months: list[str]) -> dict[str, dict]:
    """Per (role, month): learners who started and finished their track, learners with critical-skill
    evidence and how many met target, and learners current at that month's end (read models)."""
    people = scope.people()

    def by_month(column):
        month = month_of(column)
        rows = db.session.execute(
            select(people.c.role, month, func.count())
            .join(TrackProgress, TrackProgress.user_id == people.c.id)
            .where(column.is_not(None))
            .group_by(people.c.role, month)
        )
        return {(role, m): n for role, m, n in rows}

    evidence = db.session.execute(
        select(
            people.c.role,
            LearnerMonth.month,
            func.count(LearnerMonth.met),
            func.sum(case((LearnerMonth.met.is_(True), 1), else_=0)),
        )
        .join(LearnerMonth, LearnerMonth.user_id == people.c.id)
        .where(LearnerMonth.month >= months[0])
        .group_by(people.c.role, LearnerMonth.month)
    )
    current = {}
    for month in months:
        window = months_back(month_end(month).date() - timedelta(days=1), windows.currency_months)
        rows = db.session.execute(
            select(people.c.role, func.count(distinct(LearnerMonth.user_id)))
            .join(LearnerMonth, LearnerMonth.user_id == people.c.id)
            .where(LearnerMonth.month.in_(window))
            .group_by(people.c.role)
        )
        current.update({(role, month): n for role, n in rows})
    return {
        "started": by_month(TrackProgress.started_at),
        "completed": by_month(TrackProgress.completed_at),
        "evidence": {(role, m): (n, int(met or 0)) for role, m, n, met in evidence},
        "current": current,
    }


def monthly_met(people, catalogue: Catalogue):
    """Subquery (user_id, month, met) for every learner-month with a finished assessed attempt: met is 1 when
    every critical skill practised that month averaged at or above target, 0 when one did not, and
    NULL when no critical skill was practised."""
    targets = targets_table(catalogue)
    month = month_of(Attempt.finished_at)
    finished = (people.c.id == Attempt.user_id, Attempt.finished_at.is_not(None), Attempt.kind == ASSESSED)
    months = (
        select(Attempt.user_id, month.label("month"))
        .join(people, and_(*finished))
        .group_by(Attempt.user_id, month)
        .subquery("months")
    )
    per_skill = (
        select(Attempt.user_id, month.label("month"), func.avg(SkillScore.score).label("score"), targets.c.target)
        .join(people, and_(*finished))
        .join(SkillScore, SkillScore.attempt_id == Attempt.id)
        .join(
            targets,
            and_(targets.c.role == people.c.role, targets.c.skill_id == SkillScore.skill_id, targets.c.critical == 1),
        )
        .group_by(Attempt.user_id, month, SkillScore.skill_id, targets.c.target)
        .subquery("per_skill")
    )
    met = (
        select(
            per_skill.c.user_id,
            per_skill.c.month,
            func.min(case((per_skill.c.score >= per_skill.c.target, 1), else_=0)).label("met"),
        )
        .group_by(per_skill.c.user_id, per_skill.c.month)
        .subquery("met")
    )
    return (
        select(months.c.user_id, months.c.month, (met.c.met == 1).label("met"))
        .outerjoin(met, and_(met.c.user_id == months.c.user_id, met.c.month == months.c.month))
        .subquery("monthly_met")
    )


# --- drill-downs: the learners and attempts behind a figure --------------------------------------


@dataclass(frozen=True)
class LearnerEvidence:
    user_id: int
    name: str
    email: str
    role: str
    proficiency: int | None  # the estimate; None when the learner's evidence is all stale
    target: int
    attempts: int
    last_at: datetime | None
    low: int | None = None  # the estimate's 80% interval
    high: int | None = None
    external: bool = False  # from an agency, contractor or partner rather than staff
    agency: str = ""


def cell_learners(
    scope: Scope, catalogue: Catalogue, windows: Windows, dimension: str, group: str, skill: str
) -> list[LearnerEvidence]:
    """Learners with evidence in ``skill`` within one group: fresh figures, and stale ones marked."""
    people, targets = scope.people(), targets_table(catalogue)
    ls = learner_skill(people, windows.fresh_since)
    query = (
        select(User.id, User.name, User.email, User.role, ls.c.earned, ls.c.available, targets.c.target)
        .add_columns(ls.c.attempts, ls.c.last_at, User.external, User.agency)
        .join(people, people.c.id == ls.c.user_id)
        .join(User, User.id == ls.c.user_id)
        .join(targets, and_(targets.c.role == people.c.role, targets.c.skill_id == ls.c.skill_id))
        .where(ls.c.skill_id == skill)
    )
    if dimension == "role":
        query = query.where(people.c.role == group)
    elif dimension == "team":
        query = query.where(User.id.in_(select(team_members.c.user_id).where(team_members.c.team_id == int(group))))
    rows = db.session.execute(query.order_by(ls.c.prof.is_(None), ls.c.prof, User.name))
    found = []
    for uid, name, email, role, earned, available, target, attempts, last_at, external, agency in rows:
        figure = metrics.estimate(earned, available) if attempts else None
        value, low, high = (figure.value, figure.low, figure.high) if figure else (None, None, None)
        found.append(
            LearnerEvidence(uid, name, email, role, value, target, attempts or 0, last_at, low, high, external, agency)
        )
    return found


def indicator_learners(
    scope: Scope, catalogue: Catalogue, windows: Windows, indicator: str, month: str | None = None
) -> list[tuple[int, str, str, str, bool]]:
    """The learners behind an indicator, now or at the end of ``month`` (a trend point):
    (id, name, email, role, counted). For a month's proficiency only the learners who practised a
    critical skill that month are listed, as in the trend."""
    people = scope.people()
    end = month_end(month) if month else None
    recent = months_back((end - timedelta(days=1)).date() if end else windows.now.date(), windows.currency_months)
    started, done = TrackProgress.started_at, TrackProgress.completed_at
    counted = {
        "coverage": select(TrackProgress.user_id).where(started < end if end else started.is_not(None)),
        "completion": select(TrackProgress.user_id).where(done < end if end else done.is_not(None)),
        "currency": select(LearnerMonth.user_id).where(LearnerMonth.month.in_(recent)),
        "proficiency": (
            select(LearnerMonth.user_id).where(LearnerMonth.month == month, LearnerMonth.met.is_(True))
            if month
            else select(critical_at_target(people, catalogue, windows.fresh_since).c.user_id)
        ),
    }[indicator]
    flag = User.id.in_(counted)
    query = select(User.id, User.name, User.email, User.role, flag).join(people, people.c.id == User.id)
    if indicator == "proficiency" and month:
        query = query.where(
            User.id.in_(select(LearnerMonth.user_id).where(LearnerMonth.month == month, LearnerMonth.met.is_not(None)))
        )
    rows = db.session.execute(query.order_by(flag, User.role, User.name))
    return [(uid, name, email, role, bool(counted_flag)) for uid, name, email, role, counted_flag in rows]


def started_by_role(scope: Scope, month: str | None = None) -> list[tuple[str, int, int]]:
    """(role, learners, started their role track) now or by the end of ``month``: role specificity."""
    people = scope.people()
    started = TrackProgress.started_at < month_end(month) if month else TrackProgress.started_at.is_not(None)
    rows = db.session.execute(
        select(people.c.role, func.count(), func.sum(case((started, 1), else_=0)))
        .select_from(people)
        .outerjoin(TrackProgress, TrackProgress.user_id == people.c.id)
        .group_by(people.c.role)
        .order_by(people.c.role)
    )
    return [(role, n, int(done or 0)) for role, n, done in rows]


def in_scope(scope: Scope, user_id: int) -> bool:
    people = scope.people()
    return db.session.scalar(select(func.count()).select_from(people).where(people.c.id == user_id)) == 1


# --- item analysis: how each choice and check option performs (docs/metrics.md) -------------------

STRONG_CHECK_SHARE = 0.75  # a "strong" learner on a question answered this share of the course's other questions right


def _scoped(column, scope: Scope | None):
    return True if scope is None else column.in_(select(scope.people().c.id))


def scenario_items(scope: Scope | None, scenario, floor: int) -> list[items.ItemStats]:
    """Every decision node of the scenario's current version, from each learner's newest finished
    assessed attempt on it; "strong" learners are those whose attempt reached a strong ending."""
    newest = (
        select(func.max(Attempt.id).label("attempt_id"))
        .where(
            Attempt.scenario_id == scenario.id,
            Attempt.content_version == scenario.version,
            Attempt.kind == ASSESSED,
            Attempt.finished_at.is_not(None),
            _scoped(Attempt.user_id, scope),
        )
        .group_by(Attempt.user_id)
    )
    strong = (Attempt.outcome == "strong").label("strong")
    learners = func.count(distinct(Attempt.user_id))
    steps = (
        select(AttemptStep.node_id, AttemptStep.choice_index, strong, learners)
        .join(Attempt, Attempt.id == AttemptStep.attempt_id)
        .where(Attempt.id.in_(newest))
    )
    counts: dict[str, dict[tuple[int, bool], int]] = {}
    for node, choice, is_strong, n in db.session.execute(
        steps.group_by(AttemptStep.node_id, AttemptStep.choice_index, strong)
    ):
        counts.setdefault(node, {})[(choice, bool(is_strong))] = n
    answered: dict[str, dict[bool, int]] = {}
    reached = select(AttemptStep.node_id, strong, learners).join(Attempt, Attempt.id == AttemptStep.attempt_id)
    for node, is_strong, n in db.session.execute(
        reached.where(Attempt.id.in_(newest)).group_by(AttemptStep.node_id, strong)
    ):
        answered.setdefault(node, {})[bool(is_strong)] = n
    found = []
    for node in scenario.decision_nodes:
        best = cues.best_choice(node)
        options = [(c.index, c.label, best is not None and c.index == best.index) for c in node.choices]
        found.append(
            items.item(
                node.id, node.title or node.id, options, counts.get(node.id, {}), answered.get(node.id, {}), floor
            )
        )
    return found


def check_items(scope: Scope | None, course, floor: int) -> list[items.ItemStats]:
    """Every knowledge-check question of a course, from each learner's latest answers; "strong"
    learners answered at least 75% of the course's other questions right."""
    lesson_ids = [lesson.id for lesson in course.lessons]
    rows = db.session.execute(
        select(
            CheckAnswer.user_id, CheckAnswer.lesson_id, CheckAnswer.question, CheckAnswer.option, CheckAnswer.correct
        ).where(CheckAnswer.lesson_id.in_(lesson_ids), _scoped(CheckAnswer.user_id, scope))
    ).all()
    by_learner: dict[int, dict[tuple[str, int], tuple[int, bool]]] = {}
    for user_id, lesson_id, question, option, correct in rows:
        by_learner.setdefault(user_id, {})[(lesson_id, question)] = (option, correct)
    right = {user_id: sum(correct for _, correct in answers.values()) for user_id, answers in by_learner.items()}
    found = []
    for lesson in course.lessons:
        for number, question in enumerate(lesson.questions):
            key, counts, answered = (lesson.id, number), {}, {}
            for user_id, answers in by_learner.items():
                if key not in answers:
                    continue
                option, correct = answers[key]
                others, others_right = len(answers) - 1, right[user_id] - correct  # the course's other questions
                is_strong = others > 0 and others_right >= STRONG_CHECK_SHARE * others
                counts[(option, is_strong)] = counts.get((option, is_strong), 0) + 1
                answered[is_strong] = answered.get(is_strong, 0) + 1
            options = [(i, o.text, o.correct) for i, o in enumerate(question.options)]
            title = f"{lesson.title}: {question.prompt}"
            found.append(items.item(f"{lesson.id}/question-{number + 1}", title, options, counts, answered, floor))
    return found


def item_report(scope: Scope | None, catalogue: Catalogue, floor: int, scenario_id: str | None = None) -> dict:
    """Item analysis of every scenario (or one) and every course's knowledge checks:
    {"scenario:<id>" or "course:<role>": [ItemStats]}."""
    report = {}
    for scenario in catalogue.scenarios.values():
        if scenario_id is None or scenario.id == scenario_id:
            report[f"scenario:{scenario.id}"] = scenario_items(scope, scenario, floor)
    if scenario_id is None:
        for course in catalogue.courses.values():
            report[f"course:{course.role}"] = check_items(scope, course, floor)
    return report
