"""The registry file format (pure): what an export writes, and every problem an import reports with
its row number."""

from __future__ import annotations

import json
from datetime import date

from literacy.platform.csvsafe import to_csv
from literacy.workflows import registry_file
from literacy.workflows.registry_file import Known, Record, SourceRecord

KNOWN = Known(
    frozenset({"lead-scoring"}), frozenset({"revops"}), frozenset({"data-readiness"}), frozenset({"revops-score"})
)


def parse_csv(text: str):
    return registry_file.parse(text.encode(), "w.csv", KNOWN)


def test_an_export_reads_back_as_the_same_records():
    record = Record(
        name="=Lead score v2",  # a formula-looking name survives the spreadsheet-safe export
        kind="lead-scoring",
        stage="production",
        stage_since="2026-05-01",
        owner="dana@a.example",
        review_days=90,
        reviewed_on="2026-11-01",
        touches_revenue=True,
        roles=("revops",),
        required_skills=("data-readiness",),
        required_scenarios=("revops-score",),
        operators=("a@a.example", "b@a.example"),
        sources=(SourceRecord("CRM outcomes", "gaps", "2026-10-01"), SourceRecord("Web events", "ready", "")),
    )
    header, rows = registry_file.csv_rows([record])
    parsed = parse_csv(to_csv(header, rows))
    assert parsed.errors == [] and parsed.records == [Record(**{**record.__dict__, "line": 2})]
    as_json = registry_file.parse(json.dumps(registry_file.to_json([record])).encode(), "w.json", KNOWN)
    assert as_json.errors == [] and as_json.records == [Record(**{**record.__dict__, "line": 1})]


def test_every_problem_of_every_row_is_reported_with_its_row_number():
    text = (
        "name,stage,stage_since,review_days,touches_revenue,roles,owner,sources\r\n"
        "A,launched,2026-13-01,3,maybe,astronauts,not-an-email,Feed | great | soon\r\n"
        "B,pilot,,,no,,,\r\n"
        "b,pilot,,,no,,,\r\n"
    )
    parsed = parse_csv(text)
    assert parsed.records[0].name == "B"
    assert parsed.errors == [
        (2, "stage must be one of experiment, pilot, production, retired, not 'launched'"),
        (2, "stage_since must be a date written YYYY-MM-DD, not '2026-13-01'"),
        (2, "owner 'not-an-email' is not a valid email address"),
        (2, "unknown roles: astronauts"),
        (2, "review_days must be between 7 and 730"),
        (2, "touches_revenue must be yes or no, not 'maybe'"),
        (2, "data source Feed: rating must be one of ready, gaps, not-ready"),
        (2, "checked on must be a date written YYYY-MM-DD, not 'soon'"),
        (4, "the workflow b appears twice (first on row 3)"),
    ]


def test_files_that_are_not_a_registry_are_refused_whole():
    assert registry_file.parse(b"x", "w.xlsx", KNOWN).errors == [
        (0, "upload a .csv or .json file exported from the registry")
    ]
    assert parse_csv("title,owner\r\nA,b\r\n").errors[0][1].startswith("missing column: name")
    assert parse_csv("name,colour\r\nA,red\r\n").errors == [(1, "unknown column(s): colour")]
    assert registry_file.parse(b'{"workflows": {}}', "w.json", KNOWN).errors == [
        (0, 'expected {"workflows": [ ... ]}, a list of workflow objects')
    ]
    assert registry_file.parse(b"{oops", "w.json", KNOWN).errors[0][1].startswith("the file is not valid JSON")
    assert registry_file.parse(b"\xff\xfen\x00", "w.csv", KNOWN).errors[0][1].startswith("the file is UTF-16")
    assert (
        registry_file.parse(b"name\r\n\xe9t\xe9\r\n", "w.csv", KNOWN).errors[0][1].startswith("the file is not UTF-8")
    )
    assert parse_csv("name\r\n").errors == [(0, "the file holds no workflows")]
    too_many = "name\r\n" + "".join(f"W{i}\r\n" for i in range(registry_file.MAX_ROWS + 1))
    assert parse_csv(too_many).errors == [(0, f"more than {registry_file.MAX_ROWS} workflows: split the file")]


def test_hostile_json_and_names_that_would_break_the_csv_export_are_refused():
    deep = ("[" * 100_000).encode()
    assert registry_file.parse(b'{"workflows": ' + deep + b"}", "w.json", KNOWN).errors == [
        (0, "the file is not a registry: its JSON is nested too deeply")
    ]
    odd = {"workflows": [{"name": "A", "operators": [5, {"a": 1}], "sources": [["Orders | EU", "ready", ""]]}]}
    errors = [m for _, m in registry_file.parse(json.dumps(odd).encode(), "w.json", KNOWN).errors]
    assert errors == [
        "operator must be an email address",
        "operator must be an email address",
        "data source Orders | EU: a name may not contain | or ;",
    ]
    future = Known(KNOWN.kinds, KNOWN.roles, KNOWN.skills, KNOWN.scenarios, today=date(2026, 12, 1))
    parsed = registry_file.parse(b"name,reviewed_on\r\nA,2027-01-01\r\n", "w.csv", future)
    assert parsed.errors == [(2, "reviewed_on 2027-01-01 is in the future")]
