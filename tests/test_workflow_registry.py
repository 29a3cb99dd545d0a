"""The workflow registry's services and queries on a real database: history, stage gates, reviews,
readiness from stored evidence, who may see and edit, and the cohort that fixes unready operators."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from support import make

from literacy.cohorts.tables import Cohort
from literacy.insights.tables import Evidence
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db
from literacy.workflows import queries, readiness, services
from literacy.workflows.services import Details, NotReadyForProduction
from literacy.workflows.tables import Workflow, WorkflowChange

TODAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 12, 0)


def complete(owner, approver, operators, **changes) -> Details:
    values = {
        "name": "Win-back audience builder",
        "kind": "audience-building",
        "purpose": "Builds the monthly win-back audience from lapsed buyers.",
        "owner_id": owner.id,
        "team_id": owner.teams[0].id if owner.teams else None,
        "tools": "ESP journey builder (AI audiences)",
        "ai_may": "Propose the audience and the send time.",
        "needs_approval": "The final audience and any send over 20,000 contacts.",
        "approver_id": approver.id,
        "outcome_measure": "Incremental revenue per recipient against a 10% holdout.",
        "tracing": "Each send logs the audience rule version and model version.",
        "fault_noticed": "Complaint rate alert above 0.1% per send.",
        "fault_contact": "CRM lead on call, then the head of lifecycle.",
        "fault_stop": "Pause the journey in the ESP; suppression list re-merged before restart.",
        "review_days": 90,
        "roles": ("ops",),
        "required_skills": ("ownership",),
        "operator_ids": tuple(o.id for o in operators),
    }
    values.update(changes)
    return Details(**values)


@pytest.fixture
def people(app):
    with make.saved(app):
        org = make.organization()
        team = make.team(org, "Lifecycle team")
        other_team = make.team(org, "Paid team")
        found = {
            "org": org.id,
            "team": team.id,
            "admin": make.user("admin@a.example", org=org, access="admin"),
            "leader": make.user("leader@a.example", org=org, access="leader"),
            "manager": make.user("manager@a.example", org=org, access="manager", teams=[team]),
            "other_manager": make.user("pm@a.example", org=org, access="manager", teams=[other_team]),
            "owner": make.user("owner@a.example", org=org, name="Olu Owner", teams=[team]),
            "ana": make.user("ana@a.example", org=org, name="Ana Ready"),
            "ben": make.user("ben@a.example", org=org, name="Ben Thin"),
            "outsider": make.user("x@b.example", org=make.organization("Org B"), access="admin"),
        }
        db.session.flush()
        return {k: (v.id if hasattr(v, "id") else v) for k, v in found.items()}


def get(user_id):
    from literacy.people.tables import User

    return db.session.get(User, user_id)


def test_every_change_is_kept_with_who_what_and_when(app, people):
    with make.saved(app):
        admin, owner = get(people["admin"]), get(people["owner"])
        workflow = services.create(people["org"], admin, complete(owner, admin, [get(people["ana"])]), "pilot", TODAY)
        both = [get(people["ana"]), get(people["ben"])]
        services.update(workflow, admin, complete(owner, admin, both, review_days=30))
        services.update(workflow, admin, complete(owner, admin, both, review_days=30))
        services.log_review(workflow, owner, "Checked the holdout and the suppression merge.", TODAY)
        rows = db.session.scalars(select(WorkflowChange).order_by(WorkflowChange.id)).all()
        rows = [(r.field, r.old, r.new, r.note, r.user_id) for r in rows]
    assert rows[0][:3] == ("created", "", "Win-back audience builder")
    assert ("purpose", "", "Builds the monthly win-back audience from lapsed buyers.") in [r[:3] for r in rows]
    assert ("stage", "experiment", "pilot") in [r[:3] for r in rows]  # every first value is in the history
    assert [r[:3] for r in rows[-3:]] == [
        ("review_days", "90", "30"),
        ("operator_ids", "Ana Ready", "Ana Ready, Ben Thin"),
        ("review", "", "2026-12-01"),
    ]
    assert rows[-1][3:] == ("Checked the holdout and the suppression merge.", people["owner"])
    assert rows[-3][4] == people["admin"]  # and the second, identical update recorded nothing


def test_logging_an_older_review_keeps_the_latest_date_and_a_pilot_flip_keeps_its_clock(app, people):
    # dated from the real clock: the history records each stage change when it happens
    now = utcnow()
    today = now.date()
    with make.saved(app):
        admin, owner = get(people["admin"]), get(people["owner"])
        workflow = services.create(people["org"], admin, complete(owner, admin, [get(people["ana"])]), "pilot", today)
        services.log_review(workflow, admin, "This week's review.", today)
        services.log_review(workflow, admin, "Last year's, entered late.", today - timedelta(days=400))
        assert workflow.reviewed_on == today
        workflow_id = workflow.id
    with make.saved(app):
        workflow = db.session.get(Workflow, workflow_id)
        services.change_stage(workflow, None, "experiment", today + timedelta(days=100))
        services.change_stage(workflow, None, "pilot", today + timedelta(days=110))
        [entry] = queries.assess(app.extensions["catalogue"], [workflow], now + timedelta(days=130))
        assert entry.assessed.facts.pilot_since <= today + timedelta(days=1)  # the first move to pilot
        assert readiness.is_sprawl(entry.assessed.facts, today + timedelta(days=130))


def test_a_far_future_date_cannot_break_the_arithmetic():
    facts = readiness.Facts(
        "production", TODAY, frozenset(), True, (readiness.Source("s", "ready", date.max),), 90, date.max
    )
    assert readiness.review_due(facts) == date.max
    assert [b.kind for b in readiness.blockers(facts, [], TODAY, {})][-1] != "review"


def test_production_asks_for_the_missing_fields_first(app, people):
    with make.saved(app):
        admin, owner = get(people["admin"]), get(people["owner"])
        with pytest.raises(NotReadyForProduction) as refused:
            services.create(people["org"], admin, Details(name="Bid strategy", owner_id=owner.id), "production", TODAY)
        assert refused.value.missing[:3] == ["Purpose", "Team", "AI tools or vendors"]
        assert "Input data sources" in refused.value.missing and "Last review" in refused.value.missing
    with make.saved(app):
        admin, owner = get(people["admin"]), get(people["owner"])
        workflow = services.create(people["org"], admin, complete(owner, admin, [get(people["ana"])]), "pilot", TODAY)
        with pytest.raises(NotReadyForProduction) as refused:
            services.change_stage(workflow, admin, "production", TODAY)
        assert refused.value.missing == ["Input data sources", "Last review"]
        services.save_source(workflow, admin, None, "CRM suppression list", "ready", TODAY)
        services.log_review(workflow, admin, "First review before go-live.", TODAY)
        assert services.change_stage(workflow, admin, "production", TODAY)
        assert workflow.stage == "production" and workflow.stage_since == TODAY


def evidence(user_id: int, points: list[tuple[str, float, int]], at: datetime) -> None:
    """Hand-made evidence: (scenario, earned, available) in the skill 'ownership'."""
    attempt = make.attempt(user_id, at=at)  # a finished attempt row for the foreign key
    db.session.query(Evidence).filter(Evidence.scenario_id == "ops-send").delete()  # keep only the hand-made rows
    for n, (scenario, earned, available) in enumerate(points):
        db.session.add(
            Evidence(
                user_id=user_id,
                scenario_id=scenario,
                skill_id="ownership",
                attempt_id=attempt.id,
                score=round(100 * earned / available),
                earned=earned,
                available=available,
                finished_at=at - timedelta(minutes=n),
            )
        )
    db.session.flush()


def test_readiness_comes_from_the_stored_evidence_and_names_what_blocks(app, people):
    with make.saved(app):
        admin, owner = get(people["admin"]), get(people["owner"])
        ana, ben = get(people["ana"]), get(people["ben"])
        # Ana: 29 of 30 points over three scenarios (estimate 94, interval well within 20 points);
        # Ben: 3 of 3 points, at the target of 70 but on an interval far wider than 20 points.
        evidence(ana.id, [("s1", 10, 10), ("s2", 10, 10), ("s3", 9, 10)], NOW - timedelta(days=3))
        evidence(ben.id, [("s1", 3, 3)], NOW - timedelta(days=3))
        workflow = services.create(people["org"], admin, complete(owner, admin, [ana, ben]), "pilot", TODAY)
        services.save_source(workflow, admin, None, "CRM suppression list", "ready", TODAY)
        services.log_review(workflow, admin, "Go-live review.", TODAY)
        services.change_stage(workflow, admin, "production", TODAY)
        [entry] = queries.assess(app.extensions["catalogue"], queries.in_organisation(people["org"]), NOW)
        statuses = {o.user_id: o.status for o in entry.assessed.operators}
        assert statuses == {ana.id: "ready", ben.id: "not-assessed"}
        assert [b.text for b in entry.assessed.blockers] == ["Ben Thin: not assessed"]
        assert not entry.assessed.ready
        services.update(workflow, admin, complete(owner, admin, [ana]))
        [entry] = queries.assess(app.extensions["catalogue"], queries.in_organisation(people["org"]), NOW)
        assert entry.assessed.ready and entry.assessed.blockers == ()
        # ninety days on, the review and the source check are both overdue
        [later] = queries.assess(app.extensions["catalogue"], [workflow], NOW + timedelta(days=91))
        assert [b.kind for b in later.assessed.blockers] == ["source", "review"]


def test_who_may_see_and_edit_a_workflow(app, people):
    with make.saved(app):
        admin, owner = get(people["admin"]), get(people["owner"])
        workflow = services.create(people["org"], admin, complete(owner, admin, [get(people["ana"])]), "pilot", TODAY)
        may = {
            who: (services.can_view(get(people[who]), workflow), services.can_edit(get(people[who]), workflow))
            for who in ("admin", "leader", "manager", "other_manager", "owner", "ana", "ben", "outsider")
        }
    assert may == {
        "admin": (True, True),
        "leader": (True, True),
        "manager": (True, False),  # the workflow's team is theirs
        "other_manager": (False, False),
        "owner": (True, True),
        "ana": (True, False),  # an operator
        "ben": (False, False),
        "outsider": (False, False),  # an admin of another organisation
    }


def test_a_cohort_of_the_unready_operators_in_one_step(app, people):
    with make.saved(app):
        admin, owner, manager = get(people["admin"]), get(people["owner"]), get(people["manager"])
        ana, ben, leader = get(people["ana"]), get(people["ben"]), get(people["leader"])
        ben.teams.append(owner.teams[0])  # Ben is a learner of the manager's team; the leader is not
        evidence(ana.id, [("s1", 10, 10), ("s2", 10, 10), ("s3", 9, 10)], NOW - timedelta(days=3))
        workflow = services.create(people["org"], admin, complete(owner, admin, [ana, ben, leader]), "pilot", TODAY)
        [entry] = queries.assess(app.extensions["catalogue"], [workflow], NOW)
        cohort, left_out = services.cohort_for_unready(entry, manager, TODAY, TODAY + timedelta(days=21), ["ops-send"])
        cohort_id = cohort.id
    assert left_out == 1  # the leader: a manager adds only learners of their own teams
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        assert [m.user_id for m in cohort.members] == [people["ben"]]
        assert [(a.kind, a.ref) for a in cohort.assignments] == [("scenario", "ops-send")]
        assert cohort.name == "Win-back audience builder: operator readiness 2026-12-01"
        assert [m.id for m in cohort.managers] == [people["manager"]]
