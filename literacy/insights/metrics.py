"""The metric definitions, pure: a learner's skill profile, gap cells, maturity indicators and levels,
and the trend, computed from plain rows that `rollups` aggregates in SQL. No Flask, no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from scipy.special import betaincinv


@dataclass(frozen=True)
class ScoreRow:
    """One finished attempt's score in one skill."""

    attempt_id: int
    scenario_id: str
    skill_id: str
    score: int
    finished_at: datetime


# --- proficiency with uncertainty (docs/metrics.md, "Proficiency") -----------------------------
# Each assessed scenario offers a number of points in a skill (its best total) and the learner earned
# a share of them. Points are treated as trials of a Beta-binomial model with a uniform prior, so a
# scenario that can award more points in a skill weighs more, and little evidence gives a wide interval.

PRIOR_SUCCESSES, PRIOR_FAILURES = 1.0, 1.0  # Beta(1, 1): no opinion before any evidence
INTERVAL = 0.80  # the interval shown: the middle 80% of the posterior
Z_INTERVAL = 1.2816  # the normal quantile for an 80% interval, for group means
LOW_CONFIDENCE_WIDTH = 20  # points: a figure whose interval is wider than this says "low confidence"
FLOAT_SLACK = 1e-6  # points: an estimate this close below the target is at it (floating-point noise)


@dataclass(frozen=True)
class Estimate:
    """A proficiency estimate in points out of 100, with its 80% interval."""

    value: int
    low: int
    high: int

    @property
    def low_confidence(self) -> bool:
        return self.high - self.low > LOW_CONFIDENCE_WIDTH


def posterior(earned: float, available: float) -> tuple[float, float]:
    """Mean (0..1) and variance of the Beta posterior after ``earned`` of ``available`` points."""
    a, b = PRIOR_SUCCESSES + earned, PRIOR_FAILURES + available - earned
    mean = a / (a + b)
    return mean, mean * (1 - mean) / (a + b + 1)


def estimate(earned: float, available: float) -> Estimate | None:
    """The learner's estimate from points earned against points available (None without evidence)."""
    if available <= 0:
        return None
    a, b = PRIOR_SUCCESSES + earned, PRIOR_FAILURES + available - earned
    low, high = betaincinv(a, b, (1 - INTERVAL) / 2), betaincinv(a, b, (1 + INTERVAL) / 2)
    return Estimate(round(100 * posterior(earned, available)[0]), round(100 * low), round(100 * high))


def group_interval(mean: float, variance_sum: float, learners: int) -> tuple[int, int]:
    """The interval of a group's mean estimate (points): the learners' posterior variances added up,
    so it narrows as learners and evidence grow."""
    half = Z_INTERVAL * variance_sum**0.5 / learners
    return max(0, round(mean - half)), min(100, round(mean + half))


@dataclass(frozen=True)
class SkillLevel:
    skill_id: str
    proficiency: int | None  # the estimate; None: no evidence yet
    scenarios: int  # how many scenarios evidence it
    low: int | None = None  # the 80% interval
    high: int | None = None
    earned: float = 0.0  # points earned, against
    available: int = 0  # points available in those scenarios

    @property
    def low_confidence(self) -> bool:
        return self.low is not None and self.high - self.low > LOW_CONFIDENCE_WIDTH


def skill_profile(
    rows: Iterable[ScoreRow], skills: Iterable[str], best: dict[str, dict[str, int]]
) -> dict[str, SkillLevel]:
    """A learner's estimate per skill from their evidence: for each scenario the newest finished
    assessed attempt's score, worth the points the scenario can award in the skill (``best``:
    scenario id -> skill -> best total). Scenarios no longer offered carry no weight."""
    latest: dict[tuple[str, str], ScoreRow] = {}
    for row in rows:
        key = (row.skill_id, row.scenario_id)
        if key not in latest or row.attempt_id > latest[key].attempt_id:
            latest[key] = row
    profile = {}
    for skill in skills:
        weighted = [(r.score, best.get(sid, {}).get(skill, 0)) for (s, sid), r in latest.items() if s == skill]
        earned, available = sum(score * points / 100 for score, points in weighted), sum(p for _, p in weighted)
        found = estimate(earned, available)
        profile[skill] = SkillLevel(
            skill, found and found.value, len(weighted), found and found.low, found and found.high, earned, available
        )
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
    proficiency: float  # mean of the learners' estimates
    target: float  # mean target of those learners' roles
    attempts: int  # attempts whose scores make up the figure
    stale: int  # learners whose only evidence is older than the window
    variance: float = 0.0  # the learners' posterior variances added up (points squared)


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
    low: int | None = None  # the 80% interval of the mean estimate
    high: int | None = None

    @property
    def low_confidence(self) -> bool:
        return self.low is not None and self.high - self.low > LOW_CONFIDENCE_WIDTH


