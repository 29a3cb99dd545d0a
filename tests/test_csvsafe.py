"""Exports never hand a spreadsheet a formula."""

import csv
import io

import pytest

from literacy.platform.csvsafe import neutralise, to_csv


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
