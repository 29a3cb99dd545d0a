"""A learner's skill profile from plain score rows."""

from datetime import datetime

from literacy.insights.metrics import ScoreRow, percent, skill_profile


def test_profile_uses_latest_attempt_per_scenario_and_averages_scenarios():
    rows = [
        ScoreRow(1, "a", "data", 100, datetime(2026, 1, 1)),
        ScoreRow(2, "a", "data", 40, datetime(2026, 2, 1)),  # later attempt replaces the 100
        ScoreRow(3, "b", "data", 80, datetime(2026, 1, 5)),
        ScoreRow(3, "b", "ownership", 50, datetime(2026, 1, 5)),
    ]
    profile = skill_profile(rows, ["data", "ownership", "audit"])
    assert (profile["data"].proficiency, profile["data"].scenarios) == (60, 2)
    assert (profile["ownership"].proficiency, profile["ownership"].scenarios) == (50, 1)
    assert (profile["audit"].proficiency, profile["audit"].scenarios) == (None, 0)


def test_percent_is_bounded():
    assert (percent(0, 0), percent(1, 3), percent(5, 3)) == (0, 33, 100)
