"""Enablement managers run cohorts from the browser."""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import date, timedelta

from sqlalchemy import func, select
from support import make
from support.journeys import play, upload_roster

from literacy.cohorts.tables import Cohort, CohortMember
from literacy.people.tables import Invitation, User
from literacy.platform.extensions import db


def members(app, cohort_id):
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(CohortMember).where(CohortMember.cohort_id == cohort_id)
        )


def test_create_cohort_binds_only_allowed_fields(app, browser, world):
    browser.sign_in("owner@example.com")
    today = date.today()
    form = {
        "name": "Autumn",
        "description": "Desc",
        "starts_on": today.isoformat(),
        "due_on": (today + timedelta(days=30)).isoformat(),
        "requirement": "complete",
        "stall_days": "5",
        "assignments": ["track:", "scenario:ops-send"],
        "managers": [str(world["manager2"])],
        "org_id": "999",
    }
    response = browser.post("/cohorts/new", form)
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Autumn"))
        assert cohort.org_id == world["org"]
        assert {m.id for m in cohort.managers} == {world["owner"], world["manager2"]}
        assert sorted((a.kind, a.ref) for a in cohort.assignments) == [("scenario", "ops-send"), ("track", "")]


def test_create_cohort_validation(browser, world):
    browser.sign_in("owner@example.com")
    today = date.today()
    response = browser.post(
        "/cohorts/new",
        {
            "name": "X",
            "starts_on": today.isoformat(),
            "due_on": (today - timedelta(days=1)).isoformat(),
            "requirement": "complete",
            "stall_days": "5",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The due date must be on or after the start date." in html and "Assign at least one item." in html


def test_import_fifty_learners_with_invitations(app, browser, world, caplog):
    browser.sign_in("owner@example.com")
    rows = "".join(f"person{i}@example.com,Person {i},ops,CRM team\n" for i in range(50))
    with caplog.at_level(logging.INFO):
        response = upload_roster(browser, world["cohort"], ("\ufeffemail,name,role,team\n" + rows).encode())
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Imported: 50 added, 0 already in the cohort, 50 invited." in html
    links = re.findall(r'value="(http://localhost:5000/invite/[^"]+)"', html)
    assert len(links) == 50
    assert sum("invitation created for person" in r.message for r in caplog.records) == 50
    assert not any("/invite/" in r.message for r in caplog.records)  # the log says who, never the link
    assert members(app, world["cohort"]) == 53
    # an invited learner sets a password and lands on their home page with the assignment
    browser.logout()
    invite = links[0].replace("http://localhost:5000", "")
    done = browser.post(invite, {"password": "a fine passphrase", "confirm": "a fine passphrase"})
    assert done.status_code == 302
    home = browser.get("/").get_data(as_text=True)
    assert "Assigned to you" in home and "Pilot cohort" in home
    browser.logout()
    assert browser.get(invite).status_code == 404  # used once


def test_import_with_any_bad_row_saves_nothing(app, browser, world):
    browser.sign_in("owner@example.com")
    data = (
        b"email,name,role,team\nnew1@example.com,New One,ops,CRM team\noutsider@example.com,Out,ops,CRM team\n"
        b"new2@example.com,New Two,astronaut,CRM team\nnew1@example.com,Dup,ops,CRM team\n"
    )
    response = upload_roster(browser, world["cohort"], data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was imported" in html
    assert "Row 3: outsider@example.com cannot be added here: check the address, or ask an admin" in html
    assert (
        "Row 4: unknown role" in html and "Row 5: new1@example.com appears twice in the file (first on row 2)" in html
    )
    assert members(app, world["cohort"]) == 3
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.email.like("new%"))) == 0
        assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0


def test_import_refuses_other_encodings_types_and_sizes(app, browser, world):
    browser.sign_in("owner@example.com")
    latin = upload_roster(
        browser, world["cohort"], "email,name,role,team\nzoe@example.com,Zoë,ops,CRM team\n".encode("latin-1")
    )
    assert "the file is not UTF-8" in latin.get_data(as_text=True)
    assert "upload a .csv file" in upload_roster(browser, world["cohort"], b"email\n", "roster.xlsx").get_data(
        as_text=True
    )
    too_big = upload_roster(browser, world["cohort"], b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10))
    assert too_big.status_code == 413
    assert members(app, world["cohort"]) == 3


def test_add_existing_and_new_learner_one_by_one(app, browser, world):
    browser.sign_in("owner@example.com")
    cohort = world["cohort"]
    colleague = browser.post(f"/cohorts/{cohort}/roster", {"email": "leader@example.com"})  # in none of my teams
    assert colleague.status_code == 400 and "is not in one of your teams" in colleague.get_data(as_text=True)
    missing = browser.post(f"/cohorts/{cohort}/roster", {"email": "fresh@example.com"})
    assert missing.status_code == 400 and "give their name, role and team" in missing.get_data(as_text=True)
    fresh = browser.post(
        f"/cohorts/{cohort}/roster",
        {"email": "fresh@example.com", "name": "Fresh", "role": "ops", "team": str(world["team"])},
    )
    assert "/invite/" in browser.get(fresh.headers["Location"]).get_data(as_text=True)
    foreign = browser.post(f"/cohorts/{cohort}/roster", {"email": "outsider@example.com"})
    # the same answer as for an unknown email: nothing says the address has an account elsewhere
    assert foreign.status_code == 400 and "give their name, role and team" in foreign.get_data(as_text=True)
    assert members(app, cohort) == 4


