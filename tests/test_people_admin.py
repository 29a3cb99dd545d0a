"""Admins manage people and teams at scale: the People page (search, filters, pages of 50), bulk
actions, a person's page, invitations (one or a CSV) and renaming or deleting teams."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from support import journeys, make
from support.browser import Browser

from literacy.people.tables import Invitation, Team, User
from literacy.platform.clock import utcnow
from literacy.platform.extensions import db

LINK = re.compile(r'value="(http://localhost:5000/invite/[^"]+)"')


@pytest.fixture
def admin(app, world):
    return journeys.signed_in(app, "admin@example.com")


def people_on(html: str) -> list[str]:
    """The names linked from the People page's rows, in order."""
    return re.findall(r'<td><a href="/admin/users/\d+">([^<]+)</a></td>', html)


def add_people(app, world, count: int, prefix: str = "Zed", **details) -> list[int]:
    with make.saved(app):
        return [
            make.user(f"{prefix.lower()}{i:04d}@example.com", org=world["org"], name=f"{prefix} {i:04d}", **details).id
            for i in range(count)
        ]


def person(app, user_id: int) -> User:
    with app.app_context():
        found = db.session.get(User, user_id)
        found.teams  # noqa: B018 - loaded while the session is open
        return found


def team_id(app, name: str) -> int | None:
    with app.app_context():
        return db.session.scalar(select(Team.id).where(Team.name == name))


# 1. The People page


def test_search_matches_part_of_a_name_or_email_whatever_the_case(app, world, admin):
    add_people(app, world, 1, prefix="Quinn", password=None)
    assert people_on(admin.get("/admin/users?q=LEARNER2").get_data(as_text=True)) == ["Learner2"]
    assert people_on(admin.get("/admin/users?q=quinn0000@EXAMPLE").get_data(as_text=True)) == ["Quinn 0000"]
    html = admin.get("/admin/users?q=outsider").get_data(as_text=True)
    assert people_on(html) == [] and "No one matches these filters" in html  # another organisation's person
    assert people_on(admin.get("/admin/users?q=100%25").get_data(as_text=True)) == []  # % is a letter, not a wildcard


def test_filter_by_access_level(admin):
    assert people_on(admin.get("/admin/users?access=manager").get_data(as_text=True)) == ["Manager2", "Owner"]
    assert people_on(admin.get("/admin/users?access=leader").get_data(as_text=True)) == ["Leader"]
    assert people_on(admin.get("/admin/users?access=admin").get_data(as_text=True)) == ["Admin"]


def test_filter_by_team(app, world, admin):
    html = admin.get(f"/admin/users?team={world['team']}").get_data(as_text=True)
    assert people_on(html) == ["Learner1", "Learner2", "Learner3", "Owner"]
    assert "Showing 1–4 of 4." in html


def test_filter_by_status(app, world, admin):
    invited = add_people(app, world, 1, prefix="Ivy", password=None)[0]
    gone = add_people(app, world, 1, prefix="Gus")[0]
    with make.saved(app):
        db.session.get(User, gone).active = False
    assert people_on(admin.get("/admin/users?status=invited").get_data(as_text=True)) == ["Ivy 0000"]
    assert people_on(admin.get("/admin/users?status=deactivated").get_data(as_text=True)) == ["Gus 0000"]
    active = people_on(admin.get("/admin/users?status=active").get_data(as_text=True))
    assert "Ivy 0000" not in active and "Gus 0000" not in active and "Learner1" in active
    assert invited


def test_filters_combine_and_a_bad_value_is_reported_and_ignored(app, world, admin):
    html = admin.get(f"/admin/users?access=learner&team={world['team']}&q=learner3").get_data(as_text=True)
    assert people_on(html) == ["Learner3"]
    bad = admin.get(f"/admin/users?access=emperor&team={world['team_b']}&q=learner1")
    text = bad.get_data(as_text=True)
    assert bad.status_code == 200 and text.count("Not a valid choice") == 2  # both explained next to their fields
    assert people_on(text) == ["Learner1"]  # the valid search still applies
    assert 'value="learner1"' in text  # what was typed is kept


