"""Content: pure parsing and validation of skills, courses and scenarios (no Flask, no database)."""

from literacy.content.catalogue import check, load
from literacy.content.errors import ContentError, Problem
from literacy.content.types import Catalogue, Choice, Course, Lesson, Node, Question, Role, Scenario, Skill

__all__ = [
    "Catalogue",
    "Choice",
    "ContentError",
    "Course",
    "Lesson",
    "Node",
    "Problem",
    "Question",
    "Role",
    "Scenario",
    "Skill",
    "check",
    "load",
]
