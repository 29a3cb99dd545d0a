"""Per-group totals the leader's overview reads, and each learner's share of them. Pure.

A learner's :class:`Snapshot` is what they currently add to the organisation's totals: their role,
teams and access, and their figures per skill and per month as of the moment it was computed.
:func:`contribution` turns a snapshot into additive rows, keyed by the group they count in;
``insights.totals`` stores the sums of those rows, and when a learner's history or grouping changes
it applies ``contribution(new) - contribution(old)`` (:func:`difference`), so the cost of an event
does not depend on how many other people the organisation has. Rebuilding from scratch adds up
the same contributions, so the two can only disagree through a change that bypassed the path.

Definitions of every figure: docs/metrics.md. The rows mirror ``insights.rollups``'s live queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from literacy.insights import metrics

# A skill cell's additive values: learners counted (fresh evidence), at target, the sum of their
# estimates, the sum of their targets, attempts behind the estimates, learners with any evidence
# (fresh or stale), and the sum of the estimates' posterior variances.
CELL = ("learners", "at_target", "prof_sum", "target_sum", "attempts", "everyone", "var_sum")
# Per role and month: learners who started / finished their track that month, learners with a
# critical-skill verdict that month and how many met target, and learners current at the month's end.
MONTH = ("started", "completed", "evidence", "met", "current")
# Per role: learners, and learners at target in every critical skill on fresh evidence.
ROLE = ("people", "at_target")
# Per certification status and newest policy acknowledged: active people (any access), external ones.
COMPLIANCE = ("people", "external")


@dataclass(frozen=True)
class SkillFigure:
    """One learner's standing in one skill of their role (from the evidence read model)."""

    earned: float  # fresh points earned
    available: int  # fresh points available
    attempts: int  # fresh scores; 0 when all the evidence is stale
    target: int

    @property
    def counted(self) -> bool:
        return self.attempts > 0

    @property
    def proficiency(self) -> float:
        return 100.0 * self._mean

    @property
    def variance(self) -> float:
        trials = metrics.PRIOR_SUCCESSES + metrics.PRIOR_FAILURES + self.available
        return 10000.0 * self._mean * (1.0 - self._mean) / (trials + 1.0)

    @property
    def at_target(self) -> bool:
        return self.counted and self.proficiency >= self.target - metrics.FLOAT_SLACK

    @property
    def _mean(self) -> float:
        trials = metrics.PRIOR_SUCCESSES + metrics.PRIOR_FAILURES + self.available
        return (metrics.PRIOR_SUCCESSES + self.earned) / trials


@dataclass(frozen=True)
class Snapshot:
    """What one person adds to their organisation's totals, as computed at one moment."""

    org_id: int
    role: str
    learner: bool  # only learners count in the overview (leaders and admins do not)
    teams: tuple[int, ...] = ()
    skills: dict[str, SkillFigure] = field(default_factory=dict)  # the role's skills with any evidence
    critical: tuple[str, ...] = ()  # the role's critical skills
    started: str | None = None  # YYYY-MM the track was started
    completed: str | None = None  # YYYY-MM the track was finished
    months: dict[str, bool | None] = field(default_factory=dict)  # months with a finished attempt: met?
    currency_months: int = 3
    standing: Standing | None = None  # certification and policy; None for a deactivated account
    evidence_expires: datetime | None = None  # the oldest fresh evidence turns stale

    @property
    def expires_at(self) -> datetime | None:
        """When this snapshot next changes with time alone (evidence turns stale, a certification expires)."""
        return earliest(self.evidence_expires, self.standing.changes_at if self.standing else None)

    @property
    def at_target(self) -> bool:
        """At target in every critical skill of the role, on fresh evidence."""
        return bool(self.critical) and all(s in self.skills and self.skills[s].at_target for s in self.critical)

    def current_months(self) -> set[str]:
        """The months at whose end this learner counts as current: each month with a finished
        attempt and the ``currency_months - 1`` after it."""
        found = set()
        for month in self.months:
            year, number = int(month[:4]), int(month[5:])
            for _ in range(self.currency_months):
                found.add(f"{year:04d}-{number:02d}")
                year, number = (year, number + 1) if number < 12 else (year + 1, 1)
        return found


