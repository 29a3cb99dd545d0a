"""Metric definitions on small hand-made data with known answers (docs/metrics.md)."""

from __future__ import annotations

from datetime import datetime

import pytest
from support import make

from literacy.insights import metrics, rollups
from literacy.insights import overview as insights
from literacy.insights import readmodels as readmodel
from literacy.insights.metrics import RoleCounts
from literacy.insights.rollups import Scope, Windows

NOW = datetime(2026, 11, 24, 12, 0)


@pytest.fixture
def org(app):
    """Seven ops learners in one team; see the module docstring of each test for who did what."""
    with make.saved(app):
        org = make.organization("Hand", "hand")
        team = make.team(org, "T1")
        ids = [
            make.user(f"p{i}@hand.example", org=org, name=f"P{i}", password=None, teams=[team]).id for i in range(1, 8)
        ]
        p1, p2, p3, p4, p5, p6, _ = ids
        make.attempt(p1, at=datetime(2026, 11, 1), scores={"ownership": 80, "data": 50})
        make.attempt(p2, at=datetime(2026, 10, 1), scores={"ownership": 60, "data": 70})
        make.attempt(p3, at=datetime(2026, 9, 1), scores={"ownership": 100, "data": 100})
        make.attempt(p3, at=datetime(2026, 11, 10), scores={"ownership": 40, "data": 40})  # the latest attempt counts
        make.attempt(p4, at=datetime(2026, 8, 1), scores={"ownership": 75, "data": 60})
        make.attempt(p5, at=datetime(2025, 6, 1), scores={"ownership": 90, "data": 90})  # older than 365 days: stale
        make.lesson_completed(p6, "first", at=datetime(2026, 11, 5))
        for lesson in ("first", "second"):
            make.lesson_completed(p1, lesson, at=datetime(2026, 11, 2))
        readmodel.rebuild(app.extensions["catalogue"])
        return {"org": org.id, "team": team.id, "ids": ids}


def test_gap_cells_with_enough_evidence(app, org):
    with app.app_context():
        heat = insights.heatmap(Scope(org["org"]), app.extensions["catalogue"], Windows(NOW), "role", min_learners=3)
    own, data = heat.cells[("ops", "ownership")], heat.cells[("ops", "data")]
    # ops-send can award 3 ownership points: p1..p4's estimates (1 + 3 x score/100) / (2 + 3) are 68, 56,
    # 44 and 65 (mean 58.25, none at the target of 70). Posterior variances m(1 - m) / 6 x 10,000 add up to
    # 1,563.2; the mean's 80% interval is 58.25 -/+ 1.2816 x sqrt(1,563.2) / 4 = 58.25 -/+ 12.67.
    assert (own.learners, own.attempts, own.stale, own.proficiency, own.target, own.gap, own.at_target_share) == (
        4,
        4,
        1,
        58,
        70,
        12,
        0,
    )
    assert (own.low, own.high, own.low_confidence) == (46, 71, True)
    # 2 data points: estimates (1 + 2 x score/100) / 4 are 50, 60, 45, 55 (mean 52.5; p2 at the target of 60);
    # variances m(1 - m) / 5 add up to 1,970, so 52.5 -/+ 1.2816 x sqrt(1,970) / 4 = 52.5 -/+ 14.22
    assert (data.learners, data.proficiency, data.target, data.gap, data.at_target_share) == (4, 52, 60, 8, 25)
    assert (data.low, data.high) == (38, 67)


def test_not_enough_evidence_below_the_minimum(app, org):
    with app.app_context():
        heat = insights.heatmap(Scope(org["org"]), app.extensions["catalogue"], Windows(NOW), "team", min_learners=5)
    cell = heat.cells[(str(org["team"]), "ownership")]
    assert (cell.enough, cell.learners, cell.stale, cell.proficiency, cell.gap) == (False, 4, 1, None, None)


def test_stale_window_is_configurable(app, org):
    with app.app_context():
        heat = insights.heatmap(
            Scope(org["org"]), app.extensions["catalogue"], Windows(NOW, evidence_days=800), "organisation", 5
        )
    cell = heat.cells[("organisation", "ownership")]
    assert (cell.enough, cell.learners, cell.stale, cell.proficiency) == (True, 5, 0, 61)  # (68+56+44+65+74)/5


