"""Cohort status rules on small hand-made facts with known answers."""

from datetime import date, datetime

from literacy.cohorts.status import DONE, IN_PROGRESS, NOT_STARTED, LearnerFacts, follow_up, learner_row, summarise

TODAY = date(2026, 11, 24)


def facts(uid=1, lessons=0, scenarios=0, attempts=0, last=None, scores=None, targets=None, role="ops"):
    return LearnerFacts(
        uid,
        f"L{uid}",
        f"l{uid}@example.com",
        role,
        (),
        lessons,
        2,
        scenarios,
        1,
        attempts,
        last,
        scores or {},
        targets if targets is not None else {"data": 60},
        datetime(2026, 11, 1),
    )


def row(f, due=date(2026, 12, 1), stall=7, require_target=True):
    return learner_row(
        f, due_on=due, starts_on=date(2026, 11, 1), today=TODAY, stall_days=stall, require_target=require_target
    )


def test_not_started_learner_stalls_after_the_window_from_joining():
    r = row(facts())
    assert (r.status, r.progress, r.overdue, r.stalled) == (NOT_STARTED, 0, False, True)
    assert row(facts(), stall=30).stalled is False


def test_in_progress_with_recent_activity_is_on_track():
    r = row(facts(lessons=1, attempts=1, last=datetime(2026, 11, 23)))
    assert (r.status, r.progress, r.on_track) == (IN_PROGRESS, 33, True)


def test_done_requires_every_assigned_skill_at_target_when_asked():
    below = facts(lessons=2, scenarios=1, attempts=1, last=datetime(2026, 11, 20), scores={"data": 55})
    assert row(below).status == IN_PROGRESS and row(below).below_target == ("data",)
    assert row(below, require_target=False).status == DONE
    at = facts(lessons=2, scenarios=1, attempts=1, last=datetime(2026, 11, 1), scores={"data": 60})
    r = row(at)
    assert (r.status, r.progress, r.stalled, r.below_target) == (DONE, 100, False, ())


def test_overdue_after_due_date_unless_done():
    assert row(facts(lessons=1, last=datetime(2026, 11, 23)), due=date(2026, 11, 20)).overdue is True
    done = facts(lessons=2, scenarios=1, last=datetime(2026, 11, 2), scores={"data": 90})
    assert row(done, due=date(2026, 11, 20)).overdue is False


def test_summary_counts_and_skill_averages():
    rows = [
        row(facts(1)),
        row(facts(2, lessons=1, attempts=1, last=datetime(2026, 11, 23), scores={"data": 40})),
        row(
            facts(
                3,
                lessons=2,
                scenarios=1,
                attempts=2,
                last=datetime(2026, 11, 22),
                scores={"data": 80},
                targets={"data": 70},
            )
        ),
    ]
    s = summarise(rows, ["data"])
    assert s.learners == 3 and s.funnel == {NOT_STARTED: 1, IN_PROGRESS: 1, DONE: 1}
    assert (s.overdue, s.stalled, s.on_track, s.progress) == (0, 1, 2, 44)
    [skill] = s.skills
    assert (skill.average, skill.target, skill.at_target, skill.learners) == (60, 65, 1, 2)


def test_follow_up_lists_reasons():
    rows = [
        row(facts(1)),  # stalled
        row(
            facts(2, lessons=1, scenarios=1, attempts=1, last=datetime(2026, 11, 23), scores={"data": 30})
        ),  # below target
        row(facts(3, lessons=1, last=datetime(2026, 11, 23))),  # fine
    ]
    assert [(r.facts.user_id, reasons) for r, reasons in follow_up(rows)] == [(1, ["stalled"]), (2, ["below target"])]
