"""Which attempts count: the assessment policy. Pure.

A learner's first attempt at a scenario is **assessed**: once finished, it is the evidence every
dashboard, rollup and export uses. Starting again before finishing it makes a **practice** attempt
and leaves the assessed one to resume, so nobody can peek at the feedback, abandon, and take a
clean "first" attempt. Replays are practice: full feedback, in the learner's history, never
replacing the assessed result. After a cool-down (``ASSESSMENT_COOLDOWN_DAYS``, 30 by default) the
next attempt is assessed again, and the newest finished assessed attempt is then the evidence. When
the scenario changes while the assessed attempt is unfinished (so it cannot be resumed), the first
attempt on the new version is assessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

ASSESSED, PRACTICE = "assessed", "practice"


@dataclass(frozen=True)
class PastAttempt:
    id: int
    kind: str
    version: str
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class NextAttempt:
    kind: str
    reason: str  # one sentence for the scenario page
    resume: int | None = None  # the unfinished assessed attempt to resume instead, if any
    assessed_again_on: datetime | None = None  # when practice turns into assessed again


def next_attempt(history: list[PastAttempt], version: str, now: datetime, cooldown_days: int) -> NextAttempt:
    """The kind of attempt a new start would make, and why."""
    assessed = [a for a in history if a.kind == ASSESSED]
    if not assessed:
        return NextAttempt(ASSESSED, "Your first attempt is assessed: once finished, it is the result your team sees.")
    latest = max(assessed, key=lambda a: a.id)
    if latest.finished_at is None and latest.version == version:
        return NextAttempt(
            PRACTICE,
            "Your assessed attempt is not finished: resume it to record your result. A new start is practice.",
            resume=latest.id,
        )
    if latest.finished_at is None:
        return NextAttempt(
            ASSESSED, "The scenario changed since your assessed attempt started, so this attempt is assessed."
        )
    opens = latest.finished_at + timedelta(days=cooldown_days)
    if now >= opens:
        return NextAttempt(
            ASSESSED,
            f"Your last assessed attempt was over {cooldown_days} days ago: this one is assessed and, once"
            " finished, replaces that result.",
        )
    return NextAttempt(
        PRACTICE,
        f"Practice: full feedback, and your assessed result stays as it is. Your next assessed attempt opens on"
        f" {opens:%d %B %Y}.",
        assessed_again_on=opens,
    )
