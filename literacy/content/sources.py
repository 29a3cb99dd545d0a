"""``docs/sources.md``: every source the lessons cite, made from their ``## Sources`` sections. Pure.

One list for the whole catalogue, each source once with the lessons that cite it, so a reviewer can
check a figure's origin and see where it is used. A test fails when the file is out of date."""

from __future__ import annotations

from literacy.content.types import Catalogue

INTRO = """# Sources

Every statistic in a lesson cites its source in the lesson's `## Sources` section; laws, codes and
official guidance that a decision turns on are listed there too. This page gathers them, each with
the lessons that cite it. Scenarios use invented figures for their situations and cite nothing.

Made from the lessons by `flask --app app content sources --out docs/sources.md`; a test fails when
it is out of date, so edit the lessons, then run the command.
"""


def _key(entry: str) -> str:
    return " ".join(entry.replace("*", "").split()).casefold().rstrip(".")


def document(catalogue: Catalogue) -> str:
    """The Markdown page: sources in alphabetical order, each with the lessons that cite it."""
    cited: dict[str, tuple[str, list[str]]] = {}
    for role in catalogue.roles.values():
        course = catalogue.courses.get(role.id)
        for lesson in course.lessons if course else ():
            for entry in lesson.sources:
                where = cited.setdefault(_key(entry), (entry, []))[1]
                where.append(f"{role.name}: {lesson.title}")
    lines = [INTRO]
    for _, (entry, where) in sorted(cited.items()):
        lines.append(f"- {entry}  \n  Cited in: {'; '.join(where)}.")
    if not cited:
        lines.append("No lesson cites a source yet.")
    return "\n".join(lines) + "\n"
