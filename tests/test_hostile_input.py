"""Hostile text typed anywhere is stored safely, shown as text, and exported without formulas."""

from __future__ import annotations

import csv
import io
import urllib.parse
from datetime import date, timedelta

import pytest
from support import make
from support.journeys import upload_roster

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[x](javascript:alert(1))",
    "JaVaScRiPt:alert(1)",
    "&#106;avascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tleading tab",
    "< > & &lt; &gt; &amp; ' \\' 碁 \\ \\\\",
    "x" * 10_000,
    "\u202eevil\u202c right-to-left",
    "zero\u200bwidth",
    "nul\x00byte",
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(html: str) -> None:
    lowered = html.lower()
    for raw in ("<script>alert", "<img src=x onerror", "<svg onload", 'href="javascript:', "href='javascript:"):
        assert raw not in lowered, raw
    assert "\x00" not in html


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_in_every_form(app, browser, world, text):
    # a learner registers with it as their name
    make.signup_domain(app, "hostile@example.com")
    response = browser.register(email="hostile@example.com", name=text)
    assert response.status_code in (200, 302)
    safe(response.get_data(as_text=True))
    if response.status_code == 302:  # accepted (a 10,000-character name is refused with a message)
        safe(browser.get("/login").get_data(as_text=True))
        safe(browser.open_link_in_mail("hostile@example.com", "verification").get_data(as_text=True))
        browser.sign_in("hostile@example.com")
        safe(browser.get("/").get_data(as_text=True))
        safe(browser.get("/progress").get_data(as_text=True))
        browser.logout()
    else:
        assert "Field cannot be longer than 200 characters." in response.get_data(as_text=True)

    # a manager names a cohort with it and invites a learner with it as their name
    browser.sign_in("owner@example.com")
    today = date.today()
    created = browser.post(
        "/cohorts/new",
        {
            "name": text,
            "description": text,
            "starts_on": today.isoformat(),
            "due_on": (today + timedelta(days=9)).isoformat(),
            "requirement": "complete",
            "stall_days": "7",
            "assignments": ["track:"],
        },
    )
    assert created.status_code in (200, 302)
    safe(created.get_data(as_text=True))
    cohort = world["cohort"]
    added = browser.post(
        f"/cohorts/{cohort}/roster",
        {"email": "named@example.com", "name": text[:200], "role": "ops", "team": str(world["team"])},
    )
    assert added.status_code in (302, 400)
    roster = f'email,name,role,team\nrostered@example.com,"{text[:200].replace(chr(34), chr(34) * 2)}",ops,CRM team\n'
    imported = upload_roster(browser, cohort, roster.encode("utf-8"))
    assert imported.status_code in (200, 400)  # accepted, or refused with row messages (NUL makes it binary)
    safe(imported.get_data(as_text=True))
    query = urllib.parse.quote(text[:500])
    for url in (
        "/cohorts/",
        f"/cohorts/{cohort}",
        f"/cohorts/{cohort}/roster",
        f"/cohorts/{cohort}/follow-up",
        f"/cohorts/{cohort}?q={query}&status={query}&role={query}&sort={query}&order={query}&page={query}",
        f"/insights/indicators/coverage?month={query}",
        f"/login?next={query}",
    ):
        response = browser.get(url)
        assert response.status_code in (200, 404), url
        safe(response.get_data(as_text=True))
    export = browser.get(f"/cohorts/{cohort}/export.csv").get_data(as_text=True)
    assert "\x00" not in export
    for row in csv.DictReader(io.StringIO(export)):
        assert not row["name"].startswith(FORMULA_START), row["name"]
    browser.logout()

    # an admin names a team with it
    browser.sign_in("admin@example.com")
    team = browser.post("/admin/teams", {"name": text, "role": ""})
    assert team.status_code in (200, 302)
    safe(browser.get("/admin/teams").get_data(as_text=True))
    safe(browser.get("/admin/users").get_data(as_text=True))
    safe(browser.get("/insights/").get_data(as_text=True))
