"""Exports never hand a spreadsheet a formula."""

import csv
import io

import pytest

from literacy.platform.csvsafe import neutralise, restore, to_csv


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"])
def test_formula_starts_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    "value,expected", [("Ana", "Ana"), (42, "42"), (-3, "-3"), (None, ""), ("a=b", "a=b"), (True, "True")]
)
def test_plain_values_pass(value, expected):
    assert neutralise(value) == expected


def test_to_csv_round_trips_as_text():
    text = to_csv(["name", "score"], [["=cmd|' /C calc'!A0", 90]])
    assert list(csv.reader(io.StringIO(text))) == [["name", "score"], ["'=cmd|' /C calc'!A0", "90"]]


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_no_field_a_spreadsheet_splits_out_starts_a_formula(separator):
    """Issue 12 item 11: 'a;=7+8' was exported unquoted, and a semicolon-locale spreadsheet ran =7+8."""
    text = to_csv(["name"], [[f"a{separator}=7+8"], [f"Ana{separator}@SUM(A1){separator}-2"]])
    for line in text.splitlines()[1:]:
        for delimiter in (",", ";", "\t"):  # however the spreadsheet splits the line
            for cell in next(csv.reader([line], delimiter=delimiter)):
                assert not cell.lstrip('"').startswith(("=", "+", "-", "@")), (separator, delimiter, cell)
    assert next(csv.reader(io.StringIO(text.splitlines()[1])))[0] == f"a{separator}'=7+8"  # one cell, kept readable


def test_restore_undoes_neutralise_so_an_exported_file_imports_as_it_was():
    for value in ("=SUM(A1)", "+44 20 7946 0000", "-5% margin", "@handle", "plain", "a;=7+8", "'quoted", ""):
        assert restore(neutralise(value)) == value
