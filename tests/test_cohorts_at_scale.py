"""Cohorts that hold up for a 200-person rollout, through the web pages: archive and restore with a
confirmation, read-only archived cohorts, unique names, per-item due dates, the learner table's
search, sort and pages, the status rules on the dashboard, judgment patterns' index and strongest
options, and rosters separated by semicolons or tabs."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask_migrate import upgrade
from sqlalchemy import func, select
from support import STRONG, make
from support.apps import app_for
from support.journeys import signed_in, upload_roster

from literacy.cohorts.tables import Cohort, CohortAssignment, CohortMember
from literacy.people.tables import User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db

TODAY = date.today()


def members(app, cohort_id) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(CohortMember).where(CohortMember.cohort_id == cohort_id)
        )


def text(response) -> str:
    return response.get_data(as_text=True)


def cohort_form(name, **extra):
    return {
        "name": name,
        "starts_on": TODAY.isoformat(),
        "due_on": (TODAY + timedelta(days=30)).isoformat(),
        "requirement": "complete",
        "stall_days": "7",
        "assignments": ["track:"],
        **extra,
    }


def learner_names(html: str) -> list[str]:
    """The learners listed in the dashboard's table, in order."""
    table = html[html.index('class="sticky-first learners"') :]
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', table)


# 1. Archive and restore


def test_archive_asks_for_confirmation_naming_the_cohort_then_hides_it(app, world):
    owner = signed_in(app, "owner@example.com")
    cohort = world["cohort"]
    page = owner.get(f"/cohorts/{cohort}/archive")
    assert page.status_code == 200 and "Archive the cohort “Pilot cohort”?" in text(page)
    assert "Confirm: archive “Pilot cohort”" in text(page)
    with app.app_context():
        assert db.session.get(Cohort, cohort).archived_at is None  # the GET changed nothing
    done = owner.post(f"/cohorts/{cohort}/archive", follow_redirects=True)
    assert "Cohort “Pilot cohort” archived. It is read-only until restored." in text(done)
    index = text(owner.get("/cohorts/"))
    assert "Pilot cohort" not in index and "Archived (1)" in index
    archived = text(owner.get("/cohorts/?view=archived"))
    assert "Pilot cohort" in archived and "Archived (1)" in archived
    dashboard = owner.get(f"/cohorts/{cohort}")  # still readable
    assert dashboard.status_code == 200 and "This cohort is read-only" in text(dashboard)
    assert f"/cohorts/{cohort}/edit" not in text(dashboard) and f"/cohorts/{cohort}/archive" not in text(dashboard)
    for readable in ("patterns", "export.csv", "follow-up", "roster", f"learners/{world['learner1']}"):
        assert owner.get(f"/cohorts/{cohort}/{readable}").status_code == 200, readable


def test_archived_cohort_refuses_roster_changes_and_edits_until_restored(app, world):
    owner = signed_in(app, "owner@example.com")
    cohort = world["cohort"]
    owner.post(f"/cohorts/{cohort}/archive")
    roster = text(owner.get(f"/cohorts/{cohort}/roster"))
    assert "its roster is read-only" in roster and f"/cohorts/{cohort}/import" not in roster
    token = owner.token(f"/cohorts/{cohort}")
    refused = owner.client.post(
        f"/cohorts/{cohort}/roster", data={"csrf_token": token, "email": "leader@example.com"}, follow_redirects=True
    )
    assert "“Pilot cohort” is archived, so it is read-only: restore it to change it." in text(refused)
    upload = upload_roster(owner, cohort, b"email,name,role,team\nnew@example.com,New,ops,CRM team\n")
    assert upload.status_code == 302
    remove = owner.client.post(f"/cohorts/{cohort}/members/{world['learner1']}/remove", data={"csrf_token": token})
    assert remove.status_code == 302
    assert owner.get(f"/cohorts/{cohort}/members/{world['learner1']}/remove").status_code == 302  # no confirm page
    assert members(app, cohort) == 3
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.email == "new@example.com")) is None
    edit = owner.client.post(f"/cohorts/{cohort}/edit", data={**cohort_form("Renamed"), "csrf_token": token})
    assert edit.status_code == 302 and owner.get(f"/cohorts/{cohort}/edit").status_code == 302
    due = owner.client.post(f"/cohorts/{cohort}/due-dates", data={"csrf_token": token})
    assert due.status_code == 302
    with app.app_context():
        assert db.session.get(Cohort, cohort).name == "Pilot cohort"
    restored = owner.post(f"/cohorts/{cohort}/restore", page=f"/cohorts/{cohort}", follow_redirects=True)
    assert "Cohort “Pilot cohort” restored." in text(restored)
    assert "Pilot cohort" in text(owner.get("/cohorts/")) and "Archived (0)" in text(owner.get("/cohorts/"))
    added = owner.post(f"/cohorts/{cohort}/roster", {"email": "learner1@example.com"})
    assert added.status_code == 302 and owner.get(f"/cohorts/{cohort}/edit").status_code == 200


