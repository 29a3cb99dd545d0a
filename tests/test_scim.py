"""SCIM 2.0 provisioning (/scim/v2): discovery, people and teams, tokens of one organisation,
errors, deprovisioning that ends sessions at once, audit entries, and the admin page and commands
for tokens. The compliance checker and 1,000 people over HTTP are in tests/scim (make test-scim)."""

from __future__ import annotations

import pytest
from support import STRONG, make
from support import scim as kit
from support.apps import make_app
from support.browser import Browser
from support.journeys import signed_in
from support.paths import ROOT
from support.scim import Scim

from literacy.evidence import audit
from literacy.evidence.tables import AuditEntry
from literacy.identity.scim_schema import EXTENSION_SCHEMA
from literacy.learning.tables import Attempt
from literacy.people.tables import Team, User
from literacy.platform.extensions import db


@pytest.fixture
def scim(app, world):
    """Org A's SCIM client (the world's two organisations are set up)."""
    return Scim(app, kit.token(app, world["org"]))


def created(client: Scim, payload: dict) -> dict:
    response = client.post("/Users", payload)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def org_b(app, world) -> int:
    with app.app_context():
        return db.session.get(Team, world["team_b"]).org_id


def person(app, user_id: int) -> User:
    with app.app_context():
        found = db.session.get(User, user_id)
        db.session.expunge(found)
        return found


# Discovery


def test_discovery_describes_people_teams_and_the_extension(scim):
    config = scim.get("/ServiceProviderConfig")
    assert config.status_code == 200 and config.mimetype == "application/scim+json"
    assert config.get_json()["patch"]["supported"] is True and config.get_json()["bulk"]["supported"] is False
    types = {t["id"]: t for t in scim.get("/ResourceTypes").get_json()["Resources"]}
    assert types["User"]["endpoint"] == "/Users" and types["Group"]["endpoint"] == "/Groups"
    assert types["User"]["schemaExtensions"] == [{"schema": EXTENSION_SCHEMA, "required": False}]
    assert scim.get("/ResourceTypes/Group").get_json()["name"] == "Group"
    schemas = {s["id"]: s for s in scim.get("/Schemas").get_json()["Resources"]}
    assert {"ResourceType", "ServiceProviderConfig", "Schema", "User", "Group"} <= {s["name"] for s in schemas.values()}
    role = next(a for a in schemas[EXTENSION_SCHEMA]["attributes"] if a["name"] == "role")
    assert role["canonicalValues"] == ["ops"]  # the taxonomy's roles
    user_schema = scim.get("/Schemas/urn:ietf:params:scim:schemas:core:2.0:User").get_json()
    assert [a["name"] for a in user_schema["attributes"]] == [
        "userName",
        "name",
        "displayName",
        "active",
        "emails",
        "groups",
    ]


def test_unknown_addresses_and_methods_answer_as_scim(scim):
    for response, status in (
        (scim.get("/Schemas/urn:nothing"), 404),
        (scim.get("/ResourceTypes/Pet"), 404),
        (scim.get("/Pets"), 404),
        (scim.post("/Schemas", {}), 405),
        (scim.send("DELETE", "/ServiceProviderConfig"), 405),
        (scim.post("/.search", {}), 501),
    ):
        assert response.status_code == status
        assert response.mimetype == "application/scim+json"
        assert response.get_json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert scim.post("/Schemas", {}).headers["Allow"] == "GET"


# People


def test_create_makes_a_learner_without_password_and_get_reads_it_back(app, world, scim):
    body = created(scim, kit.user("Nia.Okafor@Acme.example", given="Nia", family="Okafor", role="ops"))
    assert body["userName"] == "nia.okafor@acme.example"
    assert body["name"] == {"givenName": "Nia", "familyName": "Okafor"}
    assert body[EXTENSION_SCHEMA] == {"role": "ops"}
    assert body["meta"]["location"].endswith(f"/scim/v2/Users/{body['id']}")
    assert scim.get(f"/Users/{body['id']}").get_json() == body
    account = person(app, int(body["id"]))
    assert (account.org_id, account.access, account.password_hash, account.name) == (
        world["org"],
        "learner",
        "",
        "Nia Okafor",
    )
    assert account.active and not account.external


