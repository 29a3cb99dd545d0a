"""The pure rules behind cohorts at scale, on hand-made values: status (stalled, below target, evidence,
per-item due dates), item due dates for the learner's home page, and roster delimiters."""

import codecs
from datetime import date, datetime

import pytest
from support.paths import TINY

from literacy.cohorts import roster
from literacy.cohorts.assignments import for_learner, item_due_dates, next_due
from literacy.cohorts.dashboard import short_names
from literacy.cohorts.status import DONE, IN_PROGRESS, LearnerFacts, learner_row, summarise
from literacy.content import load

CAT = load(TINY)  # role 'ops': lessons 'first' and 'second', scenario 'ops-send' (skills ownership, data)
TODAY = date(2026, 11, 24)
START = date(2026, 11, 1)


def facts(uid=1, lessons=0, scenarios=0, attempts=0, last=None, scores=None, due_on=None, added=datetime(2026, 11, 1)):
    """A learner with two lessons and one scenario assigned, evidencing 'data' (target 60)."""
    return LearnerFacts(
        uid, f"L{uid}", f"l{uid}@example.com", "ops", (), lessons, 2, scenarios, 1, attempts, last,
        scores or {}, {"data": 60}, added, 0, due_on,
    )  # fmt: skip


def row(f, due=date(2026, 12, 1), starts=START, stall=7, require_target=True):
    return learner_row(f, due_on=due, starts_on=starts, today=TODAY, stall_days=stall, require_target=require_target)


# Stalled


def test_learner_who_finished_everything_is_never_stalled_even_below_target():
    finished = facts(lessons=2, scenarios=1, attempts=1, last=datetime(2026, 11, 2), scores={"data": 40})
    r = row(finished)  # 22 days without activity, every item finished, but below target: not done
    assert (r.status, r.stalled, r.below_target) == (IN_PROGRESS, False, ("data",))
    assert row(facts(lessons=1, last=datetime(2026, 11, 2))).stalled is True  # work left: stalled


def test_stalled_counts_from_the_cohort_start_when_the_last_activity_is_older():
    earlier = facts(lessons=1, last=datetime(2026, 10, 1))  # active on other work before the cohort began
    assert row(earlier, starts=date(2026, 11, 20)).stalled is False  # 4 days since the start
    assert row(earlier, starts=date(2026, 11, 10)).stalled is True  # 14 days since the start
    recent = facts(lessons=1, last=datetime(2026, 11, 21))
    assert row(recent, starts=date(2026, 11, 1)).stalled is False  # 3 days since the last activity


def test_stalled_without_activity_counts_from_joining_or_the_start():
    assert row(facts(added=datetime(2026, 11, 20))).stalled is False  # joined 4 days ago
    assert row(facts(added=datetime(2026, 10, 1)), starts=date(2026, 11, 20)).stalled is False
    assert row(facts(added=datetime(2026, 10, 1)), starts=date(2026, 11, 10)).stalled is True


# Below target and evidence


def test_below_target_counts_only_learners_with_evidence():
    rows = [
        row(facts(1, lessons=1, last=datetime(2026, 11, 23))),  # no evidence yet
        row(facts(2, lessons=1, scenarios=1, attempts=1, last=datetime(2026, 11, 23), scores={"data": 40})),
        row(facts(3, lessons=2, scenarios=1, attempts=1, last=datetime(2026, 11, 23), scores={"data": 80})),
    ]
    assert [r.below_target for r in rows] == [(), ("data",), ()]
    assert [r.no_evidence for r in rows] == [("data",), (), ()]
    s = summarise(rows, ["data"])
    assert (s.below_target, s.no_evidence) == (1, 1)


def test_no_evidence_still_keeps_an_at_target_cohort_from_done():
    finished = facts(lessons=2, scenarios=1, last=datetime(2026, 11, 23))  # finished, yet no evidence counted
    assert row(finished).status == IN_PROGRESS and row(finished).below_target == ()
    assert row(finished, require_target=False).status == DONE


def test_learners_without_assigned_skills_are_not_counted_as_without_evidence():
    course_only = LearnerFacts(
        1, "L1", "l1@example.com", "ops", (), 1, 2, 0, 0, 0, None, {}, {}, datetime(2026, 11, 1)
    )  # fmt: skip
    assert summarise([row(course_only)], []).no_evidence == 0


# Per-item due dates


def test_the_earliest_unfinished_items_date_decides_overdue():
    early = facts(lessons=1, last=datetime(2026, 11, 23), due_on=date(2026, 11, 20))
    assert row(early, due=date(2026, 12, 1)).overdue is True  # an item's own date passed before the cohort's
    later = facts(lessons=1, last=datetime(2026, 11, 23), due_on=date(2026, 12, 5))
    assert row(later, due=date(2026, 11, 20)).overdue is False  # the open item is due after the cohort's date
    assert row(facts(lessons=1, last=datetime(2026, 11, 23)), due=date(2026, 11, 20)).overdue is True  # cohort's


