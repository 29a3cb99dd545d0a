"""The order in which choices and answer options are shown. Pure.

The order the author wrote carries information (the best choice first, say), so each attempt shows
its own random order, fixed by a seed stored with the attempt (or, for knowledge checks, with the
learner): reloads, the back button, a second tab and a resume all show the same order. Forms carry
a choice's stable id, never its position.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from typing import TypeVar

Item = TypeVar("Item")


def new_seed() -> int:
    return secrets.randbelow(2**31)


def option_order(lesson, seed: int) -> list[list[int]]:
    """For each knowledge-check question of the lesson, its option ids in this learner's order."""
    return [
        shuffled(range(len(question.options)), seed, f"{lesson.id}:q{qi}")
        for qi, question in enumerate(lesson.questions)
    ]


def shuffled(items: Sequence[Item], seed: int, place: str) -> list[Item]:
    """``items`` in the order this seed gives them at this place (a node id, a question)."""
    order = list(items)
    random.Random(f"{seed}:{place}").shuffle(order)  # a str seed is hashed with SHA-512: stable across processes
    return order
