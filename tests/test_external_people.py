"""Staff or external: people of an agency, contractor or partner are invited as learners (one by one,
from a CSV, or by a manager into a cohort), admins switch a person between staff and external with
an audit entry, and every list of people marks them "External · firm" (EU AI Act Article 4 covers
them as well as staff)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from support import journeys, make
from support.apps import make_app
from support.journeys import upload_roster
from support.paths import ROOT

from literacy import demo
from literacy.cohorts import roster
from literacy.cohorts.tables import Cohort, CohortMember
from literacy.evidence.tables import AuditEntry
from literacy.insights import readmodels
from literacy.people import affiliation
from literacy.people.tables import User
from literacy.platform.extensions import db

TAG = ' <span class="tag tag-external">External · {}</span>'  # the macro's space keeps it off the name


@pytest.fixture
def admin(app, world):
    return journeys.signed_in(app, "admin@example.com")


def mark_external(app, user_id: int, agency: str) -> None:
    with make.saved(app):
        person = db.session.get(User, user_id)
        person.external, person.agency = True, agency


def account(app, email: str) -> tuple[bool, str] | None:
    """(external, agency) of the account with this email, or None when there is none."""
    with app.app_context():
        found = db.session.scalar(select(User).where(User.email == email))
        return (found.external, found.agency) if found else None


def audit_entries(app, action: str) -> list[tuple[str, dict]]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        return [(row.target, json.loads(row.details)) for row in rows]


def upload_people(browser, data: bytes, filename: str = "people.csv"):
    token = browser.token("/admin/users/invite")
    return browser.client.post(
        "/admin/users/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def listed(html: str) -> list[str]:
    """The names on the People page, each with its tag when the person is external."""
    rows = re.findall(
        r'<td><a href="/admin/users/\d+">([^<]+)</a>(?: <span class="tag tag-external">([^<]+)</span>)?', html
    )
    return [f"{name} ({tag})" if tag else name for name, tag in rows]


# 1. The pure rules


@pytest.mark.parametrize(
    "word,meaning", [("yes", True), ("TRUE", True), (" 1 ", True), ("no", False), ("False", False), ("0", False)]
)
def test_the_words_a_csv_may_use_for_external(word, meaning):
    assert affiliation.parse(word) is meaning
    assert affiliation.parse("") is False  # blank: staff
    assert affiliation.parse("maybe") is None


def test_an_external_person_needs_a_firm_of_at_most_200_characters():
    assert affiliation.problem(True, "  ") == "Give the agency, contractor or partner firm of an external person."
    assert affiliation.problem(True, "Northlight Media") is None and affiliation.problem(False, "") is None
    assert "longer than 200" in affiliation.problem(True, "x" * 201)
    assert affiliation.label(True, "Brightpath PR") == "External (Brightpath PR)"
    assert affiliation.label(False, "") == "Staff"


def test_roster_columns_external_and_agency_are_optional_and_checked_row_by_row():
    plain = roster.parse(b"email,name,role,team\na@example.com,A,ops,comms\n", "r.csv", roles={"ops"}, teams={"comms"})
    assert plain.ok and (plain.rows[0].external, plain.rows[0].agency) == (False, "")
    text = (
        "Email;Name;Role;Team;External;Agency\n"
        "a@example.com;A;ops;comms;yes;Northlight Media\n"
        "b@example.com;B;ops;comms;no;\n"
        "c@example.com;C;ops;comms;;\n"
        "d@example.com;D;ops;comms;maybe;Northlight Media\n"
        "e@example.com;E;ops;comms;true;\n"
        "f@example.com;F;ops;comms;0;Brightpath PR\n"
    )
    parsed = roster.parse(text.encode(), "r.csv", roles={"ops"}, teams={"comms"})
    assert parsed.errors == [
        (5, "external must be yes or no (or true/false, 1/0), not 'maybe'"),
        (6, "missing agency: give the agency, contractor or partner firm of an external person"),
        (7, "agency 'Brightpath PR' is for external people: set external to yes, or leave agency empty"),
    ]
    assert [(r.email, r.external, r.agency) for r in parsed.rows] == [
        ("a@example.com", True, "Northlight Media"),
        ("b@example.com", False, ""),
        ("c@example.com", False, ""),
    ]


# 2. Inviting external people


def test_an_admin_invites_an_external_person_with_their_firm(app, world, admin):
    data = {
        "name": "Ezra Agency",
        "email": "ezra@northlight.example",
        "role": "ops",
        "team": str(world["team"]),
        "access": "learner",
        "external": "external",
        "agency": " Northlight Media ",
    }
    response = admin.post("/admin/users/invite", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Ezra Agency was invited." in html
    assert TAG.format("Northlight Media") in html  # beside their name among the invitation links
    assert account(app, "ezra@northlight.example") == (True, "Northlight Media")
    target, details = audit_entries(app, "person.invited")[-1]
    assert target == "ezra@northlight.example" and (details["external"], details["agency"]) == (
        True,
        "Northlight Media",
    )


def test_an_external_person_without_a_firm_is_refused_and_nothing_typed_is_lost(app, world, admin):
    data = {
        "name": "Ezra Agency",
        "email": "ezra@northlight.example",
        "role": "ops",
        "team": "",
        "access": "learner",
        "external": "external",
        "agency": "",
    }
    response = admin.post("/admin/users/invite", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Give the agency, contractor or partner firm of an external person." in html
    assert 'value="Ezra Agency"' in html and 'value="ezra@northlight.example"' in html
    assert re.search(r'<input checked id="external-1" name="external" type="radio" value="external">', html)
    assert account(app, "ezra@northlight.example") is None
    # staff are the default, and a firm typed for staff is not kept
    staff = admin.post("/admin/users/invite", {**data, "external": "staff", "agency": "Typed by mistake"})
    assert staff.status_code == 200 and account(app, "ezra@northlight.example") == (False, "")
    assert "external" not in audit_entries(app, "person.invited")[-1][1]  # a staff invitation reads as before


def test_the_invite_form_labels_the_choice_and_the_firm(admin):
    html = admin.get("/admin/users/invite").get_data(as_text=True)
    assert "<legend>Staff or external</legend>" in html
    assert '<label for="agency">Agency, contractor or partner firm</label>' in html
    assert 'checked id="external-0" name="external" type="radio" value="staff"' in html  # staff by default
    assert "<code>external</code> (yes or no; blank means staff) and <code>agency</code>" in html


def test_a_people_csv_with_external_and_agency_columns(app, world, admin):
    data = (
        b"email,name,role,team,external,agency\n"
        b"ana@northlight.example,Ana Agency,ops,CRM team,yes,Northlight Media\n"
        b"sam@example.com,Sam Staff,ops,CRM team,no,\n"
    )
    response = upload_people(admin, data)
    assert response.status_code == 200 and "Imported: 2 invited" in response.get_data(as_text=True)
    assert account(app, "ana@northlight.example") == (True, "Northlight Media")
    assert account(app, "sam@example.com") == (False, "")
    assert audit_entries(app, "people.imported")[-1][1]["external"] == ["ana@northlight.example"]


def test_a_people_csv_with_a_bad_external_value_saves_nothing(app, world, admin):
    data = (
        b"email,name,role,team,external,agency\n"
        b"ana@northlight.example,Ana Agency,ops,CRM team,yes,Northlight Media\n"
        b"kit@example.com,Kit,ops,CRM team,contractor,\n"
        b"lou@example.com,Lou,ops,CRM team,yes,\n"
    )
    response = upload_people(admin, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was imported: 2 problems to fix" in html
    assert "Row 3: external must be yes or no (or true/false, 1/0), not &#39;contractor&#39;" in html
    assert "Row 4: missing agency: give the agency, contractor or partner firm of an external person" in html
    assert account(app, "ana@northlight.example") is None


# 3. A manager adds an agency person to a cohort


def test_a_manager_adds_an_external_learner_to_a_cohort(app, world):
    owner = journeys.signed_in(app, "owner@example.com")
    page = f"/cohorts/{world['cohort']}/roster"
    new = {"email": "pat@brightpath.example", "name": "Pat PR", "role": "ops", "team": str(world["team"])}
    refused = owner.post(page, {**new, "external": "external", "agency": ""})
    assert refused.status_code == 400 and "Give the agency, contractor or partner firm" in refused.get_data(
        as_text=True
    )
    assert 'value="Pat PR"' in refused.get_data(as_text=True) and account(app, "pat@brightpath.example") is None
    added = owner.post(page, {**new, "external": "external", "agency": "Brightpath PR"})
    assert added.status_code == 302 and account(app, "pat@brightpath.example") == (True, "Brightpath PR")
    html = owner.get(page).get_data(as_text=True)
    assert f"Pat PR{TAG.format('Brightpath PR')}" in html
    assert "<legend>Staff or external (for a new learner)</legend>" in html
    with app.app_context():
        pat = db.session.scalar(select(User.id).where(User.email == "pat@brightpath.example"))
        assert db.session.scalar(
            select(CohortMember.id).where(CohortMember.cohort_id == world["cohort"], CohortMember.user_id == pat)
        )


def test_an_existing_learner_added_to_a_cohort_keeps_what_the_admins_set(app, world):
    owner = journeys.signed_in(app, "owner@example.com")
    with make.saved(app):
        second = make.cohort(world["org"], "Second", managers=[world["owner"]]).id
    page = f"/cohorts/{second}/roster"
    owner.post(page, {"email": "learner1@example.com", "external": "external", "agency": "Nope Ltd"})
    assert account(app, "learner1@example.com") == (False, "")


def test_a_roster_import_invites_external_learners(app, world):
    owner = journeys.signed_in(app, "owner@example.com")
    data = (
        b"email,name,role,team,agency,external\n"
        b"pat@brightpath.example,Pat PR,ops,CRM team,Brightpath PR,yes\n"
        b"learner1@example.com,Learner1,ops,CRM team,,\n"
    )
    response = upload_roster(owner, world["cohort"], data)
    assert response.status_code == 200 and "1 invited" in response.get_data(as_text=True)
    assert account(app, "pat@brightpath.example") == (True, "Brightpath PR")
    bad = upload_roster(owner, world["cohort"], b"email,name,role,team,external\nx@example.com,X,ops,CRM team,2\n")
    assert bad.status_code == 400 and "Row 2: external must be yes or no" in bad.get_data(as_text=True)


# 4. Admins switch a person between staff and external


def test_an_admin_switches_a_person_between_staff_and_external_with_an_audit_entry(app, world, admin):
    page = f"/admin/users/{world['learner2']}"
    url = f"{page}/external"
    html = admin.get(page).get_data(as_text=True)
    assert "<dt>Staff or external</dt><dd>Staff</dd>" in html and 'action="' + url + '"' in html
    made = admin.post(url, {"external": "external", "agency": "Northlight Media"}, page=page, follow_redirects=True)
    shown = made.get_data(as_text=True)
    assert "Learner2 is now external, from Northlight Media." in shown
    assert f"<h1>Learner2{TAG.format('Northlight Media')}</h1>" in shown
    assert account(app, "learner2@example.com") == (True, "Northlight Media")
    assert audit_entries(app, "person.external") == [
        (
            "learner2@example.com",
            {"old": "Staff", "new": "External (Northlight Media)", "external": True, "agency": "Northlight Media"},
        )
    ]
    # saving the same again changes nothing and logs nothing
    same = admin.post(url, {"external": "external", "agency": "Northlight Media"}, page=page, follow_redirects=True)
    assert "Nothing changed" in same.get_data(as_text=True) and len(audit_entries(app, "person.external")) == 1
    # back to staff: the firm goes with it
    admin.post(url, {"external": "staff", "agency": "Northlight Media"}, page=page)
    assert account(app, "learner2@example.com") == (False, "")
    assert audit_entries(app, "person.external")[-1][1]["old"] == "External (Northlight Media)"
    assert "Staff or external changed" in admin.get("/admin/audit/?action=person.external").get_data(as_text=True)


def test_switching_to_external_without_a_firm_explains_and_changes_nothing(app, world, admin):
    page = f"/admin/users/{world['learner2']}"
    response = admin.post(f"{page}/external", {"external": "external", "agency": ""}, page=page)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Give the agency, contractor or partner firm" in html
    assert account(app, "learner2@example.com") == (False, "") and audit_entries(app, "person.external") == []
    bad = admin.post(f"{page}/external", {"external": "freelance"}, page=page)
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)


def test_another_organisations_person_cannot_be_switched(app, world, admin):
    token = admin.token("/admin/users")
    response = admin.client.post(
        f"/admin/users/{world['outsider']}/external",
        data={"csrf_token": token, "external": "external", "agency": "X"},
    )
    assert response.status_code == 404 and account(app, "outsider@example.com") == (False, "")


# 5. Marked everywhere


def test_the_people_list_tags_external_people_and_filters_staff_or_external(app, world, admin):
    mark_external(app, world["learner2"], "Northlight Media")
    everyone = listed(admin.get("/admin/users").get_data(as_text=True))
    assert "Learner2 (External · Northlight Media)" in everyone and "Learner1" in everyone
    assert listed(admin.get("/admin/users?affiliation=external").get_data(as_text=True)) == [
        "Learner2 (External · Northlight Media)"
    ]
    staff = listed(admin.get("/admin/users?affiliation=staff").get_data(as_text=True))
    assert "Learner1" in staff and not any("Learner2" in name for name in staff)
    combined = admin.get(f"/admin/users?affiliation=staff&team={world['team']}&q=learner").get_data(as_text=True)
    assert listed(combined) == ["Learner1", "Learner3"]
    bad = admin.get("/admin/users?affiliation=freelance&q=learner2").get_data(as_text=True)
    assert "Not a valid choice" in bad and listed(bad) == ["Learner2 (External · Northlight Media)"]  # the rest applies
    assert '<label for="affiliation">Staff or external</label>' in admin.get("/admin/users").get_data(as_text=True)


def test_the_staff_or_external_filter_travels_with_the_pages_and_bulk_actions(app, world, admin):
    with make.saved(app):
        for i in range(60):
            make.user(f"agency{i:02d}@example.com", org=world["org"], name=f"Agency {i:02d}", external=True, agency="N")
    first = admin.get("/admin/users?affiliation=external").get_data(as_text=True)
    assert "Showing 1–50 of 60." in first and 'href="/admin/users?page=2&amp;affiliation=external"' in first
    assert '<input type="hidden" name="affiliation" value="external">' in first  # kept by the bulk form
    second = admin.get("/admin/users?affiliation=external&page=2").get_data(as_text=True)
    assert "Showing 51–60 of 60." in second and len(listed(second)) == 10


def test_cohort_pages_and_the_cohort_export_mark_external_learners(app, world):
    mark_external(app, world["learner2"], "Brightpath PR")
    with make.saved(app):  # overdue, so everyone is on the follow-up list
        db.session.get(Cohort, world["cohort"]).due_on = date.today() - timedelta(days=1)
    owner = journeys.signed_in(app, "owner@example.com")
    cohort = world["cohort"]
    tag = TAG.format("Brightpath PR")
    dashboard = owner.get(f"/cohorts/{cohort}").get_data(as_text=True)
    assert f"Learner2</a>{tag}" in dashboard and "Learner1</a><br>" in dashboard  # staff carry no tag
    learner = owner.get(f"/cohorts/{cohort}/learners/{world['learner2']}").get_data(as_text=True)
    assert f"<h1>Learner2{tag}</h1>" in learner
    assert f"Learner2{tag}" in owner.get(f"/cohorts/{cohort}/follow-up").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(owner.get(f"/cohorts/{cohort}/export.csv").get_data(as_text=True))))
    marks = {(r["name"], r["staff_or_external"], r["agency"]) for r in rows}
    assert marks == {("Learner1", "staff", ""), ("Learner2", "external", "Brightpath PR"), ("Learner3", "staff", "")}


def test_leaders_workflows_and_settings_mark_external_people(app, world):
    mark_external(app, world["learner1"], "Northlight Media")
    tag = TAG.format("Northlight Media")
    leader = journeys.signed_in(app, "leader@example.com")
    assert f"<h1>Learner1{tag}</h1>" in leader.get(f"/insights/learners/{world['learner1']}").get_data(as_text=True)
    indicator = leader.get("/insights/indicators/coverage").get_data(as_text=True)
    assert f"Learner1</a>{tag}" in indicator and "Learner2</a></td>" in indicator
    operators = leader.get(f"/workflows/{world['workflow']}").get_data(as_text=True)
    assert f"Learner1{tag}" in operators
    learner = journeys.signed_in(app, "learner1@example.com")
    assert "External (Northlight Media)" in learner.get("/settings").get_data(as_text=True)
    staff = journeys.signed_in(app, "learner2@example.com").get("/settings").get_data(as_text=True)
    assert "<dt>Staff or external</dt>" in staff and "External (" not in staff


def test_a_skill_cells_learners_mark_external_people(app, world):
    with make.saved(app):  # five learners with fresh evidence: enough to list them
        extras = [make.user(f"extra{i}@example.com", org=world["org"], teams=[world["team"]]) for i in (4, 5)]
        for i, user in enumerate([world["learner1"], world["learner2"], world["learner3"], *extras], start=1):
            make.attempt(user, at=datetime.utcnow() - timedelta(days=i), scores={"ownership": 70, "data": 60})
        readmodels.rebuild(app.extensions["catalogue"])
    mark_external(app, world["learner3"], "Brightpath PR")
    html = journeys.signed_in(app, "leader@example.com").get("/insights/cells/role/ops/data").get_data(as_text=True)
    assert f"Learner3</a>{TAG.format('Brightpath PR')}</td>" in html and "Learner1</a></td>" in html


def test_the_demo_has_people_of_agencies(tmp_path):
    app = make_app(tmp_path, ROOT)
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        found = db.session.execute(select(User.email, User.agency).where(User.external.is_(True))).all()
    assert dict(found) == demo.EXTERNAL and "Northlight Media" in demo.EXTERNAL.values()
