"""Twine interchange: write a scenario as Twee 3, and read a Twee 3 story back into our format. Pure.

Convention (docs/authoring.md, "Twine"): a passage is a node; a link is a choice, written on its
own line and followed by field lines (``effects:``, ``sets:``, ``requires:``) and ``feedback:``,
whose text runs to the next link; an optional first line ``title:`` gives the node's title; a
passage tagged ``ending:strong``, ``ending:mixed`` or ``ending:poor`` is an ending; a passage
``Scenario`` tagged ``meta`` holds the front matter (id, role, skills, minutes, summary).
"""

from __future__ import annotations

import json
import re
import uuid
from collections import deque
from dataclasses import dataclass, field

import yaml

from literacy.content.scenario import BLOCK_CLOSE, BLOCK_OPEN
from literacy.content.types import OUTCOMES, Scenario

LINK = re.compile(r"\[\[(.+?)\]\](?!\])")  # a name may end in "]": [[Go->Draft [v2]]] targets "Draft [v2]"
FIELD = re.compile(r"^(effects|sets|requires|feedback|title)\s*:\s*(.*)$", re.IGNORECASE)
SLUG = re.compile(r"[^a-z0-9]+")


def escape(name: str) -> str:
    return re.sub(r"([\\[\]{}])", r"\\\1", name)


def _layout(scenario: Scenario) -> dict[str, tuple[int, int]]:
    """Story-map positions: columns by distance from the start, so the graph reads left to right."""
    depth, queue = {scenario.start: 0}, deque([scenario.start])
    while queue:
        node = scenario.nodes[queue.popleft()]
        for choice in node.choices:
            if choice.target not in depth:
                depth[choice.target] = depth[node.id] + 1
                queue.append(choice.target)
    rows: dict[int, int] = {}
    positions = {}
    for node_id in scenario.nodes:
        column = depth.get(node_id, max(depth.values(), default=0) + 1)
        rows[column] = rows.get(column, 0) + 1
        positions[node_id] = (100 + 250 * column, 100 + 150 * (rows[column] - 1))
    return positions


def export(scenario: Scenario) -> str:
    """The scenario as a Twee 3 story that Twine can open, edit and save for ``import_story``."""
    data = {
        "ifid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"literacy:{scenario.id}")).upper(),
        "format": "Harlowe",
        "format-version": "3.3.9",
        "start": scenario.start,
        "zoom": 1,
    }
    meta = {"id": scenario.id, "role": scenario.role, "skills": list(scenario.skills), "minutes": scenario.minutes}
    if scenario.summary:
        meta["summary"] = scenario.summary
    parts = [
        ":: StoryTitle",
        scenario.title,
        "",
        ":: StoryData",
        json.dumps(data, indent=2),
        "",
        ":: Scenario [meta]",
        yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000).strip(),
        "",
    ]
    positions = _layout(scenario)
    for node in scenario.nodes.values():
        tags = f" [ending:{node.outcome}]" if node.is_ending else ""
        x, y = positions[node.id]
        parts.append(f":: {escape(node.id)}{tags} {json.dumps({'position': f'{x},{y}', 'size': '100,100'})}")
        if node.title:
            parts.append(f"title: {node.title}")
        parts.append(_conditions_to_twee(node.source))
        for choice in node.choices:
            parts += ["", f"[[{choice.label}->{choice.target}]]"]
            if choice.requires:
                parts.append("requires: " + ", ".join(("" if r.present else "!") + r.flag for r in choice.requires))
            if choice.sets:
                parts.append("sets: " + ", ".join(sorted(choice.sets)))
            if choice.effects:
                parts.append("effects: " + ", ".join(f"{s} {v:+d}" for s, v in choice.effects.items()))
            parts.append("feedback: " + choice.source)
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


TWEE_IF = re.compile(r"^<<if\s+(.*?)>>\s*$")


