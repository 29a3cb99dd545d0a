"""Organisation rollups in SQL: skill-gap cells, maturity counts, monthly trends, drill-downs.

Every figure is an aggregate query over the learners in a :class:`Scope`; nothing loops over
learners or attempts in Python. Content facts (role targets, which lessons belong to which role)
enter the queries as small literal tables. Definitions live in docs/metrics.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, distinct, func, literal, select, union_all

from .content.model import Catalogue
from .extensions import db
from .metrics import CellRow, RoleCounts
from .models import Attempt, LessonCompletion, SkillScore, Team, User, team_members

CRITICAL_TARGET = 75  # a skill is critical for a role when its target is at least this


@dataclass(frozen=True)
class Scope:
    """Whose evidence a view covers: an organisation, optionally narrowed to some teams."""

    org_id: int
    team_ids: tuple[int, ...] | None = None  # None: the whole organisation

    def people(self):
        """Subquery (id, role) of the learners in scope."""
        query = select(User.id.label("id"), User.role.label("role")).where(User.org_id == self.org_id, User.access == "learner")
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
    currency_days: int = 90  # "recent" evidence for the currency indicator

    @property
    def fresh_since(self) -> datetime:
        return self.now - timedelta(days=self.evidence_days)

    @property
    def current_since(self) -> datetime:
        return self.now - timedelta(days=self.currency_days)


def _table(name: str, columns: tuple[str, ...], rows: list[tuple]):
    """A small literal table (role targets, lesson roles) usable in joins on SQLite and PostgreSQL."""
    if not rows:
        rows = [tuple(None for _ in columns)]
    selects = [select(*(literal(v).label(c) for v, c in zip(row, columns))) for row in rows]
    return (union_all(*selects) if len(selects) > 1 else selects[0]).subquery(name)


def critical_skills(targets: dict[str, int]) -> set[str]:
    """A role's critical skills: targets of CRITICAL_TARGET or more, else its highest-target skills."""
    critical = {s for s, t in targets.items() if t >= CRITICAL_TARGET}
    return critical or {s for s, t in targets.items() if t == max(targets.values(), default=0)}


def targets_table(catalogue: Catalogue):
    rows = [(r.id, s, t, int(s in critical_skills(r.targets))) for r in catalogue.roles.values() for s, t in r.targets.items()]
    return _table("targets", ("role", "skill_id", "target", "critical"), rows)


def _latest(people, since: datetime | None):
    """Ids of each learner's latest finished attempt per scenario (optionally only fresh ones)."""
    query = select(func.max(Attempt.id)).where(Attempt.user_id.in_(select(people.c.id)), Attempt.finished_at.is_not(None))
    if since is not None:
        query = query.where(Attempt.finished_at >= since)
    return query.group_by(Attempt.user_id, Attempt.scenario_id)


def learner_skill(people, since: datetime | None, name: str = "learner_skill"):
    """Subquery: per learner and skill, proficiency (mean latest score over scenarios), attempts, last evidence."""
    return (
        select(Attempt.user_id.label("user_id"), SkillScore.skill_id.label("skill_id"), func.avg(SkillScore.score).label("prof"),
               func.count(SkillScore.id).label("attempts"), func.max(Attempt.finished_at).label("last_at"))
        .join(SkillScore, SkillScore.attempt_id == Attempt.id)
        .where(Attempt.id.in_(_latest(people, since)))
        .group_by(Attempt.user_id, SkillScore.skill_id)
        .subquery(name)
    )


def _group_key(dimension: str, people):
    """The column that names a group, and the extra join it needs."""
    if dimension == "role":
        return people.c.role, None
    if dimension == "team":
        return team_members.c.team_id, team_members
    return literal("organisation"), None


