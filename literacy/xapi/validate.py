"""Check a statement against the xAPI 1.0.3 rules before it is stored. Pure.

Covers what a Learning Record Provider is responsible for: required properties, one inverse
functional identifier per agent, IRIs, UUIDs, language maps, ISO 8601 timestamps and durations,
score ranges, interaction definitions, and no empty values outside extensions. A statement that
fails is a bug in the platform, so the outbox refuses it loudly instead of forwarding it.
"""

from __future__ import annotations

import re
from datetime import datetime

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
DURATION = re.compile(r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
MBOX = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
VERSION = re.compile(r"^1\.0(\.\d+)?$")
INTERACTION_TYPES = {
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
}
STATEMENT_KEYS = {
    "id",
    "actor",
    "verb",
    "object",
    "result",
    "context",
    "timestamp",
    "stored",
    "authority",
    "version",
    "attachments",
}
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")


class Checker:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def keys(self, value, where: str, required: set[str], allowed: set[str]) -> bool:
        if not isinstance(value, dict):
            self.fail(where, "must be an object")
            return False
        for key in sorted(required - value.keys()):
            self.fail(f"{where}.{key}", "is required")
        for key in sorted(value.keys() - allowed):
            self.fail(f"{where}.{key}", "is not an xAPI property")
        return True

    def match(self, value, pattern: re.Pattern, where: str, what: str) -> None:
        if not isinstance(value, str) or not pattern.match(value):
            self.fail(where, f"must be {what}, got {value!r}")

    def iri(self, value, where: str) -> None:
        self.match(value, IRI, where, "an absolute IRI")

    def language_map(self, value, where: str) -> None:
        if not isinstance(value, dict) or not value:
            self.fail(where, "must be a non-empty language map")
            return
        for tag, text in value.items():
            self.match(tag, LANGUAGE_TAG, f"{where}.{tag}", "an RFC 5646 language tag")
            if not isinstance(text, str):
                self.fail(f"{where}.{tag}", "must be a string")

    def extensions(self, value, where: str) -> None:
        if not isinstance(value, dict):
            self.fail(where, "must be an object")
            return
        for key in value:
            self.iri(key, f"{where}[{key!r}]")

    def no_empty(self, value, where: str) -> None:
        """xAPI forbids empty values (null, "", {}) except inside extensions."""
        if value is None or value == "" or value == {}:
            self.fail(where, "must not be empty")
        elif isinstance(value, dict):
            for key, inner in value.items():
                if key != "extensions":
                    self.no_empty(inner, f"{where}.{key}")
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                self.no_empty(inner, f"{where}[{i}]")


def errors(statement) -> list[str]:
    """Every rule the statement breaks, as 'path: message'; empty when it is valid."""
    c = Checker()
    if not c.keys(statement, "statement", {"actor", "verb", "object"}, STATEMENT_KEYS):
        return c.errors
    c.no_empty(statement, "statement")
    if "id" in statement:
        c.match(statement["id"], UUID, "statement.id", "a lowercase UUID")
    if "actor" in statement:
        _agent(c, statement["actor"], "statement.actor")
    if c.keys(statement.get("verb"), "statement.verb", {"id"}, {"id", "display"}):
        c.iri(statement["verb"].get("id"), "statement.verb.id")
        if "display" in statement["verb"]:
            c.language_map(statement["verb"]["display"], "statement.verb.display")
    _activity(c, statement.get("object"), "statement.object")
    if "result" in statement:
        _result(c, statement["result"])
    if "context" in statement:
        _context(c, statement["context"], statement.get("object"))
    if "timestamp" in statement:
        _timestamp(c, statement["timestamp"], "statement.timestamp")
    if "version" in statement:
        c.match(statement["version"], VERSION, "statement.version", "1.0.x")
    return c.errors


def _agent(c: Checker, agent, where: str) -> None:
    if not c.keys(agent, where, set(), {"objectType", "name", *IFIS}):
        return
    if agent.get("objectType", "Agent") != "Agent":
        c.fail(f"{where}.objectType", "must be 'Agent'")
    present = [key for key in IFIS if key in agent]
    if len(present) != 1:
        c.fail(where, f"must have exactly one identifier of {', '.join(IFIS)}, has {len(present)}")
    if "mbox" in agent:
        c.match(agent["mbox"], MBOX, f"{where}.mbox", "a mailto: IRI")
    if "account" in agent and c.keys(agent["account"], f"{where}.account", {"homePage", "name"}, {"homePage", "name"}):
        c.iri(agent["account"].get("homePage"), f"{where}.account.homePage")
        if not isinstance(agent["account"].get("name"), str):
            c.fail(f"{where}.account.name", "must be a string")


def _activity(c: Checker, activity, where: str) -> None:
    if not c.keys(activity, where, {"id"}, {"objectType", "id", "definition"}):
        return
    if activity.get("objectType", "Activity") != "Activity":
        c.fail(f"{where}.objectType", "must be 'Activity' (the platform sends no other kind)")
    c.iri(activity.get("id"), f"{where}.id")
    definition = activity.get("definition")
    if definition is None:
        return
    allowed = {
        "name",
        "description",
        "type",
        "moreInfo",
        "extensions",
        "interactionType",
        "correctResponsesPattern",
        "choices",
        "scale",
        "source",
        "target",
        "steps",
    }
    if not c.keys(definition, f"{where}.definition", set(), allowed):
        return
    for key in ("name", "description"):
        if key in definition:
            c.language_map(definition[key], f"{where}.definition.{key}")
    for key in ("type", "moreInfo"):
        if key in definition:
            c.iri(definition[key], f"{where}.definition.{key}")
    if "extensions" in definition:
        c.extensions(definition["extensions"], f"{where}.definition.extensions")
    _interaction(c, definition, f"{where}.definition")


def _interaction(c: Checker, definition: dict, where: str) -> None:
    kind = definition.get("interactionType")
    components = [key for key in ("choices", "scale", "source", "target", "steps") if key in definition]
    if kind is None:
        if components or "correctResponsesPattern" in definition:
            c.fail(where, "interaction properties need an interactionType")
        return
    if kind not in INTERACTION_TYPES:
        c.fail(f"{where}.interactionType", f"must be one of {', '.join(sorted(INTERACTION_TYPES))}")
    if kind == "choice" and "choices" not in definition:
        c.fail(f"{where}.choices", "a choice interaction lists its choices")
    pattern = definition.get("correctResponsesPattern", [])
    if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
        c.fail(f"{where}.correctResponsesPattern", "must be a list of strings")
    for key in components:
        items = definition[key]
        ids = [item.get("id") for item in items if isinstance(item, dict)] if isinstance(items, list) else []
        if len(ids) != len(items) or not all(isinstance(i, str) and i for i in ids):
            c.fail(f"{where}.{key}", "must be a list of components, each with an id")
        elif len(set(ids)) != len(ids):
            c.fail(f"{where}.{key}", "component ids must be unique")
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and "description" in item:
                c.language_map(item["description"], f"{where}.{key}[{i}].description")


def _result(c: Checker, result) -> None:
    where = "statement.result"
    if not c.keys(result, where, set(), {"score", "success", "completion", "response", "duration", "extensions"}):
        return
    for key in ("success", "completion"):
        if key in result and not isinstance(result[key], bool):
            c.fail(f"{where}.{key}", "must be true or false")
    if "response" in result and not isinstance(result["response"], str):
        c.fail(f"{where}.response", "must be a string")
    if "duration" in result:
        c.match(result["duration"], DURATION, f"{where}.duration", "an ISO 8601 duration")
    if "extensions" in result:
        c.extensions(result["extensions"], f"{where}.extensions")
    if "score" in result:
        _score(c, result["score"], f"{where}.score")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _score(c: Checker, score, where: str) -> None:
    if not c.keys(score, where, set(), {"scaled", "raw", "min", "max"}):
        return
    for key, value in score.items():
        if not _number(value):
            c.fail(f"{where}.{key}", "must be a number")
            return
    if "scaled" in score and not -1 <= score["scaled"] <= 1:
        c.fail(f"{where}.scaled", f"must be between -1 and 1, got {score['scaled']}")
    low, high = score.get("min"), score.get("max")
    if low is not None and high is not None and low >= high:
        c.fail(where, "min must be below max")
    if "raw" in score and ((low is not None and score["raw"] < low) or (high is not None and score["raw"] > high)):
        c.fail(f"{where}.raw", "must lie between min and max")


def _context(c: Checker, context, statement_object) -> None:
    where = "statement.context"
    allowed = {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
    if not c.keys(context, where, set(), allowed):
        return
    if "registration" in context:
        c.match(context["registration"], UUID, f"{where}.registration", "a lowercase UUID")
    if "language" in context:
        c.match(context["language"], LANGUAGE_TAG, f"{where}.language", "an RFC 5646 language tag")
    for key in ("revision", "platform"):
        if key in context and not isinstance(context[key], str):
            c.fail(f"{where}.{key}", "must be a string")
    is_activity = isinstance(statement_object, dict) and statement_object.get("objectType", "Activity") == "Activity"
    if not is_activity and ({"revision", "platform"} & context.keys()):
        c.fail(where, "revision and platform are only allowed when the object is an Activity")
    if "extensions" in context:
        c.extensions(context["extensions"], f"{where}.extensions")
    activities = context.get("contextActivities")
    if activities is not None and c.keys(
        activities, f"{where}.contextActivities", set(), {"parent", "grouping", "category", "other"}
    ):
        for key, items in activities.items():
            for i, item in enumerate(items if isinstance(items, list) else [items]):
                _activity(c, item, f"{where}.contextActivities.{key}[{i}]")


def _timestamp(c: Checker, value, where: str) -> None:
    c.match(value, TIMESTAMP, where, "an ISO 8601 timestamp with a time zone")
    if isinstance(value, str) and TIMESTAMP.match(value):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            c.fail(where, f"is not a real date and time: {value!r}")
