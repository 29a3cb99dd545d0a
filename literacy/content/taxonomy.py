"""Parse ``curricula/skills.yaml``: the skill taxonomy and each role's targets."""

from __future__ import annotations

import yaml

from literacy.content.errors import Problems
from literacy.content.frontmatter import SLUG, load_yaml
from literacy.content.types import Role, Skill, WorkflowKind


def _entries(
    text: str, data: dict, key: str, path: str, problems: Problems, lines: dict[str, int]
) -> list[tuple[int, dict]]:
    """The list under ``key`` with each entry's line, reporting a missing or mistyped list."""
    items = data.get(key)
    if not isinstance(items, list) or not items:
        problems.add(path, lines.get(key, 1), f"'{key}' must be a non-empty list")
        return []
    # Not strict: the node tree and the loaded value can disagree (a key given twice, where the loaded
    # value keeps the last list but the tree search finds the first); pair what lines there are
    # rather than fail the whole catalogue load.
    return list(zip(_item_lines(text, key), items, strict=False))


def _item_lines(text: str, key: str) -> list[int]:
    """Line of each list item under a top-level key (from the YAML node tree)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    for key_node, value in root.value:
        if key_node.value == key and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _text(entry: dict, field: str, path: str, line: int, problems: Problems) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip():
        problems.add(path, line, f"missing required field '{field}'")
        return ""
    return value.strip()


def _id(entry: dict, path: str, line: int, problems: Problems, seen: set[str], kind: str) -> str | None:
    value = _text(entry, "id", path, line, problems)
    if not value:
        return None
    if not SLUG.match(value):
        problems.add(path, line, f"{kind} id must be a lowercase slug: {value!r}")
        return None
    if value in seen:
        problems.add(path, line, f"duplicate {kind} id '{value}'")
        return None
    seen.add(value)
    return value


def _described(
    entry, kind: str, path: str, line: int, problems: Problems, seen: set[str]
) -> tuple[str | None, str, str]:
    """The id, name and description every skill and role entry carries."""
    if not isinstance(entry, dict):
        problems.add(path, line, f"each {kind} needs id, name and description")
        return None, "", ""
    return (
        _id(entry, path, line, problems, seen, kind),
        _text(entry, "name", path, line, problems),
        _text(entry, "description", path, line, problems),
    )


def parse_taxonomy(text: str, path: str, problems: Problems) -> tuple[dict[str, Skill], dict[str, Role]]:
    """Skills (each with its scope) and roles (each with a 0-100 target for every skill and the
    rationale for them) from the taxonomy file."""
    data, lines = load_yaml(text, path, problems)
    if not isinstance(data, dict):
        if data is not None:
            problems.add(path, 1, "expected 'skills:' and 'roles:' sections")
        return {}, {}
    skills: dict[str, Skill] = {}
    for line, entry in _entries(text, data, "skills", path, problems, lines):
        sid, name, description = _described(entry, "skill", path, line, problems, set(skills))
        scope = _text(entry, "scope", path, line, problems) if isinstance(entry, dict) else ""
        if sid:
            skills[sid] = Skill(sid, name, description, scope)
    roles: dict[str, Role] = {}
    for line, entry in _entries(text, data, "roles", path, problems, lines):
        rid, name, description = _described(entry, "role", path, line, problems, set(roles))
        targets = _targets(entry.get("targets") if isinstance(entry, dict) else None, skills, path, line, problems)
        rationale = _text(entry, "rationale", path, line, problems) if isinstance(entry, dict) else ""
        if rid:
            roles[rid] = Role(rid, name, description, targets, rationale)
    return skills, roles


def _targets(raw, skills: dict[str, Skill], path: str, line: int, problems: Problems) -> dict[str, int]:
    if not isinstance(raw, dict):
        problems.add(path, line, "missing required field 'targets' (a target 0-100 for every skill)")
        return {}
    targets = {}
    for skill, value in raw.items():
        if skill not in skills:
            problems.add(path, line, f"target for unknown skill {skill!r}")
        elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
            problems.add(path, line, f"target for '{skill}' must be a whole number from 0 to 100")
        else:
            targets[skill] = value
    for skill in skills:
        if skill not in raw:
            problems.add(path, line, f"no target for skill '{skill}'")
    return targets


def parse_workflow_kinds(text: str, path: str, problems: Problems) -> dict[str, WorkflowKind]:
    """The optional ``workflow_kinds:`` list: the kinds of AI workflow scenarios may name."""
    data, lines = load_yaml(text, path, problems)
    if not isinstance(data, dict) or "workflow_kinds" not in data:
        return {}
    kinds: dict[str, WorkflowKind] = {}
    for line, entry in _entries(text, data, "workflow_kinds", path, problems, lines):
        kid, name, description = _described(entry, "workflow kind", path, line, problems, set(kinds))
        if kid:
            kinds[kid] = WorkflowKind(kid, name, description)
    return kinds
