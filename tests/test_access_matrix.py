"""The access matrix: every route, walked by every kind of account, own and other organisation.

A new route fails ``test_matrix_covers_every_route`` until it is classified here.
"""

from __future__ import annotations

import pytest
from support import STRONG, make
from support.browser import Browser
from support.journeys import signed_in

from literacy.identity import tokens

WHO = ("anonymous", "learner", "owner", "manager2", "leader", "admin", "othermanager")
LOGIN = "login"  # a redirect to the sign-in page

# expectation kinds: for each account, the status (or LOGIN) the route answers with
KINDS = {
    "public": dict.fromkeys(WHO, 200),
    "nowhere": dict.fromkeys(WHO, 404),
    "user": {**dict.fromkeys(WHO, 200), "anonymous": LOGIN},
    "someone-elses-attempt": {**dict.fromkeys(WHO, 404), "anonymous": LOGIN},
    "cohorts": {
        "anonymous": LOGIN,
        "learner": 403,
        "owner": 200,
        "manager2": 200,
        "leader": 403,
        "admin": 200,
        "othermanager": 200,
    },
    "own-cohort": {
        "anonymous": LOGIN,
        "learner": 403,
        "owner": 200,
        "manager2": 404,
        "leader": 403,
        "admin": 200,
        "othermanager": 404,
    },
    "admin": {**dict.fromkeys(WHO, 403), "anonymous": LOGIN, "admin": 200},
    "insights": {**dict.fromkeys(WHO, 200), "anonymous": LOGIN, "learner": 403},
    # learner1 is in the owner's CRM team, in no team of the co-manager, and the other manager is in
    # another organisation
    "insights-learner": {
        "anonymous": LOGIN,
        "learner": 403,
        "owner": 200,
        "manager2": 404,
        "leader": 200,
        "admin": 200,
        "othermanager": 404,
    },
    # the CRM team's pilot workflow: its team's manager (owner) and its operator (learner1) see it;
    # leaders and admins see and edit it
    "workflow": {
        "anonymous": LOGIN,
        "learner": 404,
        "owner": 200,
        "manager2": 404,
        "leader": 200,
        "admin": 200,
        "othermanager": 404,
    },
    "workflow-edit": {
        "anonymous": LOGIN,
        "learner": 404,
        "owner": 403,
        "manager2": 404,
        "leader": 200,
        "admin": 200,
        "othermanager": 404,
    },
    "workflow-cohort": {
        "anonymous": LOGIN,
        "learner": 403,
        "owner": 200,
        "manager2": 404,
        "leader": 403,
        "admin": 200,
        "othermanager": 404,
    },
    "leader": {**dict.fromkeys(WHO, 403), "anonymous": LOGIN, "leader": 200, "admin": 200},
    # the provider's callback with no sign-in pending: a page that says so, for anyone
    "sign-in-refused": dict.fromkeys(WHO, 400),
    # SCIM provisioning: an organisation's bearer token or nothing; no session, not even an admin's
    "scim": dict.fromkeys(WHO, 401),
}
ALLOWED = {200, 302, 400}  # for POSTs: the action ran or the form was refused, but access was granted

