"""Operator and workflow readiness, pure: the rules of docs/workflows.md on plain values.

An operator is ready for a workflow when their assessed evidence shows every skill the workflow
requires at their role's target, on fresh evidence that is not too thin to tell, and they have
finished each scenario the workflow requires recently. A production workflow is ready when nothing
blocks it: an owner, every field an auditor would ask for, data sources checked within the review
cadence, a review that is not overdue, and every operator ready. Each blocker says what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from literacy.insights import metrics

STAGES = {
    "experiment": "Experiment",
    "pilot": "Pilot",
    "production": "Production",
    "retired": "Retired",
}
SOURCE_RATINGS = {
    "ready": "Ready",
    "gaps": "Usable with known gaps",
    "not-ready": "Not ready",
}
OPERATOR_STATUSES = {
    "deactivated": "Account deactivated",
    "lapsed": "Certification lapsed",
    "ready": "Ready",
    "below-target": "Below target",
    "stale": "Stale evidence",
    "not-assessed": "Not assessed",
}
# Worst first: an operator's status is the worst of their checks.
SEVERITY = ("deactivated", "lapsed", "below-target", "stale", "not-assessed", "ready")
PILOT_SPRAWL_DAYS = 120  # a pilot older than this without a decision is sprawl (docs/workflows.md)
EVIDENCE_DAYS = 365  # the evidence window of docs/metrics.md (EVIDENCE_WINDOW_DAYS): older evidence is stale

# What a production workflow must state, in the order the page asks for it.
REQUIRED_FIELDS = {
    "purpose": "Purpose",
    "owner": "Owner",
    "team": "Team",
    "tools": "AI tools or vendors",
    "sources": "Input data sources",
    "ai_may": "What the AI may do alone",
    "needs_approval": "What needs a human approval",
    "approver": "Who approves",
    "outcome_measure": "Outcome measure",
    "tracing": "How a result is traced to its cause",
    "fault_noticed": "How a fault is noticed",
    "fault_contact": "Who is called",
    "fault_stop": "How it is stopped",
    "review_days": "Review cadence",
    "reviewed_on": "Last review",
    "roles": "Roles that operate it",
    "operators": "Named operators",
    "required_skills": "Skills an operator must hold",
}


@dataclass(frozen=True)
class SkillEvidence:
    """A person's assessed evidence in one skill: points over fresh evidence, and the newest date."""

    earned: float
    available: float
    fresh_attempts: int
    last_at: datetime | None


@dataclass(frozen=True)
class Check:
    """One requirement for one operator: a skill or a scenario, its status and the reason in words."""

    requirement: str  # a skill id or a scenario id
    kind: str  # "skill" or "scenario"
    status: str
    reason: str
    estimate: metrics.Estimate | None = None
    target: int | None = None


@dataclass(frozen=True)
class OperatorReadiness:
    user_id: int
    status: str
    checks: tuple[Check, ...]

    @property
    def ready(self) -> bool:
        return self.status == "ready"


def worst(statuses: Iterable[str]) -> str:
    """The most serious status of several (ready when there is nothing to check)."""
    found = set(statuses)
    return next((s for s in SEVERITY if s in found), "ready")


def skill_check(skill: str, target: int, evidence: SkillEvidence | None, window: int = EVIDENCE_DAYS) -> Check:
    """Ready at target on fresh, firm evidence; an estimate below target is below target whatever
    its interval; at target on an interval wider than the low-confidence width is not yet shown."""
    if evidence is None or evidence.last_at is None:
        return Check(skill, "skill", "not-assessed", "no assessed evidence yet", target=target)
    if evidence.fresh_attempts == 0 or evidence.available <= 0:
        day = evidence.last_at.date().isoformat()
        return Check(skill, "skill", "stale", f"last assessed {day}, older than {window} days", target=target)
    found = metrics.estimate(evidence.earned, evidence.available)
    shown = f"{found.value} points ({found.low} to {found.high})"
    if found.value + metrics.FLOAT_SLACK < target:
        return Check(skill, "skill", "below-target", f"{shown} against a target of {target}", found, target)
    if found.low_confidence:
        reason = f"{shown}: at target, but the interval is too wide to rely on; one more assessed scenario"
        return Check(skill, "skill", "not-assessed", reason, found, target)
    return Check(skill, "skill", "ready", f"{shown} against a target of {target}", found, target)


def scenario_check(scenario: str, finished_at: datetime | None, fresh_since: datetime, window: int) -> Check:
    if finished_at is None:
        return Check(scenario, "scenario", "not-assessed", "not finished as an assessed attempt")
    if finished_at < fresh_since:
        day = finished_at.date().isoformat()
        return Check(scenario, "scenario", "stale", f"last finished {day}, older than {window} days")
    return Check(scenario, "scenario", "ready", f"finished {finished_at.date().isoformat()}")


def deactivated(user_id: int) -> OperatorReadiness:
    """A named operator whose account is deactivated cannot run the workflow, whatever their evidence."""
    return OperatorReadiness(
        user_id, "deactivated", (Check("account", "account", "deactivated", "account deactivated"),)
    )


def operator_readiness(
    user_id: int,
    targets: dict[str, int],
    required_skills: Iterable[str],
    required_scenarios: Iterable[str],
    skills: dict[str, SkillEvidence],
    scenarios: dict[str, datetime],
    fresh_since: datetime,
    window: int = EVIDENCE_DAYS,
    lapsed: str | None = None,
) -> OperatorReadiness:
    """One operator against one workflow's requirements (``targets``: the operator's role targets).
    A workflow that names no skill asks for the critical skills of the operator's role, so nobody is
    ready by default. ``lapsed``: why the operator's certification no longer holds, if it lapsed or
    was revoked (someone never certified is judged on their evidence alone)."""
    required_skills = list(required_skills) or sorted(metrics.critical_skills(targets))
    checks = [skill_check(s, targets.get(s, 0), skills.get(s), window) for s in required_skills]
    checks += [scenario_check(s, scenarios.get(s), fresh_since, window) for s in required_scenarios]
    if lapsed:
        checks.append(Check("certification", "certification", "lapsed", lapsed))
    return OperatorReadiness(user_id, worst(c.status for c in checks), tuple(checks))


