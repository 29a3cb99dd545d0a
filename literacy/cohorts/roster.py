"""Roster CSV parsing and validation. Pure: bytes in, rows or every problem (with its row number) out."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

from literacy.people import affiliation
from literacy.platform.text import plain

COLUMNS = ("email", "name", "role", "team")
OPTIONAL = ("external", "agency")  # staff or external (yes/no), and an external person's firm
MAX_BYTES = 512 * 1024
MAX_ROWS = 5000
DELIMITERS = (",", ";", "\t")  # comma; semicolon, as spreadsheets write CSV in many European locales; tab


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    name: str
    role: str
    team: str
    external: bool = False  # an agency, contractor or partner person rather than staff
    agency: str = ""  # an external person's firm


@dataclass
class Roster:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message); row 1 is the header

    @property
    def ok(self) -> bool:
        return not self.errors


def parse(data: bytes, filename: str, *, roles: set[str], teams: set[str]) -> Roster:
    """Validate a roster against the known roles and the organisation's (lower-cased) team names."""
    roster = Roster()
    text = _decode(data, filename, roster)
    if text is None:
        return roster
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as exc:
        roster.errors.append((1, f"the file is not valid CSV: {exc}"))
        return roster
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        roster.errors.append((1, f"missing column{plural}: {', '.join(missing)} (expected: {', '.join(COLUMNS)})"))
        return roster
    index = {c: header.index(c) for c in (*COLUMNS, *OPTIONAL) if c in header}
    seen: dict[str, int] = {}
    count = 0
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            count += 1
            if count > MAX_ROWS:
                roster.errors.append((line, f"more than {MAX_ROWS} rows: split the file"))
                break
            _row(values, line, index, roster, seen, roles=roles, teams=teams)
    except csv.Error as exc:
        roster.errors.append((reader.line_num, f"the file is not valid CSV: {exc}"))
    if not roster.rows and not roster.errors:
        roster.errors.append((2, "the file has a header but no learners"))
    return roster


def delimiter(text: str) -> str:
    """The file's separator, from its header line: whichever of comma, semicolon and tab it holds
    most often outside quotes (a comma when none or a tie with the comma)."""
    header, quoted = [], False
    for char in text.lstrip("\r\n").split("\n", 1)[0]:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            header.append(char)
    counts = {d: header.count(d) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (counts[d], d == ","))


def _decode(data: bytes, filename: str, roster: Roster) -> str | None:
    if not filename.lower().endswith(".csv"):
        roster.errors.append((0, "upload a .csv file (a spreadsheet saved as 'CSV UTF-8')"))
    elif len(data) > MAX_BYTES:
        roster.errors.append((0, f"the file is larger than {MAX_BYTES // 1024} KB: split it"))
    elif b"\x00" in data:
        roster.errors.append((0, "this is not a CSV text file (it contains binary data)"))
    else:
        try:
            return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
        except UnicodeDecodeError:
            roster.errors.append((0, "the file is not UTF-8: save it as 'CSV UTF-8' and upload it again"))
    return None


MAX_LENGTHS = {"email": 254, "name": 200}  # as the forms and the users table allow


def _row(
    values: list[str], line: int, index: dict[str, int], roster: Roster, seen: dict[str, int], *, roles, teams
) -> None:
    cell = dict.fromkeys(OPTIONAL, "") | {c: (values[i].strip() if i < len(values) else "") for c, i in index.items()}
    problems = [f"missing {c}" for c in COLUMNS if not cell[c]]
    problems += [f"{c} longer than {most} characters" for c, most in MAX_LENGTHS.items() if len(cell[c]) > most]
    email = cell["email"].lower()
    if cell["email"]:
        try:
            email = validate_email(cell["email"], check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problems.append(f"'{cell['email']}' is not a valid email address")
        else:
            if email in seen:
                problems.append(f"{email} appears twice in the file (first on row {seen[email]})")
            seen.setdefault(email, line)
    if cell["role"] and cell["role"] not in roles:
        problems.append(f"unknown role '{cell['role']}' (use one of: {', '.join(sorted(roles))})")
    if cell["team"] and cell["team"].lower() not in teams:
        problems.append(f"unknown team '{cell['team']}'")
    external, agency = _affiliation(cell, problems)
    if problems:
        roster.errors.extend((line, p) for p in problems)
    else:
        name = plain(cell["name"]).strip()
        roster.rows.append(RosterRow(line, email, name, cell["role"], cell["team"], external, agency))


def _affiliation(cell: dict[str, str], problems: list[str]) -> tuple[bool, str]:
    """The optional external and agency cells; a firm given for staff is a problem, not dropped."""
    external, agency = affiliation.parse(cell["external"]), plain(cell["agency"]).strip()
    if external is None:
        problems.append(f"external must be yes or no (or true/false, 1/0), not '{cell['external']}'")
        return False, agency
    if external and not agency:
        problems.append("missing agency: give the agency, contractor or partner firm of an external person")
    elif not external and agency:
        problems.append(f"agency '{agency}' is for external people: set external to yes, or leave agency empty")
    if len(agency) > affiliation.AGENCY_MAX:
        problems.append(f"agency longer than {affiliation.AGENCY_MAX} characters")
    return external, agency


def reject(roster: Roster, refusals: dict[int, str]) -> None:
    """Turn the rows the caller refused ({row line: why}, from what the database says) into errors."""
    for row in [r for r in roster.rows if r.line in refusals]:
        roster.rows.remove(row)
        roster.errors.append((row.line, refusals[row.line]))
    roster.errors.sort(key=lambda error: error[0])