def test_pages_of_fifty_with_previous_and_next(app, world, admin):
    add_people(app, world, 100, password=None)  # 107 people in Org A in all
    first = admin.get("/admin/users").get_data(as_text=True)
    assert "Showing 1–50 of 107." in first and len(people_on(first)) == 50
    assert "Previous 50" not in first and 'href="/admin/users?page=2"' in first
    second = admin.get("/admin/users?page=2").get_data(as_text=True)
    assert "Showing 51–100 of 107." in second and "Previous 50" in second and "Next 50" in second
    last = admin.get("/admin/users?page=3").get_data(as_text=True)
    assert "Showing 101–107 of 107." in last and len(people_on(last)) == 7 and "Next 50" not in last
    assert "Showing 101–107 of 107." in admin.get("/admin/users?page=99").get_data(as_text=True)  # clamped
    assert "Showing 1–50 of 107." in admin.get("/admin/users?page=0").get_data(as_text=True)
    assert "Showing 1–50 of 107." in admin.get("/admin/users?page=99999999999999999999").get_data(as_text=True)
    # the filters travel with the pages, so the address can be shared
    filtered = admin.get("/admin/users?q=zed&page=2").get_data(as_text=True)
    assert "Showing 51–100 of 100." in filtered and 'href="/admin/users?page=1&amp;q=zed"' in filtered


def test_thousands_are_written_with_separators(app, world, admin):
    add_people(app, world, 1000, password=None)
    assert "Showing 51–100 of 1,007." in admin.get("/admin/users?page=2").get_data(as_text=True)


# 2. Bulk actions


def test_bulk_add_to_and_remove_from_a_team_keeps_the_filters(app, world, admin):
    with make.saved(app):
        brand = make.team(world["org"], "Brand").id
    chosen = [world["learner1"], world["leader"]]
    page = "/admin/users?q=e&status=active"
    response = admin.post("/admin/users/bulk", {"user": chosen, "action": "add", "to_team": str(brand)}, page=page)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users?q=e&status=active"
    flashed = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Added 2 of 2 selected to “Brand”: Leader and Learner1." in flashed
    assert {t.name for t in person(app, world["learner1"]).teams} == {"CRM team", "Brand"}
    assert [t.name for t in person(app, world["leader"]).teams] == ["Brand"]
    admin.post("/admin/users/bulk", {"user": chosen, "action": "remove", "to_team": str(brand)}, page=page)
    assert [t.name for t in person(app, world["learner1"]).teams] == ["CRM team"]
    assert person(app, world["leader"]).teams == []


def test_bulk_action_without_a_selection_or_team_explains_and_keeps_what_was_chosen(app, world, admin):
    none = admin.post("/admin/users/bulk", {"action": "add", "to_team": str(world["team"]), "q": "learner"})
    html = none.get_data(as_text=True)
    assert none.status_code == 400 and "Select at least one person." in html
    assert people_on(html) == ["Learner1", "Learner2", "Learner3"]  # the filter is kept
    no_team = admin.post("/admin/users/bulk", {"user": [world["leader"]], "action": "add", "to_team": ""})
    text = no_team.get_data(as_text=True)
    assert no_team.status_code == 400 and "Choose the team to add them to or remove them from." in text
    assert f'value="{world["leader"]}" id="select-{world["leader"]}" checked' in text  # the selection is kept


def test_bulk_deactivate_asks_first_naming_how_many_and_who_then_ends_their_sessions(app, world, admin):
    learner = journeys.signed_in(app, "learner1@example.com")
    chosen = [world["learner1"], world["learner2"]]
    asked = admin.post("/admin/users/bulk", {"user": chosen, "action": "deactivate", "q": "learner"})
    assert asked.status_code == 302 and "/admin/users/deactivate?" in asked.headers["Location"]
    assert person(app, world["learner1"]).active  # nothing happens before the confirmation
    confirm_page = asked.headers["Location"]
    html = admin.get(confirm_page).get_data(as_text=True)
    assert "Deactivate 2 people?" in html and "Learner1 (learner1@example.com)" in html and "Learner2" in html
    # a POST without the confirmation only asks again
    assert (
        admin.client.post("/admin/users/deactivate", data={"csrf_token": admin.token(confirm_page), "user": chosen})
        .headers["Location"]
        .startswith("/admin/users/deactivate?")
    )
    assert person(app, world["learner1"]).active
    # (the kit's form reader keeps one value per hidden name, so the selection is given again, as sent)
    done = admin.post("/admin/users/deactivate", {"user": chosen}, page=confirm_page)
    assert done.status_code == 302 and done.headers["Location"] == "/admin/users?q=learner"
    assert "Deactivated 2 people: Learner1 and Learner2." in admin.get(done.headers["Location"]).get_data(as_text=True)
    assert not person(app, world["learner1"]).active and not person(app, world["learner2"]).active
    assert person(app, world["learner3"]).active
    assert "/login" in learner.get("/settings").headers["Location"]  # signed out at once
    assert Browser(app.test_client()).login("learner1@example.com").status_code == 200  # and cannot sign in


