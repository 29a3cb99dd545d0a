"""Paging for lists that can grow. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")
PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[Item]):
    items: list[Item]
    number: int  # 1-based, clamped to the pages that exist
    pages: int  # at least 1, even for an empty list
    total: int  # items on every page together


def paginate(items: list[Item], requested: int | None, size: int = PAGE_SIZE) -> Page[Item]:
    """One page of ``items``; a page number out of range shows the nearest page that exists."""
    pages = max(1, -(-len(items) // size))
    number = min(max(requested or 1, 1), pages)
    return Page(items[(number - 1) * size : number * size], number, pages, len(items))
