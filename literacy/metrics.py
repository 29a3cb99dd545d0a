"""Pure rollups from plain rows: no Flask, no database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable


@dataclass(frozen=True)
class ScoreRow:
    """One finished attempt's score in one skill."""

    attempt_id: int
    scenario_id: str
    skill_id: str
    score: int
    finished_at: datetime


@dataclass(frozen=True)
class SkillLevel:
    skill_id: str
    proficiency: int | None  # None: no evidence yet
    scenarios: int  # how many scenarios evidence it


def skill_profile(rows: Iterable[ScoreRow], skills: Iterable[str]) -> dict[str, SkillLevel]:
    """A learner's proficiency per skill: the mean, over the scenarios that evidence the skill,
    of the latest finished attempt's score (current judgment, not a best-ever). "Latest" is the
    finished attempt started last, the same rule the cohort dashboard applies in SQL."""
    latest: dict[tuple[str, str], ScoreRow] = {}
    for row in rows:
        key = (row.skill_id, row.scenario_id)
        if key not in latest or row.attempt_id > latest[key].attempt_id:
            latest[key] = row
    profile = {}
    for skill in skills:
        scores = [r.score for (s, _), r in latest.items() if s == skill]
        profile[skill] = SkillLevel(skill, round(sum(scores) / len(scores)) if scores else None, len(scores))
    return profile


def percent(done: int, total: int) -> int:
    """Whole-number progress for progress bars."""
    return 0 if total <= 0 else round(100 * min(done, total) / total)