def test_learners_do_not_see_assignments_of_archived_cohorts(app, world):
    learner = signed_in(app, "learner1@example.com")
    assert "Pilot cohort" in text(learner.get("/"))
    owner = signed_in(app, "owner@example.com")
    owner.post(f"/cohorts/{world['cohort']}/archive")
    assert "Pilot cohort" not in text(learner.get("/"))
    owner.post(f"/cohorts/{world['cohort']}/restore", page=f"/cohorts/{world['cohort']}")
    assert "Pilot cohort" in text(learner.get("/"))


def test_removing_a_learner_asks_for_confirmation_naming_them(app, world):
    owner = signed_in(app, "owner@example.com")
    cohort, learner1 = world["cohort"], world["learner1"]
    roster = text(owner.get(f"/cohorts/{cohort}/roster"))
    assert f'href="/cohorts/{cohort}/members/{learner1}/remove"' in roster  # a link to the confirmation, no POST
    page = text(owner.get(f"/cohorts/{cohort}/members/{learner1}/remove"))
    assert "Remove Learner1 from “Pilot cohort”?" in page and "learner1@example.com" in page
    assert "Confirm: remove Learner1" in page
    assert members(app, cohort) == 3
    done = owner.post(f"/cohorts/{cohort}/members/{learner1}/remove", follow_redirects=True)
    assert "Learner1 (learner1@example.com) removed from “Pilot cohort”. Their attempts are kept." in text(done)
    assert members(app, cohort) == 2


# 2. Unique names


def test_cohort_names_are_unique_in_the_organisation_ignoring_case(app, world):
    owner = signed_in(app, "owner@example.com")
    taken = owner.post("/cohorts/new", cohort_form("  pilot COHORT "))
    assert taken.status_code == 400
    assert "A cohort named “pilot COHORT” already exists in your organisation" in text(taken)
    assert 'aria-invalid="true"' in text(taken)  # on the name field
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Cohort).where(Cohort.org_id == world["org"])) == 1
    assert owner.post("/cohorts/new", cohort_form("Secret B cohort")).status_code == 302  # another org's name is free
    created = owner.post("/cohorts/new", cohort_form("Autumn"))
    assert created.status_code == 302
    with app.app_context():
        autumn = db.session.scalar(select(Cohort.id).where(Cohort.name == "Autumn"))
    renamed = owner.post(f"/cohorts/{autumn}/edit", cohort_form("PILOT cohort"))
    assert renamed.status_code == 400 and "A cohort named “PILOT cohort” already exists" in text(renamed)
    kept = owner.post(f"/cohorts/{autumn}/edit", cohort_form("autumn"), follow_redirects=True)  # its own name
    assert "Cohort “autumn” updated." in text(kept)


# 3. Per-item due dates


