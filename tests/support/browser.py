"""A test client that behaves like a person with a browser: it submits the forms the pages show."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from . import PASSWORD

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@dataclass
class Form:
    action: str
    hidden: dict[str, str] = field(default_factory=dict)  # what the browser sends unseen
    options: dict[str, list[str]] = field(default_factory=dict)  # radio buttons: name -> the values offered


class _Forms(HTMLParser):
    """Collect each form's action, hidden inputs and radio buttons."""

    def __init__(self):
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(Form(attrs.get("action") or ""))
        elif tag == "input" and self.forms and attrs.get("type") == "hidden":
            self.forms[-1].hidden[attrs["name"]] = attrs.get("value", "")
        elif tag == "input" and self.forms and attrs.get("type") == "radio":
            self.forms[-1].options.setdefault(attrs["name"], []).append(attrs.get("value", ""))


def forms(html: str) -> list[Form]:
    """The forms of a page, in order."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_for(page: list[Form], page_url: str, action: str) -> dict[str, str]:
    """The hidden inputs of the first form on a page that posts to ``action``."""
    for form in page:
        if form.action in ("", action) and (form.action or page_url == action):
            return dict(form.hidden)
    # An old tab: the form is no longer on the page, but its token is still the session's token.
    tokens = [form.hidden["csrf_token"] for form in page if "csrf_token" in form.hidden]
    assert tokens, f"no form with a CSRF token on {page_url}"
    return {"csrf_token": tokens[0]}


class Browser:
    """A Flask test client used the way a browser is: ``post`` submits the form that a page shows,
    its CSRF token and other hidden fields included, with what the person typed or picked."""

    def __init__(self, client):
        self.client = client

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def token(self, page_url: str) -> str:
        html = self.client.get(page_url).get_data(as_text=True)
        match = TOKEN.search(html)
        assert match, f"no CSRF token on {page_url}"
        return match[1] or match[2]

    def forms(self, page_url: str) -> list[Form]:
        """The forms on ``page_url`` (redirects followed)."""
        return forms(self.client.get(page_url, follow_redirects=True).get_data(as_text=True))

    def hidden_fields(self, page_url: str, action: str) -> dict[str, str]:
        """The hidden inputs of the first form on ``page_url`` that posts to ``action``."""
        return form_for(self.forms(page_url), page_url, action)

    def post(self, url, data=None, page=None, **kwargs):
        """Submit the form on ``page`` (default ``url``) that posts to ``url``: its hidden fields, then ``data``."""
        fields = self.hidden_fields(page or url, url)
        fields.update(data or {})
        return self.client.post(url, data=fields, **kwargs)

    def register(self, email="learner@example.com", password=PASSWORD, name="Lee Learner", role="ops"):
        return self.post(
            "/register", {"name": name, "email": email, "password": password, "confirm": password, "role": role}
        )

    def login(self, email, password=PASSWORD):
        return self.post("/login", {"email": email, "password": password})

    def logout(self):
        return self.post("/logout", page="/")

    def sign_in(self, email: str, password: str = PASSWORD) -> Browser:
        """Sign in, which must succeed (a redirect away from the form)."""
        response = self.login(email, password)
        assert response.status_code == 302, f"{email} could not sign in: {response.status_code}"
        return self

    def sign_up(self, email: str = "learner@example.com", password: str = PASSWORD, **details) -> Browser:
        """Register through the form, open the confirmation link from the mail outbox, then sign in;
        each must succeed. The email's domain is first made a sign-up domain of an organisation."""
        from . import make

        make.signup_domain(self.client.application, email)
        response = self.register(email, password, **details)
        assert response.status_code == 302, f"{email} could not register: {response.status_code}"
        self.open_link_in_mail(email, "verification")
        return self.sign_in(email, password)

    def open_link_in_mail(self, email: str, kind: str):
        """Follow the first app link in the newest message of ``kind`` to ``email`` in the mail outbox."""
        from . import make

        path = make.link_in_mail(self.client.application, email, kind)
        return self.get(path)
