"""Operator and workflow readiness (docs/workflows.md) on hand-made values: each rule firing and not."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from literacy.workflows import readiness
from literacy.workflows.readiness import Facts, SkillEvidence, Source

NOW = datetime(2026, 12, 1, 12, 0)
TODAY = NOW.date()
FRESH_SINCE = NOW - timedelta(days=365)
TARGETS = {"data-readiness": 80, "audit-qa": 75}


def evidence(earned: float, available: float, days_ago: int = 10) -> SkillEvidence:
    fresh = days_ago <= 365
    return SkillEvidence(
        earned if fresh else 0, available if fresh else 0, 1 if fresh else 0, NOW - timedelta(days_ago)
    )


def operator(skills: dict, scenarios: dict | None = None, required_scenarios=()):
    return readiness.operator_readiness(
        7, TARGETS, ["data-readiness", "audit-qa"], required_scenarios, skills, scenarios or {}, FRESH_SINCE
    )


def test_an_operator_at_target_on_firm_fresh_evidence_is_ready():
    # 28 of 30 points: Beta(29, 3), mean 29/32 = 90.6, 80% interval about 84 to 96 (narrower than 20)
    result = operator({"data-readiness": evidence(28, 30), "audit-qa": evidence(28, 30)})
    assert result.status == "ready" and result.ready
    check = result.checks[0]
    assert check.estimate.value == 91 and check.estimate.high - check.estimate.low <= 20
    assert check.reason == f"91 points ({check.estimate.low} to {check.estimate.high}) against a target of 80"


def test_an_estimate_below_target_is_below_target_however_thin():
    # 2 of 4 points: Beta(3, 3), mean 50, below both targets
    result = operator({"data-readiness": evidence(2, 4), "audit-qa": evidence(28, 30)})
    assert result.status == "below-target"
    assert [c.status for c in result.checks] == ["below-target", "ready"]
    assert result.checks[0].reason.startswith("50 points (") and result.checks[0].reason.endswith("target of 80")


def test_at_target_on_thin_evidence_is_not_yet_shown():
    # 3 of 3 points: Beta(4, 1), mean 80, interval 56 to 97: at the target of 80, too wide to rely on
    result = operator({"data-readiness": evidence(3, 3), "audit-qa": evidence(28, 30)})
    assert result.status == "not-assessed"
    assert "too wide to rely on" in result.checks[0].reason and result.checks[0].estimate.value == 80


def test_evidence_older_than_the_window_is_stale_and_none_is_not_assessed():
    result = operator({"data-readiness": evidence(28, 30, days_ago=400)})
    assert [c.status for c in result.checks] == ["stale", "not-assessed"]
    assert result.checks[0].reason == f"last assessed {(NOW - timedelta(400)).date().isoformat()}, older than 365 days"
    assert result.status == "stale"  # stale is worse than not assessed: the evidence exists but has expired


def test_the_worst_check_decides_and_required_scenarios_count():
    firm = {"data-readiness": evidence(28, 30), "audit-qa": evidence(28, 30)}
    assert operator(firm, {"s1": NOW - timedelta(5)}, ["s1"]).status == "ready"
    assert operator(firm, {}, ["s1"]).status == "not-assessed"
    assert operator(firm, {"s1": NOW - timedelta(500)}, ["s1"]).status == "stale"
    below = {**firm, "audit-qa": evidence(1, 4)}
    assert operator(below, {"s1": NOW - timedelta(500)}, ["s1"]).status == "below-target"


ALL = frozenset(readiness.REQUIRED_FIELDS)


def facts(**changes) -> Facts:
    values = {
        "stage": "production",
        "stage_since": date(2026, 3, 1),
        "filled": ALL,
        "owner_active": True,
        "sources": (Source("CRM suppression list", "ready", TODAY - timedelta(10)),),
        "review_days": 90,
        "reviewed_on": TODAY - timedelta(30),
    }
    values.update(changes)
    return Facts(**values)


def ready_operator(user_id=1):
    return readiness.OperatorReadiness(user_id, "ready", ())


def test_a_complete_production_workflow_with_ready_operators_has_no_blockers():
    found = readiness.blockers(facts(), [ready_operator(1), ready_operator(2)], TODAY, {})
    assert found == []
    assert readiness.Assessed(facts(), (ready_operator(),), ()).ready


def test_every_missing_field_and_a_deactivated_owner_block():
    found = readiness.blockers(facts(filled=ALL - {"purpose", "fault_stop"}, owner_active=False), [], TODAY, {})
    assert [b.text for b in found] == [
        "Purpose is missing",
        "How it is stopped is missing",
        "The owner's account is deactivated: name a new owner",
    ]
    assert {b.anchor for b in found} == {"fields"}


def test_sources_must_be_fit_and_checked_within_the_review_cadence():
    sources = (
        Source("Consent table", "not-ready", TODAY - timedelta(5)),
        Source("Enrichment feed", "gaps", None),
        Source("Order history", "ready", TODAY - timedelta(91)),
        Source("Web events", "gaps", TODAY - timedelta(90)),  # exactly at the cadence: still in time
    )
    found = readiness.blockers(facts(sources=sources), [], TODAY, {})
    assert [b.text for b in found] == [
        "Data source Consent table is rated not ready",
        "Data source Enrichment feed has never been checked",
        f"Data source Order history was last checked {(TODAY - timedelta(91)).isoformat()}, outside the review cadence",
    ]


def test_an_overdue_review_and_unready_operators_block_with_their_names():
    operators = [ready_operator(1), readiness.OperatorReadiness(2, "stale", ())]
    found = readiness.blockers(facts(reviewed_on=TODAY - timedelta(91)), operators, TODAY, {2: "Priya Shah"})
    assert [(b.kind, b.text, b.anchor) for b in found] == [
        ("review", f"The review was due {(TODAY - timedelta(1)).isoformat()}", "reviews"),
        ("operator", "Priya Shah: stale evidence", "operator-2"),
    ]


def test_pilots_past_the_age_limit_are_sprawl():
    limit = readiness.PILOT_SPRAWL_DAYS
    assert readiness.is_sprawl(facts(stage="pilot", stage_since=TODAY - timedelta(limit + 1)), TODAY)
    assert not readiness.is_sprawl(facts(stage="pilot", stage_since=TODAY - timedelta(limit)), TODAY)
    assert not readiness.is_sprawl(facts(stage="experiment", stage_since=TODAY - timedelta(400)), TODAY)


def test_organisation_figures_count_people_once_across_workflows():
    a = readiness.OperatorReadiness(1, "ready", ())
    b_ready, b_stale = readiness.OperatorReadiness(2, "ready", ()), readiness.OperatorReadiness(2, "stale", ())
    workflows = [
        readiness.Assessed(facts(), (a, b_ready), ()),
        readiness.Assessed(facts(), (b_stale,), (readiness.Blocker("operator", "x", "operator-2"),)),
        readiness.Assessed(facts(stage="pilot", stage_since=TODAY - timedelta(200)), (), ()),
        readiness.Assessed(facts(stage="experiment", filled=ALL - {"owner"}), (), ()),
        readiness.Assessed(facts(stage="retired", filled=ALL - {"owner"}), (), ()),
    ]
    figures = readiness.figures(workflows, TODAY)
    assert (figures.production, figures.production_ready) == (2, 1)
    assert (figures.operators, figures.operators_ready) == (2, 1)  # person 2 is stale for one of theirs
    assert (figures.without_owner, figures.sprawl) == (1, 1)  # retired workflows need no owner
    assert figures.production_ready_share == 50 and figures.operators_ready_share == 50


def test_a_workflow_naming_no_skill_asks_for_the_operators_critical_skills():
    targets = {"data-readiness": 80, "audit-qa": 75, "workflow-ownership": 60}
    result = readiness.operator_readiness(7, targets, [], [], {}, {}, FRESH_SINCE)
    assert [c.requirement for c in result.checks] == ["audit-qa", "data-readiness"]  # targets of 75 or more
    assert result.status == "not-assessed"  # nobody is ready by default
