"""Parse a role's course: ``course.yaml`` and its Markdown lessons with knowledge checks."""

from __future__ import annotations

import re
from pathlib import Path

from literacy.content.errors import Problems, readable
from literacy.content.frontmatter import (
    SLUG,
    Document,
    load_yaml,
    require,
    require_minutes,
    require_skills,
    require_slug,
    split,
    version_of,
)
from literacy.content.render import to_html, word_count
from literacy.content.types import Course, Lesson, Option, Question

CHECK_HEADING = re.compile(r"^##\s+Knowledge check\s*$", re.IGNORECASE)
SOURCES_HEADING = re.compile(r"^##\s+Sources\s*$", re.IGNORECASE)
SOURCE_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
OPTION = re.compile(r"^[-*]\s+\[([ xX])\]\s+(.+)$")
WHY = re.compile(r"^\s+Why:\s*(.*)$")


def parse_lesson(text: str, path: str, role: str, skills: set[str], problems: Problems) -> Lesson | None:
    """One lesson file: front matter, Markdown body, optional knowledge check at the end."""
    before = len(problems)
    doc = split(text, path, problems)
    if doc is None:
        return None
    lesson_id = require_slug(doc, problems, "id")
    title = require(doc, problems, "title", str, "text")
    minutes = require_minutes(doc, problems)
    lesson_skills = require_skills(doc, problems, skills)
    body, check = _split_check(doc)
    if not "".join(line for _, line in body).strip():
        problems.add(path, doc.body_lines[0][0] if doc.body_lines else 1, "the lesson has no text")
    questions = _parse_questions(check, path, problems) if check is not None else ()
    sources = _parse_sources(body, path, problems)
    if len(problems) > before:
        return None
    prose = "\n".join(line for _, line in body)
    return Lesson(
        lesson_id,
        role,
        title,
        minutes,
        tuple(lesson_skills),
        to_html(prose),
        word_count(prose),
        questions,
        path,
        version_of(text),
        sources,
    )


def _parse_sources(body: list[tuple[int, str]], path: str, problems: Problems) -> tuple[str, ...]:
    """The ``## Sources`` section's list: one entry per source, each naming its publisher, title and year."""
    start = next((i for i, (_, line) in enumerate(body) if SOURCES_HEADING.match(line)), None)
    if start is None:
        return ()
    entries: list[tuple[int, str]] = []
    for number, line in body[start + 1 :]:
        if line.startswith("## "):
            break
        if re.match(r"^[-*]\s+", line):
            entries.append((number, re.sub(r"^[-*]\s+", "", line).strip()))
        elif line.strip() and entries and line.startswith((" ", "\t")):
            entries[-1] = (entries[-1][0], f"{entries[-1][1]} {line.strip()}")
        elif line.strip():
            problems.add(path, number, "the sources section holds a list: '- Publisher, *Title*, year.'")
    if not entries:
        problems.add(path, body[start][0], "the sources section lists no sources")
    for number, entry in entries:
        if "," not in entry or not SOURCE_YEAR.search(entry):
            problems.add(path, number, f"a source needs its publisher, title and year: {entry!r}")
    return tuple(entry for _, entry in entries)


def _split_check(doc: Document) -> tuple[list[tuple[int, str]], list[tuple[int, str]] | None]:
    """Separate the lesson text from the trailing ``## Knowledge check`` section."""
    for i, (_, line) in enumerate(doc.body_lines):
        if CHECK_HEADING.match(line):
            return doc.body_lines[:i], doc.body_lines[i + 1 :]
    return doc.body_lines, None


def _parse_questions(lines: list[tuple[int, str]], path: str, problems: Problems) -> tuple[Question, ...]:
    """``### question`` headings, each followed by ``- [ ]``/``- [x]`` options with indented ``Why:`` lines."""
    raw: list[dict] = []
    for number, line in lines:
        if line.startswith("## "):
            problems.add(path, number, "the knowledge check must be the last section of the lesson")
            break
        if line.startswith("### "):
            raw.append({"prompt": line[4:].strip(), "line": number, "options": []})
        elif (match := OPTION.match(line)) and raw:
            raw[-1]["options"].append(
                {"correct": match[1] != " ", "text": match[2].strip(), "why": None, "line": number}
            )
        elif (match := WHY.match(line)) and raw and raw[-1]["options"]:
            raw[-1]["options"][-1]["why"] = match[1].strip()
        elif line.strip() and raw and raw[-1]["options"] and line.startswith((" ", "\t")):
            option = raw[-1]["options"][-1]
            if option["why"] is not None:
                option["why"] += " " + line.strip()
        elif line.strip():
            problems.add(
                path,
                number,
                "unexpected text in the knowledge check "
                "(expected '### question', '- [ ] option' or an indented 'Why:' line)",
            )
    if not raw:
        problems.add(path, lines[0][0] - 1 if lines else 1, "the knowledge check has no questions")
    return tuple(q for q in (_question(item, path, problems) for item in raw) if q)


