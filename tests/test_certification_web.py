"""The certification pages: an admin sets a role's rule, certifies by hand with a reason and revokes
after a confirmation; the learner sees their own standing and what is left; nobody reaches another
organisation's people."""

from __future__ import annotations

from sqlalchemy import select
from support import make
from support.journeys import signed_in

from literacy.evidence.tables import AuditEntry, Certification, CertificationRule
from literacy.people.tables import User
from literacy.platform.extensions import db


def test_an_admin_saves_a_roles_rule_and_a_bad_value_keeps_the_form(app, world):
    admin = signed_in(app, "admin@example.com")
    page = admin.get("/admin/certification").get_data(as_text=True)
    assert "What certifies each role" in page and "Save the rule for Operations" in page
    saved = admin.post(
        "/admin/certification",
        {
            "rule-ops-valid_months": "6",
            "rule-ops-renew_days": "30",
            "rule-ops-require_policy": "y",
            "rule-ops-skills": "data",
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        rule = db.session.scalar(select(CertificationRule))
        assert (rule.valid_months, rule.renew_days, rule.require_policy, rule.skills) == (6, 30, True, "data")
    bad = admin.post("/admin/certification", {"rule-ops-valid_months": "0", "rule-ops-renew_days": "30"})
    assert bad.status_code == 400 and "Number must be between 1 and 60" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(CertificationRule.valid_months)) == 6, "the refused form changed nothing"


def test_certify_by_hand_then_revoke_after_confirming(app, world):
    admin = signed_in(app, "admin@example.com")
    person = f"/admin/users/{world['learner1']}/certification"
    page = admin.get(person).get_data(as_text=True)
    assert "Not yet certified" in page and "To do" in page
    empty = admin.post(person, {"reason": "  "})
    assert empty.status_code == 400 and "This field is required" in empty.get_data(as_text=True)
    assert admin.post(person, {"reason": "Passed the agency's assessment, 2 Dec"}).status_code == 302
    page = admin.get(person).get_data(as_text=True)
    assert "Certified" in page and "Certified by hand: Passed the agency" in page and "Revoke" in page
    confirm = admin.get(f"{person}/revoke").get_data(as_text=True)
    assert "Revoke Learner1’s certification?" in confirm
    assert admin.post(f"{person}/revoke", {"reason": "Used an unapproved tool"}).status_code == 302
    assert "Revoked" in admin.get(person).get_data(as_text=True)
    with app.app_context():
        (cycle,) = db.session.scalars(select(Certification)).all()
        assert cycle.revoked_at is not None
        assert (
            cycle.override
            == "Certified by hand: Passed the agency's assessment, 2 Dec · Revoked: Used an unapproved tool"
        )
        actions = db.session.scalars(select(AuditEntry.details).where(AuditEntry.action == "certification.override"))
        assert ['"certify"' in d or '"revoke"' in d for d in actions] == [True, True]
    listed = admin.get("/admin/certification?status=revoked").get_data(as_text=True)
    assert "Learner1</a>" in listed and "Revoked (1)" in listed
    exported = admin.get("/admin/certification.csv").get_data(as_text=True)
    assert "learner1@example.com,ops,staff,,revoked" in exported


def test_the_learner_sees_their_standing_and_what_is_left(app, world):
    learner = signed_in(app, "learner1@example.com")
    page = learner.get("/certification").get_data(as_text=True)
    assert "Not yet certified" in page and "Role track" in page


def test_another_organisations_person_is_not_found(app, world, make_user):
    with app.app_context():
        org_b = db.session.get(User, world["outsider"]).org_id
    make_user("otheradmin@example.com", access="admin", org=org_b)
    other = signed_in(app, "otheradmin@example.com")
    assert other.get(f"/admin/users/{world['learner1']}/certification").status_code == 404
    assert (
        other.post(
            f"/admin/users/{world['learner1']}/certification", {"reason": "x"}, page="/admin/certification"
        ).status_code
        == 404
    )
    with app.app_context():
        assert db.session.scalar(select(Certification)) is None


def test_a_lapsed_certification_shows_on_every_dashboard(app, world):
    from datetime import datetime

    from literacy.evidence import cycles, policy

    with make.saved(app):
        learner = db.session.get(User, world["learner1"])
        cycles.override(app.extensions["catalogue"], learner, "certify", "Assessed elsewhere", now=datetime(2024, 1, 5))
        policy.publish(learner.org_id, "v1", "Approved tools only.")
    manager, leader = signed_in(app, "owner@example.com"), signed_in(app, "leader@example.com")
    board = manager.get(f"/cohorts/{world['cohort']}").get_data(as_text=True)
    assert "Certification lapsed" in board and "1</strong> lapsed or revoked" in board
    assert "0</strong> of 3 signed policy v1" in board
    overview = leader.get("/insights/").get_data(as_text=True)
    assert "1 certification lapsed or revoked" in overview and "AI-use policy v1: acknowledged by 0 of" in overview
    assert "Lapsed" in leader.get(f"/insights/learners/{world['learner1']}").get_data(as_text=True)
    home = signed_in(app, "learner1@example.com").get("/").get_data(as_text=True)
    assert "Your certification expired on 05 January 2025" in home
    workflow = leader.get(f"/workflows/{world['workflow']}").get_data(as_text=True)
    assert "Certification lapsed" in workflow and "certification expired on 2025-01-05" in workflow


def test_a_second_certify_says_why_and_an_unknown_status_lists_everyone(app, world):
    admin = signed_in(app, "admin@example.com")
    person = f"/admin/users/{world['learner1']}/certification"
    page = admin.get(person)  # two tabs open on the certify form
    fields = {
        "csrf_token": page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    }
    assert admin.client.post(person, data={**fields, "reason": "First tab"}).status_code == 302
    second = admin.client.post(person, data={**fields, "reason": "Second tab"}, follow_redirects=True)
    assert "Already certified." in second.get_data(as_text=True)
    everyone = admin.get("/admin/certification?status=bogus").get_data(as_text=True)
    assert "Everyone (" in everyone and "Learner1</a>" in everyone
