"""Roster CSV validation: every problem with its row number, nothing half-accepted."""

import codecs

import pytest

from literacy.cohorts import roster

ROLES, TEAMS = {"ops", "pr"}, {"crm team", "comms"}


def parse(text: str | bytes, filename="roster.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return roster.parse(data, filename, roles=ROLES, teams=TEAMS)


def test_valid_roster_with_bom_and_any_column_order():
    result = parse(
        codecs.BOM_UTF8
        + b"Team,Email,Name,Role\r\nCRM team, Ana@Example.com ,Ana Silva,ops\r\ncomms,bo@example.com,Bo Kim,pr\r\n"
    )
    assert result.ok
    assert [(r.line, r.email, r.name, r.role, r.team) for r in result.rows] == [
        (2, "ana@example.com", "Ana Silva", "ops", "CRM team"),
        (3, "bo@example.com", "Bo Kim", "pr", "comms"),
    ]


def test_every_bad_row_is_reported_with_its_number():
    text = (
        "email,name,role,team\n"
        "ok@example.com,Ok,ops,comms\n"
        "not-an-email,Bad,ops,comms\n"
        "x@example.com,,astronaut,comms\n"
        "y@example.com,Y,ops,Nowhere\n"
        "OK@example.com,Again,ops,comms\n"
    )
    result = parse(text)
    assert result.errors == [
        (3, "'not-an-email' is not a valid email address"),
        (4, "missing name"),
        (4, "unknown role 'astronaut' (use one of: ops, pr)"),
        (5, "unknown team 'Nowhere'"),
        (6, "ok@example.com appears twice in the file (first on row 2)"),
    ]


def test_missing_columns():
    assert parse("email,name\na@example.com,A\n").errors == [
        (1, "missing columns: role, team (expected: email, name, role, team)")
    ]


@pytest.mark.parametrize(
    "data,filename,message",
    [
        (
            b"email,name,role,team\n" + "é@example.com,Zoë,ops,comms\n".encode("latin-1"),
            "r.csv",
            "the file is not UTF-8: save it as 'CSV UTF-8' and upload it again",
        ),
        (b"email,name,role,team\n", "roster.xlsx", "upload a .csv file (a spreadsheet saved as 'CSV UTF-8')"),
        (b"PK\x03\x04\x00\x00binary", "roster.csv", "this is not a CSV text file (it contains binary data)"),
        (
            b"x" * (roster.MAX_BYTES + 1),
            "roster.csv",
            f"the file is larger than {roster.MAX_BYTES // 1024} KB: split it",
        ),
    ],
)
def test_refused_files(data, filename, message):
    assert parse(data, filename).errors == [(0, message)]


def test_header_only_file_is_refused():
    assert parse("email,name,role,team\n").errors == [(2, "the file has a header but no learners")]


def test_row_cap(monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 3)
    text = "email,name,role,team\n" + "".join(f"p{i}@example.com,P,ops,comms\n" for i in range(5))
    assert parse(text).errors == [(5, "more than 3 rows: split the file")]


def test_refused_rows_move_to_errors_in_row_order():
    result = parse("email,name,role,team\na@example.com,A,ops,comms\nb@example.com,B,bad,comms\n")
    roster.reject(result, {2: "a@example.com cannot be added here"})
    assert result.rows == []
    assert result.errors == [
        (2, "a@example.com cannot be added here"),
        (3, "unknown role 'bad' (use one of: ops, pr)"),
    ]


def test_names_and_emails_longer_than_the_database_allows_are_row_errors():
    """Found in review: a 300-character name passed the parser and was a 500 on PostgreSQL."""
    long_name = "n" * 201
    result = roster.parse(
        f"email,name,role,team\na@example.com,{long_name},ops,crm\n".encode(), "r.csv", roles={"ops"}, teams={"crm"}
    )
    assert result.errors == [(2, "name longer than 200 characters")]
