"""The AI-use policy: an admin publishes a version, everyone is asked to acknowledge it (name,
version and time kept), a new version asks again, and the admin sees who has not."""

from __future__ import annotations

from sqlalchemy import select
from support.journeys import signed_in

from literacy.evidence.tables import AuditEntry, PolicyAcknowledgement
from literacy.platform.extensions import db

TEXT = "## Using AI tools\n\nNever paste customer data into a tool that is not on the approved list."


def test_publish_acknowledge_and_a_new_version_asks_again(app, world):
    admin = signed_in(app, "admin@example.com")
    assert "has not published an AI-use policy" in signed_in(app, "learner1@example.com").get("/policy").get_data(
        as_text=True
    )
    assert admin.post("/admin/policy", {"version": "2026-12", "text": TEXT}, page="/admin/policy").status_code == 302
    learner = signed_in(app, "learner1@example.com")
    home = learner.get("/").get_data(as_text=True)
    assert "AI-use policy, version 2026-12, needs your acknowledgement" in home
    page = learner.get("/policy").get_data(as_text=True)
    assert "<h2>Using AI tools</h2>" in page and "not on the approved list" in page
    assert learner.post("/policy", {"name": "Learner One"}, page="/policy").status_code == 302
    learner.post("/policy", {"name": "Again"}, page="/policy")  # a second tab keeps the first signature
    with app.app_context():
        [ack] = db.session.scalars(select(PolicyAcknowledgement)).all()
        assert (ack.name, ack.user_id) == ("Learner One", world["learner1"]) and ack.at is not None
    assert "needs your acknowledgement" not in learner.get("/").get_data(as_text=True)
    assert "You signed version 2026-12 as Learner One" in learner.get("/policy").get_data(as_text=True)
    manage = admin.get("/admin/policy").get_data(as_text=True)
    assert "1 of 7 active people" in manage and "Learner2" in manage and "Learner1</a>" not in manage
    csv_text = admin.get("/admin/policy/pending.csv").get_data(as_text=True)
    assert "learner2@example.com" in csv_text and "learner1@example.com" not in csv_text
    admin.post("/admin/policy", {"version": "2027-01", "text": TEXT + "\n\nNew rule."}, page="/admin/policy")
    assert "version 2027-01, needs your acknowledgement" in learner.get("/").get_data(as_text=True)
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.target).where(AuditEntry.action == "policy.published")))
    assert actions == ["AI-use policy 2026-12", "AI-use policy 2027-01"]


def test_a_version_label_is_used_once_and_an_empty_signature_is_refused(app, world):
    admin = signed_in(app, "admin@example.com")
    admin.post("/admin/policy", {"version": "v1", "text": TEXT}, page="/admin/policy")
    again = admin.post("/admin/policy", {"version": "V1", "text": "Other text"}, page="/admin/policy")
    assert again.status_code == 400 and "Version V1 was published before" in again.get_data(as_text=True)
    assert "Other text" in again.get_data(as_text=True)  # what was typed stays
    learner = signed_in(app, "learner1@example.com")
    refused = learner.post("/policy", {"name": "   "}, page="/policy")
    assert refused.status_code == 400
    other_org = signed_in(app, "othermanager@example.com")
    assert "has not published an AI-use policy" in other_org.get("/policy").get_data(as_text=True)