def cells(scope: Scope, catalogue: Catalogue, windows: Windows, dimension: str) -> list[CellRow]:
    """Aggregated fresh evidence per (group, skill) for dimension 'role', 'team' or 'organisation'."""
    people, targets = scope.people(), targets_table(catalogue)
    fresh, ever = learner_skill(people, windows.fresh_since), learner_skill(people, None)
    key, extra = _group_key(dimension, people)

    def base(ls, *columns):
        query = select(key.label("grp"), ls.c.skill_id, *columns).join(people, people.c.id == ls.c.user_id)
        query = query.join(targets, and_(targets.c.role == people.c.role, targets.c.skill_id == ls.c.skill_id))
        if extra is not None:
            query = query.join(extra, extra.c.user_id == ls.c.user_id)
            if scope.team_ids is not None:
                query = query.where(extra.c.team_id.in_(scope.team_ids))
        return query.group_by(key, ls.c.skill_id)

    figures = db.session.execute(base(
        fresh, func.count(fresh.c.user_id), func.sum(case((fresh.c.prof >= targets.c.target, 1), else_=0)),
        func.avg(fresh.c.prof), func.avg(targets.c.target), func.sum(fresh.c.attempts)))
    everyone = {(str(g), s): n for g, s, n in db.session.execute(base(ever, func.count(ever.c.user_id)))}
    rows = {}
    for group, skill, learners, at_target, prof, target, attempts in figures:
        rows[(str(group), skill)] = CellRow(str(group), skill, learners, int(at_target or 0), float(prof or 0), float(target or 0),
                                            int(attempts or 0), everyone.get((str(group), skill), 0) - learners)
    for (group, skill), n in everyone.items():  # groups whose evidence is all stale
        rows.setdefault((group, skill), CellRow(group, skill, 0, 0, 0.0, 0.0, 0, n))
    return list(rows.values())


# --- maturity counts ---------------------------------------------------------------------------

def _lesson_roles(catalogue: Catalogue):
    return _table("lesson_roles", ("lesson_id", "role"), [(l.id, c.role) for c in catalogue.courses.values() for l in c.lessons])


def _role_totals(catalogue: Catalogue):
    rows = [(r, len(catalogue.courses[r].lessons) if r in catalogue.courses else 0) for r in catalogue.roles]
    rows = [(r, n + len(catalogue.role_scenarios(r))) for r, n in rows]
    return _table("role_totals", ("role", "total"), rows)


def first_activity(people, catalogue: Catalogue):
    """Subquery: each learner's first activity on their own role's track (user_id, role, first_at)."""
    lessons = _lesson_roles(catalogue)
    events = union_all(
        select(LessonCompletion.user_id.label("user_id"), LessonCompletion.completed_at.label("at"))
        .join(people, people.c.id == LessonCompletion.user_id)
        .join(lessons, and_(lessons.c.lesson_id == LessonCompletion.lesson_id, lessons.c.role == people.c.role)),
        select(Attempt.user_id, Attempt.started_at).join(people, people.c.id == Attempt.user_id).where(Attempt.role == people.c.role),
    ).subquery("events")
    return (select(events.c.user_id, people.c.role, func.min(events.c.at).label("first_at"))
            .join(people, people.c.id == events.c.user_id).group_by(events.c.user_id, people.c.role).subquery("first_activity"))


def track_completion(people, catalogue: Catalogue):
    """Subquery: learners who finished every lesson and scenario of their role track, and when."""
    lessons, totals = _lesson_roles(catalogue), _role_totals(catalogue)
    items = union_all(
        select(LessonCompletion.user_id.label("user_id"), LessonCompletion.lesson_id.label("item"), LessonCompletion.completed_at.label("at"))
        .join(people, people.c.id == LessonCompletion.user_id)
        .join(lessons, and_(lessons.c.lesson_id == LessonCompletion.lesson_id, lessons.c.role == people.c.role)),
        select(Attempt.user_id, Attempt.scenario_id, func.min(Attempt.finished_at))
        .join(people, people.c.id == Attempt.user_id)
        .where(Attempt.role == people.c.role, Attempt.finished_at.is_not(None)).group_by(Attempt.user_id, Attempt.scenario_id),
    ).subquery("items")
    return (select(items.c.user_id, people.c.role, func.max(items.c.at).label("done_at"))
            .join(people, people.c.id == items.c.user_id).join(totals, totals.c.role == people.c.role)
            .group_by(items.c.user_id, people.c.role, totals.c.total)
            .having(func.count(distinct(items.c.item)) == totals.c.total).subquery("completion"))


