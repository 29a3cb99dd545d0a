"""The SCIM rules on hand-made values: filters, paging, the default role, the attribute mapping and
staff or external."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from scim2_models import Context, InvalidFilterException, InvalidValueException, PatchOp, SearchRequest

from literacy.identity import scim_rules
from literacy.identity.scim_rules import Account, AllOf, AnyOf, Equals
from literacy.identity.scim_schema import EXTENSION_SCHEMA, GROUP_SCHEMA, POLICY, USER_SCHEMA, Group, UserResource

ROLES = ["lifecycle", "pr", "ops"]
BASE = "https://academy.example/scim/v2"
NOW = datetime(2026, 12, 1, 9, 30)


ANN = Account(
    id=7,
    email="ann@acme.example",
    name="Ann Lee",
    active=True,
    external_id="",
    role="pr",
    external=False,
    agency="",
    created=NOW,
    modified=NOW,
)


def account(**changes) -> Account:
    return replace(ANN, **changes)


def tree(expression: str, model=UserResource, schema=USER_SCHEMA):
    request = SearchRequest[model].model_validate({"filter": expression}, scim_ctx=Context.SEARCH_REQUEST)
    return scim_rules.query_tree(request.filter, schema)


def test_filters_become_a_small_query_tree():
    assert tree('userName eq "Ann@Acme.example"') == Equals("email", "Ann@Acme.example")
    assert tree('emails[value eq "a@b.example"]') == Equals("email", "a@b.example")
    assert tree('externalId eq "x" and active eq false') == AllOf((Equals("external_id", "x"), Equals("active", False)))
    assert tree(f'{USER_SCHEMA}:userName eq "a@b.example" or id eq "3"') == AnyOf(
        (Equals("email", "a@b.example"), Equals("id", "3"))
    )
    assert tree('members eq "12" and id eq "3"', Group, GROUP_SCHEMA) == AllOf(
        (Equals("member", "12"), Equals("id", "3"))
    )
    assert tree('members[value eq "12"]', Group, GROUP_SCHEMA) == Equals("member", "12")
    for unsupported in ('userName sw "ann"', "userName pr", 'not (userName eq "a@b.example")', 'name.givenName eq "A"'):
        with pytest.raises(InvalidFilterException):
            tree(unsupported)


def test_paging_reads_start_index_and_count_as_the_rfc_says():
    assert scim_rules.page_window(None, None) == (0, 100)
    assert scim_rules.page_window(0, -5) == (0, 0)
    assert scim_rules.page_window(11, 5000) == (10, 200)


def test_the_default_role_is_the_most_common_then_the_taxonomys_first():
    assert scim_rules.default_role({"ops": 3, "pr": 5}, ROLES) == "pr"
    assert scim_rules.default_role({"ops": 2, "pr": 2}, ROLES) == "pr"  # a tie: the taxonomy's order
    assert scim_rules.default_role({}, ROLES) == "lifecycle"
    assert scim_rules.default_role({"astronaut": 9}, ROLES) == "lifecycle"  # only the taxonomy's roles count


def test_a_team_gives_its_role_only_while_the_default_is_untouched():
    assert scim_rules.adopts_team_role("pr", "pr", "ops")
    assert not scim_rules.adopts_team_role("", "pr", "ops")  # the client or an admin chose
    assert not scim_rules.adopts_team_role("pr", "lifecycle", "ops")  # changed since
    assert not scim_rules.adopts_team_role("pr", "pr", None)  # a mixed team


def test_the_resource_shows_what_the_client_wrote_with_the_platforms_values():
    kept = {"displayName": "Ann", "name": {"givenName": "Ann"}, EXTENSION_SCHEMA: {"role": "ops", "agency": "Own Co"}}
    resource = scim_rules.user_resource(account(kept=kept, teams=((4, "PR team"),)), BASE)
    dumped = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    assert dumped["displayName"] == "Ann Lee"  # renamed by an admin since
    assert dumped[EXTENSION_SCHEMA] == {"role": "pr", "agency": "Own Co"}  # the role as it is; staff keep the firm sent
    assert dumped["groups"] == [{"value": "4", "$ref": f"{BASE}/Groups/4", "display": "PR team"}]
    untouched = scim_rules.user_resource(account(), BASE).model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    assert untouched[EXTENSION_SCHEMA] == {"role": "pr", "external": False} and untouched["displayName"] == "Ann Lee"


def wanted(payload: dict, before: Account | None = None):
    resource = UserResource.model_validate(
        {"schemas": [USER_SCHEMA, EXTENSION_SCHEMA], **payload}, scim_ctx=Context.RESOURCE_CREATION_REQUEST
    )
    return scim_rules.wanted_account(resource, before, ROLES)


def test_the_name_and_the_address():
    assert wanted({"userName": " Ann@ACME.example "}).email == "ann@acme.example"
    assert wanted({"userName": "a@b.example", "name": {"givenName": "A", "familyName": "B"}}).name == "A B"
    assert wanted({"userName": "a@b.example", "displayName": "Al", "name": {"formatted": "Alan B"}}).name == "Al"
    assert wanted({"userName": "ann.lee@b.example"}).name == "Ann Lee"
    assert wanted({"userName": "a@b.example"}, account(name="Kept")).name == "Kept"
    with pytest.raises(InvalidValueException):
        wanted({"userName": "ann"})


def test_staff_or_external_is_decided_once_the_client_sends_external():
    ext = EXTENSION_SCHEMA
    external = wanted({"userName": "a@b.example", ext: {"external": True, "agency": " Northlight "}})
    assert (external.external, external.agency) == (True, "Northlight")
    staff = wanted({"userName": "a@b.example", ext: {"external": False, "agency": "Acme"}})
    assert (staff.external, staff.agency) == (False, "")  # kept in the resource, unused
    with pytest.raises(InvalidValueException, match="agency"):
        wanted({"userName": "a@b.example", ext: {"external": True}})
    admin_set = account(external=True, agency="Set by an admin")
    kept = wanted({"userName": "a@b.example", ext: {"role": "ops"}}, admin_set)
    assert (kept.external, kept.agency, kept.role) == (True, "Set by an admin", "ops")
    managed = account(external=True, agency="Northlight", kept={ext: {"external": True, "agency": "Northlight"}})
    assert wanted({"userName": "a@b.example"}, managed).external is False  # the client took external out
    with pytest.raises(InvalidValueException, match="role"):
        wanted({"userName": "a@b.example", ext: {"role": "astronaut"}})


def test_active_cannot_be_removed_by_patch():
    patch = PatchOp[UserResource].model_validate(
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "remove", "path": "active"}],
        },
        scim_ctx=Context.RESOURCE_PATCH_REQUEST,
        scim_policy=POLICY,
    )
    with pytest.raises(InvalidValueException, match="active"):
        scim_rules.patched_user(account(), patch, BASE)
