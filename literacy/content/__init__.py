"""Content: pure parsing and validation of skills, courses and scenarios (no Flask, no database)."""
from .catalogue import check, load
from .errors import ContentError, Problem
from .model import Catalogue, Choice, Course, Lesson, Node, Question, Role, Scenario, Skill

__all__ = [
    "Catalogue", "Choice", "ContentError", "Course", "Lesson", "Node", "Problem", "Question",
    "Role", "Scenario", "Skill", "check", "load",
]
