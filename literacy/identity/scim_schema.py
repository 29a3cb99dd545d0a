"""What the SCIM 2.0 service serves, as scim2-models resources: the User and Group resources with
only the attributes the platform keeps, the extension for the marketing role and external people,
and the discovery documents (RFC 7643 §5-7). Pure: plain models, no Flask, no database.

Publishing only what is kept matters: clients (and compliance checkers) read /Schemas to learn what
they may write and expect to read back, so an attribute listed here is one the service stores."""

from typing import Annotated, Any

from pydantic import EmailStr, Field
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    ETag,
    ExtensibleStringEnum,
    Extension,
    Filter,
    Meta,
    Mutability,
    Pagination,
    Patch,
    Reference,
    Required,
    Resource,
    ResourceType,
    Schema,
    ScimPolicy,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
EXTENSION_SCHEMA = "urn:ietf:params:scim:schemas:extension:literacy:2.0:User"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 200

# How much a client may depart from the RFCs. Identity providers send attributes this service does
# not keep (titles, phone numbers, the enterprise extension): they are dropped, not refused, so an
# untouched default attribute mapping provisions people. Microsoft Entra ID removes members with a
# value instead of a path filter, and replaces emails[type eq "work"].value before any email exists.
POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)


class Name(ComplexAttribute):
    formatted: str | None = None
    """The full name, as it is shown."""

    family_name: str | None = None
    """The family name."""

    given_name: str | None = None
    """The given name."""


class Email(ComplexAttribute):
    class Type(ExtensibleStringEnum):
        work = "work"
        home = "home"
        other = "other"

    value: EmailStr | None = None
    """An email address of the person (the sign-in address is the userName)."""

    type: Type | None = None
    """What the address is for: work, home or other."""

    primary: bool | None = None
    """Whether this is the person's primary address."""


class GroupMembership(ComplexAttribute):
    value: Annotated[str | None, Mutability.read_only, CaseExact.true] = None
    """The id of a team (a SCIM Group) the person is in."""

    ref: Annotated[Reference["Group"] | None, Mutability.read_only] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    """The team's address."""

    display: Annotated[str | None, Mutability.read_only] = None
    """The team's name."""


class User(Resource[Any]):
    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    """The email address the person signs in with; unique, compared without case."""

    name: Name | None = None
    """The components of the person's name."""

    display_name: str | None = None
    """The person's name as the platform shows it."""

    active: bool | None = None
    """False: the account is deactivated, its sessions ended; its history is kept."""

    emails: list[Email] | None = None
    """Email addresses, kept as sent."""

    groups: Annotated[list[GroupMembership] | None, Mutability.read_only] = None
    """The teams the person is in; changed through the Group resources."""


class Literacy(Extension):
    __schema__ = URN(EXTENSION_SCHEMA)

    role: str | None = None
    """The person's marketing role: one of the taxonomy's role ids."""

    external: bool | None = None
    """True for someone of an agency, contractor or partner rather than staff."""

    agency: str | None = None
    """The firm of an external person (needed when external is true; kept but unused for staff)."""


class Member(ComplexAttribute):
    value: Annotated[str | None, Mutability.immutable, CaseExact.true] = None
    """The id of a person (a SCIM User) in the team."""

    ref: Annotated[Reference["User"] | None, Mutability.immutable] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    """The person's address."""

    type: Annotated[str | None, Mutability.immutable] = Field(None, examples=["User"])
    """Always User: teams hold people, not other teams."""


class Group(Resource[Any]):
    __schema__ = URN(GROUP_SCHEMA)

    display_name: Annotated[str | None, Required.true] = None
    """The team's name, unique in the organisation."""

    members: list[Member] | None = None
    """The people in the team."""


UserResource = User[Literacy]
NAMES = {
    USER_SCHEMA: ("User", "A person: an account of the organisation"),
    EXTENSION_SCHEMA: ("Literacy user", "The person's marketing role, and whether they are external"),
    GROUP_SCHEMA: ("Group", "A team of the organisation"),
}


def resource_types(base_url: str) -> list[ResourceType]:
    """/ResourceTypes: people (with the extension) and teams."""
    found = []
    for model, description in ((UserResource, "People"), (Group, "Teams")):
        resource_type = ResourceType.from_resource(model)
        resource_type.description = description
        resource_type.meta = Meta(resource_type="ResourceType", location=f"{base_url}/ResourceTypes/{resource_type.id}")
        found.append(resource_type)
    return found


def schemas(base_url: str, roles: list[str]) -> list[Schema]:
    """/Schemas: the served resources, the extension (its role attribute lists the taxonomy's
    roles as canonical values) and the three schemas RFC 7643 §7 describes the service with."""
    found = []
    for model in (User, Literacy, Group, ServiceProviderConfig, ResourceType, Schema):
        schema = model.to_schema()
        schema.name, schema.description = NAMES.get(str(schema.id), (model.__name__, model.__name__))
        schema.meta = Meta(resource_type="Schema", location=f"{base_url}/Schemas/{schema.id}")
        if str(schema.id) == EXTENSION_SCHEMA:
            for attribute in schema.attributes or []:
                if attribute.name == "role":
                    attribute.canonical_values = list(roles)
        found.append(schema)
    return found


def service_provider_config(base_url: str, documentation: str | None = None) -> ServiceProviderConfig:
    """/ServiceProviderConfig: PATCH and filters (eq, joined by and or or), index paging; no bulk,
    sorting, ETags or password changes. One bearer token per organisation."""
    return ServiceProviderConfig(
        documentation_uri=documentation,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_PAGE_SIZE),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        pagination=Pagination(
            cursor=False,
            index=True,
            default_pagination_method=Pagination.DefaultPaginationMethod.index,
            default_page_size=DEFAULT_PAGE_SIZE,
            max_page_size=MAX_PAGE_SIZE,
        ),
        authentication_schemes=[
            AuthenticationScheme(
                type=AuthenticationScheme.Type.oauthbearertoken,
                name="Bearer token",
                description="A token of the organisation, created by an admin on the SCIM page or with"
                " 'flask scim token create'",
                primary=True,
            )
        ],
        meta=Meta(resource_type="ServiceProviderConfig", location=f"{base_url}/ServiceProviderConfig"),
    )
