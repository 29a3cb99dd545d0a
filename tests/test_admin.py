"""Admins manage the people and teams of their own organisation."""

from sqlalchemy import select

from literacy.people.tables import Team, User
from literacy.platform.extensions import db


def test_promote_learner_to_manager_and_leader(app, browser, world):
    browser.sign_in("admin@example.com")
    assert (
        browser.post(f"/admin/users/{world['learner1']}/access", {"access": "manager"}, page="/admin/users").status_code
        == 302
    )
    assert (
        browser.post(f"/admin/users/{world['learner2']}/access", {"access": "leader"}, page="/admin/users").status_code
        == 302
    )
    browser.post(f"/admin/users/{world['learner3']}/access", {"access": "emperor"}, page="/admin/users")
    with app.app_context():
        access = {u.email: u.access for u in db.session.scalars(select(User))}
    assert (access["learner1@example.com"], access["learner2@example.com"], access["learner3@example.com"]) == (
        "manager",
        "leader",
        "learner",
    )


def test_admin_cannot_demote_themself(app, browser, world):
    browser.sign_in("admin@example.com")
    page = browser.post(
        f"/admin/users/{world['admin']}/access", {"access": "learner"}, page="/admin/users", follow_redirects=True
    )
    assert "cannot remove your own admin access" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, world["admin"]).access == "admin"


def test_create_team_and_toggle_membership(app, browser, world):
    browser.sign_in("admin@example.com")
    assert browser.post("/admin/teams", {"name": "Brand PR", "role": "ops"}).status_code == 302
    assert "already exists" in browser.post("/admin/teams", {"name": "Brand PR", "role": ""}).get_data(as_text=True)
    with app.app_context():
        team_id = db.session.scalar(select(Team.id).where(Team.name == "Brand PR"))
    url = f"/admin/users/{world['learner1']}/teams/{team_id}"
    browser.post(url, page="/admin/users")
    with app.app_context():
        assert "Brand PR" in [t.name for t in db.session.get(User, world["learner1"]).teams]
    browser.post(url, page="/admin/users")
    with app.app_context():
        assert "Brand PR" not in [t.name for t in db.session.get(User, world["learner1"]).teams]


def test_people_page_lists_only_own_organisation(browser, world):
    html = browser.sign_in("admin@example.com").get("/admin/users").get_data(as_text=True)
    assert "learner1@example.com" in html and "outsider@example.com" not in html