def test_an_items_own_due_date_changes_status_and_the_home_page(app, world):
    with make.saved(app):
        sprint = make.cohort(
            world["org"],
            "Sprint",
            managers=[world["owner"]],
            members=[world["learner1"], world["learner2"]],
            assignments=[("course", "ops"), ("scenario", "ops-send")],
            starts_on=TODAY - timedelta(days=5),
            due_on=TODAY + timedelta(days=20),
        ).id
        make.attempt(world["learner1"], STRONG)  # learner1 finished the scenario, learner2 did not
        items = {a.kind: a.id for a in db.session.scalars(select(CohortAssignment).filter_by(cohort_id=sprint))}
    owner = signed_in(app, "owner@example.com")
    assert "0 of 2 learners match" in text(owner.get(f"/cohorts/{sprint}?status=overdue"))
    page = text(owner.get(f"/cohorts/{sprint}/due-dates"))
    assert "Due date for Scenario: The send" in page and "Due date for Course:" in page
    early = owner.post(f"/cohorts/{sprint}/due-dates", {f"due_{items['scenario']}": "2000-01-01"})
    assert early.status_code == 400 and "on or after the cohort&#39;s start" in text(early)
    yesterday = TODAY - timedelta(days=1)
    saved = owner.post(
        f"/cohorts/{sprint}/due-dates", {f"due_{items['scenario']}": yesterday.isoformat()}, follow_redirects=True
    )
    assert "Due dates of “Sprint” saved: 1 item changed." in text(saved)
    assert f"Scenario: The send (due {yesterday:%d %b %Y})" in text(saved)
    overdue = text(owner.get(f"/cohorts/{sprint}?status=overdue"))
    assert "1 of 2 learners match" in overdue and learner_names(overdue) == ["Learner2"]
    home2 = text(signed_in(app, "learner2@example.com").get("/"))
    sprint_row = home2[home2.index("<td>Sprint</td>") :][:400]
    assert yesterday.strftime("%d %b %Y") in sprint_row and "Overdue" in sprint_row
    home1 = text(signed_in(app, "learner1@example.com").get("/"))
    sprint_row = home1[home1.index("<td>Sprint</td>") :][:400]
    assert (TODAY + timedelta(days=20)).strftime("%d %b %Y") in sprint_row and "Overdue" not in sprint_row
    cleared = owner.post(f"/cohorts/{sprint}/due-dates", {f"due_{items['scenario']}": ""}, follow_redirects=True)
    assert "1 item changed" in text(cleared)
    assert "0 of 2 learners match" in text(owner.get(f"/cohorts/{sprint}?status=overdue"))


# 4. The learner table: search, sort, pages of 50


def big_cohort(app, world, size=120) -> int:
    """The pilot cohort with ``size`` more learners, 'Person 000' to 'Person 119'; Person 007 finished
    the scenario two days ago."""
    with make.saved(app):
        people = [
            make.user(f"p{i:03}@rollout.example", name=f"Person {i:03}", org=world["org"], password=None)
            for i in range(size)
        ]
        make.add_members(world["cohort"], people)
        make.attempt(people[7], STRONG, at=utcnow() - timedelta(days=2))
    return world["cohort"]


def test_dashboard_table_fits_the_screen(app, world):
    owner = signed_in(app, "owner@example.com")
    html = text(owner.get(f"/cohorts/{world['cohort']}"))
    scroll = html.index('<div class="table-scroll">\n  <table class="sticky-first learners">')
    assert scroll > 0
    assert '<ul class="skill-cells">' in html  # one compact cell for all skills, not a column each
    assert '<abbr title="Ownership">Ownership</abbr>' in html and "“—”: no evidence yet" in html
    assert '<label for="q">Search name or email</label>' in html


def test_pages_of_fifty_with_boundaries(app, world):
    cohort = big_cohort(app, world)  # 123 learners
    owner = signed_in(app, "owner@example.com")
    first = text(owner.get(f"/cohorts/{cohort}"))
    assert len(learner_names(first)) == 50 and "page 1 of 3, 50 a page" in first
    assert "Next 50 →" in first and "Previous 50" not in first
    last = text(owner.get(f"/cohorts/{cohort}?page=3"))
    assert len(learner_names(last)) == 23 and "Next 50" not in last and "← Previous 50" in last
    assert learner_names(text(owner.get(f"/cohorts/{cohort}?page=99"))) == learner_names(last)  # clamped
    assert learner_names(text(owner.get(f"/cohorts/{cohort}?page=0"))) == learner_names(first)
    assert learner_names(text(owner.get(f"/cohorts/{cohort}?page=x"))) == learner_names(first)
    page2 = learner_names(text(owner.get(f"/cohorts/{cohort}?page=2")))
    assert len(page2) == 50 and not set(page2) & set(learner_names(first))


