"""SCIM provisioning rules on plain values: how an account and a team look as SCIM resources, what
a resource a client wrote asks of the account or team, PATCH and PUT applied to the resource
(scim2-models does the RFC 7644 §3.5 work), filters turned into a small query tree, paging and the
role a provisioned person gets by default. Pure: no Flask, no database.

The attribute mapping (README, "SCIM provisioning"):

- ``userName`` is the sign-in email address (lower-cased, unique); ``active`` false deactivates;
  ``externalId`` is the identity provider's id of the person.
- The person's name is ``displayName``, else ``name.formatted``, else ``name.givenName`` and
  ``name.familyName``. ``name``, ``displayName``, ``emails`` and the extension are also kept as the
  client wrote them, so the client reads back what it wrote; where the platform holds the value
  (the name, the role, staff or external), it answers with the platform's current value.
- The extension gives the marketing ``role``, ``external`` and ``agency``. Once a client has sent
  ``external``, it decides staff or external: an external person needs an agency (EU AI Act
  evidence names the firm); staff keep none, so an ``agency`` mapped for everyone (a company name)
  is kept but unused for staff.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from scim2_models import (
    URN,
    Context,
    InvalidFilterException,
    InvalidValueException,
    PatchOp,
    ScimFilter,
)
from scim2_models.path import CompareOperator, Comparison, LogicalExpr, LogicalOperator, ValuePath

from literacy.identity.scim_schema import (
    DEFAULT_PAGE_SIZE,
    EXTENSION_SCHEMA,
    GROUP_SCHEMA,
    MAX_PAGE_SIZE,
    POLICY,
    USER_SCHEMA,
    Group,
    UserResource,
)
from literacy.people import affiliation
from literacy.platform.text import plain

NAME_MAX, EXTERNAL_ID_MAX, EMAIL_MAX = 200, 255, 254
KEPT = ("name", "displayName", "emails", EXTENSION_SCHEMA)  # written by the client, kept as written


@dataclass(frozen=True)
class Account:
    """A person as the platform holds them."""

    id: int
    email: str
    name: str
    active: bool
    external_id: str
    role: str
    external: bool
    agency: str
    created: datetime
    modified: datetime
    kept: dict | None = None  # what a SCIM client wrote (KEPT); None: no client ever wrote
    teams: tuple[tuple[int, str], ...] = ()  # (team id, name)


@dataclass(frozen=True)
class WantedAccount:
    """What a resource a client wrote asks of the account."""

    email: str
    name: str
    active: bool
    external_id: str
    role: str | None  # None: the extension gives none, the account keeps (or gets by default) one
    external: bool
    agency: str
    kept: dict


@dataclass(frozen=True)
class TeamState:
    """A team as the platform holds it."""

    id: int
    name: str
    external_id: str
    member_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class WantedTeam:
    name: str
    external_id: str
    member_ids: tuple[int, ...]


def location(base_url: str, endpoint: str, resource_id: int | str) -> str:
    return f"{base_url}/{endpoint}/{resource_id}"


# People


def user_resource(account: Account, base_url: str) -> UserResource:
    """The account as a SCIM User: what the client wrote, with the platform's values where it holds them."""
    kept = dict(account.kept) if account.kept is not None else _derived(account)
    extension = dict(kept.get(EXTENSION_SCHEMA) or {})
    if "role" in extension:
        extension["role"] = account.role
    if "external" in extension:
        extension["external"] = account.external
    if "agency" in extension and account.external:
        extension["agency"] = account.agency
    document = {key: kept[key] for key in KEPT if key in kept and key != EXTENSION_SCHEMA}
    if "displayName" in document:
        document["displayName"] = account.name
    if extension:
        document[EXTENSION_SCHEMA] = extension
    document |= {
        "schemas": [USER_SCHEMA, EXTENSION_SCHEMA] if extension else [USER_SCHEMA],
        "id": str(account.id),
        "userName": account.email,
        "active": account.active,
        "groups": [
            {"value": str(team_id), "$ref": location(base_url, "Groups", team_id), "display": team_name}
            for team_id, team_name in account.teams
        ]
        or None,
        "meta": _meta("User", location(base_url, "Users", account.id), account.created, account.modified),
    }
    if account.external_id:
        document["externalId"] = account.external_id
    return UserResource.model_validate(document, scim_policy=POLICY)


def _derived(account: Account) -> dict:
    """What a client reads of an account none has written yet (made by an admin or an invitation)."""
    extension = {"role": account.role, "external": account.external}
    if account.external:
        extension["agency"] = account.agency
    return {"displayName": account.name, EXTENSION_SCHEMA: extension}


def _meta(resource_type: str, where: str, created: datetime | None = None, modified: datetime | None = None) -> dict:
    meta = {"resourceType": resource_type, "location": where}
    if created is not None:
        meta |= {"created": created.isoformat() + "Z", "lastModified": (modified or created).isoformat() + "Z"}
    return meta


def kept_attributes(resource: UserResource) -> dict:
    """The attributes of a resource that are kept as the client wrote them, as JSON values."""
    dumped = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    return {key: dumped[key] for key in KEPT if dumped.get(key) not in (None, [], {})}


