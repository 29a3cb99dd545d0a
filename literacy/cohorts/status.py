"""Cohort progress from plain facts: each learner's status and the cohort summary. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from literacy.insights.metrics import percent

NOT_STARTED, IN_PROGRESS, DONE = "not-started", "in-progress", "done"


@dataclass(frozen=True)
class LearnerFacts:
    """What the database says about one learner in one cohort (built by queries, not views)."""

    user_id: int
    name: str
    email: str
    role: str
    teams: tuple[str, ...]
    lessons_done: int
    lessons_total: int
    scenarios_done: int
    scenarios_total: int
    attempts: int  # assessed attempts on assigned scenarios
    last_activity: datetime | None
    scores: dict[str, int]  # proficiency estimate per skill from the assigned scenarios' assessed evidence
    targets: dict[str, int]  # the role's target for each assigned skill
    added_at: datetime
    practice: int = 0  # practice attempts on assigned scenarios (``attempts`` counts assessed ones)


@dataclass(frozen=True)
class LearnerRow:
    """One learner's line on the cohort dashboard: the facts and the status rules applied to them."""

    facts: LearnerFacts
    status: str
    progress: int
    overdue: bool
    stalled: bool
    below_target: tuple[str, ...]

    @property
    def on_track(self) -> bool:
        return not self.overdue and not self.stalled


@dataclass(frozen=True)
class SkillSummary:
    skill_id: str
    average: int | None  # mean latest score of learners with evidence
    target: int  # mean target of those learners' roles
    at_target: int  # learners at or above their role target
    learners: int  # learners with evidence


@dataclass
class CohortSummary:
    learners: int
    funnel: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    stalled: int = 0
    on_track: int = 0
    below_target: int = 0
    progress: int = 0
    skills: list[SkillSummary] = field(default_factory=list)


def learner_row(
    facts: LearnerFacts, *, due_on: date, starts_on: date, today: date, stall_days: int, require_target: bool
) -> LearnerRow:
    """Status rules: done needs all assigned work finished (and, if required, every assigned skill at
    target); overdue is not done after the due date; stalled is not done with no activity for
    ``stall_days`` (counted from joining when there is no activity yet)."""
    done_items = facts.lessons_done + facts.scenarios_done
    total = facts.lessons_total + facts.scenarios_total
    below = tuple(s for s, target in facts.targets.items() if facts.scores.get(s) is None or facts.scores[s] < target)
    finished = total > 0 and done_items >= total and (not require_target or not below)
    if finished:
        status = DONE
    elif done_items or facts.attempts or facts.last_activity:
        status = IN_PROGRESS
    else:
        status = NOT_STARTED
    since = facts.last_activity or max(facts.added_at, datetime.combine(starts_on, datetime.min.time()))
    stalled = (
        status != DONE
        and today >= starts_on
        and datetime.combine(today, datetime.min.time()) - since > timedelta(days=stall_days)
    )
    return LearnerRow(facts, status, percent(done_items, total), status != DONE and today > due_on, stalled, below)


def summarise(rows: list[LearnerRow], skills: list[str]) -> CohortSummary:
    """Funnel, on-track/overdue/stalled counts, overall progress and per-skill averages against target."""
    summary = CohortSummary(len(rows))
    summary.funnel = {status: sum(r.status == status for r in rows) for status in (NOT_STARTED, IN_PROGRESS, DONE)}
    summary.overdue = sum(r.overdue for r in rows)
    summary.stalled = sum(r.stalled for r in rows)
    summary.on_track = sum(r.on_track for r in rows)
    summary.below_target = sum(bool(r.below_target) and r.status != DONE for r in rows)
    summary.progress = round(sum(r.progress for r in rows) / len(rows)) if rows else 0
    for skill in skills:
        evidence = [r.facts for r in rows if r.facts.scores.get(skill) is not None and skill in r.facts.targets]
        summary.skills.append(
            SkillSummary(
                skill,
                round(sum(f.scores[skill] for f in evidence) / len(evidence)) if evidence else None,
                round(sum(f.targets[skill] for f in evidence) / len(evidence)) if evidence else 0,
                sum(f.scores[skill] >= f.targets[skill] for f in evidence),
                len(evidence),
            )
        )
    return summary


def follow_up(rows: list[LearnerRow]) -> list[tuple[LearnerRow, list[str]]]:
    """Learners to nudge and why: overdue, stalled, or below target on an assigned skill."""
    result = []
    for row in rows:
        reasons = []
        if row.overdue:
            reasons.append("overdue")
        if row.stalled:
            reasons.append("stalled")
        if row.below_target and row.status != DONE and row.facts.scenarios_done:
            reasons.append("below target")
        if reasons:
            result.append((row, reasons))
    return result
