"""Every statistic cites its source: lessons list theirs in a ``## Sources`` section, checked for a
publisher, title and year, and docs/sources.md gathers them all."""

from __future__ import annotations

from support.paths import ROOT

from literacy.content import load
from literacy.content.curriculum import parse_lesson
from literacy.content.errors import Problems
from literacy.content.sources import document
from literacy.content.types import Catalogue, Course, Role

LESSON = """---
id: probe
title: Probe lesson
minutes: 5
skills: [data]
---

Only 30% report mature AI-readiness capabilities.

## Sources

{sources}

## Knowledge check

### Which?
- [x] This
  Why: Because.
- [ ] That
  Why: Because not.
"""


def lesson(sources: str, lesson_id: str = "probe"):
    problems = Problems()
    text = LESSON.format(sources=sources).replace("id: probe", f"id: {lesson_id}")
    parsed = parse_lesson(text, "probe.md", "ops", {"data"}, problems)
    return parsed, [(p.line, p.message) for p in problems.sorted()]


def test_sources_are_read_with_their_continuation_lines():
    parsed, problems = lesson(
        "- Gartner, *2026 CMO Spend Survey*, 2026.\n  https://www.gartner.com/\n- UK Parliament, *PECR*, 2003."
    )
    assert problems == []
    assert parsed.sources == (
        "Gartner, *2026 CMO Spend Survey*, 2026. https://www.gartner.com/",
        "UK Parliament, *PECR*, 2003.",
    )
    assert "<h2>Sources</h2>" in parsed.html  # learners see them at the foot of the lesson


def test_a_source_without_a_year_or_a_list_is_reported_with_its_line():
    _, problems = lesson("- Gartner survey")
    assert problems == [(12, "a source needs its publisher, title and year: 'Gartner survey'")]
    _, problems = lesson("Gartner, 2026.")
    assert problems == [
        (10, "the sources section lists no sources"),
        (12, "the sources section holds a list: '- Publisher, *Title*, year.'"),
    ]


def test_the_sources_page_lists_each_source_once_with_every_lesson_citing_it():
    first, _ = lesson("- Gartner, *2026 CMO Spend Survey*, 2026.", "first")
    second, _ = lesson("- Gartner, 2026 CMO Spend Survey, 2026\n- Deloitte, *State of AI*, 2026.", "second")
    catalogue = Catalogue(
        {}, {"ops": Role("ops", "Operations", "", {})}, {"ops": Course("ops", "Ops", "", (first, second))}, {}
    )
    page = document(catalogue)
    assert page.count("Gartner") == 1 and page.index("Deloitte") < page.index("Gartner")
    assert "Cited in: Operations: Probe lesson; Operations: Probe lesson." in page


def test_docs_sources_is_up_to_date_with_the_lessons():
    expected = document(load(ROOT))
    assert (ROOT / "docs/sources.md").read_text(encoding="utf-8") == expected, (
        "docs/sources.md is out of date: run 'flask --app app content sources --out docs/sources.md'"
    )
