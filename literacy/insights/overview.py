"""The leader's overview: kept totals or rollup queries in, metric definitions applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from literacy.content.types import Catalogue
from literacy.evidence import policy
from literacy.evidence import queries as evidence_queries
from literacy.insights import metrics, rollups, totals
from literacy.insights.rollups import Scope, Windows

DIMENSIONS = ("role", "team", "organisation")


@dataclass
class Heatmap:
    dimension: str
    groups: list[tuple[str, str]]  # (key, label)
    skills: list[str]
    cells: dict[tuple[str, str], metrics.GapCell]


@dataclass
class Overview:
    maturity: metrics.Maturity
    counts: list[metrics.RoleCounts]
    heatmaps: dict[str, Heatmap]
    top_gaps: list[metrics.GapCell]
    trend: list[dict]
    min_learners: int
    windows: Windows
    operating: metrics.OperatingCounts
    compliance: evidence_queries.Compliance | None = None  # certification and policy standing in scope


class Figures:
    """Where the overview's rows come from: the organisation's kept totals (``insights.totals``),
    which cost the same at any size, or the live queries (``insights.rollups``) for a set of teams,
    or while the totals wait for a rebuild after a content or settings change. Both give the same
    figures (tests/test_totals.py)."""

    def __init__(self, scope: Scope, catalogue: Catalogue, windows: Windows):
        self.scope, self.catalogue, self.windows = scope, catalogue, windows
        self.kept = scope.team_ids is None and totals.usable(
            catalogue, scope.org_id, windows.now, windows.evidence_days, windows.currency_months
        )
        if self.kept:
            totals.sweep(catalogue, scope.org_id, windows.now)  # evidence that turned stale since

    def cells(self, dimension: str) -> list[metrics.CellRow]:
        if self.kept:
            return totals.cells(self.scope.org_id, dimension)
        return rollups.cells(self.scope, self.catalogue, self.windows, dimension)

    def role_counts(self) -> list[metrics.RoleCounts]:
        if self.kept:
            return totals.role_counts(
                self.catalogue, self.scope.org_id, rollups.months_back(self.windows.now.date(), 1)[0]
            )
        return rollups.role_counts(self.scope, self.catalogue, self.windows)

    def compliance(self) -> evidence_queries.Compliance:
        """Certification and AI-use policy standing of the active people in scope (no names)."""
        if not self.kept:
            return evidence_queries.compliance(self.scope.org_id, self.scope.team_ids, as_of=self.windows.now)
        current = policy.current(self.scope.org_id)
        people, external, statuses, signed = totals.compliance(self.scope.org_id, current.id if current else None)
        return evidence_queries.Compliance(people, external, statuses, current.version if current else None, signed)

    def trend_rows(self, months: list[str]) -> dict[str, dict]:
        if self.kept:
            return totals.trend_rows(self.scope.org_id, months)
        return rollups.trend_rows(self.scope, self.catalogue, self.windows, months)


def heatmap(
    scope: Scope,
    catalogue: Catalogue,
    windows: Windows,
    dimension: str,
    min_learners: int,
    role_rows: list[metrics.CellRow] | None = None,
    figures: Figures | None = None,
) -> Heatmap:
    """Cells for one dimension; the organisation's come from the role rows (pass them to reuse them)."""
    figures = figures or Figures(scope, catalogue, windows)
    if dimension == "organisation":
        rows = metrics.combine(role_rows if role_rows is not None else figures.cells("role"), "organisation")
    elif dimension == "role" and role_rows is not None:
        rows = role_rows
    else:
        rows = figures.cells(dimension)
    if dimension == "role":
        groups = [(r.id, r.name) for r in catalogue.roles.values()]
    elif dimension == "team":
        groups = [(str(t.id), t.name) for t in scope.teams()]
    else:
        groups = [("organisation", "Organisation")]
    found = {(r.group, r.skill_id): metrics.gap_cell(r, min_learners) for r in rows}
    cells = {(g, s): found.get((g, s)) or metrics.empty_cell(g, s) for g, _ in groups for s in catalogue.skills}
    return Heatmap(dimension, groups, list(catalogue.skills), cells)


def overview(
    scope: Scope,
    catalogue: Catalogue,
    now: datetime,
    *,
    min_learners: int = 5,
    evidence_days: int = 365,
    currency_months: int = 3,
    months: int = 12,
    operating: metrics.OperatingCounts | None = None,
) -> Overview:
    """Everything the leader's page shows; ``operating``: the AI-workflow registry's counts."""
    windows = Windows(now, evidence_days, currency_months)
    figures = Figures(scope, catalogue, windows)
    counts = figures.role_counts()
    role_rows = figures.cells("role")
    maps = {d: heatmap(scope, catalogue, windows, d, min_learners, role_rows, figures) for d in DIMENSIONS}
    month_list = rollups.months_back(now.date(), months)
    people = {c.role: c.people for c in counts}
    trend = metrics.trend_series(month_list, people, figures.trend_rows(month_list)) if people else []
    gaps = metrics.top_gaps(list(maps["role"].cells.values()))
    operating = operating or metrics.OperatingCounts()
    maturity = metrics.maturity(counts, operating)
    return Overview(maturity, counts, maps, gaps, trend, min_learners, windows, operating, figures.compliance())


def team_comparison(team_map: Heatmap) -> list[tuple[str, int | None, int]]:
    """Per team: share of learner-skill pairs at or above target (cells with enough evidence only)."""
    rows = []
    for key, label in team_map.groups:
        shown = [c for (group, _), c in team_map.cells.items() if group == key and c.enough]
        learners = sum(c.learners for c in shown)
        at_target = sum(round(c.at_target_share * c.learners / 100) for c in shown)
        rows.append((label, metrics.percent(at_target, learners) if learners else None, len(shown)))
    return rows
