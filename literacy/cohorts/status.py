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
    due_on: date | None = None  # earliest due date of the learner's unfinished items; None: the cohort's
    external: bool = False  # from an agency, contractor or partner rather than staff
    agency: str = ""  # an external learner's firm


@dataclass(frozen=True)
class LearnerRow:
    """One learner's line on the cohort dashboard: the facts and the status rules applied to them."""

    facts: LearnerFacts
    status: str
    progress: int
    overdue: bool
    stalled: bool
    below_target: tuple[str, ...]  # assigned skills with evidence, estimated below the role target
    no_evidence: tuple[str, ...] = ()  # assigned skills without evidence yet

    @property
    def has_evidence(self) -> bool:
        """Evidence in at least one assigned skill (learners with nothing assigned to evidence count as having it)."""
        return len(self.no_evidence) < len(self.facts.targets) or not self.facts.targets

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
    below_target: int = 0  # learners not done with evidence below target in an assigned skill
    no_evidence: int = 0  # learners with no evidence yet in any assigned skill
    progress: int = 0
    skills: list[SkillSummary] = field(default_factory=list)


def learner_row(
    facts: LearnerFacts, *, due_on: date, starts_on: date, today: date, stall_days: int, require_target: bool
) -> LearnerRow:
    """The status rules (docs/metrics.md, "Cohort status").

    - done: all assigned work finished (and, if required, every assigned skill at target);
    - overdue: not done after the due date of the learner's earliest unfinished item (each item's own
      date, or the cohort's); with every item finished but a skill short of target, the cohort's;
    - stalled: work left unfinished and no activity for more than ``stall_days``, counted from the
      later of the cohort's start and the learner's last activity (from joining when there is none
      yet); a learner who has finished every item is never stalled;
    - below target: assigned skills whose estimate, from evidence, is below the role target; skills
      without evidence are listed apart and are not "below target".
    """
    done_items = facts.lessons_done + facts.scenarios_done
    total = facts.lessons_total + facts.scenarios_total
    scores = facts.scores
    missing = tuple(s for s in facts.targets if scores.get(s) is None)
    below = tuple(s for s, target in facts.targets.items() if (score := scores.get(s)) is not None and score < target)
    finished = total > 0 and done_items >= total and (not require_target or not (below or missing))
    if finished:
        status = DONE
    elif done_items or facts.attempts or facts.last_activity:
        status = IN_PROGRESS
    else:
        status = NOT_STARTED
    start = datetime.combine(starts_on, datetime.min.time())
    since = max(facts.last_activity, start) if facts.last_activity else max(facts.added_at, start)
    stalled = (
        done_items < total
        and today >= starts_on
        and datetime.combine(today, datetime.min.time()) - since > timedelta(days=stall_days)
    )
    overdue = status != DONE and today > (facts.due_on or due_on)
    return LearnerRow(facts, status, percent(done_items, total), overdue, stalled, below, missing)


def summarise(rows: list[LearnerRow], skills: list[str]) -> CohortSummary:
    """Funnel, on-track/overdue/stalled counts, overall progress and per-skill averages against target."""
    summary = CohortSummary(len(rows))
    summary.funnel = {status: sum(r.status == status for r in rows) for status in (NOT_STARTED, IN_PROGRESS, DONE)}
    summary.overdue = sum(r.overdue for r in rows)
    summary.stalled = sum(r.stalled for r in rows)
    summary.on_track = sum(r.on_track for r in rows)
    summary.below_target = sum(bool(r.below_target) and r.status != DONE for r in rows)
    summary.no_evidence = sum(not r.has_evidence for r in rows)
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
