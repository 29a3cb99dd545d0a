"""What a cohort asks of each learner, resolved against the catalogue. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from literacy.content.types import Catalogue

KINDS = ("track", "course", "scenario")


@dataclass(frozen=True)
class Work:
    """The lessons and scenarios one learner must finish, and the skills those scenarios evidence."""

    lessons: tuple[str, ...]
    scenarios: tuple[str, ...]
    skills: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.lessons) + len(self.scenarios)


def work_for(catalogue: Catalogue, assignments: list[tuple[str, str]], role: str) -> Work:
    """Resolve (kind, ref) assignments for a learner in ``role``.

    'track' with no ref is the learner's own role track (course and scenarios), which is how one
    cohort can hold several roles; 'track' with a role id is that role's track; 'course' is a named
    role's course; 'scenario' a single scenario.
    """
    lessons: dict[str, None] = {}
    scenarios: dict[str, None] = {}
    for kind, ref in assignments:
        course_role = (ref or role) if kind == "track" else ref if kind == "course" else None
        if course_role and course_role in catalogue.courses:
            lessons.update(dict.fromkeys(lesson.id for lesson in catalogue.courses[course_role].lessons))
        if kind == "track":
            scenarios.update(dict.fromkeys(s.id for s in catalogue.role_scenarios(ref or role)))
        elif kind == "scenario" and ref in catalogue.scenarios:
            scenarios[ref] = None
    skills: dict[str, None] = {}
    for scenario_id in scenarios:
        skills.update(dict.fromkeys(catalogue.scenarios[scenario_id].skills))
    return Work(tuple(lessons), tuple(scenarios), tuple(s for s in catalogue.skills if s in skills))


def describe(catalogue: Catalogue, kind: str, ref: str) -> str:
    """A human label for an assignment."""
    if kind == "track" and not ref:
        return "Each learner's own role track (course and scenarios)"
    if kind == "track":
        role = catalogue.roles.get(ref)
        return f"Track: {role.name} (course and scenarios)" if role else f"Track: {ref} (no longer offered)"
    if kind == "course":
        role = catalogue.roles.get(ref)
        return (
            f"Course: {catalogue.courses[ref].title} ({role.name})"
            if ref in catalogue.courses and role
            else f"Course: {ref} (no longer offered)"
        )
    scenario = catalogue.scenarios.get(ref)
    return f"Scenario: {scenario.title}" if scenario else f"Scenario: {ref} (no longer offered)"


@dataclass(frozen=True)
class Assignment:
    """One cohort's work as the learner sees it on their home page."""

    cohort: str
    due_on: date
    done: int
    total: int
    overdue: bool
    next_lesson: str | None
    next_scenario: str | None

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


Assigned = tuple[str, str] | tuple[str, str, date | None]  # (kind, ref) or (kind, ref, own due date)


def item_due_dates(
    catalogue: Catalogue, assignments: list[Assigned], role: str, default: date
) -> dict[tuple[str, str], date]:
    """Each assigned item's due date for a learner in ``role``, keyed ('lesson' or 'scenario', id): the
    date of the assignment that asks for it, or ``default`` (the cohort's) when it has none; an item
    two assignments ask for is due at the earlier of their dates."""
    due: dict[tuple[str, str], date] = {}
    for kind, ref, *own in assignments:
        when = (own[0] if own else None) or default
        work = work_for(catalogue, [(kind, ref)], role)
        for key in [("lesson", i) for i in work.lessons] + [("scenario", i) for i in work.scenarios]:
            due[key] = min(due.get(key, when), when)
    return due


def next_due(due: dict[tuple[str, str], date], lessons_done: set[str], scenarios_done: set[str]) -> date | None:
    """The earliest due date among the items not finished yet; None when every item is finished."""
    done = {"lesson": lessons_done, "scenario": scenarios_done}
    dates = [when for (kind, item), when in due.items() if item not in done[kind]]
    return min(dates) if dates else None


def for_learner(
    cohorts: list[tuple[str, date, list[Assigned]]],
    catalogue: Catalogue,
    role: str,
    completed: set[str],
    finished: set[str],
    today: date,
) -> list[Assignment]:
    """The learner's assignments, overdue ones first, then by due date. An assignment's due date is
    that of its earliest unfinished item (each item's own date, or the cohort's); overdue means an
    unfinished item is past its date."""
    result = []
    for name, due_on, assignments in cohorts:
        work = work_for(catalogue, [(a[0], a[1]) for a in assignments], role)
        lessons_done = sum(lesson_id in completed for lesson_id in work.lessons)
        scenarios_done = sum(scenario_id in finished for scenario_id in work.scenarios)
        done = lessons_done + scenarios_done
        due = next_due(item_due_dates(catalogue, assignments, role, due_on), completed, finished)
        result.append(
            Assignment(
                name,
                due or due_on,
                done,
                work.size,
                due is not None and today > due,
                next((lesson_id for lesson_id in work.lessons if lesson_id not in completed), None),
                next((scenario_id for scenario_id in work.scenarios if scenario_id not in finished), None),
            )
        )
    return sorted(result, key=lambda a: (not a.overdue, a.due_on, a.cohort))
