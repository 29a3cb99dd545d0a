"""Split YAML front matter from a Markdown file, keeping line numbers for every key."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import yaml

from literacy.content.errors import Problems

SLUG = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass
class Document:
    """A Markdown file split into its front matter and body."""

    path: str
    meta: dict[str, Any]
    key_lines: dict[str, int]
    body_lines: list[tuple[int, str]]  # (1-based file line number, text)

    def line_of(self, key: str) -> int:
        """The line of a front-matter key, or of the opening fence when it is missing."""
        return self.key_lines.get(key, 1)


def load_yaml(text: str, path: str, problems: Problems, first_line: int = 1) -> tuple[Any, dict[str, int]]:
    """Parse YAML; return (value, line of each top-level key). Errors go to ``problems``."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + (mark.line if mark else 0)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start and start.line != (mark.line if mark else 0):
            reason += f" ({context} that starts at line {first_line + start.line})"
        problems.add(path, line, f"malformed YAML: {reason}")
        return None, {}
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, _ in node.value:
            lines[str(key_node.value)] = first_line + key_node.start_mark.line
    return value, lines


def split(text: str, path: str, problems: Problems) -> Document | None:
    """Split ``---`` fenced front matter from the body; None if the front matter is unusable."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.add(path, 1, "malformed front matter: the file must start with a '---' line")
        return None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        problems.add(path, 1, "malformed front matter: no closing '---' line")
        return None
    meta, key_lines = load_yaml("\n".join(lines[1:end]), path, problems, first_line=2)
    if meta is None and not problems:
        meta = {}
    if not isinstance(meta, dict):
        if meta is not None:
            problems.add(path, 2, "malformed front matter: expected 'key: value' lines")
        return None
    body = [(i + 1, lines[i]) for i in range(end + 1, len(lines))]
    return Document(path, meta, key_lines, body)


def require(doc: Document, problems: Problems, key: str, kind: type | tuple[type, ...], label: str) -> Any:
    """Return a required front-matter value of the right type, or report it and return None."""
    if key not in doc.meta or doc.meta[key] in (None, ""):
        problems.add(doc.path, doc.line_of(key), f"missing required field '{key}'")
        return None
    value = doc.meta[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        problems.add(doc.path, doc.line_of(key), f"field '{key}' must be {label}")
        return None
    return value


def require_slug(doc: Document, problems: Problems, key: str) -> str | None:
    """A required id-like field: a lowercase slug."""
    value = require(doc, problems, key, str, "text")
    if value is not None and not SLUG.match(value):
        problems.add(
            doc.path, doc.line_of(key), f"'{key}' must be a lowercase slug (letters, digits, hyphens): {value!r}"
        )
        return None
    return value


def require_minutes(doc: Document, problems: Problems) -> int | None:
    """``minutes``: a whole number above zero."""
    value = require(doc, problems, "minutes", int, "a whole number of minutes")
    if value is not None and value <= 0:
        problems.add(doc.path, doc.line_of("minutes"), "field 'minutes' must be above zero")
        return None
    return value


def require_skills(doc: Document, problems: Problems, known: set[str]) -> list[str]:
    """``skills``: a non-empty list of known skill ids."""
    value = require(doc, problems, "skills", list, "a list of skill ids")
    if value is None:
        return []
    if not value:
        problems.add(doc.path, doc.line_of("skills"), "field 'skills' must list at least one skill")
    skills = []
    for item in value:
        if not isinstance(item, str) or item not in known:
            problems.add(doc.path, doc.line_of("skills"), f"unknown skill {item!r}")
        elif item in skills:
            problems.add(doc.path, doc.line_of("skills"), f"skill {item!r} listed twice")
        else:
            skills.append(item)
    return skills


def version_of(text: str) -> str:
    """A content file's version: a short hash of its text. Attempts pin it; statements carry it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
