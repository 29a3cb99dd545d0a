"""Joining an organisation: by invitation, or by signing up with an address at one of the
organisation's sign-up domains and confirming it (issue 13); each person's start page."""

from __future__ import annotations

import pytest
from support import journeys, make
from support.browser import Browser

from literacy.people.tables import Organization, User
from literacy.platform.extensions import db


def domains_of(app, org_id: int) -> str:
    with app.app_context():
        return db.session.get(Organization, org_id).signup_domains


def test_an_admin_lets_people_of_their_domains_sign_up(app, world):
    admin = journeys.signed_in(app, "admin@example.com")
    saved = admin.post("/admin/organisation", {"domains": "Acme.example,  @acme-retail.example acme.example"})
    assert saved.status_code == 302
    assert domains_of(app, world["org"]) == "acme.example,acme-retail.example"
    assert "may now sign up and join Org A" in admin.get("/admin/organisation").get_data(as_text=True)

    visitor = Browser(app.test_client())
    assert visitor.register(email="new.hire@acme-retail.example", name="New Hire").status_code == 302
    assert visitor.login("new.hire@acme-retail.example").status_code == 200  # not before confirming
    visitor.open_link_in_mail("new.hire@acme-retail.example", "verification")
    assert visitor.login("new.hire@acme-retail.example").status_code == 302
    with app.app_context():
        person = db.session.scalar(db.select(User).where(User.email == "new.hire@acme-retail.example"))
        assert (person.org_id, person.access, person.confirmation_pending) == (world["org"], "learner", False)
    assert visitor.get("/").status_code == 200

    admin.post("/admin/organisation", {"domains": ""})
    refused = Browser(app.test_client()).register(email="late@acme.example")
    assert refused.status_code == 200 and "by invitation" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("gmail.com", "public mail provider"),
        ("not a domain!", "is not a domain name"),
        ("acme", "is not a domain name"),
        ("b.example", "another organisation"),
    ],
)
def test_sign_up_domains_that_cannot_prove_membership_are_refused(app, world, typed, message):
    with make.saved(app):
        db.session.scalar(db.select(Organization).where(Organization.slug == "b")).signup_domains = "b.example"
    admin = journeys.signed_in(app, "admin@example.com")
    answer = admin.post("/admin/organisation", {"domains": typed})
    assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    assert domains_of(app, world["org"]) == ""


def test_a_new_confirmation_link_replaces_the_old_one(app):
    make.signup_domain(app, "kim@acme.example")
    browser = Browser(app.test_client())
    browser.register(email="kim@acme.example")
    first = make.link_in_mail(app, "kim@acme.example", "verification")
    browser.register(email="kim@acme.example")  # "signing up again sends a new link"
    second = make.link_in_mail(app, "kim@acme.example", "verification")
    assert first != second
    assert browser.get(first).status_code == 404
    assert browser.get(second).status_code == 302


@pytest.mark.parametrize(
    ("email", "start"),
    [
        ("learner1@example.com", "/"),
        ("owner@example.com", "/cohorts/"),
        ("leader@example.com", "/insights/"),
        ("admin@example.com", "/admin/users"),
    ],
)
def test_each_person_lands_on_their_own_start_page(app, world, email, start):
    assert Browser(app.test_client()).login(email).headers["Location"] == start


def test_a_requested_page_wins_over_the_start_page(app, world):
    browser = Browser(app.test_client())
    response = browser.post(
        "/login?next=/progress", {"email": "admin@example.com", "password": "correct horse battery"}
    )
    assert response.headers["Location"] == "/progress"


def test_a_manager_adding_an_account_of_no_organisation_invites_it_to_join(app, world):
    """Self-registered accounts of no organisation could not be added ("belongs to another organisation")."""
    with make.saved(app):
        loner = make.user("loner@example.com", name="Lou Ner", org=None).id
    owner = journeys.signed_in(app, "owner@example.com")
    fields = {"email": "loner@example.com", "name": "Lou", "role": "ops", "team": str(world["team"])}
    added = owner.post(f"/cohorts/{world['cohort']}/roster", fields)
    assert added.status_code == 302
    message = owner.get(added.headers["Location"]).get_data(as_text=True)
    assert "Lou was invited" in message and "Lou Ner" not in message  # the account's own name is not shown
    with app.app_context():
        assert db.session.get(User, loner).org_id is None  # nothing moves until they accept

    link = make.link_in_mail(app, "loner@example.com", "join-invitation")
    visitor = Browser(app.test_client())
    assert "Join “Pilot cohort”?" in visitor.get(link).get_data(as_text=True)
    assert visitor.post(link, {}).status_code == 302
    with app.app_context():
        person = db.session.get(User, loner)
        assert person.org_id == world["org"] and [t.name for t in person.teams] == ["CRM team"]
    assert "Lou Ner" in owner.get(f"/cohorts/{world['cohort']}").get_data(as_text=True)
    token = visitor.token("/login")
    assert visitor.client.post(link, data={"csrf_token": token}).status_code == 404  # once


def test_a_roster_row_for_an_account_of_no_organisation_invites_it_to_join(app, world):
    with make.saved(app):
        loner = make.user("loner@example.com", name="Lou Ner", org=None).id
    owner = journeys.signed_in(app, "owner@example.com")
    roster = b"email,name,role,team\nloner@example.com,Lou,ops,CRM team\nfresh@example.com,Fay,ops,CRM team\n"
    imported = journeys.upload_roster(owner, world["cohort"], roster)
    assert imported.status_code == 200 and "2 invited" in imported.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, loner).org_id is None
    assert make.link_in_mail(app, "loner@example.com", "join-invitation").startswith("/cohorts/join/")