GET = {
    "auth.register": "public",
    "auth.login": "public",
    "learn.home": "public",
    "auth.accept_invitation": "nowhere",
    "auth.check_email": "public",
    "auth.forgot_password": "public",
    "auth.reset_password": "nowhere",
    "auth.verify_address": "nowhere",
    "mail.unsubscribe": "nowhere",
    "mail.outbox_page": "admin",
    "cohorts.join": "nowhere",
    "organisation.settings": "admin",
    "sso.org_login": "nowhere",
    "sso.callback": "sign-in-refused",
    "sso.welcome": "user",
    "sso.settings": "admin",
    "health.healthz": "public",
    "scim.service_provider_config": "scim",
    "scim.resource_types": "scim",
    "scim.resource_type": "scim",
    "scim.schemas": "scim",
    "scim.schema": "scim",
    "scim.users": "scim",
    "scim.user": "scim",
    "scim.groups": "scim",
    "scim.group": "scim",
    "scim.unknown": "nowhere",
    "scim_tokens.index": "admin",
    "scim_tokens.revoke": "admin",
    "learn.course": "user",
    "learn.lesson": "user",
    "learn.progress": "user",
    "learn.skills": "user",
    "learn.settings": "user",
    "scenarios.overview": "user",
    "scenarios.play": "someone-elses-attempt",
    "scenarios.feedback": "someone-elses-attempt",
    "scenarios.debrief": "someone-elses-attempt",
    "cohorts.index": "cohorts",
    "cohorts.create": "cohorts",
    "cohorts.show": "own-cohort",
    "cohorts.edit": "own-cohort",
    "cohorts.roster": "own-cohort",
    "cohorts.learner": "own-cohort",
    "cohorts.patterns": "own-cohort",
    "cohorts.follow_up_list": "own-cohort",
    "cohorts.follow_up_csv": "own-cohort",
    "cohorts.export": "own-cohort",
    "cohorts.statements": "own-cohort",
    "cohorts.learner_statements": "own-cohort",
    "cohorts.archive": "own-cohort",
    "cohorts.due_dates": "own-cohort",
    "cohorts.remove_member": "own-cohort",
    "learn.statements": "user",
    "admin.users": "admin",
    "admin.teams": "admin",
    "admin.xapi": "admin",
    "admin.items": "admin",
    "admin.items_csv": "admin",
    "admin.user_statements": "admin",
    "admin.person": "admin",
    "admin.promote": "admin",
    "admin.deactivate": "admin",
    "admin.bulk_deactivate": "admin",
    "admin.invite": "admin",
    "admin.team": "admin",
    "admin.delete_team": "admin",
    "insights.overview": "insights",
    "insights.heatmap": "insights",
    "insights.trend": "insights",
    "insights.cell": "insights",
    "insights.indicator": "insights",
    "insights.learner": "insights-learner",
    "workflows.index": "user",
    "audit.index": "admin",
    "audit.export": "admin",
    "policy.read": "user",
    "policy.manage": "admin",
    "policy.pending_csv": "admin",
    "certification.mine": "user",
    "certification.manage": "admin",
    "certification.export": "admin",
    "certification.person": "admin",
    "certification.revoke": "admin",
    "evidence.index": "admin",
    "evidence.show": "admin",
    "evidence.download": "admin",
    "sso.unlink": "admin",
    "workflows.create": "leader",
    "workflows.export": "leader",
    "workflows.import_registry": "leader",
    "workflows.show": "workflow",
    "workflows.edit": "workflow-edit",
    "workflows.remove_source": "workflow-edit",
}
POST = {
    "auth.logout": "public",
    "learn.complete": "user",
    "learn.check": "user",
    "scenarios.start": "user",
    "learn.settings": "user",
    "learn.change_password": "user",
    "scenarios.choose": "someone-elses-attempt",
    "workflows.create": "leader",
    "workflows.import_registry": "leader",
    "policy.read": "user",
    "policy.manage": "admin",
    "certification.manage": "admin",
    "certification.person": "admin",
    "certification.revoke": "admin",
    "evidence.index": "admin",
    "sso.unlink": "admin",
    "workflows.edit": "workflow-edit",
    "workflows.review": "workflow-edit",
    "workflows.stage": "workflow-edit",
    "workflows.add_source": "workflow-edit",
    "workflows.remove_source": "workflow-edit",
    "workflows.build_cohort": "workflow-cohort",
    "cohorts.create": "cohorts",
    "cohorts.edit": "own-cohort",
    "cohorts.roster": "own-cohort",
    "cohorts.import_roster": "own-cohort",
    "cohorts.remove_member": "own-cohort",
    "cohorts.due_dates": "own-cohort",
    "cohorts.archive": "own-cohort",
    "cohorts.restore": "own-cohort",
    "admin.set_access": "admin",
    "admin.set_external": "admin",
    "admin.toggle_team": "admin",
    "admin.teams": "admin",
    "admin.xapi_send": "admin",
    "admin.xapi_replay": "admin",
    "admin.bulk": "admin",
    "admin.bulk_deactivate": "admin",
    "admin.rename": "admin",
    "admin.set_teams": "admin",
    "admin.deactivate": "admin",
    "admin.reactivate": "admin",
    "admin.reissue": "admin",
    "admin.invite": "admin",
    "admin.import_people": "admin",
    "admin.team": "admin",
    "admin.delete_team": "admin",
    "auth.login": "public",
    "auth.register": "public",
    "auth.accept_invitation": "nowhere",
    "auth.forgot_password": "public",
    "auth.reset_password": "nowhere",
    "mail.unsubscribe": "nowhere",
    "organisation.settings": "admin",
    "cohorts.join": "nowhere",
    "sso.start": "public",
    "sso.welcome": "user",
    "sso.settings": "admin",
    "sso.test": "admin",
    "sso.require": "admin",
    "sso.remove": "admin",
    "scim.create_user": "scim",
    "scim.search_users": "scim",
    "scim.create_group": "scim",
    "scim.search_groups": "scim",
    "scim.search_everything": "scim",
    "scim.unknown": "nowhere",
    "scim_tokens.index": "admin",
    "scim_tokens.revoke": "admin",
}
# SCIM's other methods: sessions never authorise them
PUT = {"scim.replace_user": "scim", "scim.replace_group": "scim", "scim.unknown": "nowhere"}
PATCH = {"scim.patch_user": "scim", "scim.patch_group": "scim", "scim.unknown": "nowhere"}
DELETE = {"scim.delete_user": "scim", "scim.delete_group": "scim", "scim.unknown": "nowhere"}
OTHER_METHODS = {"PUT": PUT, "PATCH": PATCH, "DELETE": DELETE}