@dataclass(frozen=True)
class Standing:
    """An active person's certification status in their role and the newest AI-use policy they
    acknowledged (its id; 0 for none), counted for everyone with an account, whatever their access."""

    status: str = "not-certified"
    policy_id: int = 0
    external: bool = False
    changes_at: datetime | None = None  # a valid certification's expiry: the status changes then


Key = tuple  # (table, group columns ...)


def contribution(snapshot: Snapshot | None) -> dict[Key, tuple[float, ...]]:
    """The additive rows this snapshot puts into the totals, by key:
    ("skill", dimension, group, skill) -> CELL values; ("month", role, month) -> MONTH values;
    ("role", role) -> ROLE values; ("compliance", status, policy_id) -> COMPLIANCE values."""
    if snapshot is None:
        return {}
    rows: dict[Key, tuple[float, ...]] = {}
    if snapshot.standing is not None:
        standing = snapshot.standing
        rows[("compliance", standing.status, standing.policy_id)] = (1, int(standing.external))
    if not snapshot.learner:
        return rows
    role = snapshot.role
    for skill, figure in snapshot.skills.items():
        cell = (
            (1, int(figure.at_target), figure.proficiency, figure.target, figure.attempts, 1, figure.variance)
            if figure.counted
            else (0, 0, 0.0, 0, 0, 1, 0.0)
        )
        rows[("skill", "role", role, skill)] = cell
        for team in snapshot.teams:
            rows[("skill", "team", str(team), skill)] = cell
    months: dict[str, list[int]] = {}

    def bump(month: str, index: int, by: int = 1) -> None:
        months.setdefault(month, [0] * len(MONTH))[index] += by

    if snapshot.started:
        bump(snapshot.started, 0)
    if snapshot.completed:
        bump(snapshot.completed, 1)
    for month, met in snapshot.months.items():
        if met is not None:
            bump(month, 2)
            bump(month, 3, int(met))
    for month in snapshot.current_months():
        bump(month, 4)
    for month, values in months.items():
        rows[("month", role, month)] = tuple(values)
    rows[("role", role)] = (1, int(snapshot.at_target))
    return rows


def difference(old: dict[Key, tuple], new: dict[Key, tuple]) -> dict[Key, tuple]:
    """new - old, key by key, leaving out keys that did not change."""
    changed = {}
    for key in old.keys() | new.keys():
        before, after = old.get(key), new.get(key)
        width = len(after if after is not None else before)
        before, after = before or (0,) * width, after or (0,) * width
        delta = tuple(a - b for a, b in zip(after, before, strict=True))
        if any(delta):
            changed[key] = delta
    return changed


def total(contributions) -> dict[Key, tuple]:
    """The sums of many contributions, key by key (a rebuild)."""
    sums: dict[Key, list] = {}
    for rows in contributions:
        for key, values in rows.items():
            so_far = sums.get(key)
            if so_far is None:
                sums[key] = list(values)
            else:
                for i, value in enumerate(values):
                    so_far[i] += value
    return {key: tuple(values) for key, values in sums.items()}


def evidence_expires(oldest_fresh: datetime | None, evidence_days: int) -> datetime | None:
    """When the oldest fresh evidence becomes stale, changing the snapshot with no new event."""
    return oldest_fresh + timedelta(days=evidence_days) if oldest_fresh is not None else None


def earliest(*moments: datetime | None) -> datetime | None:
    """The first of the moments that are set: when a snapshot next changes with time alone."""
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def month_key(moment: datetime | date | None) -> str | None:
    return f"{moment.year:04d}-{moment.month:02d}" if moment is not None else None


def cell_row(group: str, skill: str, values: tuple) -> metrics.CellRow:
    """The overview's cell from summed CELL values (the means the live query's AVG gives)."""
    learners, at, prof_sum, target_sum, attempts, everyone, var_sum = values
    learners = round(learners)
    return metrics.CellRow(
        group,
        skill,
        learners,
        round(at),
        prof_sum / learners if learners else 0.0,
        target_sum / learners if learners else 0.0,
        round(attempts),
        round(everyone) - learners,
        var_sum if learners else 0.0,
    )