def gap_cell(row: CellRow, min_learners: int) -> GapCell:
    """A heatmap cell; below ``min_learners`` it shows 'not enough evidence' instead of numbers."""
    if row.learners < min_learners:
        return GapCell(row.group, row.skill_id, row.learners, row.attempts, row.stale, False, None, None, None, None)
    proficiency, target = round(row.proficiency), round(row.target)
    low, high = group_interval(row.proficiency, row.variance, row.learners)
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
        low,
        high,
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
                group,
                row.skill_id,
                row.learners,
                row.at_target,
                row.proficiency,
                row.target,
                row.attempts,
                row.stale,
                row.variance,
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
            so_far.variance + row.variance,
        )
    return list(merged.values())


def empty_cell(group: str, skill_id: str, stale: int = 0) -> GapCell:
    return GapCell(group, skill_id, 0, 0, stale, False, None, None, None, None)


def top_gaps(cells: list[GapCell], limit: int = 5) -> list[GapCell]:
    """The largest gaps with enough evidence, largest first."""
    shown = [c for c in cells if c.enough and c.gap is not None and c.gap > 0]
    return sorted(shown, key=lambda c: (-c.gap, c.group, c.skill_id))[:limit]


CRITICAL_TARGET = 75  # a skill is critical for a role when its target is at least this


def critical_skills(targets: dict[str, int]) -> set[str]:
    """A role's critical skills: targets of CRITICAL_TARGET or more, else its highest-target skills."""
    critical = {s for s, t in targets.items() if t >= CRITICAL_TARGET}
    return critical or {s for s, t in targets.items() if t == max(targets.values(), default=0)}


@dataclass(frozen=True)
class RoleCounts:
    """Per role: the counts every maturity indicator is built from."""

    role: str
    people: int  # learners in the role
    started: int  # started their role-specific track
    completed: int  # finished every lesson and scenario of their role track
    at_target: int  # fresh evidence at or above target in every critical skill of the role
    current: int  # finished an attempt within the currency window


@dataclass(frozen=True)
class OperatingCounts:
    """The AI-workflow registry's counts the operating-model indicators are built from."""

    production: int = 0  # production workflows
    production_ready: int = 0  # of those, ready (docs/workflows.md)
    reviews_on_time: int = 0  # of those, with a review that is not overdue
    pilots: int = 0
    pilots_in_time: int = 0  # pilots younger than the sprawl age


INDICATORS = {
    "coverage": "Share of learners who started their role-specific track",
    "completion": "Share of learners who finished their whole role track",
    "proficiency": "Share of learners at or above target in every critical skill of their role (fresh evidence only)",
    "role_specificity": "Share of roles where at least half the learners started the role-specific track",
    "currency": "Share of learners who finished a scenario this month or in the two months before",
}
# From the AI-workflow registry (docs/workflows.md): whether the people running production AI
# workflows are ready to run them, and whether the workflows are kept up.
OPERATING_INDICATORS = {
    "workflows_ready": "Share of production AI workflows that are ready, operators included (none registered: 0)",
    "reviews_on_time": "Share of production AI workflows whose review is not overdue (none registered: 0)",
    "pilots_decided": "Share of AI pilots younger than the pilot-sprawl age (no pilots: 100)",
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
            Criterion("workflows_ready", 60),
        ),
    ),
    5: (
        "Leading",
        (
            Criterion("coverage", 90),
            Criterion("completion", 75),
            Criterion("proficiency", 60, per_role=True),
            Criterion("currency", 75),
            Criterion("workflows_ready", 100),
            Criterion("reviews_on_time", 100),
            Criterion("pilots_decided", 100),
        ),
    ),
}


def indicator_values(counts: list[RoleCounts], operating: OperatingCounts | None = None) -> dict[str, int]:
    """Organisation-wide indicator values (percent) from per-role counts and the registry's counts."""
    operating = operating or OperatingCounts()
    people = sum(c.people for c in counts)
    roles = [c for c in counts if c.people]
    specific = sum(percent(c.started, c.people) >= SPECIFIC_ROLE_SHARE for c in roles)
    return {
        "coverage": percent(sum(c.started for c in counts), people),
        "completion": percent(sum(c.completed for c in counts), people),
        "proficiency": percent(sum(c.at_target for c in counts), people),
        "role_specificity": percent(specific, len(roles)),
        "currency": percent(sum(c.current for c in counts), people),
        "workflows_ready": percent(operating.production_ready, operating.production),
        "reviews_on_time": percent(operating.reviews_on_time, operating.production),
        "pilots_decided": percent(operating.pilots_in_time, operating.pilots) if operating.pilots else 100,
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


def maturity(counts: list[RoleCounts], operating: OperatingCounts | None = None) -> Maturity:
    """The highest level whose criteria (and every lower level's) hold, and what blocks the next.
    Without registry counts, no production workflow is registered: level 4 is out of reach."""
    values = indicator_values(counts, operating)
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