def test_item_due_dates_default_to_the_cohorts_and_take_the_earlier_of_two():
    cohort_due = date(2026, 12, 1)
    due = item_due_dates(
        CAT, [("course", "ops", None), ("scenario", "ops-send", date(2026, 11, 15))], "ops", cohort_due
    )
    assert due == {
        ("lesson", "first"): cohort_due,
        ("lesson", "second"): cohort_due,
        ("scenario", "ops-send"): date(2026, 11, 15),
    }
    both = item_due_dates(CAT, [("track", "", date(2026, 12, 10)), ("scenario", "ops-send", None)], "ops", cohort_due)
    assert both[("scenario", "ops-send")] == cohort_due and both[("lesson", "first")] == date(2026, 12, 10)
    assert next_due(due, {"first"}, set()) == date(2026, 11, 15)
    assert next_due(due, {"first"}, {"ops-send"}) == cohort_due
    assert next_due(due, {"first", "second"}, {"ops-send"}) is None


def test_home_page_assignment_uses_the_items_date():
    cohorts = [("Sprint", date(2026, 12, 20), [("course", "ops", None), ("scenario", "ops-send", date(2026, 11, 20))])]
    [open_item] = for_learner(cohorts, CAT, "ops", completed=set(), finished=set(), today=TODAY)
    assert (open_item.due_on, open_item.overdue) == (date(2026, 11, 20), True)
    [rest] = for_learner(cohorts, CAT, "ops", completed=set(), finished={"ops-send"}, today=TODAY)
    assert (rest.due_on, rest.overdue) == (date(2026, 12, 20), False)
    [done] = for_learner(cohorts, CAT, "ops", completed={"first", "second"}, finished={"ops-send"}, today=TODAY)
    assert (done.due_on, done.overdue, done.percent) == (date(2026, 12, 20), False, 100)


# The learner table's compact skill labels


def test_skill_labels_are_initials_numbered_when_they_clash():
    names = {
        "own": "Workflow ownership",
        "data": "Data and context readiness",
        "rights": "Decision rights",
        "audit": "Audit and QA after launch",
        "tone": "Tone",
        "wo": "Work order",
    }
    assert short_names(names) == {
        "own": "WO", "data": "DCR", "rights": "DR", "audit": "AQAL", "tone": "Tone", "wo": "WO2",
    }  # fmt: skip


# Roster delimiters

ROLES, TEAMS = {"ops", "pr"}, {"crm team", "comms"}


def parse(text: str) -> roster.Roster:
    return roster.parse(text.encode("utf-8"), "roster.csv", roles=ROLES, teams=TEAMS)


def test_semicolon_roster_as_european_spreadsheets_write_it():
    result = parse(
        'email;name;role;team\r\nana@example.com;"Silva, Ana";ops;CRM team\r\nbo@example.com;Bo Kim;pr;comms\r\n'
    )
    assert result.ok, result.errors
    assert [(r.email, r.name, r.team) for r in result.rows] == [
        ("ana@example.com", "Silva, Ana", "CRM team"),
        ("bo@example.com", "Bo Kim", "comms"),
    ]


def test_tab_separated_roster_with_a_bom():
    data = codecs.BOM_UTF8 + b"Team\tEmail\tName\tRole\ncomms\tbo@example.com\tBo Kim; PR\tpr\n"
    result = roster.parse(data, "roster.csv", roles=ROLES, teams=TEAMS)
    assert result.ok, result.errors
    assert [(r.line, r.email, r.name, r.role, r.team) for r in result.rows] == [
        (2, "bo@example.com", "Bo Kim; PR", "pr", "comms")
    ]


def test_semicolon_roster_errors_keep_their_row_numbers():
    result = parse("email;name;role;team\nana@example.com;Ana;ops;CRM team\nnot-an-email;Bo;chef;comms\n")
    assert [line for line, _ in result.errors] == [3, 3]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("email,name,role,team", ","),
        ("email;name;role;team", ";"),
        ("email\tname\trole\tteam", "\t"),
        ('"email;x",name,role,team', ","),  # a separator inside quotes does not count
        ("email", ","),  # nothing to go on: a comma
        ("email|name|role|team", ","),  # only comma, semicolon and tab are separators
    ],
)
def test_delimiter_from_the_header_line(header, expected):
    assert roster.delimiter(header + "\nrest;of;the\tfile") == expected
