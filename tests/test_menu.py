"""The main menu is rendered once per kind of page and visitor (literacy/web/menu.py): each person
still gets their own sign-out token, the right links for their access and the current page marked."""

import re

from support.browser import Browser


def menu_of(page: str) -> str:
    return re.search(r'<nav aria-label="Main" class="nav-wide">(.*?)</nav>', page, re.S)[1]


def current_link(page: str) -> str:
    return re.search(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', menu_of(page))[1]


def test_each_person_signs_out_with_their_own_token_from_a_shared_menu(app, make_user):
    make_user("kim@example.com")
    make_user("lee@example.com")
    kim = Browser(app.test_client()).sign_in("kim@example.com")
    lee = Browser(app.test_client()).sign_in("lee@example.com")
    tokens = [
        re.search(r'name="csrf_token" value="([^"]+)"', menu_of(b.get("/").get_data(as_text=True)))[1]
        for b in (kim, lee)
    ]
    assert tokens[0] != tokens[1]
    for person in (kim, lee):
        assert person.logout().status_code == 302
        assert person.get("/progress").status_code == 302  # signed out: back to the sign-in page


def test_the_menu_marks_the_open_page_and_shows_what_the_access_allows(app, make_user):
    make_user("kim@example.com")
    make_user("max@example.com", access="manager")
    kim = Browser(app.test_client()).sign_in("kim@example.com")
    max_ = Browser(app.test_client()).sign_in("max@example.com")
    assert current_link(kim.get("/").get_data(as_text=True)) == "My track"
    assert current_link(kim.get("/progress").get_data(as_text=True)) == "My progress"
    assert current_link(kim.get("/").get_data(as_text=True)) == "My track"
    assert "Cohorts" not in menu_of(kim.get("/progress").get_data(as_text=True))
    assert "Cohorts" in menu_of(max_.get("/progress").get_data(as_text=True))
    signed_out = Browser(app.test_client()).get("/login").get_data(as_text=True)
    assert "Sign in" in menu_of(signed_out) and "csrf_token" not in menu_of(signed_out)


def test_the_links_kept_for_every_page_follow_the_script_root(app):
    """The stylesheet, icon and brand links are rendered once per script root, not once for all."""
    client = app.test_client()
    mounted = client.get("/login", environ_overrides={"SCRIPT_NAME": "/academy"}).get_data(as_text=True)
    plain = client.get("/login").get_data(as_text=True)
    for page, root in ((mounted, "/academy"), (plain, "")):
        assert f'<link rel="stylesheet" href="{root}/static/style.css">' in page
        assert f'<link rel="icon" type="image/svg+xml" href="{root}/static/favicon.svg">' in page
        assert f'<a class="brand" href="{root}/">Marketing AI judgment</a>' in page