def critical_at_target(people, catalogue: Catalogue, since: datetime):
    """Subquery: learners at or above target in every critical skill of their role (fresh evidence)."""
    targets = targets_table(catalogue)
    ls = learner_skill(people, since)
    needed = select(targets.c.role, func.sum(targets.c.critical).label("needed")).group_by(targets.c.role).subquery("needed")
    return (select(ls.c.user_id, people.c.role)
            .join(people, people.c.id == ls.c.user_id)
            .join(targets, and_(targets.c.role == people.c.role, targets.c.skill_id == ls.c.skill_id, targets.c.critical == 1))
            .join(needed, needed.c.role == people.c.role)
            .group_by(ls.c.user_id, people.c.role, needed.c.needed)
            .having(func.sum(case((ls.c.prof >= targets.c.target, 1), else_=0)) == needed.c.needed).subquery("at_target"))


def role_counts(scope: Scope, catalogue: Catalogue, windows: Windows) -> list[RoleCounts]:
    """Per role: people, started, completed, at target in critical skills, current."""
    people = scope.people()

    def per_role(sub):
        return dict(db.session.execute(select(sub.c.role, func.count()).group_by(sub.c.role)).all())

    current = (select(Attempt.user_id, people.c.role).distinct().join(people, people.c.id == Attempt.user_id)
               .where(Attempt.finished_at >= windows.current_since).subquery("current"))
    totals = per_role(people)
    started = per_role(first_activity(people, catalogue))
    completed = per_role(track_completion(people, catalogue))
    at_target = per_role(critical_at_target(people, catalogue, windows.fresh_since))
    recent = per_role(current)
    return [RoleCounts(role, totals.get(role, 0), started.get(role, 0), completed.get(role, 0), at_target.get(role, 0), recent.get(role, 0))
            for role in catalogue.roles if totals.get(role)]


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
    """Per role, counts by month: first activity, completions, learners active and at target, current."""
    people = scope.people()
    first = first_activity(people, catalogue)
    done = track_completion(people, catalogue)

    def by_month(sub, column):
        rows = db.session.execute(select(sub.c.role, month_of(column), func.count()).group_by(sub.c.role, month_of(column)))
        return {(role, month): n for role, month, n in rows}

    started, completed = by_month(first, first.c.first_at), by_month(done, done.c.done_at)
    evidence = _monthly_evidence(people, catalogue, month_end(months[0]) - timedelta(days=31))
    current = {}
    for month in months:
        end = month_end(month)
        rows = db.session.execute(
            select(people.c.role, func.count(distinct(Attempt.user_id))).join(people, people.c.id == Attempt.user_id)
            .where(Attempt.finished_at < end, Attempt.finished_at >= end - timedelta(days=windows.currency_days)).group_by(people.c.role))
        current.update({(role, month): n for role, n in rows})
    return {"started": started, "completed": completed, "evidence": evidence, "current": current}


