"""Parse a branching scenario: front matter, ``## node`` sections and ``### choice`` blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from literacy.content.errors import Problems
from literacy.content.frontmatter import SLUG, require, require_minutes, require_skills, require_slug, split, version_of
from literacy.content.render import to_html
from literacy.content.types import OUTCOMES, Choice, Node, Passage, Requirement, Scenario

NODE = re.compile(r"^##\s+([^\s:]+)\s*(?::\s*(.*))?$")
FIELD = re.compile(r"^(Go|Effects|Sets|Requires|Outcome)\s*:\s*(.*)$", re.IGNORECASE)
EFFECT = re.compile(r"^([a-z][a-z0-9-]*)\s+([+-]\d+)$")
FLAG = re.compile(r"^(!?)([a-z][a-z0-9-]*)$")
BLOCK_OPEN = re.compile(r"^:::\s*if\b\s*(.*?)\s*$")
BLOCK_CLOSE = re.compile(r"^:::\s*$")


@dataclass
class _RawChoice:
    label: str
    line: int
    fields: dict[str, tuple[int, str]] = field(default_factory=dict)
    text: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _RawNode:
    id: str
    title: str
    line: int
    outcome: tuple[int, str] | None = None
    text: list[tuple[int, str]] = field(default_factory=list)
    choices: list[_RawChoice] = field(default_factory=list)


def parse_scenario(text: str, path: str, roles: set[str], skills: set[str], problems: Problems) -> Scenario | None:
    """A scenario file into a :class:`Scenario`; structural defects are reported, not raised."""
    before = len(problems)
    doc = split(text, path, problems)
    if doc is None:
        return None
    scenario_id = require_slug(doc, problems, "id")
    title = require(doc, problems, "title", str, "text")
    role = require(doc, problems, "role", str, "text")
    if role is not None and role not in roles:
        problems.add(path, doc.line_of("role"), f"unknown role '{role}'")
    listed = require_skills(doc, problems, skills)
    named = {str(s) for s in doc.meta.get("skills") or [] if isinstance(doc.meta.get("skills"), list)}
    minutes = require_minutes(doc, problems)
    start = require_slug(doc, problems, "start")
    summary = doc.meta.get("summary") or ""
    workflows = _workflow_kinds(doc, problems)
    raw_nodes = _read_nodes(doc.body_lines, path, problems)
    nodes = {}
    for raw in raw_nodes:
        if raw.id in nodes:
            problems.add(path, raw.line, f"duplicate node id '{raw.id}' (first at line {nodes[raw.id].line})")
            continue
        nodes[raw.id] = _build_node(raw, path, named, problems)
    if not nodes:
        problems.add(
            path, doc.body_lines[0][0] if doc.body_lines else 1, "the scenario has no nodes ('## node-id: Title')"
        )
    elif start is not None and start not in nodes:
        problems.add(path, doc.line_of("start"), f"start node '{start}' does not exist")
    for node in nodes.values():
        for choice in node.choices:
            if choice.target and choice.target not in nodes:
                problems.add(
                    path, choice.line, f"choice '{choice.label}' goes to node '{choice.target}', which does not exist"
                )
    if len(problems) > before:
        return None
    return Scenario(
        scenario_id,
        role,
        title,
        str(summary).strip(),
        tuple(listed),
        minutes,
        start,
        nodes,
        path,
        version_of(text),
        lines=doc.key_lines,
        workflows=workflows,
    )


def _workflow_kinds(doc, problems: Problems) -> tuple[str, ...]:
    """``workflows``: an optional list of workflow-kind slugs (checked against the taxonomy later)."""
    value = doc.meta.get("workflows")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and SLUG.match(v) for v in value):
        problems.add(doc.path, doc.line_of("workflows"), "field 'workflows' must be a list of workflow-kind ids")
        return ()
    return tuple(dict.fromkeys(value))


def _read_nodes(lines: list[tuple[int, str]], path: str, problems: Problems) -> list[_RawNode]:
    """Group body lines into nodes and choices; field lines directly follow their heading."""
    nodes: list[_RawNode] = []
    in_fields = False
    for number, line in lines:
        if line.startswith("## "):
            match = NODE.match(line)
            if not match or not SLUG.match(match[1]):
                problems.add(path, number, "node heading must be '## node-id: Title' with a lowercase slug id")
                nodes.append(_RawNode("", "", number))
            else:
                nodes.append(_RawNode(match[1], (match[2] or "").strip(), number))
            in_fields = True
        elif line.startswith("### ") and nodes:
            nodes[-1].choices.append(_RawChoice(line[4:].strip(), number))
            in_fields = True
        elif not nodes:
            if line.strip():
                problems.add(path, number, "text before the first node ('## node-id: Title')")
        elif in_fields and (match := FIELD.match(line)):
            _add_field(nodes[-1], match[1].capitalize(), match[2].strip(), number, path, problems)
        else:
            in_fields = False  # fields sit directly under their heading
            target = nodes[-1].choices[-1].text if nodes[-1].choices else nodes[-1].text
            target.append((number, line))
    return [n for n in nodes if n.id]


def _add_field(node: _RawNode, name: str, value: str, number: int, path: str, problems: Problems) -> None:
    if name == "Outcome":
        if node.choices:
            problems.add(path, number, "'Outcome:' belongs right after a node heading, not in a choice")
        else:
            node.outcome = (number, value)
        return
    if not node.choices:
        problems.add(path, number, f"'{name}:' belongs to a choice ('### label'), not to the node text")
        return
    choice = node.choices[-1]
    if name in choice.fields:
        problems.add(path, number, f"'{name}:' given twice for this choice")
    choice.fields[name] = (number, value)


def _build_node(raw: _RawNode, path: str, listed: set[str], problems: Problems) -> Node:
    text = "\n".join(line for _, line in raw.text).strip()
    outcome = None
    if raw.outcome is not None:
        line, outcome = raw.outcome
        if outcome not in OUTCOMES:
            problems.add(path, line, f"outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}")
        if raw.choices:
            problems.add(path, raw.line, f"node '{raw.id}' is an ending (Outcome) but also has choices")
        if not text:
            problems.add(path, raw.line, f"ending '{raw.id}' has no debrief text")
    elif not raw.choices:
        problems.add(path, raw.line, f"node '{raw.id}' has no choices and no 'Outcome:' (a dead end)")
    if not text and outcome is None:
        problems.add(path, raw.line, f"node '{raw.id}' has no text")
    choices = tuple(_build_choice(i, c, path, listed, problems) for i, c in enumerate(raw.choices))
    passages = _passages(raw.text, path, problems)
    html = "\n".join(p.html for p in passages if not p.requires)
    return Node(raw.id, raw.title, html, outcome, choices, raw.line, text, passages)


def _passages(lines: list[tuple[int, str]], path: str, problems: Problems) -> tuple[Passage, ...]:
    """Split a node's text at ``::: if flag, !flag`` ... ``:::`` blocks (one level, no nesting)."""
    passages: list[Passage] = []
    chunk: list[str] = []
    condition: tuple[Requirement, ...] = ()
    opened = 0  # line of the open block's '::: if', 0 outside a block

    def close_chunk(line: int) -> None:
        text = "\n".join(chunk).strip()
        if text:
            passages.append(Passage(condition, to_html(text), line))
        elif opened:
            problems.add(path, opened, "this '::: if' block has no text")
        chunk.clear()

    start = lines[0][0] if lines else 0
    for number, line in lines:
        if match := BLOCK_OPEN.match(line):
            if opened:
                problems.add(path, number, f"'::: if' blocks cannot be nested (the block at line {opened} is open)")
                continue
            close_chunk(start)
            condition = tuple(_flags((number, match[1]), path, problems, negation=True))
            if not match[1]:
                problems.add(path, number, "'::: if' needs at least one flag ('::: if flag' or '::: if !flag')")
            opened, start = number, number
        elif BLOCK_CLOSE.match(line):
            if not opened:
                problems.add(path, number, "':::' closes no '::: if' block")
                continue
            close_chunk(opened)
            condition, opened, start = (), 0, number + 1
        elif line.startswith(":::"):
            problems.add(path, number, "a line starting ':::' must be '::: if flag, !flag' or a closing ':::'")
        else:
            chunk.append(line)
    if opened:
        problems.add(path, opened, "this '::: if' block is never closed (end it with a line ':::')")
    close_chunk(opened or start)
    return tuple(passages)


