"""The app over real HTTP, for a server in another process (gunicorn) on loopback."""

from __future__ import annotations

import http.cookiejar
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from . import PASSWORD
from .browser import Form, form_for, forms


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Page:
    status: int
    text: str
    location: str  # the Location header, or ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer to look at, as with the Flask test client


class HttpBrowser:
    """A browser for a server at ``base``: it keeps its cookies (across server restarts too), follows
    no redirect, and submits forms with their hidden fields, CSRF token included. One connection per
    request; a request whose connection is reset before the answer is complete is sent once more, as
    bench/load.py's client does (a server that is restarting may drop connections it had accepted)."""

    def __init__(self, base: str, timeout: float = 30):
        self.base, self.timeout = base, timeout
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects)

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base + path))

    def forms(self, path: str) -> list[Form]:
        return forms(self.get(path).text)

    def post(self, path: str, data: dict | None = None, page: str | None = None) -> Page:
        """Submit the form on ``page`` (default ``path``) that posts to ``path``: its hidden fields, then ``data``."""
        fields = form_for(self.forms(page or path), page or path, path)
        fields.update(data or {})
        return self.submit(Form(path, fields))

    def submit(self, form: Form) -> Page:
        """Send a form as it is (its hidden fields)."""
        body = urllib.parse.urlencode(form.hidden).encode()
        return self._open(urllib.request.Request(self.base + form.action, data=body, method="POST"))

    def sign_in(self, email: str, password: str = PASSWORD) -> HttpBrowser:
        response = self.post("/login", {"email": email, "password": password})
        assert response.status == 302, f"{email} could not sign in: {response.status}"
        return self

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            return self._answer(request)
        except ConnectionError:
            return self._answer(request)

    def _answer(self, request: urllib.request.Request) -> Page:
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return Page(response.status, response.read().decode(), response.headers.get("Location", ""))
        except urllib.error.HTTPError as answer:  # 3xx (redirects are not followed), 4xx, 5xx
            with answer:
                return Page(answer.code, answer.read().decode(errors="replace"), answer.headers.get("Location", ""))
        except urllib.error.URLError as error:
            if isinstance(error.reason, ConnectionError):  # reset while sending: the same as while reading
                raise error.reason from error
            raise
