"""The audit log: every administrative action appended to its organisation's hash chain, browsed and
exported by admins, and `flask audit verify` failing as soon as a stored entry is changed or removed."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from support.journeys import signed_in

from literacy.evidence import chain
from literacy.evidence.tables import AuditEntry
from literacy.platform.extensions import db


def links(*fields: dict) -> list[chain.Link]:
    found, previous = [], chain.GENESIS
    for n, item in enumerate(fields, start=1):
        digest = chain.entry_hash(previous, item)
        found.append(chain.Link(n, previous, digest, item))
        previous = digest
    return found


def test_the_chain_finds_a_changed_a_removed_and_an_inserted_entry():
    good = links({"action": "a"}, {"action": "b"}, {"action": "c"})
    assert chain.verify(good) is None
    changed = [good[0], chain.Link(2, good[1].previous, good[1].hash, {"action": "B"}), good[2]]
    assert chain.verify(changed) == chain.Break(2, "its contents no longer match its hash (the entry was changed)")
    assert chain.verify([good[0], good[2]]).id == 3  # entry 2 removed: 3 no longer links to 1
    forged = chain.Link(9, good[0].hash, chain.entry_hash(good[0].hash, {"action": "x"}), {"action": "x"})
    assert chain.verify([good[0], forged, good[1], good[2]]).id == 2  # an entry slipped in
    assert chain.verify([good[1], good[0], good[2]]).id == 2  # the first entry must start from GENESIS


def entries(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [(r.org_id, r.actor, r.action, r.target, r.details, r.address) for r in rows]


def test_administrative_actions_are_logged_with_who_what_and_from_where(app, world):
    admin = signed_in(app, "admin@example.com")
    page = f"/admin/users/{world['learner1']}"
    admin.post(f"/admin/users/{world['learner1']}/access", {"access": "manager"}, page=page)
    admin.get(f"/cohorts/{world['cohort']}/export.csv")
    leader = signed_in(app, "leader@example.com")
    edit = f"/workflows/{world['workflow']}"
    leader.post(f"{edit}/review", {"reviewed_on": "2026-11-30", "note": "Holdout checked."}, page=edit)
    found = entries(app)
    assert (world["org"], "admin@example.com", "access.changed", "learner1@example.com") == found[-3][:4]
    assert '"new": "manager"' in found[-3][4] and '"old": "learner"' in found[-3][4]
    assert found[-2][1:4] == ("admin@example.com", "export.downloaded", f"cohort-{world['cohort']}.csv")
    assert found[-1][1:4] == ("leader@example.com", "workflow.changed", "Send audience builder")
    assert all(address == "127.0.0.1" for *_, address in found[-3:])


def test_admins_browse_filter_and_export_their_own_organisations_log_only(app, world):
    admin = signed_in(app, "admin@example.com")
    person = f"/admin/users/{world['learner2']}"
    admin.post(f"{person}/access", {"access": "leader"}, page=person)
    html = admin.get("/admin/audit/?action=access.changed").get_data(as_text=True)
    assert "learner2@example.com" in html and "Send audience builder" not in html
    assert "Send audience builder" in admin.get("/admin/audit/?actor=command").get_data(as_text=True)
    assert "Ignored: since" in admin.get("/admin/audit/?since=yesterday").get_data(as_text=True)
    csv_text = admin.get("/admin/audit/export.csv?action=access.changed").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "id,at_utc,actor,action,target,details,address,previous_hash,hash"
    assert len(csv_text.splitlines()) == 2
    assert entries(app)[-1][2:4] == ("export.downloaded", "audit-log.csv")  # the download is itself logged
    other = signed_in(app, "othermanager@example.com")
    assert other.get("/admin/audit/").status_code == 403
    with app.app_context():
        orgs = {org for org, *_ in entries(app)}
    assert orgs == {world["org"], world["org"] + 1}  # org B's seeded workflow has its own chain
    assert "Secret B workflow" not in admin.get("/admin/audit/?actor=command").get_data(as_text=True)


def test_verify_passes_then_fails_when_an_entry_is_edited_or_removed(app, world, runner):
    admin = signed_in(app, "admin@example.com")
    for access in ("manager", "leader", "learner"):
        admin.post(f"/admin/users/{world['learner1']}/access", {"access": access}, page="/admin/users")
    result = runner.invoke(args=["audit", "verify", "--org", "a"])
    assert result.exit_code == 0 and "the chain is unbroken" in result.output
    with app.app_context():
        target = db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "access.changed").limit(1))
        db.session.execute(update(AuditEntry).where(AuditEntry.id == target).values(details='{"new": "admin"}'))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify", "--org", "a"])
    assert result.exit_code == 1 and f"BROKEN at entry {target}: its contents no longer match" in result.output
    with app.app_context():
        db.session.execute(delete(AuditEntry).where(AuditEntry.id == target))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "its previous hash is not the hash of the entry before it" in result.output
    assert "b: " in result.output and "unbroken" in result.output.split("b: ", 1)[1]  # org B untouched


def test_a_manager_inviting_an_agency_person_into_a_cohort_is_an_invitation_entry(app, world):
    manager = signed_in(app, "owner@example.com")
    added = manager.post(
        f"/cohorts/{world['cohort']}/roster",
        {
            "email": "ada@fernwood.example",
            "name": "Ada",
            "role": "ops",
            "team": str(world["team"]),
            "external": "external",
            "agency": "Fernwood Content Studio",
        },
    )
    assert added.status_code == 302
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.invited"))
    assert (entry.target, entry.actor) == ("ada@fernwood.example", "owner@example.com")
    assert '"agency": "Fernwood Content Studio"' in entry.details and '"cohort": "Pilot cohort"' in entry.details
