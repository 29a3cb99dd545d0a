"""The workflow registry through its pages: adding and editing, the production gate, reviews, data
sources, what each person sees, the cohort for unready operators, and import and export."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from sqlalchemy import func, select
from support.journeys import signed_in

from literacy.cohorts.tables import Cohort
from literacy.platform.extensions import db
from literacy.workflows.tables import Workflow, WorkflowChange

FULL = {
    "name": "Win-back audience builder",
    "kind": "audience-building",
    "purpose": "Builds the monthly win-back audience from lapsed buyers.",
    "stage": "pilot",
    "tools": "ESP journey builder",
    "ai_may": "Propose the audience and send time.",
    "needs_approval": "The final audience.",
    "outcome_measure": "Incremental revenue per recipient against a holdout.",
    "tracing": "Each send logs the audience rule and model version.",
    "fault_noticed": "Complaint-rate alert.",
    "fault_contact": "CRM lead on call.",
    "fault_stop": "Pause the journey in the ESP.",
    "review_days": "90",
    "touches_customer_data": "y",
    "roles": "ops",
    "required_skills": "ownership",
    "operators": "learner1@example.com\nLEARNER2@example.com",
}


def form_for(world, **changes):
    data = {**FULL, "owner": str(world["owner"]), "approver": str(world["leader"]), "team": str(world["team"])}
    data.update(changes)
    return data


def added(app, name="Win-back audience builder") -> Workflow:
    with app.app_context():
        workflow = db.session.scalar(select(Workflow).where(Workflow.name == name))
        return workflow.id if workflow else None


def test_a_leader_adds_a_workflow_and_the_registry_lists_it_with_its_figures(app, world):
    leader = signed_in(app, "leader@example.com")
    response = leader.post("/workflows/new", form_for(world), page="/workflows/new")
    assert response.status_code == 302
    workflow_id = added(app)
    page = leader.get(f"/workflows/{workflow_id}").get_data(as_text=True)
    assert "Before production, 4 thing(s) to fix" in page  # data sources, last review, two operators not assessed
    assert "Input data sources is missing" in page and "Last review is missing" in page
    index = leader.get("/workflows/").get_data(as_text=True)
    assert "Win-back audience builder" in index and "Production workflows ready" in index
    assert "Send audience builder" in index  # the world's workflow too


def test_a_bad_form_keeps_what_was_typed_and_says_what_is_wrong(app, world):
    leader = signed_in(app, "leader@example.com")
    response = leader.post("/workflows/new", form_for(world, operators="nobody@else.example"), page="/workflows/new")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Not people of your organisation: nobody@else.example" in page
    assert "Builds the monthly win-back audience from lapsed buyers." in page
    assert added(app) is None
    # a new workflow cannot start in production: its data sources and review are added on its page
    response = leader.post("/workflows/new", form_for(world, stage="production"), page="/workflows/new")
    assert response.status_code == 400 and added(app) is None
    leader.post("/workflows/new", form_for(world), page="/workflows/new")
    edit = f"/workflows/{added(app)}/edit"
    response = leader.post(edit, form_for(world, stage="production", purpose="Changed"), page=edit)
    assert response.status_code == 400
    assert "Production needs these first: Input data sources, Last review." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Workflow, added(app)).purpose.startswith("Builds")  # the refused save kept nothing


def test_a_stale_form_does_not_undo_a_colleagues_change(app, world):
    leader = signed_in(app, "leader@example.com")
    admin = signed_in(app, "admin@example.com")
    edit = f"/workflows/{world['workflow']}/edit"
    stale = next(f.hidden for f in leader.forms(edit) if "seen" in f.hidden)  # the leader opens the form
    admin.post(edit, {**form_for(world, name="Send audience builder", tools="Admin's change")}, page=edit)
    fields = {**form_for(world, name="Send audience builder", tools="Leader's change"), "seen": stale["seen"]}
    response = leader.client.post(edit, data={**fields, "csrf_token": stale["csrf_token"]})
    assert response.status_code == 400
    assert "Someone else saved this workflow while you were editing it" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Workflow, world["workflow"]).tools == "Admin's change"


def test_reviews_sources_and_stages_change_the_readiness_and_the_history(app, world):
    leader = signed_in(app, "leader@example.com")
    leader.post("/workflows/new", form_for(world, operators=""), page="/workflows/new")
    workflow_id = added(app)
    page = f"/workflows/{workflow_id}"
    today = date.today().isoformat()
    future = (date.today() + timedelta(days=2)).isoformat()
    refused = leader.post(f"{page}/review", {"reviewed_on": future, "note": "Soon, typed"}, page=page)
    assert refused.status_code == 400
    assert "A review cannot be dated in the future." in refused.get_data(as_text=True)
    assert "Soon, typed" in refused.get_data(as_text=True)  # the note is kept
    refused = leader.post(f"{page}/sources", {"name": "Feed", "rating": "ready", "checked_on": "9999-12-31"}, page=page)
    assert refused.status_code == 400 and "A check cannot be dated in the future." in refused.get_data(as_text=True)
    leader.post(f"{page}/review", {"reviewed_on": today, "note": "Checked holdout design."}, page=page)
    leader.post(f"{page}/sources", {"name": "Consent table", "rating": "not-ready", "checked_on": today}, page=page)
    refused = leader.post(f"{page}/stage", {"stage": "production"}, page=page)
    assert refused.status_code == 400
    assert "Production needs these first: Named operators." in refused.get_data(as_text=True)
    leader.post(f"{page}/edit", form_for(world, operators="learner1@example.com"), page=f"{page}/edit")
    leader.post(f"{page}/stage", {"stage": "production"}, page=page)
    html = leader.get(page).get_data(as_text=True)
    assert "Not ready" in html and "Data source Consent table is rated not ready" in html
    assert "Learner1: not assessed" in html
    with app.app_context():
        fields = list(db.session.scalars(select(WorkflowChange.field).where(WorkflowChange.workflow_id == workflow_id)))
    assert fields[0] == "created" and "purpose" in fields  # the first values are in the history too
    assert fields[-5:] == ["stage", "review", "source", "operator_ids", "stage"]


def test_people_see_only_the_workflows_they_may(app, world):
    learner1 = signed_in(app, "learner1@example.com")
    html = learner1.get("/workflows/").get_data(as_text=True)
    assert "Send audience builder" in html and "Secret B workflow" not in html
    assert learner1.get(f"/workflows/{world['workflow']}").status_code == 200
    progress = learner1.get("/progress").get_data(as_text=True)
    assert "AI workflows you operate" in progress and "Send audience builder" in progress
    learner2 = signed_in(app, "learner2@example.com")
    assert "Send audience builder" not in learner2.get("/workflows/").get_data(as_text=True)
    assert "You do not own or operate any registered AI workflow." in learner2.get("/workflows/").get_data(as_text=True)
    admin = signed_in(app, "admin@example.com")
    assert admin.get(f"/workflows/{world['workflow_b']}").status_code == 404
    assert admin.get(f"/workflows/{world['workflow_b']}/edit").status_code == 404
    assert "Secret B workflow" not in admin.get("/workflows/export.json").get_data(as_text=True)


def test_a_manager_turns_the_unready_operators_into_a_cohort(app, world):
    owner = signed_in(app, "owner@example.com")  # the CRM team's manager
    page = f"/workflows/{world['workflow']}"
    assert "Build the cohort" in owner.get(page).get_data(as_text=True)
    due = (date.today() + timedelta(days=21)).isoformat()
    response = owner.post(f"{page}/cohort", {"due_on": due}, page=page)
    assert response.status_code == 302 and "/cohorts/" in response.headers["Location"]
    with app.app_context():
        cohort = db.session.scalars(select(Cohort).order_by(Cohort.id.desc())).first()
        assert [m.user_id for m in cohort.members] == [world["learner1"]]
        assert {(a.kind, a.ref) for a in cohort.assignments} == {("scenario", "ops-send")}  # trains its kind
    again = owner.post(f"{page}/cohort", {"due_on": due}, page=page)
    assert again.status_code == 302
    assert "already made today" in owner.get(page).get_data(as_text=True)


def test_export_then_import_round_trips_and_a_bad_file_imports_nothing(app, world):
    leader = signed_in(app, "leader@example.com")
    leader.post("/workflows/new", form_for(world), page="/workflows/new")
    exported = leader.get("/workflows/export.json").get_data(as_text=True)
    data = json.loads(exported)
    assert {w["name"] for w in data["workflows"]} == {"Win-back audience builder", "Send audience builder"}
    csv_text = leader.get("/workflows/export.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("name,kind,stage,stage_since,purpose,owner,team")
    # change one workflow in the file and add a new one: both apply, with history
    data["workflows"][0]["purpose"] = "Changed in a spreadsheet."
    data["workflows"].append({**data["workflows"][1], "name": "Imported workflow", "stage": "experiment"})
    upload = {"file": (io.BytesIO(json.dumps(data).encode()), "workflows.json")}
    response = leader.post("/workflows/import", upload, page="/workflows/import")
    assert response.status_code == 302
    assert "Imported: 1 workflow(s) added, 1 updated, 1 unchanged." in leader.get("/workflows/").get_data(as_text=True)
    # a CSV with one bad row changes nothing
    lines = csv_text.splitlines()
    bad = (
        lines[0]
        + "\r\n"
        + lines[1]
        + "\r\n"
        + lines[1].replace("Send audience builder", "Broken", 1).replace("pilot", "launched", 1)
    )
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Workflow))
    response = leader.post("/workflows/import", {"file": (io.BytesIO(bad.encode()), "w.csv")}, page="/workflows/import")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html and "Row 3: stage must be one of" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Workflow)) == before


def test_an_import_naming_people_of_another_organisation_is_refused_by_row(app, world):
    leader = signed_in(app, "leader@example.com")
    body = "name,owner,operators\r\nA,outsider@example.com,learner1@example.com; othermanager@example.com\r\n"
    response = leader.post(
        "/workflows/import", {"file": (io.BytesIO(body.encode()), "w.csv")}, page="/workflows/import"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Row 2: outsider@example.com is not a person of this organisation" in html
    assert "Row 2: operator othermanager@example.com is not a person of this organisation" in html
    assert added(app, "A") is None


def test_an_operator_sees_their_own_evidence_only_and_an_owner_cannot_name_operators(app, world):
    leader = signed_in(app, "leader@example.com")
    page = f"/workflows/{world['workflow']}"
    edit = f"{page}/edit"
    operators = "learner1@example.com\nlearner2@example.com"
    leader.post(
        edit,
        form_for(world, name="Send audience builder", operators=operators, owner=str(world["learner1"])),
        page=edit,
    )
    learner2 = signed_in(app, "learner2@example.com").get(page).get_data(as_text=True)
    own_row, other_row = learner2.split('id="operator-')[1:3]
    assert "Learner1" in own_row + other_row
    hidden = own_row if own_row.startswith(str(world["learner1"])) else other_row
    assert "Only the operator, the owner, leaders and the team's managers see this." in hidden
    owner = signed_in(app, "learner1@example.com")  # the workflow's owner, a learner
    owner.post(edit, form_for(world, name="Send audience builder", operators="admin@example.com"), page=edit)
    with app.app_context():
        names = sorted(u.email for u in db.session.get(Workflow, world["workflow"]).operators)
    assert names == ["learner1@example.com", "learner2@example.com"]  # the owner's list was ignored


def test_a_deactivated_operator_is_never_ready(app, world):
    admin = signed_in(app, "admin@example.com")
    admin.post(f"/admin/users/{world['learner1']}/deactivate", {"confirm": "yes"}, page="/admin/users")
    html = signed_in(app, "leader@example.com").get(f"/workflows/{world['workflow']}").get_data(as_text=True)
    assert "Learner1: account deactivated" in html


def test_an_import_with_some_columns_changes_only_those(app, world):
    leader = signed_in(app, "leader@example.com")
    leader.post("/workflows/new", form_for(world), page="/workflows/new")
    body = "name,tools\r\nWin-back audience builder,A new tool\r\n"
    response = leader.post(
        "/workflows/import", {"file": (io.BytesIO(body.encode()), "w.csv")}, page="/workflows/import"
    )
    assert response.status_code == 302
    with app.app_context():
        workflow = db.session.get(Workflow, added(app))
        assert workflow.tools == "A new tool"
        assert workflow.purpose.startswith("Builds the monthly") and len(workflow.operators) == 2


def test_a_production_workflow_can_be_retired_and_cleared_in_one_save_after_confirming(app, world):
    leader = signed_in(app, "leader@example.com")
    leader.post("/workflows/new", form_for(world), page="/workflows/new")
    page = f"/workflows/{added(app)}"
    leader.post(f"{page}/review", {"reviewed_on": date.today().isoformat(), "note": "Go-live."}, page=page)
    leader.post(
        f"{page}/sources", {"name": "CRM", "rating": "ready", "checked_on": date.today().isoformat()}, page=page
    )
    assert leader.post(f"{page}/stage", {"stage": "production"}, page=page).status_code == 302
    asked = leader.post(f"{page}/stage", {"stage": "retired"}, page=page)
    assert asked.status_code == 200 and "Move it to retired" in asked.get_data(as_text=True)  # asks first
    cleared = form_for(world, stage="retired", owner="", operators="")
    assert leader.post(f"{page}/edit", cleared, page=f"{page}/edit").status_code == 302
    with app.app_context():
        workflow = db.session.get(Workflow, added(app))
        assert (workflow.stage, workflow.owner_id, workflow.operators) == ("retired", None, [])