@dataclass(frozen=True)
class Source:
    name: str
    rating: str
    checked_on: date | None


@dataclass(frozen=True)
class Facts:
    """What the readiness rules need to know about a workflow, as plain values."""

    stage: str
    stage_since: date
    filled: frozenset[str]  # the REQUIRED_FIELDS keys that are filled in
    owner_active: bool
    sources: tuple[Source, ...]
    review_days: int | None
    reviewed_on: date | None
    pilot_since: date | None = None  # when the current run of pilot began (stage changes back and forth keep it)


@dataclass(frozen=True)
class Blocker:
    """Something that keeps a workflow from being ready, and where its evidence is."""

    kind: str  # "field", "source", "review", "operator"
    text: str
    anchor: str  # the part of the workflow page that holds the evidence


def _later(day: date, days: int) -> date:
    """``day`` plus ``days``, never past the last date a computer can hold."""
    return day + timedelta(days=days) if (date.max - day).days > days else date.max


def review_due(facts: Facts) -> date | None:
    if facts.review_days is None or facts.reviewed_on is None:
        return None
    return _later(facts.reviewed_on, facts.review_days)


def _outside_cadence(checked_on: date, review_days: int, today: date) -> bool:
    return (today - checked_on).days > review_days


def blockers(facts: Facts, operators: Iterable[OperatorReadiness], today: date, names: dict[int, str]) -> list[Blocker]:
    """Everything between this workflow and "ready", in the order the page shows its sections."""
    found = [
        Blocker("field", f"{label} is missing", "fields")
        for key, label in REQUIRED_FIELDS.items()
        if key not in facts.filled
    ]
    if "owner" in facts.filled and not facts.owner_active:
        found.append(Blocker("field", "The owner's account is deactivated: name a new owner", "fields"))
    for source in facts.sources:
        if source.rating == "not-ready":
            found.append(Blocker("source", f"Data source {source.name} is rated not ready", "sources"))
        if source.checked_on is None:
            found.append(Blocker("source", f"Data source {source.name} has never been checked", "sources"))
        elif facts.review_days is not None and _outside_cadence(source.checked_on, facts.review_days, today):
            checked = source.checked_on.isoformat()
            text = f"Data source {source.name} was last checked {checked}, outside the review cadence"
            found.append(Blocker("source", text, "sources"))
    due = review_due(facts)
    if due is not None and _outside_cadence(facts.reviewed_on, facts.review_days, today):
        found.append(Blocker("review", f"The review was due {due.isoformat()}", "reviews"))
    for operator in operators:
        if not operator.ready:
            name = names.get(operator.user_id, f"Operator {operator.user_id}")
            status = OPERATOR_STATUSES[operator.status].lower()
            found.append(Blocker("operator", f"{name}: {status}", f"operator-{operator.user_id}"))
    return found


def has_owner(facts: Facts) -> bool:
    return "owner" in facts.filled and facts.owner_active


def is_sprawl(facts: Facts, today: date) -> bool:
    """A pilot that has run longer than PILOT_SPRAWL_DAYS without being promoted or retired (a stint
    back in experiment does not restart the clock)."""
    began = facts.pilot_since or facts.stage_since
    return facts.stage == "pilot" and (today - began).days > PILOT_SPRAWL_DAYS


@dataclass(frozen=True)
class Figures:
    """The organisation's operating-model figures (docs/workflows.md)."""

    production: int  # production workflows
    production_ready: int
    operators: int  # people operating at least one production workflow
    operators_ready: int  # of those, ready for every production workflow they operate
    without_owner: int  # workflows not retired with no owner (or a deactivated one)
    sprawl: int  # pilots past PILOT_SPRAWL_DAYS
    overdue_reviews: int  # production workflows whose review is overdue
    pilots: int = 0

    @property
    def production_ready_share(self) -> int:
        return metrics.percent(self.production_ready, self.production)

    @property
    def operators_ready_share(self) -> int:
        return metrics.percent(self.operators_ready, self.operators)


@dataclass(frozen=True)
class Assessed:
    """One workflow's facts with its operators' readiness and its blockers."""

    facts: Facts
    operators: tuple[OperatorReadiness, ...]
    blockers: tuple[Blocker, ...]

    @property
    def ready(self) -> bool:
        return self.facts.stage == "production" and not self.blockers


def figures(workflows: Iterable[Assessed], today: date) -> Figures:
    workflows = list(workflows)
    production = [w for w in workflows if w.facts.stage == "production"]
    readiness: dict[int, bool] = {}
    for workflow in production:
        for operator in workflow.operators:
            readiness[operator.user_id] = readiness.get(operator.user_id, True) and operator.ready
    return Figures(
        production=len(production),
        production_ready=sum(w.ready for w in production),
        operators=len(readiness),
        operators_ready=sum(readiness.values()),
        without_owner=sum(w.facts.stage != "retired" and not has_owner(w.facts) for w in workflows),
        sprawl=sum(is_sprawl(w.facts, today) for w in workflows),
        overdue_reviews=sum(any(b.kind == "review" for b in w.blockers) for w in production),
        pilots=sum(w.facts.stage == "pilot" for w in workflows),
    )
