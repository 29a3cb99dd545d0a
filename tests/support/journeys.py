"""What a person does on the site, step by step through the web pages, with a ``Browser``."""

from __future__ import annotations

import io
import re

from flask import Flask

from . import PASSWORD
from .browser import Browser


def signed_in(app: Flask, email: str, password: str = PASSWORD) -> Browser:
    """A new browser, signed in as ``email``."""
    return Browser(app.test_client()).sign_in(email, password)


def signed_up(app: Flask, email: str = "learner@example.com", **details) -> Browser:
    """A new browser that registered as a learner through the form, then signed in."""
    return Browser(app.test_client()).sign_up(email, **details)


def start_scenario(browser: Browser, scenario: str = "ops-send") -> int:
    """Press "Start" on the scenario's page; the new attempt's id."""
    response = browser.post(f"/scenarios/{scenario}/start", page=f"/scenarios/{scenario}")
    assert response.status_code == 302, f"the scenario did not start: {response.status_code}"
    return int(re.search(r"/attempts/(\d+)", response.headers["Location"])[1])


def choose(browser: Browser, attempt_id: int, step: int, node: str, choice: int):
    """Submit a choice for a step, as the attempt's page would send it, offered there or not (an old
    page, a forged form): the response."""
    return browser.post(
        f"/attempts/{attempt_id}/choose", {"step": step, "node": node, "choice": choice}, page=f"/attempts/{attempt_id}"
    )


def play(browser: Browser, path, scenario: str = "ops-send") -> int:
    """Start the scenario and press, on each page, the button of the choice ``path`` names; every
    choice must be offered and accepted. The attempt's id."""
    attempt = start_scenario(browser, scenario)
    page = f"/attempts/{attempt}"
    for node, choice in path:
        buttons = [f for f in browser.forms(page) if f.action == f"{page}/choose"]
        offered = [(f.hidden.get("node"), f.hidden.get("choice")) for f in buttons]
        assert (node, str(choice)) in offered, f"({node!r}, {choice}) is not offered on {page}: {offered}"
        fields = buttons[offered.index((node, str(choice)))].hidden
        response = browser.client.post(f"{page}/choose", data=fields)
        step = int(fields["step"]) + 1
        assert response.status_code == 302 and response.headers["Location"].endswith(f"{page}/steps/{step}"), (
            f"choice ({node!r}, {choice}) was not accepted: {response.status_code} {response.headers.get('Location')}"
        )
    return attempt


def complete_lesson(browser: Browser, lesson: str = "first", page: str | None = None):
    """Press "Mark complete" on the lesson's page (or on ``page``, an old tab): the response."""
    return browser.post(f"/lessons/{lesson}/complete", page=page or f"/lessons/{lesson}")


def answer_check(browser: Browser, lesson: str, picks: dict[int, int]):
    """Answer the lesson's knowledge check on its page, option ``picks[q]`` for question ``q`` (all
    counted from 0), each of which the page must offer: the response."""
    page, action = f"/lessons/{lesson}", f"/lessons/{lesson}/check"
    checks = [f for f in browser.forms(page) if f.action.partition("#")[0] == action]  # the form may add #check
    assert checks, f"no knowledge check on {page}"
    form = checks[0]
    answers = {f"q{question}": str(option) for question, option in picks.items()}
    for name, value in answers.items():
        assert value in form.options.get(name, []), f"{name}={value} is not offered on {page}: {form.options}"
    return browser.client.post(action, data={**form.hidden, **answers})


def upload_roster(browser: Browser, cohort_id: int, data: bytes, filename: str = "roster.csv"):
    """Import a roster file on the cohort's roster page: the response."""
    token = browser.token(f"/cohorts/{cohort_id}/roster")
    return browser.client.post(
        f"/cohorts/{cohort_id}/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
