"""Assigned work resolved per learner role."""

from datetime import date

from support.paths import TINY

from literacy.cohorts.assignments import describe, for_learner, work_for
from literacy.content import load

CAT = load(TINY)


def test_own_track_named_track_course_and_scenario():
    assert work_for(CAT, [("track", "")], "ops") == work_for(CAT, [("track", "ops")], "somebody-else")
    own = work_for(CAT, [("track", "")], "ops")
    assert (own.lessons, own.scenarios, own.skills, own.size) == (
        ("first", "second"),
        ("ops-send",),
        ("ownership", "data"),
        3,
    )
    course = work_for(CAT, [("course", "ops")], "ops")
    assert (course.lessons, course.scenarios, course.skills) == (("first", "second"), (), ())
    one = work_for(CAT, [("scenario", "ops-send"), ("scenario", "gone")], "ops")
    assert (one.lessons, one.scenarios) == ((), ("ops-send",))


def test_descriptions_survive_removed_content():
    assert describe(CAT, "scenario", "gone") == "Scenario: gone (no longer offered)"
    assert describe(CAT, "track", "ops") == "Track: Operations (course and scenarios)"


def test_learner_view_lists_overdue_first_then_by_due_date():
    cohorts = [
        ("Later", date(2026, 12, 20), [("track", "")]),
        ("Late", date(2026, 11, 1), [("scenario", "ops-send")]),
        ("Sooner", date(2026, 12, 1), [("course", "ops")]),
    ]
    items = for_learner(cohorts, CAT, "ops", completed={"first"}, finished=set(), today=date(2026, 11, 24))
    assert [(a.cohort, a.overdue, a.done, a.total, a.next_lesson, a.next_scenario) for a in items] == [
        ("Late", True, 0, 1, None, "ops-send"),
        ("Sooner", False, 1, 2, "second", None),
        ("Later", False, 1, 3, "second", "ops-send"),
    ]