def wanted_account(resource: UserResource, before: Account | None, roles: Iterable[str]) -> WantedAccount:
    """What a created, replaced or patched resource asks of the account; InvalidValueException when
    it asks for something the platform refuses."""
    kept = kept_attributes(resource)
    extension = kept.get(EXTENSION_SCHEMA, {})
    earlier = ((before.kept or {}) if before else {}).get(EXTENSION_SCHEMA, {})
    email = sign_in_address(resource.user_name or "")
    external, agency = _affiliation(extension, earlier, before)
    return WantedAccount(
        email=email,
        name=_name(resource, before, email),
        active=resource.active if resource.active is not None else (before.active if before else True),
        external_id=_bounded(resource.external_id or "", EXTERNAL_ID_MAX, "externalId"),
        role=_role(extension.get("role"), roles),
        external=external,
        agency=agency,
        kept=kept,
    )


def sign_in_address(user_name: str) -> str:
    """userName is the email address the person signs in with."""
    try:
        email = validate_email(user_name.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise InvalidValueException(detail=f"userName must be the person's email address, not {user_name!r}") from None
    return _bounded(email, EMAIL_MAX, "userName")


def _name(resource: UserResource, before: Account | None, email: str) -> str:
    name = resource.name
    parts = " ".join(part for part in (name.given_name, name.family_name) if part) if name else ""
    chosen = resource.display_name or (name.formatted if name else None) or parts
    fallback = before.name if before else email.split("@")[0].replace(".", " ").title()
    return _bounded((chosen or "").strip() or fallback, NAME_MAX, "displayName")


def _affiliation(extension: dict, earlier: dict, before: Account | None) -> tuple[bool, str]:
    """Staff or external, and the firm. The extension decides once it carries ``external``;
    taking ``external`` out again makes the person staff; otherwise the account's stays."""
    if "external" in extension:
        external = bool(extension["external"])
    elif "external" in earlier:
        external = False
    else:
        external = before.external if before else False
    agency = (extension.get("agency") or "").strip()
    if external and not agency and before is not None and before.external and "agency" not in earlier:
        agency = before.agency  # the firm an admin gave, which the client never managed
    agency = agency if external else ""
    problem = affiliation.problem(external, agency)
    if problem:
        raise InvalidValueException(detail=f"{problem} (the {EXTENSION_SCHEMA}:agency attribute)")
    return external, agency


def _role(role: str | None, roles: Iterable[str]) -> str | None:
    if role is None:
        return None
    known = list(roles)
    if role not in known:
        raise InvalidValueException(detail=f"role {role!r} is not a marketing role here; the roles: {', '.join(known)}")
    return role


def _bounded(value: str, limit: int, attribute: str) -> str:
    """Typed text as every form keeps it (no control or invisible characters: a NUL byte would not
    even store on PostgreSQL), within the column's length."""
    value = plain(value)
    if len(value) > limit:
        raise InvalidValueException(detail=f"{attribute} is longer than {limit} characters")
    return value


def patched_user(account: Account, patch: PatchOp, base_url: str) -> UserResource:
    """The account's resource with the PATCH operations applied (all or none, RFC 7644 §3.5.2)."""
    resource = user_resource(account, base_url)
    patch.patch(resource, scim_policy=POLICY)
    if resource.active is None:
        # every account is active or deactivated: removing the attribute would leave that unsaid
        raise InvalidValueException(detail="active cannot be removed: set it to false to deactivate the person")
    return resource


def replaced_user(account: Account, replacement: UserResource, base_url: str) -> UserResource:
    """A PUT's resource, with what it may not change (id, meta, groups) taken from the account's."""
    replacement.replace(user_resource(account, base_url))
    return replacement


def default_role(counts: dict[str, int], roles: list[str]) -> str:
    """The role of a person provisioned without one: the organisation's most common role among its
    active people (ties go to the taxonomy's order), or the taxonomy's first role in an empty
    organisation. The first team with a role they then join through SCIM gives them its role."""
    if not roles:
        raise ValueError("the taxonomy has no roles")
    return max(roles, key=lambda role: (counts.get(role, 0), -roles.index(role)))


def adopts_team_role(assumed_role: str, current_role: str, team_role: str | None) -> bool:
    """Whether joining a team with ``team_role`` gives the person that role: only while they have
    the role given by default and nobody (the client, an admin, the learner) has changed it."""
    return bool(assumed_role and team_role and assumed_role == current_role and team_role != current_role)


# Teams


def group_resource(team: TeamState, base_url: str) -> Group:
    document = {
        "schemas": [GROUP_SCHEMA],
        "id": str(team.id),
        "displayName": team.name,
        "members": [
            {"value": str(member), "$ref": location(base_url, "Users", member), "type": "User"}
            for member in team.member_ids
        ]
        or None,
        "meta": _meta("Group", location(base_url, "Groups", team.id)),
    }
    if team.external_id:
        document["externalId"] = team.external_id
    return Group.model_validate(document, scim_policy=POLICY)


def wanted_team(resource: Group) -> WantedTeam:
    name = plain(resource.display_name or "").strip()
    if not name:
        raise InvalidValueException(detail="displayName is required: the team's name")
    members = []
    for member in resource.members or []:
        if not (member.value or "").isdigit() or len(member.value) > ID_DIGITS:
            raise InvalidValueException(detail=f"members: no person has the id {member.value!r}")
        members.append(int(member.value))
    return WantedTeam(
        name=_bounded(name, NAME_MAX, "displayName"),
        external_id=_bounded(resource.external_id or "", EXTERNAL_ID_MAX, "externalId"),
        member_ids=tuple(dict.fromkeys(members)),
    )


def patched_group(team: TeamState, patch: PatchOp, base_url: str) -> Group:
    resource = group_resource(team, base_url)
    patch.patch(resource, scim_policy=POLICY)
    return resource


def replaced_group(team: TeamState, replacement: Group, base_url: str) -> Group:
    replacement.replace(group_resource(team, base_url))
    return replacement


# Filters: a small tree the queries turn into SQL


@dataclass(frozen=True)
class Equals:
    field: str  # one of USER_FIELDS' or GROUP_FIELDS' values
    value: str | bool


@dataclass(frozen=True)
class AllOf:
    terms: tuple


@dataclass(frozen=True)
class AnyOf:
    terms: tuple


# attribute (lower-cased, sub-attribute after a dot) -> the field a query compares
USER_FIELDS = {
    "id": "id",
    "username": "email",
    "externalid": "external_id",
    "displayname": "name",
    "active": "active",
    "emails": "email",  # emails are compared with the sign-in address
    "emails.value": "email",
}
GROUP_FIELDS = {
    "id": "id",
    "displayname": "name",
    "externalid": "external_id",
    "members": "member",
    "members.value": "member",
}
SUPPORTED = "filters compare with eq, joined by and or or: {}"
FILTERED = {
    USER_SCHEMA: "userName, externalId, emails (the sign-in address), displayName, active, id",
    GROUP_SCHEMA: "displayName, externalId, members, id",
}


def query_tree(scim_filter: ScimFilter | None, schema: str) -> Equals | AllOf | AnyOf | None:
    """The filter as the query tree, or None for no filter; InvalidFilterException for a filter
    the service does not answer (the RFC lets a provider support only some)."""
    if scim_filter is None:
        return None
    fields = USER_FIELDS if schema == USER_SCHEMA else GROUP_FIELDS
    return _node(scim_filter.ast, fields, schema)


def _node(node, fields: dict[str, str], schema: str):
    if isinstance(node, LogicalExpr):
        terms = tuple(_node(term, fields, schema) for term in node.terms)
        return AllOf(terms) if node.op == LogicalOperator.and_ else AnyOf(terms)
    if isinstance(node, ValuePath) and isinstance(node.val_filter, Comparison) and node.sub_attr is None:
        inner = node.val_filter
        if inner.attr_path.sub_attr is None and inner.attr_path.uri is None:
            return _equals(node.attr_path.attr, inner.attr_path.attr, node.attr_path.uri, inner, fields, schema)
    if isinstance(node, Comparison):
        attr_path = node.attr_path
        return _equals(attr_path.attr, attr_path.sub_attr, attr_path.uri, node, fields, schema)
    raise _unsupported(schema)


def _equals(attr: str, sub_attr: str | None, uri: str | None, comparison: Comparison, fields, schema) -> Equals:
    key = attr.lower() + (f".{sub_attr.lower()}" if sub_attr else "")
    if comparison.op != CompareOperator.eq or key not in fields or (uri and URN(uri) != URN(schema)):
        raise _unsupported(schema)
    if comparison.value is None or type(comparison.value) in (int, float):  # bool is not int here
        raise InvalidFilterException(detail=f"{attr} is compared with a string")
    return Equals(fields[key], comparison.value)


def _unsupported(schema: str) -> InvalidFilterException:
    return InvalidFilterException(detail=SUPPORTED.format(FILTERED[schema]))


ID_DIGITS = 18  # an id longer than this is no row's id (and would overflow a 64-bit integer)
MAX_START_INDEX = 2**31  # beyond any organisation's rows; keeps the offset inside the database's integers


def page_window(start_index: int | None, count: int | None) -> tuple[int, int]:
    """(offset, limit) of the page asked for: startIndex is 1-based (below 1 reads as 1), count is
    at most MAX_PAGE_SIZE (below 0 reads as 0), DEFAULT_PAGE_SIZE when not given."""
    offset = min(max(1, start_index or 1), MAX_START_INDEX) - 1  # past every row: an empty page, not an overflow
    limit = DEFAULT_PAGE_SIZE if count is None else min(max(0, count), MAX_PAGE_SIZE)
    return offset, limit


def loads(text: str) -> dict | None:
    """A profile's stored attributes; None for a person no client has written."""
    value = json.loads(text) if text else None
    return value if isinstance(value, dict) else None


def dumps(kept: dict) -> str:
    return json.dumps(kept, sort_keys=True, ensure_ascii=False)
