"""Every route declares who may use it; a route without a rule is closed."""

from __future__ import annotations

import pytest
from support.apps import make_app

from literacy.platform.access import RULES, allow, safe_next

PUBLIC = {
    "static",
    "auth.login",
    "auth.register",
    "auth.logout",
    "auth.accept_invitation",
    "auth.check_email",
    "auth.forgot_password",
    "auth.reset_password",
    "auth.verify_address",
    "mail.unsubscribe",
    "cohorts.join",
    "learn.home",
    "health.healthz",
    "sso.start",  # the company sign-in: the provider's answer is checked (state, nonce, the ID token)
    "sso.org_login",
    "sso.callback",
}


def test_every_endpoint_declares_a_known_rule(app):
    for endpoint, view in app.view_functions.items():
        assert getattr(view, "access_rule", None) in RULES, f"{endpoint} has no access rule"


def test_only_the_expected_endpoints_are_public(app):
    public = {e for e, v in app.view_functions.items() if v.access_rule == "public"}
    assert public == PUBLIC


def test_a_route_without_a_rule_is_refused(tmp_path):
    app = make_app(tmp_path)

    @app.route("/forgot-the-rule")
    def forgot():
        return "open"

    assert app.test_client().get("/forgot-the-rule").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in_for_every_private_page(app):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if app.view_functions[rule.endpoint].access_rule == "public":
            continue
        url = rule.build(dict.fromkeys(rule.arguments, "1"), append_unknown=False)[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            if app.view_functions[rule.endpoint].access_rule == "scim":  # a bearer token, never a sign-in
                assert response.status_code == (404 if rule.endpoint == "scim.unknown" else 401), (url, method)
            elif method == "POST":
                assert response.status_code in (302, 400), (url, method)  # CSRF refuses first, or sign-in
            else:
                assert response.status_code == 302 and "/login" in response.headers["Location"], url


@pytest.mark.parametrize(
    "rule,access,allowed",
    [
        ("manager", "learner", False),
        ("manager", "manager", True),
        ("manager", "admin", True),
        ("leader", "manager", False),
        ("leader", "leader", True),
        ("admin", "leader", False),
        ("user", "learner", True),
    ],
)
def test_rules_map_access_roles(tmp_path, make_user, browser, app, rule, access, allowed):
    @allow(rule)
    def probe():
        return "ok"

    app.add_url_rule("/probe", view_func=probe)
    make_user("p@example.com", access=access)
    browser.login("p@example.com")
    assert browser.get("/probe").status_code == (200 if allowed else 403)


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/progress", "/progress"),
        ("/lessons/x?y=1", "/lessons/x?y=1"),
        ("//evil.example", None),
        ("https://evil.example/", None),
        ("/\\evil.example", None),
        ("javascript:alert(1)", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected
