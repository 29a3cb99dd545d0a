"""The registry as a file: CSV and JSON export and import. Pure: records in, text out; bytes in,
records or every problem (with its row number) out. People are named by email, teams by name.

CSV puts lists in one cell separated by semicolons, and each data source as
``name | rating | checked on``; JSON keeps lists and sources as lists."""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import date

from email_validator import EmailNotValidError, validate_email

from literacy.cohorts.roster import delimiter
from literacy.platform.csvsafe import restore
from literacy.platform.text import plain
from literacy.workflows import readiness

MAX_BYTES = 1024 * 1024  # the request limit (MAX_CONTENT_LENGTH) too
MAX_ROWS = 2000
TRUE, FALSE = {"yes", "true", "1", "y"}, {"no", "false", "0", "n", ""}


@dataclass(frozen=True)
class SourceRecord:
    name: str
    rating: str
    checked_on: str = ""  # ISO date or empty


@dataclass(frozen=True)
class Record:
    """One workflow as a file holds it."""

    name: str
    kind: str = ""
    stage: str = "experiment"
    stage_since: str = ""
    purpose: str = ""
    owner: str = ""  # email
    team: str = ""  # team name
    tools: str = ""
    ai_may: str = ""
    needs_approval: str = ""
    approver: str = ""  # email
    outcome_measure: str = ""
    tracing: str = ""
    fault_noticed: str = ""
    fault_contact: str = ""
    fault_stop: str = ""
    review_days: int | None = None
    reviewed_on: str = ""
    touches_revenue: bool = False
    touches_reputation: bool = False
    touches_customer_data: bool = False
    roles: tuple[str, ...] = ()
    required_skills: tuple[str, ...] = ()
    required_scenarios: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()  # emails
    sources: tuple[SourceRecord, ...] = ()
    line: int = 0  # the row (CSV) or item (JSON) it came from; 0 when exported
    # the columns the file gave (an import leaves the others as they are); empty: every column
    columns: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def stage_date(self) -> date | None:
        return date.fromisoformat(self.stage_since) if self.stage_since else None

    @property
    def review_date(self) -> date | None:
        return date.fromisoformat(self.reviewed_on) if self.reviewed_on else None


COLUMNS = tuple(f.name for f in fields(Record) if f.name not in ("line", "columns"))
SOURCE_SEPARATORS = ("|", ";")  # they separate sources and their parts in a CSV cell
LISTS = ("roles", "required_skills", "required_scenarios", "operators")
BOOLEANS = ("touches_revenue", "touches_reputation", "touches_customer_data")
EMAILS = ("owner", "approver")
TEXT_LIMIT = 2000


@dataclass(frozen=True)
class Known:
    """What the file may name: the catalogue's kinds, roles, skills and scenarios."""

    kinds: frozenset[str]
    roles: frozenset[str]
    skills: frozenset[str]
    scenarios: frozenset[str]
    today: date = date.max  # no date in a file may be later than this


@dataclass
class Parsed:
    records: list[Record] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- export -------------------------------------------------------------------------------------


def _cell(record: Record, name: str):
    value = getattr(record, name)
    if name in LISTS:
        return "; ".join(value)
    if name == "sources":
        return "; ".join(f"{s.name} | {s.rating} | {s.checked_on}" for s in value)
    if name in BOOLEANS:
        return "yes" if value else "no"
    return "" if value is None else value


def csv_rows(records: list[Record]) -> tuple[list[str], list[list]]:
    return list(COLUMNS), [[_cell(r, c) for c in COLUMNS] for r in records]


def to_json(records: list[Record]) -> dict:
    items = []
    for record in records:
        item = asdict(record)
        item.pop("line")
        item.pop("columns")
        items.append(item)
    return {"workflows": items}


# --- import -------------------------------------------------------------------------------------


def _decode(data: bytes, parsed: Parsed) -> str | None:
    if len(data) > MAX_BYTES:
        parsed.errors.append((0, f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it"))
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        parsed.errors.append((0, "the file is UTF-16: save it as UTF-8 and upload it again"))
    elif b"\x00" in data:
        parsed.errors.append((0, "this is not a text file (it contains binary data)"))
    else:
        try:
            return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
        except UnicodeDecodeError:
            parsed.errors.append((0, "the file is not UTF-8: save it as UTF-8 and upload it again"))
    return None


def parse(data: bytes, filename: str, known: Known) -> Parsed:
    """A ``.csv`` or ``.json`` registry file into records, or every problem found."""
    parsed = Parsed()
    lower = filename.lower()
    if not lower.endswith((".csv", ".json")):
        parsed.errors.append((0, "upload a .csv or .json file exported from the registry"))
        return parsed
    text = _decode(data, parsed)
    if text is None:
        return parsed
    raw = _json_items(text, parsed) if lower.endswith(".json") else _csv_items(text, parsed)
    if len(raw) > MAX_ROWS:
        parsed.errors.append((0, f"more than {MAX_ROWS} workflows: split the file"))
        return parsed
    seen: dict[str, int] = {}
    for line, item in raw:
        record = _record(line, item, known, parsed, seen)
        if record is not None:
            parsed.records.append(record)
    if not raw and not parsed.errors:
        parsed.errors.append((0, "the file holds no workflows"))
    return parsed


def _csv_items(text: str, parsed: Parsed) -> list[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text), strict=True)
    items = []
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        if "name" not in header:
            parsed.errors.append((1, f"missing column: name (the columns are: {', '.join(COLUMNS)})"))
            return []
        unknown = [h for h in header if h and h not in COLUMNS]
        if unknown:
            parsed.errors.append((1, f"unknown column(s): {', '.join(unknown)}"))
            return []
        start = reader.line_num + 1
        for values in reader:
            if any(v.strip() for v in values):  # a row is numbered by the line it starts on
                items.append((start, {h: restore(v) for h, v in zip(header, values, strict=False) if h}))
            start = reader.line_num + 1
    except csv.Error as exc:
        parsed.errors.append((reader.line_num, f"the file is not valid CSV: {exc}"))
    for _, item in items:
        for name in LISTS:
            if name in item:
                item[name] = [v.strip() for v in item[name].split(";") if v.strip()]
        if "sources" in item:
            item["sources"] = [[p.strip() for p in s.split("|")] for s in item["sources"].split(";") if s.strip()]
    return items


def _json_items(text: str, parsed: Parsed) -> list[tuple[int, dict]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        parsed.errors.append((exc.lineno, f"the file is not valid JSON: {exc.msg}"))
        return []
    except RecursionError:
        parsed.errors.append((0, "the file is not a registry: its JSON is nested too deeply"))
        return []
    items = data.get("workflows") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        parsed.errors.append((0, 'expected {"workflows": [ ... ]}, a list of workflow objects'))
        return []
    for item in items:
        if isinstance(item.get("sources"), list):
            item["sources"] = [
                [s.get("name", ""), s.get("rating", ""), s.get("checked_on", "")] if isinstance(s, dict) else s
                for s in item["sources"]
            ]
    return list(enumerate(items, start=1))


def _text(value, name: str, problems: list[str]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        problems.append(f"{name} must be text")
        return ""
    value = plain(value).strip()
    if len(value) > (200 if name in ("name", "team") else TEXT_LIMIT):
        problems.append(f"{name} is too long")
    return value


def _date(value: str, name: str, problems: list[str], today: date = date.max) -> str:
    if not value:
        return ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        problems.append(f"{name} must be a date written YYYY-MM-DD, not '{value}'")
        return ""
    if day > today:
        problems.append(f"{name} {value} is in the future")
        return ""
    return day.isoformat()


def _email(value, name: str, problems: list[str]) -> str:
    if not value:
        return ""
    if not isinstance(value, str):
        problems.append(f"{name} must be an email address")
        return ""
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        problems.append(f"{name} '{value}' is not a valid email address")
        return ""


def _known(values, name: str, allowed: frozenset[str], problems: list[str]) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        problems.append(f"{name} must be a list")
        return ()
    unknown = [v for v in values if v not in allowed]
    if unknown:
        problems.append(f"unknown {name.replace('_', ' ')}: {', '.join(unknown)}")
    return tuple(dict.fromkeys(v for v in values if v in allowed))


def _boolean(value, name: str, problems: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text not in TRUE | FALSE:
        problems.append(f"{name} must be yes or no, not '{value}'")
    return text in TRUE


def _review_days(value, problems: list[str]) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, float) and not value.is_integer():
        problems.append(f"review_days must be a whole number of days, not '{value}'")
        return None
    try:
        days = int(value)
    except (TypeError, ValueError):
        problems.append(f"review_days must be a whole number of days, not '{value}'")
        return None
    if not 7 <= days <= 730:
        problems.append("review_days must be between 7 and 730")
    return days


def _sources(values, problems: list[str], today: date) -> tuple[SourceRecord, ...]:
    found = []
    for value in values or []:
        if not isinstance(value, list) or not 1 <= len(value) <= 3 or not str(value[0]).strip():
            problems.append("each data source needs 'name | rating | checked on'")
            continue
        name, rating, checked = [*map(str, value), "", ""][:3]
        if rating not in readiness.SOURCE_RATINGS:
            problems.append(f"data source {name}: rating must be one of {', '.join(readiness.SOURCE_RATINGS)}")
        if any(mark in name for mark in SOURCE_SEPARATORS):
            problems.append(f"data source {name}: a name may not contain | or ;")
        checked = _date(checked.strip(), "checked on", problems, today)
        found.append(SourceRecord(plain(name).strip()[:200], rating, checked))
    return tuple(found)


def _record(line: int, item: dict, known: Known, parsed: Parsed, seen: dict[str, int]) -> Record | None:
    problems: list[str] = []
    texts = [c for c in COLUMNS if c not in (*LISTS, *BOOLEANS, "sources", "review_days")]
    values = {c: _text(item.get(c), c, problems) for c in texts}
    if not values["name"]:
        problems.append("missing name")
    elif values["name"].lower() in seen:
        problems.append(f"the workflow {values['name']} appears twice (first on row {seen[values['name'].lower()]})")
    else:
        seen[values["name"].lower()] = line
    values["stage"] = values["stage"] or "experiment"
    if values["stage"] not in readiness.STAGES:
        problems.append(f"stage must be one of {', '.join(readiness.STAGES)}, not '{values['stage']}'")
    if values["kind"] and values["kind"] not in known.kinds:
        problems.append(f"unknown kind '{values['kind']}'")
    for name in ("stage_since", "reviewed_on"):
        values[name] = _date(values[name], name, problems, known.today)
    for name in EMAILS:
        values[name] = _email(values[name], name, problems)
    allowed = {"roles": known.roles, "required_skills": known.skills, "required_scenarios": known.scenarios}
    lists = {name: _known(item.get(name, []), name, allowed[name], problems) for name in allowed}
    operators = item.get("operators", [])
    emails = tuple(_email(e, "operator", problems) for e in operators) if isinstance(operators, list) else ()
    if not isinstance(operators, list):
        problems.append("operators must be a list")
    record = Record(
        **values,
        review_days=_review_days(item.get("review_days"), problems),
        **{name: _boolean(item.get(name), name, problems) for name in BOOLEANS},
        **lists,
        operators=tuple(dict.fromkeys(e for e in emails if e)),
        sources=_sources(item.get("sources"), problems, known.today),
        line=line,
        columns=frozenset(c for c in item if c in COLUMNS),
    )
    if problems:
        parsed.errors.extend((line, p) for p in problems)
        return None
    return record