def test_search_by_name_or_email_keeps_filters_across_pages(app, world):
    cohort = big_cohort(app, world)
    owner = signed_in(app, "owner@example.com")
    assert learner_names(text(owner.get(f"/cohorts/{cohort}?q=person+01"))) == [f"Person 01{i}" for i in range(10)]
    by_email = text(owner.get(f"/cohorts/{cohort}?q=P042@ROLLOUT"))
    assert learner_names(by_email) == ["Person 042"] and "1 of 123 learners match “P042@ROLLOUT”" in by_email
    nobody = text(owner.get(f"/cohorts/{cohort}?q=nobody-here"))
    assert learner_names(nobody) == [] and "0 of 123 learners match" in nobody
    everyone = text(owner.get(f"/cohorts/{cohort}?q=rollout.example&sort=name&order=desc"))
    assert "page 1 of 3" in everyone and learner_names(everyone)[0] == "Person 119"
    assert "q=rollout.example" in everyone[everyone.index('aria-label="Learner pages"') :]  # the pager keeps it


def test_sort_by_name_progress_status_and_activity(app, world):
    cohort = big_cohort(app, world)
    owner = signed_in(app, "owner@example.com")
    url = f"/cohorts/{cohort}?q=person"
    assert learner_names(text(owner.get(url + "&sort=name")))[:2] == ["Person 000", "Person 001"]
    assert learner_names(text(owner.get(url + "&sort=name&order=desc")))[:2] == ["Person 119", "Person 118"]
    assert learner_names(text(owner.get(url + "&sort=progress&order=desc")))[0] == "Person 007"
    assert learner_names(text(owner.get(url + "&sort=activity&order=desc")))[0] == "Person 007"
    assert learner_names(text(owner.get(url + "&sort=status&order=desc")))[0] == "Person 007"  # in progress
    assert learner_names(text(owner.get(url + "&sort=status")))[0] == "Person 000"  # not started first
    unknown = text(owner.get(url + "&sort=drop+table&order=sideways"))
    assert learner_names(unknown)[:2] == ["Person 000", "Person 001"]  # by name, ascending


# 5. Status rules on the dashboard


def test_dashboard_counts_learners_without_evidence_apart_from_below_target(app, world):
    with make.saved(app):
        make.attempt(world["learner1"], [("queue", 1), ("review", 2)])  # the poor path: evidence below target
    owner = signed_in(app, "owner@example.com")
    html = text(owner.get(f"/cohorts/{world['cohort']}"))
    assert "<strong>1</strong> below target" in html  # learner1 only
    assert "<strong>2</strong> with no evidence yet" in html  # learner2 and learner3


def test_a_learner_who_finished_everything_is_not_stalled(app, world):
    long_ago = utcnow() - timedelta(days=30)
    with make.saved(app):
        group = make.cohort(
            world["org"],
            "Old programme",
            managers=[world["owner"]],
            members=[world["learner1"], world["learner2"]],
            assignments=[("scenario", "ops-send")],
            starts_on=TODAY - timedelta(days=40),
            due_on=TODAY + timedelta(days=5),
            stall_days=7,
        ).id
        make.attempt(world["learner1"], [("queue", 1), ("review", 2)], at=long_ago)  # finished, below target
        make.attempt(world["learner2"], [("queue", 0)], at=long_ago)  # unfinished
    owner = signed_in(app, "owner@example.com")
    stalled = text(owner.get(f"/cohorts/{group}?status=stalled"))
    assert learner_names(stalled) == ["Learner2"]


# 6. Judgment patterns


