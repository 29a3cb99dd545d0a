"""Certification cycles, pure: what certifies a person in their role, and where a person stands on a
date. The rules of docs/compliance.md ("Certification") on plain values; no Flask, no database.

A cycle opens with the evidence it counts from (the first cycle counts everything; a
recertification cycle counts only what was finished after it opened) and closes when the person
meets their role's rule: the role track finished, assessed proficiency at target in the rule's skills
on evidence firm enough to tell, and the current AI-use policy acknowledged. A certification is
valid for the rule's months; before it expires a new cycle opens and the work is assigned again.
Earlier cycles are kept: a person's history shows each of them.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from literacy.insights import metrics
from literacy.workflows.readiness import SkillEvidence, skill_check

DEFAULT_VALID_MONTHS = 12
DEFAULT_RENEW_DAYS = 45  # a recertification cycle opens this many days before expiry
MAX_VALID_MONTHS = 60

STATUSES = {
    "certified": "Certified",
    "renewing": "Certified, recertifying",
    "lapsed": "Lapsed",
    "revoked": "Revoked",
    "not-certified": "Not yet certified",
}


@dataclass(frozen=True)
class Rule:
    """What certifies a person in one role (an organisation's setting, or the defaults)."""

    role: str
    valid_months: int = DEFAULT_VALID_MONTHS
    renew_days: int = DEFAULT_RENEW_DAYS
    require_policy: bool = True
    skills: tuple[str, ...] = ()  # empty: the role's critical skills

    def skills_for(self, targets: dict[str, int]) -> list[str]:
        return list(self.skills) or sorted(metrics.critical_skills(targets))


@dataclass(frozen=True)
class Requirement:
    """One part of the rule for one person: met or not, and why, in words."""

    name: str
    met: bool
    reason: str


@dataclass(frozen=True)
class Progress:
    """A person's evidence inside one cycle, as plain values."""

    lessons: tuple[str, ...]  # the role course's lessons
    lessons_done: frozenset[str]
    scenarios: tuple[str, ...]  # the role track's scenarios
    scenarios_done: frozenset[str]  # finished as assessed attempts inside the cycle
    skills: dict[str, SkillEvidence]  # assessed evidence inside the cycle, per skill
    policy_version: str | None  # the organisation's current version (None: none published)
    policy_acknowledged: bool
    latest_at: datetime | None = None  # the newest of the timestamps above: when the rule was met, if it is


def requirements(rule: Rule, targets: dict[str, int], progress: Progress) -> list[Requirement]:
    """Each part of the rule, met or not. A role whose rule names no skill and has no critical skill
    asks for the track alone."""
    lessons_left = [lesson for lesson in progress.lessons if lesson not in progress.lessons_done]
    scenarios_left = [s for s in progress.scenarios if s not in progress.scenarios_done]
    left = len(lessons_left) + len(scenarios_left)
    if left == 0:
        found = [Requirement("track", True, "role track finished in this cycle")]
    else:
        parts = [_count(len(lessons_left), "lesson"), _count(len(scenarios_left), "scenario")]
        shown = " and ".join(p for p in parts if p)
        found = [Requirement("track", False, f"{shown} of the track still to finish in this cycle")]
    for skill in rule.skills_for(targets):
        check = skill_check(skill, targets.get(skill, 0), progress.skills.get(skill))
        found.append(Requirement(f"skill:{skill}", check.status == "ready", check.reason))
    if rule.require_policy:
        if progress.policy_version is None:
            found.append(Requirement("policy", True, "no AI-use policy published"))
        elif progress.policy_acknowledged:
            found.append(Requirement("policy", True, f"policy {progress.policy_version} acknowledged"))
        else:
            found.append(Requirement("policy", False, f"policy {progress.policy_version} not yet acknowledged"))
    return found


def _count(number: int, noun: str) -> str:
    return "" if number == 0 else f"{number} {noun}" + ("" if number == 1 else "s")


def met(found: Iterable[Requirement]) -> bool:
    return all(r.met for r in found)


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` ``months`` later, on the same day or the month's last (31 January + 1 = 28/29 February)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Cycle:
    """One stored cycle: when it opened (None: the first, counting all evidence), when it was
    certified and until when, and whether an admin revoked it."""

    number: int
    role: str
    opened_at: datetime | None
    certified_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class Standing:
    status: str
    certified_at: datetime | None = None
    expires_at: datetime | None = None
    cycle: int | None = None  # the cycle the status comes from
    revoked_at: datetime | None = None

    @property
    def label(self) -> str:
        return STATUSES[self.status]

    @property
    def lapsed(self) -> bool:
        return self.status in ("lapsed", "revoked")


def standing(cycles: Iterable[Cycle], role: str, as_of: datetime) -> Standing:
    """Where a person stands in ``role`` at ``as_of``: their newest certification by then, still valid
    (certified, or renewing once the next cycle has opened), expired (lapsed) or revoked; cycles of
    another role and anything after ``as_of`` do not count."""
    mine = [c for c in cycles if c.role == role and (c.opened_at is None or c.opened_at <= as_of)]
    certified = [c for c in mine if c.certified_at is not None and c.certified_at <= as_of]
    if not certified:
        return Standing("not-certified")
    latest = max(certified, key=lambda c: c.certified_at)
    base = {"certified_at": latest.certified_at, "expires_at": latest.expires_at, "cycle": latest.number}
    if latest.revoked_at is not None and latest.revoked_at <= as_of:
        return Standing("revoked", **base, revoked_at=latest.revoked_at)
    if latest.expires_at is not None and latest.expires_at <= as_of:
        return Standing("lapsed", **base)
    reopened = any(c.number > latest.number and c.certified_at is None for c in mine)
    return Standing("renewing" if reopened else "certified", **base)


def role_at(cycles: Iterable[Cycle], as_of: datetime, current: str) -> str:
    """The person's role at ``as_of`` as far as the platform knows: the role of their newest cycle
    opened or certified by then (roles have no other history), else their role today."""
    known = [
        c for c in cycles if (c.certified_at or c.opened_at) is not None and (c.certified_at or c.opened_at) <= as_of
    ]
    return max(known, key=lambda c: c.number).role if known else current


def open_cycle(cycles: Iterable[Cycle], role: str) -> Cycle | None:
    """The cycle the person is working in for ``role``: the newest, if it is not certified yet."""
    mine = sorted((c for c in cycles if c.role == role), key=lambda c: c.number)
    return mine[-1] if mine and mine[-1].certified_at is None else None


def due_for_renewal(cycles: Iterable[Cycle], rule: Rule, now: datetime) -> bool:
    """A certification expiring within the rule's renewal days (or already lapsed or revoked), with
    no recertification cycle open: time to assign the work again."""
    cycles = list(cycles)
    if open_cycle(cycles, rule.role) is not None:
        return False
    found = standing(cycles, rule.role, now)
    if found.status in ("lapsed", "revoked"):
        return True
    return found.status == "certified" and found.expires_at - now <= timedelta(days=rule.renew_days)


MIN_NOTICE_DAYS = 14  # a renewal is never due sooner than this after it is assigned
# a certification that has lapsed or was revoked is due this far ahead: no later validity to wait
# for, and the assessment cool-down (30 days by default) must have room to end before it is due
LAPSED_NOTICE_DAYS = 45


def recertification_due_on(standing: Standing, today: date) -> date:
    """The due date of the recertification cohort a certification joins. A renewal is due on the
    first day of the month the certification expires in, so a whole month's cohort has finished
    before any of its certifications lapse, but never sooner than MIN_NOTICE_DAYS away; a lapsed or
    revoked certification is due LAPSED_NOTICE_DAYS from today."""
    if standing.lapsed:
        return today + timedelta(days=LAPSED_NOTICE_DAYS)
    return max(standing.expires_at.date().replace(day=1), today + timedelta(days=MIN_NOTICE_DAYS))


def attempts_per_cycle(cycles: Iterable[Cycle], finished: Iterable[datetime]) -> dict[int, int]:
    """How many finished assessed attempts belong to each cycle: an attempt is the cycle's that was
    the newest to open by the time it finished (the first cycle holds everything before the second)."""
    ordered = sorted(cycles, key=lambda c: c.number)
    counts = dict.fromkeys((c.number for c in ordered), 0)
    for moment in finished:
        holding = [c for c in ordered if c.opened_at is None or c.opened_at <= moment]
        if holding:
            counts[holding[-1].number] += 1
    return counts
