"""Item analysis for authors: how each choice and each knowledge-check option performs. Pure.

From assessed evidence only, and only where at least ``floor`` learners answered (so nobody is
singled out): each option's selection rate, its share among strong learners and among the rest,
and the discrimination index (strong share minus rest share) of the keyed best option. Flags name
what an author should look at; definitions in docs/metrics.md ("Item analysis").
"""

from __future__ import annotations

from dataclasses import dataclass

TOO_EASY = 90  # percent choosing the keyed best option above which an item no longer separates anyone


@dataclass(frozen=True)
class OptionStats:
    index: int  # the choice's or option's stable id
    label: str
    chosen: int  # learners who chose it
    rate: int  # percent of the learners who answered the item
    strong_share: int | None  # percent of the strong learners who answered and chose it
    rest_share: int | None  # the same among the rest
    discrimination: int | None  # strong share minus rest share, in points
    keyed: bool  # the author's best option (highest total effect, or the correct answer)


@dataclass(frozen=True)
class ItemStats:
    item: str  # node id, or "lesson-id/question-N"
    title: str
    answered: int  # learners who reached the node or answered the question
    strong: int  # of whom, strong learners
    enough: bool  # at least the floor: otherwise no figures are shown
    options: list[OptionStats]
    flags: list[str]


def _share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def item(
    item_id: str,
    title: str,
    options: list[tuple[int, str, bool]],
    counts: dict[tuple[int, bool], int],
    answered: dict[bool, int],
    floor: int,
) -> ItemStats:
    """Stats for one item. ``options``: (id, label, keyed); ``counts``: (option id, strong?) -> learners
    who chose it; ``answered``: strong? -> learners who answered the item."""
    strong, rest = answered.get(True, 0), answered.get(False, 0)
    total = strong + rest
    if total < floor:
        return ItemStats(item_id, title, total, strong, False, [], [])
    found = []
    for index, label, keyed in options:
        by_strong, by_rest = counts.get((index, True), 0), counts.get((index, False), 0)
        strong_share, rest_share = _share(by_strong, strong), _share(by_rest, rest)
        discrimination = strong_share - rest_share if strong_share is not None and rest_share is not None else None
        chosen = by_strong + by_rest
        found.append(
            OptionStats(index, label, chosen, _share(chosen, total), strong_share, rest_share, discrimination, keyed)
        )
    return ItemStats(item_id, title, total, strong, True, found, flags(found))


def flags(options: list[OptionStats]) -> list[str]:
    found = []
    keyed = next((o for o in options if o.keyed), None)
    if keyed is not None and keyed.rate > TOO_EASY:
        found.append(f"too easy: {keyed.rate}% choose the best option")
    if keyed is not None and keyed.discrimination is not None:
        better = [
            o
            for o in options
            if not o.keyed and o.discrimination is not None and o.discrimination > keyed.discrimination
        ]
        if better:
            found.append(
                f"possibly miskeyed: '{better[0].label}' separates strong learners better than the keyed option"
            )
    found += [f"never chosen: '{o.label}'" for o in options if o.chosen == 0]
    return found


CSV_HEADER = [
    "content", "item", "title", "answered", "strong_learners", "option", "label", "keyed", "chosen",
    "rate_percent", "strong_share_percent", "rest_share_percent", "discrimination", "flags",
]  # fmt: skip


def csv_rows(content: str, stats: list[ItemStats]) -> list[list]:
    """One row per option of every item with enough evidence (an item without enough has one row)."""
    rows = []
    for found in stats:
        base = [content, found.item, found.title, found.answered, found.strong]
        if not found.enough:
            rows.append([*base, "", "", "", "", "", "", "", "", "not enough evidence"])
        for o in found.options:
            shares = [o.rate, o.strong_share, o.rest_share, o.discrimination]
            rows.append([*base, o.index, o.label, o.keyed, o.chosen, *shares, "; ".join(found.flags)])
    return rows