def _conditions_to_twee(source: str) -> str:
    """``::: if flag`` blocks as ``<<if flag>>`` ... ``<</if>>``: a Twee line may not start with '::'."""
    lines = []
    for line in source.splitlines():
        if match := BLOCK_OPEN.match(line):
            line = f"<<if {match[1]}>>"
        elif BLOCK_CLOSE.match(line):
            line = "<</if>>"
        lines.append(line)
    return "\n".join(lines)


def _condition_from_twee(line: str) -> str:
    if match := TWEE_IF.match(line.strip()):
        return f"::: if {match[1].strip()}"
    return ":::" if line.strip() == "<</if>>" else line


@dataclass
class _Passage:
    name: str
    tags: list[str]
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Choice:
    label: str
    target: str
    fields: dict[str, str] = field(default_factory=dict)
    feedback: list[str] = field(default_factory=list)


def _header(text: str, line: int, notes: list[str]) -> _Passage:
    """``:: name [tags] {metadata}`` with backslash escapes in the name."""
    name, i = [], 0
    while i < len(text) and text[i] not in "[{":
        if text[i] == "\\" and i + 1 < len(text):
            i += 1
        name.append(text[i])
        i += 1
    rest = text[i:].strip()
    tags: list[str] = []
    if rest.startswith("["):
        close = rest.find("]")
        tags, rest = rest[1:close].split(), rest[close + 1 :].strip()
    passage = _Passage("".join(name).strip(), tags, line)
    if rest.startswith("{"):
        try:
            json.loads(rest)
        except json.JSONDecodeError:
            notes.append(f"line {line}: passage '{passage.name}': invalid metadata {rest!r} was discarded")
    return passage


def _passages(text: str, notes: list[str]) -> list[_Passage]:
    passages: list[_Passage] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("::"):
            passages.append(_header(line[2:].strip(), number, notes))
        elif passages:
            passages[-1].lines.append((number, line))
    return passages


def _target(link: str) -> tuple[str, str]:
    """Twine's link forms: [[target]], [[label->target]], [[target<-label]], [[label|target]]."""
    if "->" in link:
        label, target = link.rsplit("->", 1)
    elif "<-" in link:
        target, label = link.split("<-", 1)
    elif "|" in link:
        label, target = link.rsplit("|", 1)
    else:
        label = target = link
    return label.strip(), target.strip()


def _story_code(passage, notes: list[str]) -> bool:
    """Twine keeps a story's JavaScript and CSS in passages tagged script and stylesheet (Twine's
    StoryScript and StoryStylesheet). Scenarios run no code, so they are left out, with a note."""
    kinds = {"script", "stylesheet"} & set(passage.tags)
    if kinds:
        notes.append(
            f"line {passage.line}: passage '{passage.name}': "
            f"story {' and '.join(sorted(kinds))} ignored (scenarios run no code)"
        )
    return bool(kinds)


def slug(name: str) -> str:
    value = SLUG.sub("-", name.lower()).strip("-")
    return value if value and value[0].isalpha() else f"n-{value}"


def import_story(text: str, role: str) -> tuple[str, list[str]]:
    """Twee 3 text into our scenario Markdown, with notes on what could not be mapped (passage and line)."""
    notes: list[str] = []
    passages = _passages(text, notes)
    special = {p.name: p for p in passages if p.name in ("StoryTitle", "StoryData") or "meta" in p.tags}
    title = (
        "\n".join(line for _, line in special["StoryTitle"].lines).strip()
        if "StoryTitle" in special
        else "Imported story"
    )
    start = None
    if "StoryData" in special:
        try:
            start = json.loads("\n".join(line for _, line in special["StoryData"].lines)).get("start")
        except json.JSONDecodeError:
            notes.append(f"line {special['StoryData'].line}: StoryData is not valid JSON")
    meta_passage = next((p for p in passages if "meta" in p.tags), None)
    meta = {}
    if meta_passage:
        try:
            meta = yaml.safe_load("\n".join(line for _, line in meta_passage.lines)) or {}
        except yaml.YAMLError:
            meta = None
        if not isinstance(meta, dict):
            notes.append(
                f"line {meta_passage.line}: passage '{meta_passage.name}': not 'key: value' YAML, so it was ignored"
            )
            meta = {}
    nodes = [
        p
        for p in passages
        if p.name not in ("StoryTitle", "StoryData") and "meta" not in p.tags and not _story_code(p, notes)
    ]
    ids = {p.name: slug(p.name) for p in nodes}
    if start is None and nodes:
        start = nodes[0].name
        notes.append("StoryData has no start passage: the first passage is used")
    body, effects_seen = [], set()
    for passage in nodes:
        body.append(_node(passage, ids, notes, effects_seen))
    skills = meta.get("skills") or sorted(effects_seen)
    front = {
        "id": meta.get("id") or f"{role}-{slug(title)}",
        "title": title,
        "role": role,
        "skills": skills,
        "minutes": meta.get("minutes", 10),
        "start": ids.get(start, slug(start or "start")),
    }
    if meta.get("summary"):
        front["summary"] = meta["summary"]
    front_text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000, default_flow_style=None).strip()
    return f"---\n{front_text}\n---\n\n" + "\n\n".join(body) + "\n", notes