def test_filters_select_people_of_the_organisation(scim):
    nia = created(scim, {**kit.user("nia@acme.example"), "externalId": "entra-nia"})
    created(scim, kit.user("tom@acme.example"))

    def found(expression):
        response = scim.get("/Users", filter=expression)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [r["userName"] for r in response.get_json().get("Resources", [])]

    assert found('userName eq "NIA@acme.example"') == ["nia@acme.example"]  # userName ignores case
    assert found('externalId eq "entra-nia"') == ["nia@acme.example"]
    assert found('externalId eq "ENTRA-NIA"') == []  # externalId is case-exact
    assert found('emails[value eq "tom@acme.example"]') == ["tom@acme.example"]
    assert found('userName eq "nia@acme.example" or userName eq "tom@acme.example"') == [
        "nia@acme.example",
        "tom@acme.example",
    ]
    assert found(f'id eq "{nia["id"]}" and active eq true') == ["nia@acme.example"]
    assert found('userName eq "outsider@example.com"') == []  # another organisation's person


def test_paging_by_start_index_and_count(scim):
    for n in range(5):
        created(scim, kit.user(f"p{n}@acme.example"))
    everyone = scim.get("/Users").get_json()
    assert everyone["totalResults"] == 12  # the world's seven people of org A and five new ones
    page = scim.get("/Users", startIndex=3, count=4).get_json()
    assert (page["startIndex"], page["itemsPerPage"], len(page["Resources"])) == (3, 4, 4)
    assert [r["id"] for r in page["Resources"]] == [r["id"] for r in everyone["Resources"][2:6]]
    assert scim.get("/Users", count=0).get_json().get("Resources", []) == []
    assert scim.get("/Users", startIndex=0, count=1000).get_json()["startIndex"] == 1
    assert scim.get("/Users", count="many").status_code == 400


def test_put_replaces_what_the_client_wrote(app, scim):
    body = created(scim, kit.user("ann@acme.example", role="ops"))
    replacement = {
        "schemas": [body["schemas"][0]],
        "userName": "ann.lee@acme.example",
        "displayName": "Ann Lee-Smith",
        "active": True,
        "externalId": "okta-1",
    }
    response = scim.put(f"/Users/{body['id']}", replacement)
    assert response.status_code == 200, response.get_data(as_text=True)
    replaced = response.get_json()
    assert (replaced["userName"], replaced["displayName"], replaced["externalId"]) == (
        "ann.lee@acme.example",
        "Ann Lee-Smith",
        "okta-1",
    )
    assert "name" not in replaced and "emails" not in replaced and EXTENSION_SCHEMA not in replaced
    account = person(app, int(body["id"]))
    assert (account.email, account.name, account.role) == ("ann.lee@acme.example", "Ann Lee-Smith", "ops")