def test_patterns_index_and_strongest_option_at_each_decision(app, world):
    with make.saved(app):
        extra = [make.user(f"learner{i}@example.com", name=f"L{i}", org=world["org"]) for i in range(4, 7)]
        make.add_members(world["cohort"], extra)
        for person in [world["learner1"], world["learner2"], world["learner3"], *extra]:
            make.attempt(person, [("queue", 1), ("review", 2)])
    owner = signed_in(app, "owner@example.com")
    html = text(owner.get(f"/cohorts/{world['cohort']}/patterns"))
    index = html[html.index('id="index-title"') : html.index('<section class="card" aria-labelledby="p-ops-send">')]
    assert '<a href="#p-ops-send">The send</a>' in index and "6 learners, 2 wrong turns" in index
    assert 'id="p-ops-send"' in html
    rows = re.findall(
        r"<td>([^<]+?)(?: <span class=\"tag [^\"]+\">(?:<strong>)?(\w+)(?:</strong>)?</span>)?</td>", html
    )
    marks = {label.strip(): mark for label, mark in rows}
    assert marks["Check the list first"] == "Strongest" and marks["Name an owner"] == "Strongest"
    assert marks["Send now"] == "weaker" and marks["Let the tool decide"] == "weaker"
    assert "Strongest" in html  # in text, not colour alone


# 7. Rosters separated by semicolons or tabs


def test_semicolon_roster_imports(app, world):
    owner = signed_in(app, "owner@example.com")
    data = (
        "\ufeffemail;name;role;team\r\n"
        "ana@example.com;Silva, Ana;ops;CRM team\r\n"
        "learner1@example.com;L1;ops;CRM team\r\n"  # already in the cohort
    )
    response = upload_roster(owner, world["cohort"], data.encode())
    assert response.status_code == 200, text(response)
    assert "Imported: 1 added, 1 already in the cohort, 1 invited." in text(response)
    with app.app_context():
        assert db.session.scalar(select(User.name).where(User.email == "ana@example.com")) == "Silva, Ana"


def test_tab_separated_roster_imports(app, world):
    owner = signed_in(app, "owner@example.com")
    data = "Team\tEmail\tName\tRole\nCRM team\tbo@example.com\tBo Kim\tops\nCRM team\tcy@example.com\tCy Li\tops\n"
    response = upload_roster(owner, world["cohort"], data.encode())
    assert "Imported: 2 added, 0 already in the cohort, 2 invited." in text(response)
    assert members(app, world["cohort"]) == 5


# The migration


def test_upgrade_renames_duplicate_cohort_names_before_making_them_unique(migration_database):
    """Names repeated within an organisation (ignoring case) get " (2)", " (3)"..., skipping names in
    use, the oldest cohort keeping its own; another organisation's names are left alone."""
    app = app_for(migration_database)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade(revision="e6a4c3d0f7b5")  # before cohorts at scale (and before the organisation's new columns)
        with db.engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO organizations (id, name, slug) VALUES (1, 'A', 'a'), (2, 'B', 'b')")
            for cohort_id, org_id, name in [
                (1, 1, "Pilot"),
                (2, 1, "pilot"),
                (3, 1, "Pilot (2)"),
                (4, 1, "PILOT"),
                (5, 2, "Pilot"),
                (6, 1, "Other"),
            ]:
                connection.execute(
                    db.text(
                        "INSERT INTO cohorts (id, org_id, name, description, starts_on, due_on, requirement,"
                        " stall_days, created_at) VALUES (:id, :org, :name, '', '2026-01-01', '2026-02-01',"
                        " 'complete', 7, '2026-01-01')"
                    ),
                    {"id": cohort_id, "org": org_id, "name": name},
                )
        upgrade()
        with db.engine.connect() as connection:
            names = dict(connection.exec_driver_sql("SELECT id, name FROM cohorts").all())
            dated = "SELECT count(*) FROM cohort_assignments WHERE due_on IS NOT NULL"
            due = connection.exec_driver_sql(dated).scalar()
        assert names == {1: "Pilot", 2: "pilot (3)", 3: "Pilot (2)", 4: "PILOT (4)", 5: "Pilot", 6: "Other"}
        assert due == 0