def test_dashboard_moves_as_learners_play(app, browser, world):
    browser.sign_in("owner@example.com")
    cohort = world["cohort"]
    html = browser.get(f"/cohorts/{cohort}").get_data(as_text=True)
    assert "<strong>3</strong> learners" in html and "<strong>0%</strong> average progress" in html
    browser.logout()
    browser.sign_in("learner1@example.com")
    browser.post("/lessons/first/complete", page="/lessons/first")
    play(browser, [("queue", 0), ("review", 0)])
    browser.logout()
    browser.sign_in("owner@example.com")
    html = browser.get(f"/cohorts/{cohort}").get_data(as_text=True)
    assert "<strong>22%</strong> average progress" in html  # learner1 did 2 of 3 items: (67 + 0 + 0) / 3
    assert "<strong>1</strong> below target" not in html
    learner_html = browser.get(f"/cohorts/{cohort}/learners/{world['learner1']}").get_data(as_text=True)
    assert (
        "Check the list first" in learner_html
        and "You looked before acting." in learner_html
        and "Strong judgment" in learner_html
    )
    filtered = browser.get(f"/cohorts/{cohort}?status=in-progress").get_data(as_text=True)
    assert "1 of 3 learners match." in filtered


def test_patterns_need_five_learners(app, browser, world, make_user):
    browser.sign_in("owner@example.com")
    assert "Not enough evidence yet: 0 of the 5" in browser.get(f"/cohorts/{world['cohort']}/patterns").get_data(
        as_text=True
    )
    browser.logout()
    with make.saved(app):
        newcomers = [make.user(f"learner{i}@example.com", name=f"L{i}", org=world["org"]) for i in range(4, 7)]
        make.add_members(world["cohort"], newcomers)
    for i in range(1, 7):
        browser.sign_in(f"learner{i}@example.com")
        play(browser, [("queue", 1 if i <= 4 else 0), ("review", 2 if i <= 4 else 0)])
        browser.logout()
    browser.sign_in("owner@example.com")
    html = browser.get(f"/cohorts/{world['cohort']}/patterns").get_data(as_text=True)
    assert "6 learners played it." in html
    wrong = html[html.index("Most common wrong turns") : html.index("Every decision")]
    assert wrong.count("67% (4 learners)") == 2  # four of six sent at once; the same four let the tool decide
    assert wrong.index("Send now") < wrong.index("Let the tool decide")  # ties keep the scenario's order
    assert "Speed over care." in wrong and "Nobody owns it." in wrong  # the feedback those learners saw
    assert "Check the list first" not in wrong


def test_follow_up_and_exports_are_neutralised(app, browser, world):
    with app.app_context():
        db.session.get(User, world["learner2"]).name = '=HYPERLINK("http://x","y")'
        db.session.get(Cohort, world["cohort"]).due_on = date.today() - timedelta(days=1)
        db.session.commit()
    browser.sign_in("owner@example.com")
    page = browser.get(f"/cohorts/{world['cohort']}/follow-up").get_data(as_text=True)
    assert page.count("Message to copy") == 3 and page.count(">Overdue</span>") == 3
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)" in page  # shown as text, escaped
    follow = list(
        csv.reader(io.StringIO(browser.get(f"/cohorts/{world['cohort']}/follow-up.csv").get_data(as_text=True)))
    )
    assert follow[0] == ["name", "email", "role", "reasons", "progress_percent"]
    assert sorted(r[1] for r in follow[1:]) == ["learner1@example.com", "learner2@example.com", "learner3@example.com"]
    assert '\'=HYPERLINK("http://x","y")' in {r[0] for r in follow[1:]}
    export = list(
        csv.DictReader(io.StringIO(browser.get(f"/cohorts/{world['cohort']}/export.csv").get_data(as_text=True)))
    )
    names = {r["name"] for r in export}
    assert '\'=HYPERLINK("http://x","y")' in names and '=HYPERLINK("http://x","y")' not in names
    assert {r["skill"] for r in export} == {"ownership", "data"}  # one row per learner and skill
    assert len(export) == 3 * 2 and {r["overdue"] for r in export} == {"True"}


def test_learner_sees_assignments_overdue_first(app, browser, world):
    with make.saved(app):
        make.cohort(
            world["org"],
            "Late sprint",
            members=[world["learner1"]],
            assignments=[("scenario", "ops-send")],
            starts_on=date.today() - timedelta(days=20),
            due_on=date.today() - timedelta(days=1),
        )
    browser.sign_in("learner1@example.com")
    html = browser.get("/").get_data(as_text=True)
    assert html.index("Late sprint") < html.index("Pilot cohort")
    assert "Overdue" in html


def test_remove_member_keeps_attempts(app, browser, world):
    browser.sign_in("learner1@example.com")
    play(browser, [("queue", 0)])
    browser.logout()
    browser.sign_in("owner@example.com")
    response = browser.post(f"/cohorts/{world['cohort']}/members/{world['learner1']}/remove")  # its confirmation page
    assert response.status_code == 302 and members(app, world["cohort"]) == 2
    assert browser.get(f"/cohorts/{world['cohort']}/learners/{world['learner1']}").status_code == 404


def test_co_manager_gains_access_when_added(app, browser, world):
    browser.sign_in("manager2@example.com")
    assert browser.get(f"/cohorts/{world['cohort']}").status_code == 404
    browser.logout()
    browser.sign_in("owner@example.com")
    cohort = world["cohort"]
    response = browser.post(
        f"/cohorts/{cohort}/edit",
        {
            "name": "Pilot cohort",
            "starts_on": date.today().isoformat(),
            "due_on": (date.today() + timedelta(days=9)).isoformat(),
            "requirement": "at-target",
            "stall_days": "7",
            "assignments": ["track:ops"],
            "managers": [str(world["manager2"])],
        },
    )
    assert response.status_code == 302
    browser.logout()
    browser.sign_in("manager2@example.com")
    assert "Track: Operations" in browser.get(f"/cohorts/{cohort}").get_data(as_text=True)
