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
    number, pages, offset = page_of(len(items), requested, size)
    return Page(items[offset : offset + size], number, pages, len(items))


def page_of(total: int, requested: int | None, size: int = PAGE_SIZE) -> tuple[int, int, int]:
    """For a list the database pages: (page number clamped to the pages that exist, pages, offset)."""
    pages = max(1, -(-total // size))
    number = min(max(requested or 1, 1), pages)
    return number, pages, (number - 1) * size