def test_patch_as_entra_id_sends_it(app, scim):
    body = created(scim, kit.user("ann@acme.example"))
    response = scim.patch(
        f"/Users/{body['id']}",
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "ann.lee@acme.example"},
        {"op": "Add", "path": "name.givenName", "value": "Annie"},
        {"op": "Replace", "value": {"displayName": "Annie Lee", "externalId": "entra-7"}},
        {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "X"},
        {"op": "Add", "path": f"{EXTENSION_SCHEMA}:external", "value": True},
        {"op": "Add", "path": f"{EXTENSION_SCHEMA}:agency", "value": "Northlight Media"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    patched = response.get_json()
    assert patched["emails"][0]["value"] == "ann.lee@acme.example"
    assert patched["name"]["givenName"] == "Annie" and patched["displayName"] == "Annie Lee"
    assert patched[EXTENSION_SCHEMA] == {"external": True, "agency": "Northlight Media"}
    account = person(app, int(body["id"]))
    assert (account.name, account.scim_external_id, account.external, account.agency) == (
        "Annie Lee",
        "entra-7",
        True,
        "Northlight Media",
    )
    assert scim.get("/Users", filter='externalId eq "entra-7"').get_json()["totalResults"] == 1


def test_values_the_platform_refuses(scim):
    body = created(scim, kit.user("ann@acme.example"))
    for response, scim_type in (
        (scim.post("/Users", kit.user("not an address")), "invalidValue"),
        (scim.post("/Users", kit.user("bo@acme.example", role="astronaut")), "invalidValue"),
        (scim.post("/Users", kit.user("cy@acme.example", external=True)), "invalidValue"),  # no firm
        (scim.post("/Users", raw=b'{"userName": "x@acme.example",'), "invalidSyntax"),
        (scim.post("/Users", raw=b"[1, 2]"), "invalidSyntax"),
        (scim.get("/Users", filter='userName co "ann"'), "invalidFilter"),
        (scim.get("/Users", filter='userName eq "ann'), "invalidFilter"),
        (scim.get("/Users", filter='title eq "x"'), "invalidFilter"),
        (scim.patch(f"/Users/{body['id']}", {"op": "remove", "path": "userName"}), "mutability"),
        (scim.patch(f"/Users/{body['id']}", {"op": "remove", "path": "active"}), "invalidValue"),
        (scim.patch(f"/Users/{body['id']}", {"op": "jump", "path": "active"}), "invalidValue"),
        (scim.patch(f"/Users/{body['id']}", {"op": "add", "path": "groups", "value": []}), "mutability"),
    ):
        assert response.status_code == 400, response.get_data(as_text=True)
        assert response.get_json()["scimType"] == scim_type, response.get_json()


def test_a_taken_user_name_is_a_conflict_wherever_it_is_held(scim):
    created(scim, kit.user("ann@acme.example"))
    mine, elsewhere = (
        scim.post("/Users", kit.user("ANN@acme.example")),
        scim.post("/Users", kit.user("outsider@example.com")),
    )
    for response in (mine, elsewhere):
        assert response.status_code == 409
        assert response.get_json()["scimType"] == "uniqueness"
    assert mine.get_json()["detail"].replace("ann@acme.example", "X") == elsewhere.get_json()["detail"].replace(
        "outsider@example.com", "X"
    )
    tom = created(scim, kit.user("tom@acme.example"))
    taken = scim.patch(f"/Users/{tom['id']}", {"op": "replace", "path": "userName", "value": "owner@example.com"})
    assert taken.status_code == 409


# Deprovisioning


def test_deactivation_ends_the_session_at_once_and_reactivation_restores_it(app, world, scim):
    browser = signed_in(app, "learner1@example.com")
    assert browser.get("/progress").status_code == 200
    response = scim.patch(f"/Users/{world['learner1']}", {"op": "replace", "path": "active", "value": False})
    assert response.status_code == 200 and response.get_json()["active"] is False
    signed_out = browser.get("/progress")
    assert signed_out.status_code == 302 and "/login" in signed_out.headers["Location"]
    assert scim.patch(f"/Users/{world['learner1']}", {"op": "replace", "value": {"active": True}}).status_code == 200
    assert signed_in(app, "learner1@example.com").get("/progress").status_code == 200


def test_delete_keeps_the_account_and_its_history_and_a_new_post_restores_it(app, world, scim):
    with make.saved(app):
        make.attempt(world["learner1"], STRONG)
    browser = signed_in(app, "learner1@example.com")
    assert scim.delete(f"/Users/{world['learner1']}").status_code == 204
    assert browser.get("/progress").status_code == 302  # signed out
    assert scim.get(f"/Users/{world['learner1']}").status_code == 404  # RFC 7644 §3.6
    assert scim.delete(f"/Users/{world['learner1']}").status_code == 404
    assert scim.get("/Users", filter='userName eq "learner1@example.com"').get_json()["totalResults"] == 0
    crm = scim.get(f"/Groups/{world['team']}").get_json()
    assert str(world["learner1"]) not in [m["value"] for m in crm["members"]]
    with app.app_context():
        account = db.session.get(User, world["learner1"])
        assert not account.active and db.session.query(Attempt).filter_by(user_id=account.id).count() == 1
        assert account.teams  # kept, only hidden from the client
    again = created(scim, kit.user("learner1@example.com", given="Learner", family="One"))
    assert again["id"] == str(world["learner1"]) and again["active"] is True
    assert signed_in(app, "learner1@example.com").get("/progress").status_code == 200


# Teams


def test_groups_are_teams_with_members(app, world, scim):
    ann, tom = created(scim, kit.user("ann@acme.example")), created(scim, kit.user("tom@acme.example"))
    response = scim.post("/Groups", kit.group("Paid media", ann["id"]))
    assert response.status_code == 201, response.get_data(as_text=True)
    team = response.get_json()
    assert [m["value"] for m in team["members"]] == [ann["id"]]
    assert team["members"][0]["$ref"] == ann["meta"]["location"]
    found = scim.get("/Groups", filter='displayName eq "paid MEDIA"').get_json()["Resources"]
    assert [g["id"] for g in found] == [team["id"]]
    path = f"/Groups/{team['id']}"
    scim.patch(path, {"op": "add", "path": "members", "value": [{"value": tom["id"]}]})
    assert [g["display"] for g in scim.get(f"/Users/{tom['id']}").get_json()["groups"]] == ["Paid media"]
    assert (
        scim.get("/Groups", filter=f'id eq "{team["id"]}" and members eq "{tom["id"]}"').get_json()["totalResults"] == 1
    )
    removed = scim.patch(path, {"op": "remove", "path": f'members[value eq "{ann["id"]}"]'}).get_json()
    assert [m["value"] for m in removed["members"]] == [tom["id"]]
    entra = scim.patch(path, {"op": "Remove", "path": "members", "value": [{"value": tom["id"]}]}).get_json()
    assert "members" not in entra
    renamed = scim.patch(path, {"op": "replace", "value": {"displayName": "Paid search", "externalId": "g-1"}})
    assert renamed.get_json()["displayName"] == "Paid search" and renamed.get_json()["externalId"] == "g-1"
    put = scim.put(path, {"schemas": team["schemas"], "displayName": "Paid search", "members": [{"value": ann["id"]}]})
    assert [m["value"] for m in put.get_json()["members"]] == [ann["id"]] and "externalId" not in put.get_json()
    assert scim.post("/Groups", kit.group("CRM team")).status_code == 409  # the world's team
    assert scim.patch(path, {"op": "add", "path": "members", "value": [{"value": "999999"}]}).status_code == 400
    assert scim.delete(path).status_code == 204
    assert scim.get(path).status_code == 404
    assert person(app, int(ann["id"])).active  # its people stay


def test_the_first_team_with_a_role_gives_a_person_provisioned_without_one_its_role(tmp_path):
    app = make_app(tmp_path, ROOT)  # the shipped content: ten roles
    with make.saved(app):
        org = make.organization("Org A", "a")
        for n in range(3):
            make.user(f"pr{n}@acme.example", org=org, role="pr")
        make.user("ops@acme.example", org=org, role="lifecycle")
        content_team = make.team(org, "Content", role="content-brand")
        org_id, team_id = org.id, content_team.id
    client = Scim(app, kit.token(app, org_id))
    nia = created(client, kit.user("nia@acme.example"))
    assert person(app, int(nia["id"])).role == "pr"  # the organisation's most common role
    tom = created(client, kit.user("tom@acme.example", role="lifecycle"))
    for body in (nia, tom):
        client.patch(f"/Groups/{team_id}", {"op": "add", "path": "members", "value": [{"value": body["id"]}]})
    assert person(app, int(nia["id"])).role == "content-brand"  # the team's role replaced the default
    assert person(app, int(tom["id"])).role == "lifecycle"  # the client chose it: it stays


# Organisations and tokens


def test_a_token_sees_only_its_own_organisation(app, world):
    other = Scim(app, kit.token(app, org_b(app, world)))
    listed = other.get("/Users").get_json()
    assert sorted(r["userName"] for r in listed["Resources"]) == ["othermanager@example.com", "outsider@example.com"]
    learner = f"/Users/{world['learner1']}"
    assert other.get(learner).status_code == 404
    assert other.patch(learner, {"op": "replace", "path": "active", "value": False}).status_code == 404
    assert other.put(learner, kit.user("learner1@example.com")).status_code == 404
    assert other.delete(learner).status_code == 404
    assert other.get(f"/Groups/{world['team']}").status_code == 404
    assert [g["displayName"] for g in other.get("/Groups").get_json()["Resources"]] == ["B team"]
    joined = other.patch(
        f"/Groups/{world['team_b']}", {"op": "add", "path": "members", "value": [{"value": str(world["learner1"])}]}
    )
    assert joined.status_code == 400
    assert person(app, world["learner1"]).active


def test_no_token_a_wrong_token_a_revoked_token_or_a_session_is_refused(app, world, scim):
    from literacy.identity import tokens

    cases = [Scim(app, None), Scim(app, "scim_not-a-token"), Scim(app, "Basic dXNlcjpwYXNz")]
    with make.saved(app):
        revoked, secret = tokens.create(world["org"], "old", created_by="")
        tokens.revoke(revoked)
    cases.append(Scim(app, secret))
    admin = signed_in(app, "admin@example.com")
    for client in cases:
        response = client.get("/Users")
        assert response.status_code == 401 and response.get_json()["status"] == "401"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert admin.client.get("/scim/v2/Users").status_code == 401  # a signed-in admin's session counts for nothing
    assert scim.get("/Users").status_code == 200


def test_every_change_is_audited_with_the_token_as_actor(app, world, scim):
    ann = created(scim, kit.user("ann@acme.example", role="ops"))
    scim.patch(f"/Users/{ann['id']}", {"op": "replace", "path": "displayName", "value": "Ann L."})
    team = scim.post("/Groups", kit.group("Paid media", ann["id"])).get_json()
    scim.patch(f"/Users/{ann['id']}", {"op": "replace", "path": "active", "value": False})
    scim.delete(f"/Users/{ann['id']}")
    scim.delete(f"/Groups/{team['id']}")
    with app.app_context():
        query = db.session.query(AuditEntry).filter(AuditEntry.actor.startswith("SCIM token"))
        entries = query.order_by(AuditEntry.id).all()
        assert [e.action for e in entries] == [
            "scim.user.created",
            "scim.user.changed",
            "team.created",
            "team.members",
            "person.deactivated",
            "scim.user.deleted",
            "team.deleted",
        ]
        assert {e.actor for e in entries} == {f"SCIM token {entries[0].actor.split()[2]} (Entra ID)"}
        assert all(e.actor_id is None for e in entries)
        assert audit.verify(world["org"]) is None


# The admin page and the commands


def test_admins_create_tokens_shown_once_and_revoke_them(app, world):
    admin = signed_in(app, "admin@example.com")
    assert admin.get("/admin/users").get_data(as_text=True).count('href="/admin/scim/"') == 1
    page = admin.post("/admin/scim/", {"label": "Okta"}, page="/admin/scim/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "/scim/v2" in html
    secret = html.split('id="token-secret">')[1].split("<")[0]
    client = Scim(app, secret)
    assert client.get("/Users").status_code == 200
    listing = admin.get("/admin/scim/").get_data(as_text=True)
    assert secret not in listing and secret[:12] in listing and "Okta" in listing
    with app.app_context():
        from literacy.identity.tables import ScimToken

        token = db.session.query(ScimToken).filter_by(label="Okta").one()
        assert token.token_hash != secret and len(token.token_hash) == 64
    confirm = admin.get(f"/admin/scim/{token.id}/revoke")
    assert "Confirm: revoke" in confirm.get_data(as_text=True)
    admin.post(f"/admin/scim/{token.id}/revoke", {}, page=f"/admin/scim/{token.id}/revoke")
    assert client.get("/Users").status_code == 401
    assert admin.post("/admin/scim/", {"label": ""}, page="/admin/scim/").status_code == 400


def test_an_admin_of_another_organisation_cannot_see_or_revoke_a_token(app, world):
    with make.saved(app):
        make.user("badmin@example.com", org=org_b(app, world), access="admin")
    from literacy.identity.tables import ScimToken

    kit.token(app, world["org"], "Secret A token")
    with app.app_context():
        token_id = db.session.query(ScimToken).one().id
    other = signed_in(app, "badmin@example.com")
    assert other.get(f"/admin/scim/{token_id}/revoke").status_code == 404
    assert "Secret A token" not in other.get("/admin/scim/").get_data(as_text=True)


def test_commands_create_list_and_revoke_tokens(app, world, runner):
    created_ = runner.invoke(args=["scim", "token", "create", "--org", "a", "--label", "Google Workspace"])
    assert created_.exit_code == 0, created_.output
    secret = next(line for line in created_.output.splitlines() if line.startswith("scim_"))
    assert "SCIM base URL: http://localhost:5000/scim/v2" in created_.output
    assert Scim(app, secret).get("/Users").status_code == 200
    listed = runner.invoke(args=["scim", "token", "list", "--org", "a"]).output
    assert secret[:12] in listed and "Google Workspace" in listed and secret not in listed
    revoked = runner.invoke(args=["scim", "token", "revoke", "--org", "a", secret[:12]])
    assert revoked.exit_code == 0 and "Revoked" in revoked.output
    assert Scim(app, secret).get("/Users").status_code == 401
    assert runner.invoke(args=["scim", "token", "create", "--org", "nowhere"]).exit_code == 1
    with app.app_context():
        assert {e.action for e in db.session.query(AuditEntry)} >= {"scim.token.created", "scim.token.revoked"}


def test_a_team_made_by_an_admin_is_found_by_its_name(scim, world):
    """Identity providers look a group up by displayName before creating it, and link to it."""
    found = scim.get("/Groups", filter='displayName eq "CRM team"').get_json()["Resources"]
    assert [g["id"] for g in found] == [str(world["team"])]
    assert {m["value"] for m in found[0]["members"]} == {str(world[f"learner{i}"]) for i in (1, 2, 3)} | {
        str(world["owner"])
    }


def test_browser_kit_is_unaffected(app):
    """The SCIM blueprint is exempt from CSRF; the rest of the app is not."""
    response = Browser(app.test_client()).client.post("/login", data={"email": "x@example.com", "password": "x"})
    assert response.status_code == 400


# Found in review: admins, overflowing numbers, control characters, a reactivated deletion


def test_an_admin_cannot_be_renamed_deactivated_or_deleted_by_provisioning(app, world, scim):
    admin_id = str(world["admin"])
    renamed = scim.patch(f"/Users/{admin_id}", {"op": "replace", "path": "userName", "value": "mallory@evil.example"})
    assert renamed.status_code == 400 and renamed.get_json()["scimType"] == "mutability"
    off = scim.patch(f"/Users/{admin_id}", {"op": "replace", "path": "active", "value": False})
    assert off.status_code == 400 and "is an admin of this organisation" in off.get_json()["detail"]
    assert scim.send("DELETE", f"/Users/{admin_id}").status_code == 400
    still = person(app, world["admin"])
    assert (still.email, still.active) == ("admin@example.com", True)
    renamed_learner = scim.patch(f"/Users/{world['learner1']}", {"op": "replace", "path": "displayName", "value": "L1"})
    assert renamed_learner.status_code == 200, "learners are the provider's to change"


def test_overflowing_numbers_and_control_characters_are_refused_or_cleaned(app, world, scim):
    huge_start = scim.get("/Users", startIndex="99999999999999999999")
    assert huge_start.status_code == 200 and huge_start.get_json()["Resources"] == [], "past every row"
    page = scim.get("/Users", startIndex=str(2**40))
    assert page.status_code == 200 and page.get_json()["Resources"] == []
    huge = scim.post("/Groups", kit.group("Ghosts", "99999999999999999999"))
    assert huge.status_code == 400 and huge.get_json()["scimType"] == "invalidValue"
    nul = created(scim, {**kit.user("nul@acme.example"), "displayName": "Nu\x00l\u202eName", "externalId": "x\x00y"})
    assert nul["displayName"] == "NulName" and nul["externalId"] == "xy"


def test_a_deleted_person_an_admin_reactivates_is_the_providers_to_see_again(app, world, scim):
    nia = created(scim, kit.user("nia@acme.example"))
    assert scim.send("DELETE", f"/Users/{nia['id']}").status_code == 204
    assert scim.get(f"/Users/{nia['id']}").status_code == 404
    admin = signed_in(app, "admin@example.com")
    assert admin.post(f"/admin/users/{nia['id']}/reactivate", page=f"/admin/users/{nia['id']}").status_code == 302
    again = scim.get(f"/Users/{nia['id']}")
    assert again.status_code == 200 and again.get_json()["active"] is True


def test_an_address_at_another_organisations_domain_is_not_this_ones_to_create(app, world, scim):
    with make.saved(app):
        db.session.get(Team, world["team_b"]).organization.signup_domains = "b.example"
    refused = scim.post("/Users", kit.user("ceo@b.example"))
    assert refused.status_code == 400 and "b.example belongs to another organisation" in refused.get_json()["detail"]
    agency = scim.post("/Users", kit.user("ada@fernwood.example", external=True, agency="Fernwood"))
    assert agency.status_code == 201, "a domain nobody holds: an agency's people are provisioned too"
