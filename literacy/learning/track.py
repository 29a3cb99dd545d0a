"""A learner's role track: the course's lessons then the role's scenarios, with progress. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from literacy.content.types import Course, Scenario
from literacy.insights.metrics import percent


@dataclass(frozen=True)
class TrackItem:
    kind: str  # "lesson" or "scenario"
    id: str
    title: str
    minutes: int
    done: bool
    in_progress: bool = False


@dataclass(frozen=True)
class Track:
    items: tuple[TrackItem, ...]

    def progress(self, kind: str | None = None) -> int:
        items = [i for i in self.items if kind is None or i.kind == kind]
        return percent(sum(i.done for i in items), len(items))

    def count(self, kind: str) -> tuple[int, int]:
        items = [i for i in self.items if i.kind == kind]
        return sum(i.done for i in items), len(items)

    @property
    def next(self) -> TrackItem | None:
        """An unfinished scenario first (resume it), then the first item not done."""
        started = next((i for i in self.items if i.in_progress), None)
        return started or next((i for i in self.items if not i.done), None)


def build(course: Course | None, scenarios: list[Scenario], completed: set[str], attempts: dict[str, dict]) -> Track:
    items = [
        TrackItem("lesson", lesson.id, lesson.title, lesson.minutes, lesson.id in completed)
        for lesson in (course.lessons if course else ())
    ]
    for s in scenarios:
        summary = attempts.get(s.id, {})
        items.append(
            TrackItem(
                "scenario", s.id, s.title, s.minutes, summary.get("finished", 0) > 0, summary.get("in_progress", False)
            )
        )
    return Track(tuple(items))
