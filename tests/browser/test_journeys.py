"""Whole journeys in a real browser: a learner, a manager and a leader."""

from __future__ import annotations

import re
from pathlib import Path

from support import make

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def sign_in(page, email, password="demo-password"):
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)  # each person's own start page


def axe_violations(page) -> list[dict]:
    """Serious and critical accessibility violations on the current page."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_learner_registers_reads_a_lesson_and_plays_a_scenario_to_the_debrief(page, e2e_app):
    make.signup_domain(e2e_app, "robin@example.com")  # an organisation that lets example.com sign up
    page.goto("/register")
    page.get_by_label("Your name").fill("Robin Reyes")
    page.get_by_label("Work email").fill("robin@example.com")
    page.get_by_label("Your marketing role").select_option("paid-media")
    page.get_by_label("Password", exact=True).fill("a long and unusual passphrase")
    page.get_by_label("Repeat the password").fill("a long and unusual passphrase")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    page.goto(make.link_in_mail(e2e_app, "robin@example.com", "verification"))  # the link in the email
    page.get_by_text("your address is confirmed").wait_for()
    page.get_by_label("Email", exact=True).fill("robin@example.com")
    page.get_by_label("Password").fill("a long and unusual passphrase")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Paid media", exact=True).wait_for()

    page.get_by_role("link", name="Open the lesson").click()
    page.get_by_role("heading", name="Knowledge check").wait_for()
    page.get_by_role("button", name=re.compile("Mark complete")).click()
    page.goto("/")
    assert re.search(r"1 of \d+ lessons done", page.content())

    page.locator("section[aria-labelledby=scen-title] a").first.click()
    page.get_by_role("button", name="Start the scenario").click()
    for _ in range(20):
        if "/debrief" in page.url:
            break
        page.locator("button.choice").first.click()
        page.get_by_role("heading", name="Your choice").wait_for()
        page.locator("a.button.primary").click()
    page.get_by_role("heading", name=re.compile("^Debrief")).wait_for()
    content = page.content()
    assert "Your skill scores" in content and "Your path" in content and "The strongest path" in content


def test_scenario_can_be_played_by_keyboard_alone(page):
    sign_in(page, "pr.1@northbeam.example")
    page.goto("/")
    page.locator("section[aria-labelledby=scen-title] a").first.focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Start the scenario").focus()
    page.keyboard.press("Enter")
    page.locator("button.choice").first.wait_for()
    page.locator("button.choice").first.focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your choice").wait_for()
    page.keyboard.press("Enter")  # "Continue" has focus when the feedback page opens
    page.locator("button.choice").first.wait_for()
    assert "Decision 2" in page.content()


def test_sign_in_and_knowledge_check_by_keyboard_alone(page):
    page.goto("/login")
    page.keyboard.press("Tab")  # skip link
    for _ in range(10):  # tab to the email field
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    page.keyboard.type("lifecycle.1@northbeam.example")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-password")
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    page.goto("/lessons/who-owns-the-journey")
    questions = page.locator("fieldset.question")
    for n in range(questions.count()):  # the first option of every question, chosen with the space bar
        questions.nth(n).locator("input[type=radio]").first.focus()
        page.keyboard.press("Space")
    page.keyboard.press("Enter")  # submits the form the radio belongs to
    page.get_by_text("correctly. The explanations are below.").wait_for()


def test_skip_link_is_the_first_thing_a_keyboard_reaches(page):
    page.goto("/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"


def test_manager_imports_a_roster_and_sees_the_dashboard_move(page, tmp_path):
    sign_in(page, "manager@northbeam.example")
    page.goto("/cohorts/")
    page.get_by_role("link", name="Autumn AI judgment programme").click()
    before = int(re.search(r"<strong>(\d+)</strong> learners", page.content())[1])
    page.get_by_role("link", name="Roster and import").click()
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "email,name,role,team\n"
        + "".join(f"new{i}@northbeam.example,New Person {i},lifecycle,Lifecycle marketing team\n" for i in range(5)),
        encoding="utf-8",
    )
    page.get_by_label("Roster CSV file").set_input_files(str(roster))
    page.get_by_role("button", name="Import").click()
    page.get_by_role("heading", name="Invitation links for new learners").wait_for()
    assert "Imported: 5 added" in page.content()
    page.goto("/cohorts/1")
    after = int(re.search(r"<strong>(\d+)</strong> learners", page.content())[1])
    assert after == before + 5


def test_leader_opens_the_heatmap_and_drills_down(page):
    sign_in(page, "leader@northbeam.example")
    page.goto("/insights/")
    page.get_by_role("heading", name="Skill gaps by role").wait_for()
    assert re.search(r"Level \d", page.content())
    page.locator("table.heatmap td a").first.click()
    page.get_by_role("columnheader", name="Learner").wait_for()
    page.locator("table a").first.click()
    page.get_by_role("columnheader", name="Skill scores").wait_for()


def test_no_serious_accessibility_violations_on_main_pages(page):
    failures = {}
    page.goto("/login")
    failures["/login"] = axe_violations(page)
    page.goto("/register")
    failures["/register"] = axe_violations(page)
    sign_in(page, "lifecycle.3@northbeam.example")
    for url in (
        "/",
        "/progress",
        "/settings",
        "/lessons/who-owns-the-journey",
        "/scenarios/lifecycle-winback-suppression",
    ):
        page.goto(url)
        failures[url] = axe_violations(page)
    page.get_by_role("button", name=re.compile("Start")).click()
    failures["scenario node"] = axe_violations(page)
    page.goto("/logout")
    sign_in(page, "leader@northbeam.example")
    for url in ("/insights/", "/insights/heatmap/role", "/cohorts/"):
        page.goto(url)
        failures[url] = axe_violations(page)
    page.goto("/logout")
    sign_in(page, "admin@northbeam.example")
    page.goto("/admin/xapi")
    page.get_by_role("heading", name="Learning records (xAPI)").wait_for()
    failures["/admin/xapi"] = axe_violations(page)
    page.goto("/admin/items")
    page.get_by_role("heading", name="Item analysis", exact=True).wait_for()
    failures["/admin/items"] = axe_violations(page)
    assert {url: v for url, v in failures.items() if v} == {}


def test_a_leader_finds_an_unready_production_workflow_and_a_manager_builds_the_cohort_that_fixes_it(page):
    sign_in(page, "leader@northbeam.example")
    page.get_by_role("link", name="AI workflows").first.click()
    page.get_by_role("heading", name="The operating model in figures").wait_for()
    page.get_by_label("Stage").select_option("production")
    page.get_by_role("button", name="Show").click()
    row = page.locator("tbody tr", has_text="Not ready").first
    name = row.locator("td a").first.inner_text()
    row.locator("td a").first.click()
    page.get_by_role("heading", name="Readiness").wait_for()
    blockers = page.locator("#blockers li a")
    assert blockers.count() >= 1
    operator_blocker = page.locator("#blockers li a[href^='#operator-']").first
    operator_blocker.click()  # each blocker links to its evidence
    assert page.url.endswith(operator_blocker.get_attribute("href"))
    workflow_url = page.url.split("#")[0]
    assert axe_violations(page) == []

    page.get_by_role("button", name="Sign out").first.click()
    sign_in(page, "manager@northbeam.example")
    page.goto(workflow_url)
    page.get_by_role("button", name="Build the cohort").click()
    page.get_by_role("heading", name=re.compile(re.escape(name))).wait_for()
    assert "operator(s)" in page.content() and "/cohorts/" in page.url
    assert axe_violations(page) == []


def test_an_admin_publishes_a_policy_and_downloads_the_evidence_pack(page):
    sign_in(page, "admin@northbeam.example")
    page.goto("/admin/policy")
    page.get_by_label("Version label").fill("2026-12-e2e")
    page.get_by_label("The policy, in Markdown").fill("## Approved tools\n\nUse only the tools on the approved list.")
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("Version 2026-12-e2e is published").wait_for()
    assert axe_violations(page) == []

    page.goto("/admin/evidence")
    page.get_by_label("One team", exact=True).check()
    page.get_by_label("Team (for one team)").select_option(label="Lifecycle marketing team")
    page.get_by_label("Format").select_option("pdf")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Build the pack").click()
    page.get_by_role("heading", name="Ready").wait_for(timeout=60_000)  # the page refreshes itself
    assert axe_violations(page) == []
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"Download evidence-.*\.pdf")).click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    page.goto("/admin/audit/")
    assert "Evidence pack requested" in page.content() and "Export downloaded" in page.content()
