"""The metric definitions, pure: a learner's skill profile, gap cells, maturity indicators and levels,
and the trend, computed from plain rows that `rollups` aggregates in SQL. No Flask, no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ScoreRow:
    """One finished attempt's score in one skill."""

    attempt_id: int
    scenario_id: str
    skill_id: str
    score: int
    finished_at: datetime


@dataclass(frozen=True)
class SkillLevel:
    skill_id: str
    proficiency: int | None  # None: no evidence yet
    scenarios: int  # how many scenarios evidence it


def skill_profile(rows: Iterable[ScoreRow], skills: Iterable[str]) -> dict[str, SkillLevel]:
    """A learner's proficiency per skill: the mean, over the scenarios that evidence the skill,
    of the latest finished attempt's score (current judgment, not a best-ever). "Latest" is the
    finished attempt started last, the same rule the cohort dashboard applies in SQL."""
    latest: dict[tuple[str, str], ScoreRow] = {}
    for row in rows:
        key = (row.skill_id, row.scenario_id)
        if key not in latest or row.attempt_id > latest[key].attempt_id:
            latest[key] = row
    profile = {}
    for skill in skills:
        scores = [r.score for (s, _), r in latest.items() if s == skill]
        profile[skill] = SkillLevel(skill, round(sum(scores) / len(scores)) if scores else None, len(scores))
    return profile


def percent(done: int, total: int) -> int:
    """Whole-number progress for progress bars."""
    return 0 if total <= 0 else round(100 * min(done, total) / total)


# --- organisation rollups: skill gaps and upskilling maturity ----------------------------------
# Inputs are aggregated rows from ``rollups`` (one per group and skill, or per role), never one
# row per learner, so these functions stay cheap at any organisation size.


@dataclass(frozen=True)
class CellRow:
    """Aggregated fresh evidence for one group (role, team or organisation) in one skill."""

    group: str
    skill_id: str
    learners: int  # learners with fresh evidence in the skill
    at_target: int  # of those, at or above their role's target
    proficiency: float  # mean learner proficiency
    target: float  # mean target of those learners' roles
    attempts: int  # attempts whose scores make up the figure
    stale: int  # learners whose only evidence is older than the window


@dataclass(frozen=True)
class GapCell:
    group: str
    skill_id: str
    learners: int
    attempts: int
    stale: int
    enough: bool  # False: fewer learners than the minimum, so no figure is shown
    proficiency: int | None
    target: int | None
    gap: int | None  # target minus proficiency (positive: below target)
    at_target_share: int | None  # percent of learners at or above target


def gap_cell(row: CellRow, min_learners: int) -> GapCell:
    """A heatmap cell; below ``min_learners`` it shows 'not enough evidence' instead of numbers."""
    if row.learners < min_learners:
        return GapCell(row.group, row.skill_id, row.learners, row.attempts, row.stale, False, None, None, None, None)
    proficiency, target = round(row.proficiency), round(row.target)
    return GapCell(
        row.group,
        row.skill_id,
        row.learners,
        row.attempts,
        row.stale,
        True,
        proficiency,
        target,
        target - proficiency,
        percent(row.at_target, row.learners),
    )


def _weighted_mean(a: float, a_learners: int, b: float, b_learners: int) -> float:
    """The mean of two groups' means, weighted by their learners (0 when both groups are empty)."""
    learners = a_learners + b_learners
    return (a * a_learners + b * b_learners) / learners if learners else 0.0


def combine(rows: list[CellRow], group: str) -> list[CellRow]:
    """Merge the cells of disjoint groups (the roles) into one group per skill (the organisation)."""
    merged: dict[str, CellRow] = {}
    for row in rows:
        so_far = merged.get(row.skill_id)
        if so_far is None:
            merged[row.skill_id] = CellRow(
                group, row.skill_id, row.learners, row.at_target, row.proficiency, row.target, row.attempts, row.stale
            )
            continue
        merged[row.skill_id] = CellRow(
            group,
            row.skill_id,
            so_far.learners + row.learners,
            so_far.at_target + row.at_target,
            _weighted_mean(so_far.proficiency, so_far.learners, row.proficiency, row.learners),
            _weighted_mean(so_far.target, so_far.learners, row.target, row.learners),
            so_far.attempts + row.attempts,
            so_far.stale + row.stale,
        )
    return list(merged.values())


def empty_cell(group: str, skill_id: str, stale: int = 0) -> GapCell:
    return GapCell(group, skill_id, 0, 0, stale, False, None, None, None, None)


def top_gaps(cells: list[GapCell], limit: int = 5) -> list[GapCell]:
    """The largest gaps with enough evidence, largest first."""
    shown = [c for c in cells if c.enough and c.gap is not None and c.gap > 0]
    return sorted(shown, key=lambda c: (-c.gap, c.group, c.skill_id))[:limit]


@dataclass(frozen=True)
class RoleCounts:
    """Per role: the counts every maturity indicator is built from."""

    role: str
    people: int  # learners in the role
    started: int  # started their role-specific track
    completed: int  # finished every lesson and scenario of their role track
    at_target: int  # fresh evidence at or above target in every critical skill of the role
    current: int  # finished an attempt within the currency window


