"""Certification cycles: the rules on hand-made dates, certifying on the learning-event path,
recertification before expiry (cycle, cohort, email), lapsing, overrides and the operator readiness
that a lapsed certification blocks. The service tests use the shipped lifecycle role, whose six
scenarios give evidence firm enough to certify."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from support import make
from support.apps import make_app
from support.paths import ROOT

from literacy.cohorts import dashboard
from literacy.cohorts.tables import Cohort
from literacy.evidence import certification, cycles
from literacy.evidence import policy as policies
from literacy.evidence.certification import Cycle, Progress, Rule
from literacy.evidence.tables import AuditEntry
from literacy.learning import queries as learning_queries
from literacy.mail.tables import MailMessage
from literacy.platform.extensions import db
from literacy.workflows.readiness import SkillEvidence

T0 = datetime(2026, 3, 10, 9, 0)


# --- the rules, pure ---------------------------------------------------------------------------


def test_standing_on_hand_made_dates():
    first = Cycle(1, "ops", None, T0, datetime(2027, 3, 10, 9, 0))
    assert certification.standing([first], "ops", T0 - timedelta(seconds=1)).status == "not-certified"
    assert certification.standing([first], "ops", T0).status == "certified"
    assert certification.standing([first], "ops", datetime(2027, 3, 10, 8, 59)).status == "certified"
    assert certification.standing([first], "ops", datetime(2027, 3, 10, 9, 0)).status == "lapsed"
    assert certification.standing([first], "pr", T0).status == "not-certified", "another role's cycle"

    second = Cycle(2, "ops", datetime(2027, 1, 24))
    assert certification.standing([first, second], "ops", datetime(2027, 2, 1)).status == "renewing"
    assert certification.standing([first, second], "ops", datetime(2027, 1, 1)).status == "certified"
    renewed = Cycle(2, "ops", datetime(2027, 1, 24), datetime(2027, 2, 5), datetime(2028, 2, 5))
    now = certification.standing([first, renewed], "ops", datetime(2027, 6, 1))
    assert (now.status, now.cycle, now.expires_at) == ("certified", 2, datetime(2028, 2, 5))
    revoked = Cycle(1, "ops", None, T0, datetime(2027, 3, 10), revoked_at=datetime(2026, 6, 1))
    assert certification.standing([revoked], "ops", datetime(2026, 5, 31)).status == "certified"
    assert certification.standing([revoked], "ops", datetime(2026, 6, 1)).status == "revoked"


def test_a_year_later_keeps_the_day_or_takes_the_months_last():
    assert certification.add_months(datetime(2026, 3, 10, 9), 12) == datetime(2027, 3, 10, 9)
    assert certification.add_months(datetime(2027, 1, 31), 1) == datetime(2027, 2, 28)
    assert certification.add_months(datetime(2027, 11, 30), 3) == datetime(2028, 2, 29)


def test_renewal_opens_within_the_rules_days_and_once():
    rule = Rule("ops", renew_days=45)
    cycle = Cycle(1, "ops", None, T0, datetime(2027, 3, 10, 9, 0))
    assert not certification.due_for_renewal([cycle], rule, datetime(2027, 1, 24, 8, 59))
    assert certification.due_for_renewal([cycle], rule, datetime(2027, 1, 24, 9, 0))
    assert certification.due_for_renewal([cycle], rule, datetime(2027, 5, 1)), "lapsed: still to renew"
    reopened = Cycle(2, "ops", datetime(2027, 1, 24, 9))
    assert not certification.due_for_renewal([cycle, reopened], rule, datetime(2027, 2, 1)), "already open"
    assert not certification.due_for_renewal([], rule, datetime(2027, 2, 1)), "never certified: nothing to renew"


def test_a_recertification_is_due_on_the_first_of_the_expiry_month_with_two_weeks_notice():
    renewing = certification.Standing("certified", T0, datetime(2027, 3, 10), 1)
    assert certification.recertification_due_on(renewing, date(2027, 1, 24)) == date(2027, 3, 1)
    assert certification.recertification_due_on(renewing, date(2027, 3, 5)) == date(2027, 3, 19)
    revoked = certification.Standing("revoked", T0, datetime(2027, 3, 10), 1, revoked_at=datetime(2026, 5, 1))
    assert certification.recertification_due_on(revoked, date(2026, 5, 1)) == date(2026, 6, 15), "not next March"
    lapsed = certification.Standing("lapsed", T0, datetime(2027, 3, 10), 1)
    assert certification.recertification_due_on(lapsed, date(2027, 4, 1)) == date(2027, 5, 16)


def _progress(**changes) -> Progress:
    values = {
        "lessons": ("a", "b"),
        "lessons_done": frozenset({"a", "b"}),
        "scenarios": ("s1", "s2"),
        "scenarios_done": frozenset({"s1", "s2"}),
        "skills": {"ownership": SkillEvidence(45.0, 50.0, 2, T0)},
        "policy_version": "v2",
        "policy_acknowledged": True,
    }
    return Progress(**(values | changes))


def test_every_part_of_the_rule_must_hold():
    rule, targets = Rule("ops"), {"ownership": 80, "data": 60}
    assert certification.met(certification.requirements(rule, targets, _progress()))
    left = certification.requirements(rule, targets, _progress(scenarios_done=frozenset({"s1"})))
    assert not certification.met(left)
    assert left[0].reason == "1 scenario of the track still to finish in this cycle"
    thin = certification.requirements(rule, targets, _progress(skills={"ownership": SkillEvidence(5.0, 5.0, 1, T0)}))
    assert not certification.met(thin) and "too wide" in thin[1].reason, "at target on thin evidence is not enough"
    low = certification.requirements(rule, targets, _progress(skills={"ownership": SkillEvidence(30.0, 50.0, 2, T0)}))
    assert not certification.met(low) and "against a target of 80" in low[1].reason
    unsigned = certification.requirements(rule, targets, _progress(policy_acknowledged=False))
    assert [r.name for r in unsigned if not r.met] == ["policy"]
    assert certification.met(certification.requirements(rule, targets, _progress(policy_version=None)))
    no_policy = Rule("ops", require_policy=False)
    assert certification.met(certification.requirements(no_policy, targets, _progress(policy_acknowledged=False)))
    named = Rule("ops", skills=("data",))
    found = certification.requirements(named, targets, _progress())
    assert [r.name for r in found] == ["track", "skill:data", "policy"] and not certification.met(found)


# --- in the database, with the shipped lifecycle role ------------------------------------------


@pytest.fixture
def shipped(tmp_path):
    app = make_app(tmp_path, content_root=ROOT)
    with app.app_context():
        yield app.extensions["catalogue"]


def _finish_track(catalogue, person, at: datetime) -> None:
    for lesson in catalogue.courses[person.role].lessons:
        if not any(lc.lesson_id == lesson.id for lc in _lessons(person)):
            make.lesson_completed(person, lesson.id, at=at)
    for scenario in catalogue.role_scenarios(person.role):
        make.attempt(person, scenario=scenario.id, at=at)


def _lessons(person):
    from literacy.learning.tables import LessonCompletion

    return db.session.scalars(select(LessonCompletion).where(LessonCompletion.user_id == person.id)).all()


def _learner(email="lee@example.com", **extra):
    org = make.organization()
    return make.user(email, org=org, role="lifecycle", **extra)


def test_finishing_the_track_at_target_certifies_for_the_rules_months(shipped):
    person = _learner()
    _finish_track(shipped, person, T0)
    (cycle,) = cycles.history(person)
    assert (cycle.number, cycle.certified_at, cycle.expires_at) == (1, T0, datetime(2027, 3, 10, 9, 0))
    assert cycles.standings([person], T0 + timedelta(days=1))[person.id].status == "certified"
    assert cycles.standings([person], datetime(2027, 3, 10, 9, 0))[person.id].status == "lapsed"


def test_a_shorter_rule_and_the_current_policy(shipped):
    person = _learner()
    cycles.set_rule(person.org_id, shipped, Rule("lifecycle", valid_months=6))
    policy = policies.publish(person.org_id, "v1", "Use approved tools only.")
    _finish_track(shipped, person, T0)
    assert cycles.history(person) == [], "the policy is not acknowledged yet"
    assert [r.name for r in cycles.requirements_for(shipped, person) if not r.met] == ["policy"]
    signed = policies.acknowledge(shipped, person, policy, "Lee Example")
    (cycle,) = cycles.history(person)
    assert cycle.certified_at == signed.at and cycle.expires_at == certification.add_months(signed.at, 6)
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "certification.rule"))


def test_recertification_opens_a_cycle_assigns_the_work_again_and_emails(shipped):
    person = _learner()
    manager = make.user("mia@example.com", org=person.org_id, role="lifecycle", access="manager")
    crm = make.team(person.org_id, "CRM", role="lifecycle")
    person.teams.append(crm)
    manager.teams.append(crm)
    _finish_track(shipped, person, T0)
    assert cycles.renew_due(shipped, datetime(2027, 1, 24, 8, 0)) == 0, "46 days before expiry: not yet"
    opened_at = datetime(2027, 1, 25, 6, 0)
    assert cycles.renew_due(shipped, opened_at) == 1
    assert cycles.renew_due(shipped, opened_at + timedelta(hours=1)) == 0, "a second pass opens nothing"

    newest, first = cycles.history(person)
    assert (newest.number, newest.opened_at, newest.certified_at) == (2, opened_at, None)
    assert first.certified_at == T0, "the earlier cycle is kept"
    assert cycles.attempts_per_cycle(person, [newest, first]) == {1: 6, 2: 0}
    cohort = db.session.get(Cohort, newest.cohort_id)
    assert cohort.recertification and cohort.name == "Recertification: Lifecycle marketing, due 01 Mar 2027"
    assert cohort.due_on.isoformat() == "2027-03-01" and [m.user_id for m in cohort.members] == [person.id]
    assert manager in cohort.managers
    assert cycles.standings([person], opened_at)[person.id].status == "renewing"
    mail = db.session.scalars(select(MailMessage).where(MailMessage.kind == "recertification")).all()
    assert [m.to_address for m in mail] == [person.email] and "01 March 2027" in mail[0].subject

    # the work done in the first cycle does not count in the recertification cohort
    board = dashboard.build(cohort, shipped, opened_at.date())
    assert board.rows[0].facts.scenarios_done == 0
    home = learning_queries.home(shipped, person, opened_at.date())
    (recert,) = [a for a in home.assignments if a.cohort == cohort.name]
    assert (recert.done, recert.total) == (6, 12) and recert.next_scenario, "lessons stay read; scenarios again"
    unmet = [r.name for r in cycles.requirements_for(shipped, person, opened_at) if not r.met]
    assert unmet == ["track", "skill:audit-qa", "skill:data-readiness", "skill:decision-rights"]

    _finish_track(shipped, person, datetime(2027, 2, 10, 12, 0))
    newest = cycles.history(person)[0]
    assert (newest.certified_at, newest.expires_at) == (datetime(2027, 2, 10, 12, 0), datetime(2028, 2, 10, 12, 0))
    assert cycles.attempts_per_cycle(person, cycles.history(person)) == {1: 6, 2: 6}, "the first cycle's are kept"
    assert dashboard.build(cohort, shipped, datetime(2027, 2, 11).date()).rows[0].facts.scenarios_done == 6


def test_a_lapsed_certification_blocks_the_operator(shipped):
    from literacy.workflows import queries
    from literacy.workflows.tables import Workflow

    person = _learner()
    _finish_track(shipped, person, T0)
    workflow = Workflow(org_id=person.org_id, name="Win-back sends", stage="production", stage_since=T0.date())
    workflow.operators.append(person)
    db.session.add(workflow)
    db.session.flush()
    (entry,) = queries.assess(shipped, [workflow], datetime(2027, 3, 1))
    assert entry.assessed.operators[0].status != "lapsed"
    (entry,) = queries.assess(shipped, [workflow], datetime(2027, 3, 11))
    operator = entry.assessed.operators[0]
    assert operator.status == "lapsed"
    assert [c.reason for c in operator.checks if c.kind == "certification"] == ["certification expired on 2027-03-10"]


def test_overrides_need_a_reason_and_are_audited(shipped):
    person = _learner()
    with pytest.raises(cycles.Refused, match="reason"):
        cycles.override(shipped, person, "certify", "  ")
    with pytest.raises(cycles.Refused, match="no valid certification"):
        cycles.override(shipped, person, "revoke", "left the agency")
    cycles.override(shipped, person, "certify", "Certified by the external assessor on 2 March", now=T0)
    assert cycles.standings([person], T0)[person.id].status == "certified"
    with pytest.raises(cycles.Refused, match="Already"):
        cycles.override(shipped, person, "certify", "again", now=T0)
    cycles.override(shipped, person, "revoke", "Sent a campaign without approval", now=T0 + timedelta(days=3))
    assert cycles.standings([person], T0 + timedelta(days=4))[person.id].status == "revoked"
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "certification.override")).all()
    assert [e.target for e in entries] == [person.email, person.email]
    assert "Sent a campaign without approval" in entries[1].details


def test_people_who_leave_drop_out_of_recertification_cohorts(shipped):
    person = _learner()
    _finish_track(shipped, person, T0)
    cycles.renew_due(shipped, datetime(2027, 2, 1))
    cohort_id = cycles.history(person)[0].cohort_id
    person.active = False
    db.session.flush()
    cycles.renew_due(shipped, datetime(2027, 2, 2))
    assert db.session.get(Cohort, cohort_id).members == []


def test_each_attempt_belongs_to_the_cycle_open_when_it_finished():
    first = Cycle(1, "ops", None, T0, datetime(2027, 3, 10))
    second = Cycle(2, "ops", datetime(2027, 1, 24), datetime(2027, 2, 5), datetime(2028, 2, 5))
    finished = [T0 - timedelta(days=30), T0, datetime(2027, 1, 23), datetime(2027, 1, 24), datetime(2027, 2, 1)]
    assert certification.attempts_per_cycle([second, first], finished) == {1: 3, 2: 2}
    assert certification.attempts_per_cycle([], finished) == {}


def test_relaxing_a_rule_certifies_who_now_meets_it_from_the_change(shipped):
    person = _learner()
    policies.publish(person.org_id, "v1", "Approved tools only.")
    _finish_track(shipped, person, T0)
    assert cycles.history(person) == [], "the policy is not acknowledged"
    cycles.set_rule(person.org_id, shipped, Rule("lifecycle", require_policy=False))
    (cycle,) = cycles.history(person)
    assert cycle.certified_at > T0, "certified when the rule changed, not when the work was done"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certification.rule"))
    assert '"require_policy": false' in entry.details and '"was": {"require_policy": true}' in entry.details
