"""The cohort dashboard's figures: aggregate queries in, pure progress rules applied. No Flask."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from literacy.cohorts import queries, status
from literacy.cohorts.assignments import work_for
from literacy.cohorts.tables import Cohort
from literacy.content.types import Catalogue, Scenario
from literacy.people.affiliation import kind

PRIVACY_FLOOR = 5  # judgment patterns need at least this many learners, so no one is singled out


@dataclass
class Dashboard:
    cohort: Cohort
    rows: list[status.LearnerRow]
    summary: status.CohortSummary
    skills: list[str]  # skills evidenced by the assigned scenarios, in taxonomy order
    scenarios: list[str]  # assigned scenario ids, across the cohort's roles


def _rules(cohort: Cohort, today: date) -> dict:
    """The cohort's settings the status rules apply, read from the cohort once, not per learner."""
    return {
        "due_on": cohort.due_on,
        "starts_on": cohort.starts_on,
        "today": today,
        "stall_days": cohort.stall_days,
        "require_target": cohort.requirement == "at-target",
    }


def _row(cohort: Cohort, facts: status.LearnerFacts, today: date) -> status.LearnerRow:
    return status.learner_row(facts, **_rules(cohort, today))


def learner(cohort: Cohort, catalogue: Catalogue, today: date, user_id: int) -> status.LearnerRow | None:
    """One member's row, without computing the whole cohort."""
    facts = queries.cohort_facts(cohort, catalogue, user_id)
    return _row(cohort, facts[0], today) if facts else None


def build(cohort: Cohort, catalogue: Catalogue, today: date) -> Dashboard:
    facts = queries.cohort_facts(cohort, catalogue)
    rules = _rules(cohort, today)
    rows = [status.learner_row(f, **rules) for f in facts]
    assignments = [(a.kind, a.ref) for a in cohort.assignments]
    roles = {f.role for f in facts} or set(catalogue.roles)
    works = [work_for(catalogue, assignments, role) for role in sorted(roles)]
    skills = [s for s in catalogue.skills if any(s in w.skills for w in works)]
    scenarios = list(dict.fromkeys(s for w in works for s in w.scenarios))
    return Dashboard(cohort, rows, status.summarise(rows, skills), skills, scenarios)


@dataclass(frozen=True)
class ChoiceShare:
    node_id: str
    choice_index: int
    learners: int
    share: int  # percent of the learners who reached the node
    wrong_turn: bool  # scores below the best option at that node
    strongest: bool = False  # worth the node's best total effect (the content's scoring): the option to take


@dataclass(frozen=True)
class Pattern:
    scenario: Scenario
    players: int
    nodes: list[tuple[str, int, list[ChoiceShare]]]  # (node id, learners who reached it, shares)
    wrong_turns: list[ChoiceShare]  # most common first

    @property
    def enough(self) -> bool:
        return self.players >= PRIVACY_FLOOR


def patterns(cohort: Cohort, scenario: Scenario) -> Pattern:
    """How the cohort chose at each node; a 'wrong turn' is any option worth less than the node's best."""
    players, reached, taken = queries.choice_patterns(cohort.id, scenario)
    if players < PRIVACY_FLOOR:
        return Pattern(scenario, players, [], [])
    nodes, wrong = [], []
    for node in scenario.decision_nodes:
        if node.id not in reached:
            continue
        best = max(sum(c.effects.values()) for c in node.choices)
        shares = []
        for choice in node.choices:
            n = taken.get((node.id, choice.index), 0)
            worth = sum(choice.effects.values())
            share = ChoiceShare(
                node.id, choice.index, n, round(100 * n / reached[node.id]), worth < best, worth == best
            )
            shares.append(share)
            if share.wrong_turn and n:
                wrong.append(share)
        nodes.append((node.id, reached[node.id], shares))
    wrong.sort(key=lambda s: (-s.learners, -s.share))
    return Pattern(scenario, players, nodes, wrong)


STATUS_ORDER = {status.NOT_STARTED: 0, status.IN_PROGRESS: 1, status.DONE: 2}
SORTS = {
    "name": lambda r: (r.facts.name.lower(), r.facts.email),
    "progress": lambda r: (r.progress, r.facts.name.lower()),
    # not started, in progress, done; within each, those needing attention (overdue, stalled) first
    "status": lambda r: (STATUS_ORDER[r.status], not r.overdue, not r.stalled, r.facts.name.lower()),
    "activity": lambda r: (r.facts.last_activity.isoformat() if r.facts.last_activity else "", r.facts.name.lower()),
    "attempts": lambda r: (r.facts.attempts, r.facts.name.lower()),
}
PAGE_SIZE = 50  # learners per page of the dashboard
SMALL_WORDS = {"a", "an", "and", "at", "for", "in", "of", "on", "the", "to"}


def short_names(names: dict[str, str]) -> dict[str, str]:
    """Compact labels for skills ({id: name} -> {id: label}): the initials of a name of several words
    ('Data and context readiness' -> 'DCR'), a one-word name as it is, numbered when two would read
    the same, for the learner table's row of skill cells."""
    result, seen = {}, {}
    for key, name in names.items():
        words = [w for w in name.replace("-", " ").split() if w.lower() not in SMALL_WORDS] or [name]
        short = "".join(w[0] for w in words).upper() if len(words) > 1 else words[0]
        seen[short] = seen.get(short, 0) + 1
        result[key] = short if seen[short] == 1 else f"{short}{seen[short]}"
    return result


def matching(
    rows: list[status.LearnerRow], state: str, role: str, sort: str, descending: bool, search: str = ""
) -> list[status.LearnerRow]:
    """The dashboard's learner list filtered by status (or 'overdue', 'stalled'), role and a search
    on name or email (case-insensitive, anywhere in either), then sorted."""
    needle = search.strip().lower()
    found = [
        r
        for r in rows
        if (not state or r.status == state or (state == "overdue" and r.overdue) or (state == "stalled" and r.stalled))
        and (not role or r.facts.role == role)
        and (not needle or needle in r.facts.name.lower() or needle in r.facts.email.lower())
    ]
    return sorted(found, key=SORTS.get(sort, SORTS["name"]), reverse=descending)


EXPORT_HEADER = [
    "name", "email", "role", "teams", "staff_or_external", "agency", "status", "overdue", "stalled",
    "progress_percent", "lessons_done", "lessons_assigned", "scenarios_done", "scenarios_assigned", "attempts",
    "practice_attempts", "last_activity", "skill", "score", "target", "at_target",
]  # fmt: skip


def export_rows(board: Dashboard) -> list[list]:
    """One CSV row per learner and assigned skill (one row with empty skill columns when none)."""
    rows = []
    for r in board.rows:
        f = r.facts
        base = [
            f.name, f.email, f.role, "; ".join(f.teams), kind(f.external), f.agency, r.status, r.overdue, r.stalled,
            r.progress, f.lessons_done, f.lessons_total, f.scenarios_done, f.scenarios_total, f.attempts, f.practice,
            f.last_activity.isoformat(timespec="seconds") if f.last_activity else "",
        ]  # fmt: skip
        for skill, target in (f.targets or {"": 0}).items():
            score = f.scores.get(skill)
            at_target = "" if score is None else score >= target
            rows.append([*base, skill, "" if score is None else score, target if skill else "", at_target])
    return rows


FOLLOW_UP_HEADER = ["name", "email", "role", "reasons", "progress_percent"]


def follow_up_rows(board: Dashboard) -> list[tuple]:
    return [
        (r.facts.name, r.facts.email, r.facts.role, "; ".join(reasons), r.progress)
        for r, reasons in status.follow_up(board.rows)
    ]
