"""Every page of every role fits a 390 px phone and a 1280 px desktop without sideways scrolling,
and axe-core finds nothing serious or critical on it.

Each test prints the widths it measured at 390 px (page, scrollWidth), so the figures can be quoted:
run `make test-browser` or `.venv/bin/python -m pytest tests/browser/test_layout.py -p no:cacheprovider`.
"""

from __future__ import annotations

from .test_journeys import axe_violations

NARROW, WIDE = 390, 1280


def sign_in(page, email, password="demo-password"):
    """Sign in and wait for whichever page the role lands on (admins may land on their own)."""
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def measure(page, pages: list[tuple[str, str]], capsys) -> None:
    """Visit each (name, url) at both widths; print the 390 px widths; assert none scrolls sideways."""
    overflow, violations, rows = {}, {}, []
    for name, url in pages:
        for width in (NARROW, WIDE):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(url)
            scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if width == NARROW:
                rows.append((name, url, scroll))
            if scroll > inner:
                overflow[f"{name} at {width} px"] = f"{scroll} px wide, {scroll - inner} px too wide"
            found = axe_violations(page)
            if found:
                violations[f"{name} at {width} px"] = found
    with capsys.disabled():
        print(f"\n{'page':<28} {'scrollWidth at 390 px':>22}  url")
        for name, url, scroll in rows:
            print(f"{name:<28} {scroll:>22}  {url}{'  <- too wide' if scroll > NARROW else ''}")
    assert overflow == {}, overflow
    assert violations == {}, violations


def first_href(page, url: str, selector: str) -> str:
    page.goto(url)
    return page.locator(selector).first.get_attribute("href")


def test_public_pages_fit(page, capsys):
    measure(
        page,
        [
            ("landing", "/"),
            ("login", "/login"),
            ("register", "/register"),
            ("forgot password", "/password/forgot"),
            ("check your email", "/check-email?reason=reset"),
            ("not found", "/no-such"),
        ],
        capsys,
    )


def test_learner_pages_fit(page, capsys):
    sign_in(page, "lifecycle.3@northbeam.example")
    debrief = first_href(page, "/progress", "a[href$='/debrief']")
    scenario = "/scenarios/lifecycle-winback-suppression"
    page.goto(scenario)
    page.get_by_role("button", name="Start").last.click()
    page.locator("button.choice").first.wait_for()
    node = page.url.removeprefix(page.url.split("/attempts/")[0])
    page.locator("button.choice").first.click()
    page.get_by_role("heading", name="Your choice").wait_for()
    feedback = page.url.removeprefix(page.url.split("/attempts/")[0])
    measure(
        page,
        [
            ("learner home", "/"),
            ("course", "/course/lifecycle"),
            ("lesson", "/lessons/who-owns-the-journey"),
            ("progress", "/progress"),
            ("skills", "/skills"),
            ("AI-use policy", "/policy"),
            ("settings", "/settings"),
            ("scenario", scenario),
            ("scenario node", node),
            ("feedback", feedback),
            ("debrief", debrief),
        ],
        capsys,
    )


def test_manager_pages_fit(page, capsys):
    sign_in(page, "manager@northbeam.example")
    learner = first_href(page, "/cohorts/1", "a[href*='/cohorts/1/learners/']")
    measure(
        page,
        [
            ("cohorts", "/cohorts/"),
            ("cohort dashboard", "/cohorts/1"),
            ("roster", "/cohorts/1/roster"),
            ("cohort learner", learner),
            ("patterns", "/cohorts/1/patterns"),
            ("follow-up", "/cohorts/1/follow-up"),
            ("manager insights", "/insights/"),
            ("manager workflows", "/workflows/"),
            ("manager workflow", first_href(page, "/workflows/", "table a[href*='/workflows/']")),
        ],
        capsys,
    )


def test_leader_pages_fit(page, capsys):
    sign_in(page, "leader@northbeam.example")
    cell = first_href(page, "/insights/heatmap/role", "table.heatmap td a")
    learner = first_href(page, cell, "table a[href*='/insights/learners/']")
    measure(
        page,
        [
            ("insights overview", "/insights/"),
            ("heatmap by role", "/insights/heatmap/role"),
            ("heatmap by team", "/insights/heatmap/team"),
            ("trend", "/insights/trend"),
            ("cell", cell),
            ("indicator", "/insights/indicators/coverage"),
            ("indicator by role", "/insights/indicators/role_specificity"),
            ("insights learner", learner),
            ("workflow registry", "/workflows/"),
            ("workflow", first_href(page, "/workflows/?stage=production", "table a[href*='/workflows/']")),
            ("new workflow", "/workflows/new"),
            ("import workflows", "/workflows/import"),
        ],
        capsys,
    )


def test_admin_pages_fit(page, capsys):
    sign_in(page, "admin@northbeam.example")
    measure(
        page,
        [
            ("admin people", "/admin/users"),
            ("admin teams", "/admin/teams"),
            ("audit log", "/admin/audit/"),
            ("AI-use policy admin", "/admin/policy"),
            ("certification admin", "/admin/certification"),
            ("person's certification", "/admin/users/1/certification"),
            ("evidence packs", "/admin/evidence"),
            ("single sign-on admin", "/admin/sso"),
            ("SCIM tokens", "/admin/scim/"),
            ("admin xapi", "/admin/xapi"),
            ("admin items", "/admin/items"),
            ("admin person", "/admin/users/1"),
            ("admin invite", "/admin/users/invite"),
            ("admin mail", "/admin/mail"),
            ("admin organisation", "/admin/organisation"),
        ],
        capsys,
    )


def test_narrow_menu_opens_by_keyboard_and_wide_menu_is_a_row(page):
    sign_in(page, "admin@northbeam.example")
    page.set_viewport_size({"width": NARROW, "height": 900})
    page.goto("/progress")
    assert page.get_by_role("link", name="Settings").count() == 0  # collapsed behind "Menu"
    page.locator("summary", has_text="Menu").focus()
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Settings").wait_for()
    assert page.get_by_role("link", name="Insights").is_visible()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": WIDE, "height": 900})
    page.goto("/progress")
    assert page.locator("summary", has_text="Menu").is_hidden()
    assert page.get_by_role("link", name="Settings").is_visible()


def test_knowledge_check_result_is_in_view_beside_the_questions(page):
    sign_in(page, "lifecycle.1@northbeam.example")
    page.set_viewport_size({"width": NARROW, "height": 800})
    page.goto("/lessons/who-owns-the-journey")
    again = page.locator("summary", has_text="Answer again")
    if again.count():  # answered before (another test signed in as this learner): open the form again
        again.click()
    for question in page.locator("fieldset.question").all():
        question.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Check my answers").click()
    result = page.locator(".check-result")
    result.wait_for()
    assert "correctly" in result.inner_text()
    assert page.url.endswith("#check")
    box = result.bounding_box()
    assert box is not None and 0 <= box["y"] < 800, box  # on screen, not 3,400 px above


def test_scenario_node_says_which_decision_of_about_how_many(page):
    sign_in(page, "pr.1@northbeam.example")
    page.goto("/scenarios/pr-launch-release-claims")
    page.get_by_role("button", name="Start").last.click()
    page.locator("button.choice").first.wait_for()
    assert page.locator(".decision-count").inner_text().startswith("Decision 1 of about ")