def _build_choice(index: int, raw: _RawChoice, path: str, listed: set[str], problems: Problems) -> Choice:
    if not raw.label:
        problems.add(path, raw.line, "choice has no label")
    target = ""
    if "Go" not in raw.fields:
        problems.add(path, raw.line, f"choice '{raw.label}' has no 'Go:' target")
    else:
        line, target = raw.fields["Go"]
        if not SLUG.match(target):
            problems.add(path, line, f"'Go:' must name a node id, not {target!r}")
    feedback = "\n".join(line for _, line in raw.text).strip()
    if not feedback:
        problems.add(path, raw.line, f"choice '{raw.label}' has empty feedback")
    for number, line in raw.text:
        if line.startswith(":::"):
            problems.add(path, number, "'::: if' blocks belong in a node's text, not in a choice's feedback")
    effects = _effects(raw.fields.get("Effects"), path, listed, problems)
    sets = _flags(raw.fields.get("Sets"), path, problems, negation=False)
    requires = _flags(raw.fields.get("Requires"), path, problems, negation=True)
    return Choice(
        index,
        raw.label,
        target,
        effects,
        frozenset(r.flag for r in sets),
        tuple(requires),
        to_html(feedback),
        raw.line,
        feedback,
    )


def _effects(field_value: tuple[int, str] | None, path: str, listed: set[str], problems: Problems) -> dict[str, int]:
    """``Effects: skill +2, skill -1`` into a dict; every skill must be one the scenario lists."""
    if field_value is None:
        return {}
    line, value = field_value
    effects: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        match = EFFECT.match(part)
        if not match:
            problems.add(path, line, f"effect must look like 'skill-id +2': {part!r}")
        elif match[1] not in listed:
            problems.add(path, line, f"effect on skill '{match[1]}', which the scenario does not list in 'skills'")
        else:
            effects[match[1]] = effects.get(match[1], 0) + int(match[2])
    return effects


def _flags(field_value: tuple[int, str] | None, path: str, problems: Problems, negation: bool) -> list[Requirement]:
    if field_value is None:
        return []
    line, value = field_value
    result = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        match = FLAG.match(part)
        if not match or (match[1] and not negation):
            problems.add(
                path, line, f"flag must be a lowercase slug{' (optionally with !)' if negation else ''}: {part!r}"
            )
        else:
            result.append(Requirement(match[2], not match[1]))
    return result
