"""End-to-end fixtures: the real app (shipped content, demo data) on a real HTTP server on loopback,
driven by Playwright in Debian's headless Chromium. axe-core comes from tests/browser/node_modules."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import sync_playwright
from support import make
from support.apps import app_for
from support.database import fresh_sqlite
from support.paths import ROOT
from werkzeug.serving import make_server

from literacy.demo import load_demo

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def e2e_app(tmp_path_factory):
    """The app with the shipped content and the demo organisation (and no mail server: messages stay
    in the outbox, where the tests read them)."""
    app = app_for(fresh_sqlite(tmp_path_factory.mktemp("e2e")), ROOT, TESTING=False, SECRET_KEY="e2e")
    with make.saved(app):
        load_demo(app.extensions["catalogue"])
    return app


@pytest.fixture(scope="session")
def server(e2e_app):
    """``e2e_app`` served on a free loopback port."""
    app = e2e_app
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, server):
    # bypass_csp only so the tests can inject axe-core; the app's own pages carry no inline script
    context = chromium.new_context(base_url=server, bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