def _monthly_evidence(people, catalogue: Catalogue, since: datetime) -> dict[tuple[str, str], tuple[int, int]]:
    """Per (role, month): learners who finished attempts that month, and how many of them met target
    in every critical skill they practised that month."""
    targets = targets_table(catalogue)
    month = month_of(Attempt.finished_at)
    per_skill = (
        select(people.c.role, Attempt.user_id, month.label("month"), SkillScore.skill_id,
               func.avg(SkillScore.score).label("score"), targets.c.target)
        .join(people, people.c.id == Attempt.user_id).join(SkillScore, SkillScore.attempt_id == Attempt.id)
        .join(targets, and_(targets.c.role == people.c.role, targets.c.skill_id == SkillScore.skill_id, targets.c.critical == 1))
        .where(Attempt.finished_at >= since)
        .group_by(people.c.role, Attempt.user_id, month, SkillScore.skill_id, targets.c.target).subquery("per_skill")
    )
    per_learner = (
        select(per_skill.c.role, per_skill.c.month, per_skill.c.user_id,
               func.min(case((per_skill.c.score >= per_skill.c.target, 1), else_=0)).label("met"))
        .group_by(per_skill.c.role, per_skill.c.month, per_skill.c.user_id).subquery("per_learner")
    )
    rows = db.session.execute(select(per_learner.c.role, per_learner.c.month, func.count(), func.sum(per_learner.c.met))
                              .group_by(per_learner.c.role, per_learner.c.month))
    return {(role, month): (n, int(met or 0)) for role, month, n, met in rows}


# --- drill-downs: the learners and attempts behind a figure --------------------------------------

@dataclass(frozen=True)
class Evidence:
    user_id: int
    name: str
    email: str
    role: str
    proficiency: int | None  # None when the learner's evidence is all stale
    target: int
    attempts: int
    last_at: datetime | None


def cell_learners(scope: Scope, catalogue: Catalogue, windows: Windows, dimension: str, group: str, skill: str) -> list[Evidence]:
    """Learners with evidence in ``skill`` within one group: fresh figures, and stale ones marked."""
    people, targets = scope.people(), targets_table(catalogue)
    fresh, ever = learner_skill(people, windows.fresh_since, "fresh"), learner_skill(people, None, "ever")
    query = (
        select(User.id, User.name, User.email, User.role, fresh.c.prof, targets.c.target, fresh.c.attempts, ever.c.last_at)
        .join(people, people.c.id == ever.c.user_id).join(User, User.id == ever.c.user_id)
        .join(targets, and_(targets.c.role == people.c.role, targets.c.skill_id == ever.c.skill_id))
        .outerjoin(fresh, and_(fresh.c.user_id == ever.c.user_id, fresh.c.skill_id == ever.c.skill_id))
        .where(ever.c.skill_id == skill)
    )
    if dimension == "role":
        query = query.where(people.c.role == group)
    elif dimension == "team":
        query = query.where(User.id.in_(select(team_members.c.user_id).where(team_members.c.team_id == int(group))))
    rows = db.session.execute(query.order_by(fresh.c.prof.is_(None), fresh.c.prof, User.name))
    return [Evidence(uid, name, email, role, None if prof is None else round(prof), target, attempts or 0, last_at)
            for uid, name, email, role, prof, target, attempts, last_at in rows]


def indicator_learners(scope: Scope, catalogue: Catalogue, windows: Windows, indicator: str) -> list[tuple[int, str, str, str, bool]]:
    """Every learner in scope and whether the indicator counts them: (id, name, email, role, counted)."""
    people = scope.people()
    counted = {
        "coverage": lambda: first_activity(people, catalogue),
        "completion": lambda: track_completion(people, catalogue),
        "proficiency": lambda: critical_at_target(people, catalogue, windows.fresh_since),
        "currency": lambda: select(Attempt.user_id).distinct().where(Attempt.finished_at >= windows.current_since).subquery("current"),
    }[indicator]()
    rows = db.session.execute(
        select(User.id, User.name, User.email, User.role, counted.c.user_id.is_not(None))
        .join(people, people.c.id == User.id).outerjoin(counted, counted.c.user_id == User.id)
        .order_by(counted.c.user_id.is_not(None), User.role, User.name)
    )
    return [(uid, name, email, role, bool(flag)) for uid, name, email, role, flag in rows]


def in_scope(scope: Scope, user_id: int) -> bool:
    people = scope.people()
    return db.session.scalar(select(func.count()).select_from(people).where(people.c.id == user_id)) == 1
