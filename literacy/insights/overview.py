"""The leader's overview: rollup queries in, metric definitions applied. No Flask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from literacy.content.types import Catalogue
from literacy.insights import metrics, rollups
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


def heatmap(
    scope: Scope,
    catalogue: Catalogue,
    windows: Windows,
    dimension: str,
    min_learners: int,
    role_rows: list[metrics.CellRow] | None = None,
) -> Heatmap:
    """Cells for one dimension; the organisation's come from the role rows (pass them to reuse them)."""
    if dimension == "organisation":
        rows = metrics.combine(
            role_rows if role_rows is not None else rollups.cells(scope, catalogue, windows, "role"), "organisation"
        )
    elif dimension == "role" and role_rows is not None:
        rows = role_rows
    else:
        rows = rollups.cells(scope, catalogue, windows, dimension)
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
    counts = rollups.role_counts(scope, catalogue, windows)
    role_rows = rollups.cells(scope, catalogue, windows, "role")
    maps = {d: heatmap(scope, catalogue, windows, d, min_learners, role_rows) for d in DIMENSIONS}
    month_list = rollups.months_back(now.date(), months)
    people = {c.role: c.people for c in counts}
    trend = (
        metrics.trend_series(month_list, people, rollups.trend_rows(scope, catalogue, windows, month_list))
        if people
        else []
    )
    gaps = metrics.top_gaps(list(maps["role"].cells.values()))
    operating = operating or metrics.OperatingCounts()
    return Overview(metrics.maturity(counts, operating), counts, maps, gaps, trend, min_learners, windows, operating)


def team_comparison(team_map: Heatmap) -> list[tuple[str, int | None, int]]:
    """Per team: share of learner-skill pairs at or above target (cells with enough evidence only)."""
    rows = []
    for key, label in team_map.groups:
        shown = [c for (group, _), c in team_map.cells.items() if group == key and c.enough]
        learners = sum(c.learners for c in shown)
        at_target = sum(round(c.at_target_share * c.learners / 100) for c in shown)
        rows.append((label, metrics.percent(at_target, learners) if learners else None, len(shown)))
    return rows