def _question(item: dict, path: str, problems: Problems) -> Question | None:
    options = item["options"]
    ok = True
    if len(options) < 2:
        problems.add(path, item["line"], "a question needs at least two options")
        ok = False
    if sum(o["correct"] for o in options) != 1:
        problems.add(path, item["line"], "a question needs exactly one correct option marked [x]")
        ok = False
    for option in options:
        if not option["why"]:
            problems.add(path, option["line"], "option has no 'Why:' explanation")
            ok = False
    if not ok:
        return None
    return Question(
        item["prompt"], tuple(Option(o["text"], o["correct"], to_html(o["why"])) for o in options), item["line"]
    )


def parse_course(folder: Path, role_ids: set[str], skills: set[str], problems: Problems) -> Course | None:
    """A role's ``course.yaml`` and the lessons it lists, in order."""
    meta_path = folder / "course.yaml"
    path = str(meta_path)
    if not meta_path.is_file():
        problems.add(str(folder), 1, "missing course.yaml")
        return None
    meta, lines = load_yaml(meta_path.read_text(encoding="utf-8"), path, problems)
    if not isinstance(meta, dict):
        if meta is not None:
            problems.add(path, 1, "course.yaml must hold 'key: value' lines")
        return None
    doc = Document(path, meta, lines, [])
    title = require(doc, problems, "title", str, "text")
    summary = require(doc, problems, "summary", str, "text")
    role = require(doc, problems, "role", str, "text")
    order = require(doc, problems, "lessons", list, "a list of lesson ids")
    if role is not None and role not in role_ids:
        problems.add(path, doc.line_of("role"), f"unknown role '{role}'")
    elif role is not None and role != folder.name:
        problems.add(path, doc.line_of("role"), f"role '{role}' does not match the folder '{folder.name}'")
    lessons = {}
    broken = 0
    for file in sorted(folder.glob("*.md")):
        lesson = parse_lesson(file.read_text(encoding="utf-8"), str(file), folder.name, skills, problems)
        if lesson is None:
            broken += 1  # its own problems are reported; its id is unknown, so skip "missing lesson" noise
            continue
        if lesson.id in lessons:
            problems.add(
                str(file), 2, f"duplicate lesson id '{lesson.id}' (also in {readable(lessons[lesson.id].path)})"
            )
        lessons[lesson.id] = lesson
    ordered = _ordered(order or [], lessons, doc, problems, report_missing=not broken)
    if title is None or summary is None or role is None or order is None:
        return None
    return Course(role, title, summary.strip(), tuple(ordered))


def _ordered(
    order: list, lessons: dict[str, Lesson], doc: Document, problems: Problems, report_missing: bool
) -> list[Lesson]:
    """Lessons in the order ``course.yaml`` lists them; every lesson listed exactly once."""
    line = doc.line_of("lessons")
    for lesson_id in order:
        if not isinstance(lesson_id, str) or not SLUG.match(lesson_id):
            problems.add(doc.path, line, f"lesson id must be a lowercase slug: {lesson_id!r}")
        elif lesson_id not in lessons and report_missing:
            problems.add(doc.path, line, f"lists lesson '{lesson_id}' but no lesson file has that id")
    if len(set(order)) != len(order):
        problems.add(doc.path, line, "a lesson is listed twice")
    for lesson_id, lesson in lessons.items():
        if lesson_id not in order:
            problems.add(lesson.path, 2, f"lesson '{lesson_id}' is not listed in course.yaml")
    return [lessons[i] for i in dict.fromkeys(order) if isinstance(i, str) and i in lessons]