INDICATORS = {
    "coverage": "Share of learners who started their role-specific track",
    "completion": "Share of learners who finished their whole role track",
    "proficiency": "Share of learners at or above target in every critical skill of their role (fresh evidence only)",
    "role_specificity": "Share of roles where at least half the learners started the role-specific track",
    "currency": "Share of learners who finished a scenario this month or in the two months before",
}
SPECIFIC_ROLE_SHARE = 50  # a role "has a programme in use" when this share of its learners started


@dataclass(frozen=True)
class Criterion:
    indicator: str
    minimum: int  # percent
    per_role: bool = False  # must hold in every role, not only overall


# Level n is reached when its criteria and those of every lower level hold. See docs/metrics.md.
LEVELS: dict[int, tuple[str, tuple[Criterion, ...]]] = {
    1: ("Ad hoc", ()),
    2: ("Emerging", (Criterion("coverage", 25),)),
    3: ("Defined", (Criterion("coverage", 50), Criterion("role_specificity", 50), Criterion("completion", 25))),
    4: (
        "Organisation-wide",
        (
            Criterion("coverage", 80),
            Criterion("role_specificity", 100),
            Criterion("completion", 50),
            Criterion("proficiency", 40, per_role=True),
            Criterion("currency", 50),
        ),
    ),
    5: (
        "Leading",
        (
            Criterion("coverage", 90),
            Criterion("completion", 75),
            Criterion("proficiency", 60, per_role=True),
            Criterion("currency", 75),
        ),
    ),
}


def indicator_values(counts: list[RoleCounts]) -> dict[str, int]:
    """Organisation-wide indicator values (percent) from per-role counts."""
    people = sum(c.people for c in counts)
    roles = [c for c in counts if c.people]
    specific = sum(percent(c.started, c.people) >= SPECIFIC_ROLE_SHARE for c in roles)
    return {
        "coverage": percent(sum(c.started for c in counts), people),
        "completion": percent(sum(c.completed for c in counts), people),
        "proficiency": percent(sum(c.at_target for c in counts), people),
        "role_specificity": percent(specific, len(roles)),
        "currency": percent(sum(c.current for c in counts), people),
    }


def role_values(count: RoleCounts) -> dict[str, int]:
    return {
        "proficiency": percent(count.at_target, count.people),
        "coverage": percent(count.started, count.people),
        "completion": percent(count.completed, count.people),
        "currency": percent(count.current, count.people),
    }


@dataclass(frozen=True)
class Shortfall:
    indicator: str
    scope: str  # "organisation" or a role id
    value: int
    minimum: int


@dataclass(frozen=True)
class Maturity:
    level: int
    name: str
    values: dict[str, int]
    next_level: int | None
    blocking: list[Shortfall]  # the criteria of the next level that do not hold, and by how much


def _shortfalls(criteria: tuple[Criterion, ...], values: dict[str, int], counts: list[RoleCounts]) -> list[Shortfall]:
    missing = []
    for c in criteria:
        if c.per_role:
            missing += [
                Shortfall(c.indicator, rc.role, role_values(rc)[c.indicator], c.minimum)
                for rc in counts
                if rc.people and role_values(rc)[c.indicator] < c.minimum
            ]
        elif values[c.indicator] < c.minimum:
            missing.append(Shortfall(c.indicator, "organisation", values[c.indicator], c.minimum))
    return missing


def maturity(counts: list[RoleCounts]) -> Maturity:
    """The highest level whose criteria (and every lower level's) hold, and what blocks the next."""
    values = indicator_values(counts)
    level = 1
    for number in sorted(LEVELS)[1:]:
        if _shortfalls(LEVELS[number][1], values, counts) or not any(c.people for c in counts):
            break
        level = number
    following = level + 1 if level + 1 in LEVELS else None
    blocking = _shortfalls(LEVELS[following][1], values, counts) if following else []
    return Maturity(level, LEVELS[level][0], values, following, blocking)


def trend_series(months: list[str], people: dict[str, int], rows: dict[str, dict]) -> list[dict]:
    """Indicator values by month from per-(role, month) counts. Coverage, completion and role
    specificity are cumulative; currency looks back over its window; proficiency is the share of
    the learners active that month who met target in the critical skills they practised."""
    series, started, completed = [], dict.fromkeys(people, 0), dict.fromkeys(people, 0)
    for key, total in ((started, "started"), (completed, "completed")):  # history before the first month
        for (role, month), n in rows[total].items():
            if role in key and month < months[0]:
                key[role] += n
    total = sum(people.values())
    for month in months:
        for role in people:
            started[role] += rows["started"].get((role, month), 0)
            completed[role] += rows["completed"].get((role, month), 0)
        active = sum(rows["evidence"].get((r, month), (0, 0))[0] for r in people)
        met = sum(rows["evidence"].get((r, month), (0, 0))[1] for r in people)
        roles = [r for r, n in people.items() if n]
        series.append(
            {
                "month": month,
                "coverage": percent(sum(started.values()), total),
                "completion": percent(sum(completed.values()), total),
                "proficiency": percent(met, active) if active else None,
                "role_specificity": percent(
                    sum(percent(started[r], people[r]) >= SPECIFIC_ROLE_SHARE for r in roles), len(roles)
                ),
                "currency": percent(sum(rows["current"].get((r, month), 0) for r in people), total),
            }
        )
    return series