def _node(passage: _Passage, ids: dict[str, str], notes: list[str], effects_seen: set[str]) -> str:
    title, text, choices = "", [], []

    def choice(link: str, number: int) -> _Choice:
        label, target = _target(link)
        if target not in ids:
            notes.append(f"line {number}: passage '{passage.name}': link to '{target}', which is not a passage")
        return _Choice(label, ids.get(target, slug(target)))

    for number, line in passage.lines:
        match = FIELD.match(line.strip())
        links = LINK.findall(line)
        if links and line.strip().startswith("[["):
            choices += [choice(link, number) for link in links]
        elif match and match[1].lower() == "title" and not choices and not any(t.strip() for t in text):
            title = match[2].strip()
        elif match and choices and match[1].lower() != "title" and not choices[-1].feedback:
            key = match[1].lower()
            if key == "feedback":
                choices[-1].feedback.append(match[2])
            else:
                choices[-1].fields[key] = match[2].strip()
                if key == "effects":
                    effects_seen.update(part.split()[0] for part in match[2].split(",") if part.strip())
        elif choices and not choices[-1].feedback and not line.strip():
            continue  # blank lines between a link and its field lines
        elif choices:
            if not choices[-1].feedback and line.strip():
                notes.append(
                    f"line {number}: passage '{passage.name}': "
                    "text after a link without 'feedback:' became its feedback"
                )
            choices[-1].feedback.append(line)
        else:
            if links:  # a link inside prose still becomes a choice, but it has nowhere to put feedback
                notes.append(
                    f"line {number}: passage '{passage.name}': "
                    "a link inside the text has no 'feedback:'; put links on lines of their own"
                )
            choices += [choice(link, number) for link in links]
            text.append(_condition_from_twee(LINK.sub(lambda m: _target(m[1])[0], line)))
    outcome = next((t.split(":", 1)[1] for t in passage.tags if t.startswith("ending:")), None)
    if outcome is not None and outcome not in OUTCOMES:
        notes.append(f"line {passage.line}: passage '{passage.name}': unknown outcome '{outcome}'")
    if not choices and outcome is None:
        notes.append(
            f"line {passage.line}: passage '{passage.name}' has no links and no ending tag: it became a mixed ending"
        )
        outcome = "mixed"
    heading = f"## {ids[passage.name]}" + (
        f": {title}" if title else (f": {passage.name}" if ids[passage.name] != passage.name else "")
    )
    parts = [heading + (f"\nOutcome: {outcome}" if outcome else "")]  # the outcome line sits right under the heading
    parts.append("\n".join(text).strip())
    for choice in choices:
        block = [f"### {choice.label}", f"Go: {choice.target}"]
        block += [f"{k.capitalize()}: {v}" for k, v in choice.fields.items() if v]
        parts.append("\n".join(block) + "\n\n" + "\n".join(choice.feedback).strip())
    return "\n\n".join(p for p in parts if p)