def urls(app, world, attempt_id):
    values = {
        "cohort_id": world["cohort"],
        "user_id": world["learner1"],
        "attempt_id": attempt_id,
        "step": 1,
        "lesson_id": "first",
        "scenario_id": "ops-send",
        "role_id": "ops",
        "token": "not-a-token",
        "team_id": world["team"],
        "dimension": "role",
        "group": "ops",
        "skill": "data",
        "name": "coverage",
        "workflow_id": world["workflow"],
        "source_id": world["source"],
        "format": "csv",
        "pack_id": world["pack"],
        "slug": "no-such-organisation",
        "type_id": "User",
        "schema_id": "urn:ietf:params:scim:schemas:core:2.0:User",
        "resource_id": world["learner1"],
        "unknown": "nothing-here",
        "token_id": world["scim_token"],
    }
    with app.test_request_context():
        return {
            rule.endpoint: rule.build({a: values[a] for a in rule.arguments})[1]
            for rule in app.url_map.iter_rules()
            if rule.endpoint != "static"
        }


@pytest.fixture
def setup(app, world):
    with make.saved(app):  # a finished attempt that belongs to learner1, and org A's evidence pack
        attempt = make.attempt(world["learner1"], STRONG).id
        world["pack"] = make.evidence_pack(world["org"]).id
        world["scim_token"] = tokens.create(world["org"], "matrix", created_by="")[0].id  # org A's
    return urls(app, world, attempt)


def test_matrix_covers_every_route(app, setup):
    methods = {
        (r.endpoint, m)
        for r in app.url_map.iter_rules()
        if r.endpoint != "static"
        for m in r.methods - {"HEAD", "OPTIONS"}
    }
    classified = {(e, "GET") for e in GET} | {(e, "POST") for e in POST}
    classified |= {(e, method) for method, table in OTHER_METHODS.items() for e in table}
    assert methods == classified


def account(app, who) -> Browser:
    if who == "anonymous":
        return Browser(app.test_client())
    # "learner" is learner2: a learner who does not own the attempt
    return signed_in(app, "learner2@example.com" if who == "learner" else f"{who}@example.com")


def check(response, expected, label):
    if expected == LOGIN:
        assert response.status_code == 302 and "/login" in response.headers["Location"], label
    elif expected == 200 and response.request.method == "POST":
        assert response.status_code in ALLOWED, label
    elif expected == 200:
        assert response.status_code in (200, 302) and "/login" not in response.headers.get("Location", ""), label
    else:
        assert response.status_code == expected, label


@pytest.mark.parametrize("who", WHO)
def test_get_matrix(app, setup, who):
    browser = account(app, who)
    for endpoint, kind in GET.items():
        check(browser.get(setup[endpoint]), KINDS[kind][who], f"GET {endpoint} as {who}")


@pytest.mark.parametrize("who", WHO)
def test_post_matrix(app, setup, who):
    browser = account(app, who)
    token = browser.token("/login")
    for endpoint, kind in POST.items():
        if endpoint == "auth.logout":
            continue  # checked last: it ends the session
        response = browser.client.post(setup[endpoint], data={"csrf_token": token})
        check(response, KINDS[kind][who], f"POST {endpoint} as {who}")
    check(browser.client.post(setup["auth.logout"], data={"csrf_token": token}), 200, f"POST logout as {who}")


@pytest.mark.parametrize("who", WHO)
def test_put_patch_and_delete_matrix(app, setup, who):
    browser = account(app, who)
    for method, table in OTHER_METHODS.items():
        for endpoint, kind in table.items():
            response = browser.client.open(setup[endpoint], method=method, json={"schemas": []})
            check(response, KINDS[kind][who], f"{method} {endpoint} as {who}")


def test_other_organisation_objects_are_not_found(app, world):
    admin = account(app, "admin")
    for url in (
        f"/cohorts/{world['cohort_b']}",
        f"/cohorts/{world['cohort_b']}/export.csv",
        f"/cohorts/{world['cohort_b']}/roster",
    ):
        assert admin.get(url).status_code == 404
        assert "Secret B cohort" not in admin.get(url).get_data(as_text=True)
    token = admin.token("/admin/users")
    assert (
        admin.client.post(
            f"/admin/users/{world['outsider']}/access", data={"csrf_token": token, "access": "admin"}
        ).status_code
        == 404
    )
    assert (
        admin.client.post(
            f"/admin/users/{world['learner1']}/teams/{world['team_b']}", data={"csrf_token": token}
        ).status_code
        == 404
    )
    owner = account(app, "owner")
    assert owner.get(f"/cohorts/{world['cohort']}/learners/{world['outsider']}").status_code == 404
