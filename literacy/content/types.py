"""The content catalogue's value types. Plain dataclasses: no Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

OUTCOMES = ("strong", "mixed", "poor")


@dataclass(frozen=True)
class Skill:
    """A skill of the capability layer (curricula/skills.yaml)."""

    id: str
    name: str
    description: str
    scope: str = ""  # what the skill covers and where it stops, so two skills never score one judgment


@dataclass(frozen=True)
class WorkflowKind:
    """A kind of AI workflow marketing teams run (curricula/skills.yaml), which scenarios may train."""

    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Role:
    """A marketing role, with its target score (0 to 100) in each skill it needs."""

    id: str
    name: str
    description: str
    targets: dict[str, int]
    rationale: str = ""  # why the targets sit where they do


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    explanation: str  # sanitised HTML


@dataclass(frozen=True)
class Question:
    prompt: str
    options: tuple[Option, ...]
    line: int

    @property
    def answer(self) -> int:
        return next(i for i, option in enumerate(self.options) if option.correct)


@dataclass(frozen=True)
class Lesson:
    id: str
    role: str
    title: str
    minutes: int
    skills: tuple[str, ...]
    html: str
    words: int
    questions: tuple[Question, ...]
    path: str
    version: str = ""  # hash of the file, carried by the lesson's xAPI statements
    sources: tuple[str, ...] = ()  # the '## Sources' entries, Markdown: publisher, title, year


@dataclass(frozen=True)
class Course:
    """A role's course: its lessons in reading order."""

    role: str
    title: str
    summary: str
    lessons: tuple[Lesson, ...]

    @property
    def minutes(self) -> int:
        return sum(lesson.minutes for lesson in self.lessons)

    def position(self, lesson_id: str) -> int:
        """The lesson's index in the course."""
        return next(i for i, lesson in enumerate(self.lessons) if lesson.id == lesson_id)

    def neighbours(self, lesson_id: str) -> tuple[Lesson | None, Lesson | None]:
        """The lessons before and after this one (None at either end)."""
        index = self.position(lesson_id)
        return (self.lessons[index - 1] if index else None), (
            self.lessons[index + 1] if index + 1 < len(self.lessons) else None
        )


@dataclass(frozen=True)
class Requirement:
    flag: str
    present: bool  # False for "!flag": the flag must not be set

    def holds(self, flags: frozenset[str]) -> bool:
        return (self.flag in flags) == self.present


@dataclass(frozen=True)
class Choice:
    """One option at a decision node: where it leads, its skill effects and the flags it sets."""

    index: int
    label: str
    target: str
    effects: dict[str, int]
    sets: frozenset[str]
    requires: tuple[Requirement, ...]
    feedback: str  # sanitised HTML
    line: int
    source: str = ""  # the feedback's Markdown, for export

    def available(self, flags: frozenset[str]) -> bool:
        return all(req.holds(flags) for req in self.requires)


@dataclass(frozen=True)
class Passage:
    """A stretch of a node's text; shown only when every requirement holds (none: always shown)."""

    requires: tuple[Requirement, ...]
    html: str  # sanitised HTML
    line: int

    def shown(self, flags: frozenset[str]) -> bool:
        return all(req.holds(flags) for req in self.requires)


@dataclass(frozen=True)
class Node:
    id: str
    title: str
    html: str  # situation text, or the debrief for an ending; only the unconditional passages
    outcome: str | None
    choices: tuple[Choice, ...]
    line: int
    source: str = ""  # the node text's Markdown (with its '::: if' blocks), for export
    passages: tuple[Passage, ...] = ()

    @property
    def is_ending(self) -> bool:
        return self.outcome is not None

    @property
    def conditional(self) -> tuple[Passage, ...]:
        return tuple(p for p in self.passages if p.requires)

    def html_for(self, flags: frozenset[str]) -> str:
        """The text as a learner carrying ``flags`` reads it."""
        if not self.conditional:
            return self.html
        return "\n".join(p.html for p in self.passages if p.shown(flags))


@dataclass
class Scenario:
    id: str
    role: str
    title: str
    summary: str
    skills: tuple[str, ...]
    minutes: int
    start: str
    nodes: dict[str, Node]
    path: str
    version: str  # hash of the file: attempts pin the version they were taken on
    best: dict[str, int] = field(default_factory=dict)  # best achievable total per skill
    strongest_path: tuple[tuple[str, int], ...] = ()  # (node id, choice index) pairs
    lines: dict[str, int] = field(default_factory=dict)  # front-matter key -> line, for messages
    workflows: tuple[str, ...] = ()  # the kinds of AI workflow this scenario trains an operator for

    @cached_property
    def typical_decisions(self) -> int:
        """The number of decisions on a typical path ("Decision 3 of about 6"): worked out once,
        since content does not change while the app runs and the walk is the step page's dearest
        part (gunicorn's master works it out for every scenario before forking its workers)."""
        from literacy.content.graph import typical_decisions  # the graph module builds on these types

        return typical_decisions(self)

    @property
    def decision_nodes(self) -> list[Node]:
        return [n for n in self.nodes.values() if not n.is_ending]

    @property
    def endings(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.is_ending]


@dataclass
class Catalogue:
    """Everything learners can take, validated as a whole."""

    skills: dict[str, Skill]
    roles: dict[str, Role]
    courses: dict[str, Course]
    scenarios: dict[str, Scenario]
    workflow_kinds: dict[str, WorkflowKind] = field(default_factory=dict)

    def lesson(self, lesson_id: str) -> Lesson | None:
        for course in self.courses.values():
            for lesson in course.lessons:
                if lesson.id == lesson_id:
                    return lesson
        return None

    def scenarios_for_workflow(self, kind: str) -> list[Scenario]:
        """Scenarios that name ``kind`` in their ``workflows:`` front matter."""
        return [s for s in self.scenarios.values() if kind in s.workflows]

    def role_scenarios(self, role: str) -> list[Scenario]:
        return [s for s in self.scenarios.values() if s.role == role]

    def summary(self) -> dict[str, int]:
        scenarios = list(self.scenarios.values())
        return {
            "roles": len(self.roles),
            "skills": len(self.skills),
            "lessons": sum(len(c.lessons) for c in self.courses.values()),
            "scenarios": len(scenarios),
            "nodes": sum(len(s.nodes) for s in scenarios),
            "endings": sum(len(s.endings) for s in scenarios),
        }