def test_maturity_counts_and_level(app, org):
    with app.app_context():
        counts = rollups.role_counts(Scope(org["org"]), app.extensions["catalogue"], Windows(NOW))
    # ownership is the role's critical skill (its highest target, 70); no estimate reaches it (see above)
    assert counts == [RoleCounts("ops", people=7, started=6, completed=1, at_target=0, current=3)]
    level = metrics.maturity(counts)
    assert level.values == {
        "coverage": 86,
        "completion": 14,
        "proficiency": 0,
        "role_specificity": 100,
        "currency": 43,
        "workflows_ready": 0,  # no AI workflow registered
        "reviews_on_time": 0,
        "pilots_decided": 100,  # no pilot to decide
    }
    assert (level.level, level.name, level.next_level) == (2, "Emerging", 3)
    assert level.blocking == [metrics.Shortfall("completion", "organisation", 14, 25)]


def test_trend_is_computed_from_history(app, org):
    with app.app_context():
        data = insights.overview(Scope(org["org"]), app.extensions["catalogue"], NOW, min_learners=3)
    by_month = {row["month"]: row for row in data.trend}
    assert [by_month[m]["coverage"] for m in ("2025-12", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11")] == [
        14,
        14,
        29,
        43,
        57,
        86,
    ]
    assert by_month["2026-11"]["completion"] == 14 and by_month["2026-10"]["completion"] == 0
    assert by_month["2026-11"]["proficiency"] == 50  # p1 met the ownership target in November, p3 did not
    assert by_month["2026-05"]["proficiency"] is None  # nobody practised that month
    assert by_month["2026-11"]["currency"] == 43 and by_month["2026-08"]["currency"] == 14


def test_team_scope_narrows_the_population(app, org):
    with app.app_context():
        assert rollups.role_counts(Scope(org["org"], ()), app.extensions["catalogue"], Windows(NOW)) == []
        counts = rollups.role_counts(Scope(org["org"], (org["team"],)), app.extensions["catalogue"], Windows(NOW))
    assert counts[0].people == 7


ALL_READY = metrics.OperatingCounts(production=4, production_ready=4, reviews_on_time=4, pilots=1, pilots_in_time=1)


def test_level_criteria_per_role_name_the_role():
    counts = [RoleCounts("paid-media", 10, 10, 9, 4, 9), RoleCounts("pr", 10, 10, 9, 9, 9)]
    level = metrics.maturity(counts, ALL_READY)
    assert level.level == 4 and level.next_level == 5
    assert level.blocking == [metrics.Shortfall("proficiency", "paid-media", 40, 60)]


@pytest.mark.parametrize(
    "counts,expected",
    [
        ([], 1),
        ([RoleCounts("a", 10, 2, 0, 0, 0)], 1),
        ([RoleCounts("a", 10, 3, 0, 0, 0)], 2),
        ([RoleCounts("a", 10, 5, 3, 0, 0)], 3),
        ([RoleCounts("a", 10, 8, 5, 4, 5)], 4),
        ([RoleCounts("a", 10, 9, 8, 6, 8)], 5),
        ([RoleCounts("a", 10, 9, 8, 6, 8), RoleCounts("b", 10, 0, 0, 0, 0)], 2),
    ],
)
def test_levels(counts, expected):
    assert metrics.maturity(counts, ALL_READY).level == expected


def test_levels_four_and_five_need_the_people_running_production_ai_workflows_ready():
    people = [RoleCounts("a", 10, 9, 8, 6, 8)]  # every people criterion of level 5 holds
    assert metrics.maturity(people).level == 3  # no production workflow registered
    assert metrics.maturity(people).blocking == [metrics.Shortfall("workflows_ready", "organisation", 0, 60)]
    most = metrics.OperatingCounts(production=5, production_ready=3, reviews_on_time=5)
    level = metrics.maturity(people, most)
    assert level.level == 4 and level.blocking == [metrics.Shortfall("workflows_ready", "organisation", 60, 100)]
    late = metrics.OperatingCounts(production=5, production_ready=5, reviews_on_time=4, pilots=4, pilots_in_time=3)
    assert metrics.maturity(people, late).blocking == [
        metrics.Shortfall("reviews_on_time", "organisation", 80, 100),
        metrics.Shortfall("pilots_decided", "organisation", 75, 100),
    ]
    assert metrics.maturity(people, ALL_READY).level == 5


def test_top_gaps_skip_cells_without_enough_evidence():
    rows = [
        metrics.CellRow("a", "x", 6, 1, 50, 80, 6, 0),
        metrics.CellRow("b", "x", 4, 0, 10, 80, 4, 0),
        metrics.CellRow("c", "x", 6, 6, 90, 80, 6, 0),
    ]
    gaps = metrics.top_gaps([metrics.gap_cell(r, 5) for r in rows])
    assert [(g.group, g.gap) for g in gaps] == [("a", 30)]