def test_bulk_deactivate_names_the_first_ten_and_counts_the_rest(app, world, admin):
    ids = add_people(app, world, 12)
    html = admin.get("/admin/users/deactivate?" + "&".join(f"user={i}" for i in ids)).get_data(as_text=True)
    assert "Deactivate 12 people?" in html and "Zed 0009" in html and "Zed 0010" not in html and "and 2 more" in html


def test_an_admin_is_left_out_of_their_own_bulk_deactivation(app, world, admin):
    chosen = [world["admin"], world["learner3"]]
    page = admin.get(admin.post("/admin/users/bulk", {"user": chosen, "action": "deactivate"}).headers["Location"])
    html = page.get_data(as_text=True)
    assert "Deactivate 1 person?" in html and "you cannot deactivate your own account" in html
    admin.post("/admin/users/deactivate", page=page.request.full_path)
    assert person(app, world["admin"]).active and not person(app, world["learner3"]).active
    only_me = admin.post("/admin/users/bulk", {"user": [world["admin"]], "action": "deactivate"})
    refused = admin.get(only_me.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "you cannot deactivate your own account" in refused and person(app, world["admin"]).active


def test_bulk_actions_on_another_organisations_people_are_not_found(app, world, admin):
    mixed = [world["learner1"], world["outsider"]]
    assert (
        admin.post("/admin/users/bulk", {"user": mixed, "action": "add", "to_team": str(world["team"])}).status_code
        == 404
    )
    assert admin.get(f"/admin/users/deactivate?user={world['outsider']}").status_code == 404
    assert (
        admin.post("/admin/users/deactivate", {"user": mixed, "confirm": "yes"}, page="/admin/users").status_code == 404
    )
    assert person(app, world["outsider"]).active and person(app, world["learner1"]).active
    huge = admin.post("/admin/users/bulk", {"user": ["99999999999999999999"], "action": "add"})
    assert huge.status_code == 400


# 3. A person's page


def test_edit_a_name_which_is_cleaned_of_control_characters(app, world, admin):
    url = f"/admin/users/{world['learner1']}/name"
    done = admin.post(url, {"name": "  Lee\u200b Ray\x00 "}, page=f"/admin/users/{world['learner1']}")
    assert done.status_code == 302
    assert person(app, world["learner1"]).name == "Lee Ray"
    assert "Learner1 is now called Lee Ray." in admin.get(done.headers["Location"]).get_data(as_text=True)
    empty = admin.post(url, {"name": "   "}, page=f"/admin/users/{world['learner1']}")
    assert empty.status_code == 400 and "Give a name." in empty.get_data(as_text=True)
    assert person(app, world["learner1"]).name == "Lee Ray"


def test_change_teams_on_a_persons_page(app, world, admin):
    with make.saved(app):
        brand = make.team(world["org"], "Brand").id
    page = f"/admin/users/{world['learner1']}"
    admin.post(f"{page}/teams", {"teams": [str(brand)]}, page=page)
    assert [t.name for t in person(app, world["learner1"]).teams] == ["Brand"]
    foreign = admin.post(f"{page}/teams", {"teams": [str(world["team_b"])]}, page=page)
    assert foreign.status_code == 400 and [t.name for t in person(app, world["learner1"]).teams] == ["Brand"]


def test_making_someone_an_admin_asks_first_naming_them(app, world, admin):
    page = f"/admin/users/{world['learner1']}"
    asked = admin.post(f"{page}/access", {"access": "admin"}, page=page)
    assert asked.status_code == 302 and asked.headers["Location"] == f"{page}/promote"
    assert person(app, world["learner1"]).access == "learner"
    html = admin.get(f"{page}/promote").get_data(as_text=True)
    assert "Make Learner1 an admin?" in html and "Confirm: make Learner1 an admin" in html
    admin.post(f"{page}/access", page=f"{page}/promote")
    assert person(app, world["learner1"]).access == "admin"
    admin.post(f"{page}/access", {"access": "manager"}, page=page)  # other changes need no confirmation
    assert person(app, world["learner1"]).access == "manager"


def test_an_admin_cannot_remove_their_own_admin_access_or_deactivate_themself(app, world, admin):
    page = f"/admin/users/{world['admin']}"
    refused = admin.post(f"{page}/access", {"access": "learner"}, page=page, follow_redirects=True)
    assert "You cannot remove your own admin access." in refused.get_data(as_text=True)
    assert admin.get(page).get_data(as_text=True).count("you cannot deactivate your own account") == 1
    tried = admin.post(f"{page}/deactivate", {"confirm": "yes"}, page=page, follow_redirects=True)
    assert "You cannot deactivate your own account." in tried.get_data(as_text=True)
    assert admin.get(f"{page}/deactivate", follow_redirects=True).status_code == 200
    me = person(app, world["admin"])
    assert me.active and me.access == "admin"


def test_deactivate_a_person_after_confirmation_then_reactivate(app, world, admin):
    learner = journeys.signed_in(app, "learner2@example.com")
    page = f"/admin/users/{world['learner2']}"
    html = admin.get(f"{page}/deactivate").get_data(as_text=True)
    assert "Deactivate Learner2?" in html and "learner2@example.com" in html
    assert admin.post(f"{page}/deactivate", page=page).headers["Location"] == f"{page}/deactivate"  # no confirm
    assert person(app, world["learner2"]).active
    done = admin.post(f"{page}/deactivate", page=f"{page}/deactivate", follow_redirects=True)
    assert "Learner2 is deactivated and signed out everywhere." in done.get_data(as_text=True)
    assert not person(app, world["learner2"]).active
    assert "/login" in learner.get("/settings").headers["Location"]
    back = admin.post(f"{page}/reactivate", page=page, follow_redirects=True)
    assert "Learner2 is active again and can sign in." in back.get_data(as_text=True)
    assert person(app, world["learner2"]).active
    assert Browser(app.test_client()).login("learner2@example.com").status_code == 302


def test_reissuing_an_invitation_shows_a_new_link_once_and_ends_the_old_one(app, world, admin):
    invited = add_people(app, world, 1, prefix="Ivy", password=None)[0]
    page = f"/admin/users/{invited}"
    first = LINK.findall(admin.post(f"{page}/invitation", page=page).get_data(as_text=True))
    second_html = admin.post(f"{page}/invitation", page=page).get_data(as_text=True)
    second = LINK.findall(second_html)
    assert len(first) == len(second) == 1 and first != second
    assert "New invitation for Ivy 0000; their earlier link no longer works." in second_html
    assert "/invite/" not in admin.get(page).get_data(as_text=True)  # shown once
    visitor = Browser(app.test_client())
    assert visitor.get(first[0].replace("http://localhost:5000", "")).status_code == 404  # the old link ended
    fresh = second[0].replace("http://localhost:5000", "")
    assert visitor.get(fresh).status_code == 200
    with app.app_context():  # one usable link; the ended one stays as a record
        links = db.session.scalars(select(Invitation).where(Invitation.user_id == invited)).all()
        assert sum(link.used_at is None and link.expires_at > utcnow() for link in links) == 1
    # someone with a password has nothing to be invited to
    refused = admin.post(f"/admin/users/{world['learner1']}/invitation", page=f"/admin/users/{world['learner1']}")
    assert refused.status_code == 302
    assert "already set a password" in admin.get(refused.headers["Location"]).get_data(as_text=True)


def test_deactivating_an_invited_person_ends_their_link(app, world, admin):
    invited = add_people(app, world, 1, prefix="Ivy", password=None)[0]
    page = f"/admin/users/{invited}"
    link = LINK.findall(admin.post(f"{page}/invitation", page=page).get_data(as_text=True))[0]
    admin.post(f"{page}/deactivate", page=f"{page}/deactivate")
    assert Browser(app.test_client()).get(link.replace("http://localhost:5000", "")).status_code == 404


# 4. Invitations


def test_invite_one_person_with_a_team_and_access(app, world, admin, caplog):
    caplog.set_level("INFO")
    data = {
        "name": "Nia New",
        "email": "Nia.New@Example.com",
        "role": "ops",
        "team": str(world["team"]),
        "access": "manager",
    }
    response = admin.post("/admin/users/invite", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Nia New was invited." in html
    links = LINK.findall(html)
    assert len(links) == 1 and not any("/invite/" in r.getMessage() for r in caplog.records)
    with app.app_context():
        nia = db.session.scalar(select(User).where(User.email == "nia.new@example.com"))
        assert (nia.org_id, nia.access, nia.password_hash, [t.name for t in nia.teams]) == (
            world["org"],
            "manager",
            "",
            ["CRM team"],
        )
    assert "Nia New" in admin.get("/admin/users?status=invited").get_data(as_text=True)
    visitor = Browser(app.test_client())
    url = links[0].replace("http://localhost:5000", "")
    assert visitor.post(url, {"password": "a fine passphrase", "confirm": "a fine passphrase"}).status_code == 302


def test_inviting_someone_already_here_reports_them_and_changes_nothing(app, world, admin):
    data = {"name": "Someone Else", "email": "learner1@example.com", "role": "ops", "team": "", "access": "leader"}
    html = admin.post("/admin/users/invite", data).get_data(as_text=True)
    assert "Already in your organisation: not changed" in html and "Learner1" in html and "/invite/" not in html
    found = person(app, world["learner1"])
    assert (found.name, found.access) == ("Learner1", "learner")


def test_an_email_held_in_another_organisation_is_not_revealed(app, world, admin):
    def answer(email):
        data = {"name": "X Y", "email": email, "role": "ops", "team": "", "access": "learner"}
        return admin.post("/admin/users/invite", data).get_data(as_text=True)

    foreign = answer("outsider@example.com")
    error = foreign.split('class="error"')[1].split("</")[0]
    assert "organisation" not in error and "outsider@example.com cannot be invited here" in error
    assert person(app, world["outsider"]).org_id != world["org"]
    # the CSV import refuses it with the same words as its other refusals, naming no organisation
    csv = b"email,name,role,team\noutsider@example.com,X Y,ops,CRM team\n"
    html = upload(admin, csv).get_data(as_text=True)
    assert "Row 2: outsider@example.com cannot be invited here: check the address" in html
    assert "Org B" not in html


def test_invite_form_errors_keep_what_was_typed(admin):
    response = admin.post(
        "/admin/users/invite", {"name": "Kai", "email": "not-an-email", "role": "", "access": "admin"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose a role." in html and 'value="Kai"' in html
    assert "Invalid email address." in html and "Not a valid choice" in html  # admins are made on the person's page


def upload(browser: Browser, data: bytes, filename: str = "people.csv"):
    import io

    token = browser.token("/admin/users/invite")
    return browser.client.post(
        "/admin/users/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_invite_people_from_a_roster_csv(app, world, admin):
    rows = "".join(f"new{i}@example.com,New {i},ops,crm team\n" for i in range(30))
    data = ("\ufeffemail,name,role,team\n" + rows + "learner1@example.com,Renamed,ops,CRM team\n").encode()
    response = upload(admin, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Imported: 30 invited, 1 already here (unchanged)." in html
    assert len(set(LINK.findall(html))) == 30 and "Learner1" in html
    with app.app_context():
        made = db.session.scalars(select(User).where(User.email.like("new%@example.com"))).all()
        assert len(made) == 30 and {u.org_id for u in made} == {world["org"]}
        assert {t.name for u in made for t in u.teams} == {"CRM team"} and {u.access for u in made} == {"learner"}
    assert person(app, world["learner1"]).name == "Learner1"


def test_a_roster_csv_with_a_bad_row_saves_nothing(app, world, admin):
    data = b"email,name,role,team\ngood@example.com,Good,ops,CRM team\nbad-email,Bad,ops,Nowhere\n"
    response = upload(admin, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Nothing was imported: 2 problems to fix" in html
    assert (
        "Row 3: &#39;bad-email&#39; is not a valid email address" in html and "unknown team &#39;Nowhere&#39;" in html
    )
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "good@example.com")) is None
    assert upload(admin, b"a,b", "people.xlsx").status_code == 400


# 5. Teams


def test_rename_a_team_with_a_unique_name(app, world, admin):
    with make.saved(app):
        make.team(world["org"], "Brand")
    page = f"/admin/teams/{world['team']}"
    taken = admin.post(page, {"name": "brand"})
    assert taken.status_code == 400 and "Another team already has this name" in taken.get_data(as_text=True)
    assert 'value="brand"' in taken.get_data(as_text=True)
    done = admin.post(page, {"name": "Lifecycle CRM"}, follow_redirects=True)
    assert "Team “CRM team” renamed to “Lifecycle CRM”." in done.get_data(as_text=True)
    assert team_id(app, "Lifecycle CRM") == world["team"]
    assert admin.post(page, {"name": "lifecycle crm"}).status_code == 302  # its own name in another case is fine
    assert admin.post("/admin/teams", {"name": "LIFECYCLE CRM", "role": ""}).status_code == 200  # refused: taken
    assert admin.post(page, {"name": ""}).status_code == 400


def test_deleting_a_team_with_members_asks_first_and_keeps_the_people(app, world, admin):
    page = f"/admin/teams/{world['team']}"
    asked = admin.post(f"{page}/delete", page=page)
    assert asked.status_code == 302 and asked.headers["Location"] == f"{page}/delete"
    assert team_id(app, "CRM team") == world["team"]
    html = admin.get(f"{page}/delete").get_data(as_text=True)
    assert "Delete the team “CRM team”?" in html and "It has 4 members." in html
    done = admin.post(f"{page}/delete", page=f"{page}/delete", follow_redirects=True)
    assert "Team “CRM team” deleted; its 4 people stay in the organisation." in done.get_data(as_text=True)
    assert team_id(app, "CRM team") is None
    learner = person(app, world["learner1"])
    assert learner.teams == [] and learner.active


def test_an_empty_team_is_deleted_without_asking(app, world, admin):
    with make.saved(app):
        empty = make.team(world["org"], "Empty").id
    done = admin.post(f"/admin/teams/{empty}/delete", page=f"/admin/teams/{empty}", follow_redirects=True)
    assert "Team “Empty” deleted; its 0 people stay" in done.get_data(as_text=True)
    assert team_id(app, "Empty") is None


# Access


def test_another_organisations_people_and_teams_are_not_found(app, world, admin):
    outsider, team_b = world["outsider"], world["team_b"]
    for url in (
        f"/admin/users/{outsider}",
        f"/admin/users/{outsider}/promote",
        f"/admin/users/{outsider}/deactivate",
        f"/admin/teams/{team_b}",
        f"/admin/teams/{team_b}/delete",
    ):
        assert admin.get(url).status_code == 404, url
    token = admin.token("/admin/users")
    for url, data in (
        (f"/admin/users/{outsider}/name", {"name": "Taken"}),
        (f"/admin/users/{outsider}/teams", {}),
        (f"/admin/users/{outsider}/deactivate", {"confirm": "yes"}),
        (f"/admin/users/{outsider}/reactivate", {}),
        (f"/admin/users/{outsider}/invitation", {}),
        (f"/admin/teams/{team_b}", {"name": "Taken"}),
        (f"/admin/teams/{team_b}/delete", {"confirm": "yes"}),
    ):
        assert admin.client.post(url, data={"csrf_token": token, **data}).status_code == 404, url
    assert team_id(app, "B team") == team_b and person(app, outsider).name == "Outsider"
    bulk = {"user": [world["learner1"]], "action": "add", "to_team": str(team_b)}
    assert admin.post("/admin/users/bulk", bulk, page="/admin/users").status_code == 400  # not one of the choices


@pytest.mark.parametrize("who", ["owner", "leader", "learner1"])
def test_managers_leaders_and_learners_are_refused_every_admin_route(app, world, who):
    browser = journeys.signed_in(app, f"{who}@example.com")
    token = browser.token("/settings")
    values = {"user_id": world["learner2"], "team_id": world["team"]}
    with app.test_request_context():
        rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")]
        assert len(rules) > 20
        for rule in rules:
            url = rule.build({a: values[a] for a in rule.arguments})[1]
            if "GET" in rule.methods:
                assert browser.get(url).status_code == 403, url
            if "POST" in rule.methods:
                assert browser.client.post(url, data={"csrf_token": token, "confirm": "yes"}).status_code == 403, url
    learner = person(app, world["learner2"])
    assert learner.active and learner.access == "learner" and team_id(app, "CRM team") == world["team"]
