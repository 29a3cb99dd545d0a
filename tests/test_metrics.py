"""A learner's skill profile from plain score rows."""

import re
from datetime import datetime

import pytest
from support.paths import ROOT

from literacy.content import load
from literacy.insights import metrics
from literacy.insights.metrics import ScoreRow, estimate, group_interval, percent, posterior, skill_profile


def test_profile_uses_latest_attempt_per_scenario_and_weights_scenarios_by_their_points():
    rows = [
        ScoreRow(1, "a", "data", 100, datetime(2026, 1, 1)),
        ScoreRow(2, "a", "data", 40, datetime(2026, 2, 1)),  # later attempt replaces the 100
        ScoreRow(3, "b", "data", 80, datetime(2026, 1, 5)),
        ScoreRow(3, "b", "ownership", 50, datetime(2026, 1, 5)),
    ]
    best = {"a": {"data": 3}, "b": {"data": 2, "ownership": 4}}
    profile = skill_profile(rows, ["data", "ownership", "audit"], best)
    # data: 40% of 3 points + 80% of 2 points = 2.8 of 5; (1 + 2.8) / (2 + 5) = 0.543
    assert (profile["data"].proficiency, profile["data"].scenarios, profile["data"].earned) == (54, 2, 2.8)
    # ownership: 2 of 4 points; (1 + 2) / (2 + 4) = 0.5
    assert (profile["ownership"].proficiency, profile["ownership"].available) == (50, 4)
    assert (profile["audit"].proficiency, profile["audit"].scenarios, profile["audit"].low) == (None, 0, None)


def test_estimates_match_closed_forms_of_the_beta_posterior():
    # 0 of 1 point: Beta(1, 2), CDF 1 - (1 - x)^2, so the 10% and 90% quantiles are 1 - sqrt(0.9), 1 - sqrt(0.1)
    assert estimate(0, 1) == estimate(0.0, 1) and (estimate(0, 1).value, estimate(0, 1).low, estimate(0, 1).high) == (
        33,
        5,
        68,
    )
    # 3 of 3 points: Beta(4, 1), CDF x^4, quantiles 0.1^(1/4) = 0.562 and 0.9^(1/4) = 0.974; mean 4/5
    full = estimate(3, 3)
    assert (full.value, full.low, full.high, full.low_confidence) == (80, 56, 97, True)
    assert estimate(0, 0) is None
    assert posterior(3, 3) == (0.8, pytest.approx(0.8 * 0.2 / 6))


def test_more_evidence_narrows_the_interval_until_it_is_no_longer_low_confidence():
    thin, thick = estimate(6, 8), estimate(60, 80)  # 75% of the points either way
    assert (thin.value, thick.value) == (70, 74)  # (1 + 6) / (2 + 8); (1 + 60) / (2 + 80): the prior fades
    assert thin.low_confidence and not thick.low_confidence
    assert (thick.high - thick.low) < (thin.high - thin.low)


def test_a_group_interval_adds_the_learners_variances():
    # two learners at 50 points, each with a variance of 100 points squared: 1.2816 x sqrt(200) / 2 = 9.06
    assert group_interval(50.0, 200.0, 2) == (41, 59)


def test_percent_is_bounded():
    assert (percent(0, 0), percent(1, 3), percent(5, 3)) == (0, 33, 100)


SHORT_NAMES = {  # how docs/metrics.md names the skills in prose
    "workflow ownership": "workflow-ownership",
    "data readiness": "data-readiness",
    "decision rights": "decision-rights",
    "measurement traceability": "measurement-traceability",
    "audit and QA": "audit-qa",
    "experiments versus production": "experiment-vs-production",
    "independence from partners": "partner-independence",
}


def test_the_critical_skills_table_in_docs_metrics_matches_the_taxonomy():
    catalogue = load(ROOT)
    text = (ROOT / "docs/metrics.md").read_text(encoding="utf-8")
    table = text.split("| role | critical skills |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| ([^|-][^|]*) \| ([^|]+) \|$", table, re.M)
    documented = {role: {SHORT_NAMES[s] for s in skills.split(", ")} for role, skills in rows}
    assert documented == {r.name: metrics.critical_skills(r.targets) for r in catalogue.roles.values()}
