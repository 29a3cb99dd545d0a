"""A real OpenID provider on loopback for ``make test-sso``: panva's oidc-provider from npm (a certified
OpenID Connect implementation, tests/sso/provider.mjs), and a browser that signs in through it.

The provider reads a world file on every request: the people who can sign in and, to play a misbehaving
provider, how it alters the ID tokens it issues (see provider.mjs)."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin

import requests

from . import make
from .browser import forms
from .paths import ROOT
from .remote import free_port

FOLDER = ROOT / "tests" / "sso"
CLIENT_ID, CLIENT_SECRET = "literacy", "literacy-secret"  # registered in provider.mjs
REFRESH = re.compile(r'http-equiv="refresh" content="0; url=([^"]+)"')


def installed() -> bool:
    return (FOLDER / "node_modules" / "oidc-provider").exists()


class Provider:
    """The oidc-provider process: started, stopped (a provider that is down) and started again."""

    def __init__(self, folder: Path, app_url: str):
        self.port, self.app_url = free_port(), app_url
        self.world_file, self.log_file = folder / "world.json", folder / "provider.log"
        self.process: subprocess.Popen | None = None
        self.world()

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def world(self, accounts: dict | None = None, id_token: str | None = None) -> None:
        """Who may sign in ({login: claims}) and how to alter the next ID tokens (None: not at all)."""
        self.world_file.write_text(json.dumps({"accounts": accounts or {}, "id_token": id_token}))

    def start(self) -> None:
        env = {**os.environ, "PORT": str(self.port), "APP_URL": self.app_url, "WORLD_FILE": str(self.world_file)}
        with self.log_file.open("ab") as log:
            command = ["node", str(FOLDER / "provider.mjs")]
            self.process = subprocess.Popen(command, cwd=FOLDER, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the OpenID provider stopped: {self.log_file.read_text()[-2000:]}")
            try:
                if requests.get(self.issuer + "/.well-known/openid-configuration", timeout=1).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the OpenID provider did not answer within 30 seconds")

    def stop(self) -> None:
        if self.running:
            self.process.terminate()
            self.process.wait(timeout=10)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def configure(app, issuer: str, domains: str = "acme.example", required: bool = False, **extra) -> int:
    """The organisation "Acme" (slug acme) with its provider; returns the organisation's id."""
    from literacy.identity import sso

    with make.saved(app):
        org = make.organization("Acme", slug="acme")
        secret = sso.Secret(extra.get("secret", CLIENT_SECRET))
        sso.save(org, issuer, extra.get("client_id", CLIENT_ID), secret, domains, required=required)
        return org.id


def person(email: str, verified: bool = True, name: str | None = None) -> dict:
    """An account's claims at the provider."""
    return {"email": email, "email_verified": verified, "name": name or email.split("@")[0].title()}


class Person:
    """A browser: one cookie jar for the app and the provider (both on 127.0.0.1, with cookies of
    other names), following redirects one at a time so that each step can be looked at."""

    def __init__(self, site: str):
        self.site = site
        self.http = requests.Session()

    def get(self, url: str) -> requests.Response:
        return self.http.get(urljoin(self.site, url), allow_redirects=False, timeout=30)

    def post_form(self, page: str, action: str, data: dict | None = None) -> requests.Response:
        """Submit the form on ``page`` that posts to ``action``: its hidden fields, then ``data``."""
        found = [f for f in forms(self.get(page).text) if (f.action or page).split("?")[0] == action]
        assert found, f"no form posting to {action} on {page}"
        fields = {**found[0].hidden, **(data or {})}
        target = urljoin(self.site, found[0].action or page)
        return self.http.post(target, data=fields, allow_redirects=False, timeout=30)

    def start_by_email(self, email: str, remember: bool = False) -> requests.Response:
        """The sign-in page's "Sign in with your company account", up to the redirect to the provider."""
        typed = {"company-email": email, **({"company-remember": "y"} if remember else {})}
        answer = self.post_form("/login", "/sso/start", typed)
        assert answer.status_code == 200, answer.text
        return self.get(refresh_target(answer.text))

    def at_provider(self, authorize: requests.Response, login: str) -> str:
        """Sign in at the provider's page as ``login``; the callback URL it sends the browser back to."""
        assert authorize.status_code in (302, 303), authorize.text
        response = self._follow(self.http.get(authorize.headers["Location"], allow_redirects=False, timeout=30))
        if response.status_code == 200:  # the provider's sign-in page (not when it has a session already)
            form = forms(response.text)[0]
            data = {**form.hidden, "login": login, "password": "any password"}
            response = self._follow(
                self.http.post(urljoin(response.url, form.action), data=data, allow_redirects=False)
            )
        location = response.headers.get("Location", "")
        assert location.startswith(self.site + "/sso/callback"), (response.status_code, response.text[:500])
        return location

    def _follow(self, response: requests.Response) -> requests.Response:
        """Follow the provider's own redirects, up to the page it shows or the way back to the app."""
        while response.is_redirect and not response.headers["Location"].startswith(self.site):
            response = self.http.get(urljoin(response.url, response.headers["Location"]), allow_redirects=False)
        return response

    def callback_for(self, email: str, login: str) -> str:
        return self.at_provider(self.start_by_email(email), login)

    def company_sign_in(self, email: str, login: str) -> requests.Response:
        """The whole company sign-in: the app's answer to the provider's callback."""
        return self.get(self.callback_for(email, login))

    def signed_in(self) -> bool:
        return self.get("/progress").status_code == 200


def refresh_target(page: str) -> str:
    """Where a page that moves on by itself (a meta refresh) goes."""
    return html.unescape(REFRESH.search(page)[1])
