"""SCIM 2.0 (RFC 7643, 7644) for identity providers: /scim/v2/Users are the organisation's people,
/scim/v2/Groups its teams, with the discovery endpoints. Every request carries an organisation's
bearer token (a signed-in session never counts); a token sees only its organisation, and anything
else is a 404. Answers are application/scim+json; errors are SCIM Error resources.

The views parse the request with scim2-models, call one service or query of identity.scim, and
answer with the resource; the blueprint is exempt from CSRF (no browser sends these)."""

from __future__ import annotations

import functools
import logging

from flask import Blueprint, Response, current_app, request
from pydantic import BaseModel, ValidationError
from scim2_models import (
    Context,
    Error,
    ListResponse,
    NotFoundException,
    NotImplementedException,
    PatchOp,
    ResourceType,
    ResponseParameters,
    Schema,
    SCIMException,
    SearchRequest,
    UnauthorizedException,
)
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from literacy.identity import scim, scim_rules, scim_schema, tokens
from literacy.identity.scim_schema import GROUP_SCHEMA, POLICY, USER_SCHEMA, Group, UserResource
from literacy.platform import origin, transactions
from literacy.platform.access import allow
from literacy.web import catalogue

bp = Blueprint("scim", __name__, url_prefix="/scim/v2")
log = logging.getLogger(__name__)
MEDIA_TYPE = "application/scim+json"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
QUERY = ("filter", "startIndex", "count", "attributes", "excludedAttributes", "sortBy", "sortOrder")


def base_url() -> str:
    """The service's address as this request reached it (its scheme from the proxy, when trusted)."""
    return request.url_root.rstrip("/") + bp.url_prefix


def answer(payload: BaseModel, status: int = 200, context: Context = Context.RESOURCE_QUERY_RESPONSE, **extra):
    body = payload.model_dump_json(scim_ctx=context, response_parameters=extra.pop("parameters", None))
    return Response(body, status, mimetype=MEDIA_TYPE, headers=extra.pop("headers", None))


def failure(error: Error, headers: dict | None = None):
    transactions.finish(error.status or 400)  # rolls back whatever the request had written
    return answer(error, error.status or 400, headers=headers)


@bp.errorhandler(SCIMException)
def scim_error(error: SCIMException):
    return failure(error.to_error())


@bp.errorhandler(ValidationError)
def invalid(error: ValidationError):
    """A body or query that scim2-models refused: malformed JSON is invalidSyntax, a bad value
    invalidValue, a bad filter invalidFilter (the first problem is reported)."""
    return failure(Error.from_validation_errors(error)[0])


def http_error(error: HTTPException):
    """The app's HTML error pages, as SCIM Errors. Registered by status code: Flask prefers an
    app-wide handler for a code to a blueprint's handler for a class."""
    allowed = getattr(error, "valid_methods", None)
    headers = {"Allow": ", ".join(allowed)} if allowed else None  # RFC 9110: a 405 names the methods
    if error.code == 500:
        return failure(Error(status=500, detail="The request could not be finished; nothing was saved. Send it again."))
    return failure(Error(status=error.code, detail=error.description), headers)


for _code in (400, 403, 404, 405, 409, 413, 500):
    bp.register_error_handler(_code, http_error)
bp.register_error_handler(HTTPException, http_error)


def provisioning(view):
    """Authorise the request by its bearer token and pass the token's organisation to the view;
    the token is the actor of every audit entry the request writes."""

    @functools.wraps(view)
    def authorised(*args, **kwargs):
        token = tokens.authenticate(request.headers.get("Authorization", ""))
        if token is None:
            log.warning("scim: refused, no valid bearer token: path=%s", request.path)
            error = UnauthorizedException(detail="A valid bearer token of the organisation is required.").to_error()
            return failure(error, headers={"WWW-Authenticate": 'Bearer realm="scim"'})
        origin.actor.set(tokens.actor(token))
        return view(token.org_id, *args, **kwargs)

    return authorised


def body(model, context: Context):
    return model.model_validate_json(request.get_data(), scim_ctx=context, scim_policy=POLICY)


def search(model, values: dict) -> SearchRequest:
    return SearchRequest[model].model_validate(values, scim_ctx=Context.SEARCH_REQUEST, scim_policy=POLICY)


def query_values() -> dict:
    return {key: request.args[key] for key in QUERY if key in request.args}


def response_parameters(model) -> ResponseParameters:
    values = {key: request.args[key] for key in ("attributes", "excludedAttributes") if key in request.args}
    return ResponseParameters[model].model_validate(values)


# Discovery (RFC 7644 §4)


@bp.route("/ServiceProviderConfig")
@allow("scim")
@provisioning
def service_provider_config(org_id: int):
    return answer(scim_schema.service_provider_config(base_url()))


@bp.route("/ResourceTypes")
@allow("scim")
@provisioning
def resource_types(org_id: int):
    found = scim_schema.resource_types(base_url())
    return answer(ListResponse[ResourceType](total_results=len(found), start_index=1, resources=found))


@bp.route("/ResourceTypes/<type_id>")
@allow("scim")
@provisioning
def resource_type(org_id: int, type_id: str):
    for found in scim_schema.resource_types(base_url()):
        if found.id == type_id:
            return answer(found)
    raise NotFoundException(detail=f"no resource type {type_id!r}")


def _schemas() -> list[Schema]:
    return scim_schema.schemas(base_url(), list(catalogue().roles))


@bp.route("/Schemas")
@allow("scim")
@provisioning
def schemas(org_id: int):
    found = _schemas()
    return answer(ListResponse[Schema](total_results=len(found), start_index=1, resources=found))


@bp.route("/Schemas/<schema_id>")
@allow("scim")
@provisioning
def schema(org_id: int, schema_id: str):
    for found in _schemas():
        if str(found.id).lower() == schema_id.lower():
            return answer(found)
    raise NotFoundException(detail=f"no schema {schema_id!r}")


# People


def _user_list(org_id: int, query: SearchRequest):
    offset, limit = scim_rules.page_window(query.start_index, query.count)
    tree = scim_rules.query_tree(query.filter, USER_SCHEMA)
    total, found = scim.accounts(org_id, tree, offset, limit)
    resources = [scim_rules.user_resource(a, base_url()) for a in found]
    listed = ListResponse[UserResource](
        total_results=total, start_index=offset + 1, items_per_page=len(resources), resources=resources
    )
    return answer(listed, context=Context.SEARCH_RESPONSE, parameters=query)


@bp.route("/Users")
@allow("scim")
@provisioning
def users(org_id: int):
    """People, filtered (userName, externalId, emails, displayName, active, id with eq) and paged."""
    return _user_list(org_id, search(UserResource, query_values()))


@bp.route("/Users/.search", methods=["POST"])
@allow("scim")
@provisioning
def search_users(org_id: int):
    return _user_list(org_id, body(SearchRequest[UserResource], Context.SEARCH_REQUEST))


@bp.route("/Users", methods=["POST"])
@allow("scim")
@provisioning
def create_user(org_id: int):
    resource = body(UserResource, Context.RESOURCE_CREATION_REQUEST)
    created = scim_rules.user_resource(scim.create_person(org_id, resource, catalogue()), base_url())
    headers = {"Location": created.meta.location}
    return answer(created, 201, Context.RESOURCE_CREATION_RESPONSE, headers=headers)


@bp.route("/Users/<resource_id>")
@allow("scim")
@provisioning
def user(org_id: int, resource_id: str):
    found = scim.account(scim.person(org_id, resource_id))
    return answer(scim_rules.user_resource(found, base_url()), parameters=response_parameters(UserResource))


@bp.route("/Users/<resource_id>", methods=["PUT"])
@allow("scim")
@provisioning
def replace_user(org_id: int, resource_id: str):
    person = scim.person(org_id, resource_id)
    replacement = body(UserResource, Context.RESOURCE_REPLACEMENT_REQUEST)
    written = scim.replace_person(person, replacement, catalogue(), base_url())
    return answer(scim_rules.user_resource(written, base_url()), context=Context.RESOURCE_REPLACEMENT_RESPONSE)


@bp.route("/Users/<resource_id>", methods=["PATCH"])
@allow("scim")
@provisioning
def patch_user(org_id: int, resource_id: str):
    person = scim.person(org_id, resource_id)
    patch = body(PatchOp[UserResource], Context.RESOURCE_PATCH_REQUEST)
    written = scim.patch_person(person, patch, catalogue(), base_url())
    return answer(scim_rules.user_resource(written, base_url()), context=Context.RESOURCE_PATCH_RESPONSE)


@bp.route("/Users/<resource_id>", methods=["DELETE"])
@allow("scim")
@provisioning
def delete_user(org_id: int, resource_id: str):
    """Deprovision: the account is deactivated at once (its sessions end), its history kept."""
    scim.delete_person(scim.person(org_id, resource_id))
    return Response(status=204)


# Teams


def _group_list(org_id: int, query: SearchRequest):
    offset, limit = scim_rules.page_window(query.start_index, query.count)
    tree = scim_rules.query_tree(query.filter, GROUP_SCHEMA)
    total, found = scim.team_states(org_id, tree, offset, limit)
    resources = [scim_rules.group_resource(t, base_url()) for t in found]
    listed = ListResponse[Group](
        total_results=total, start_index=offset + 1, items_per_page=len(resources), resources=resources
    )
    return answer(listed, context=Context.SEARCH_RESPONSE, parameters=query)


@bp.route("/Groups")
@allow("scim")
@provisioning
def groups(org_id: int):
    """Teams, filtered (displayName, externalId, id, members with eq) and paged."""
    return _group_list(org_id, search(Group, query_values()))


@bp.route("/Groups/.search", methods=["POST"])
@allow("scim")
@provisioning
def search_groups(org_id: int):
    return _group_list(org_id, body(SearchRequest[Group], Context.SEARCH_REQUEST))


@bp.route("/Groups", methods=["POST"])
@allow("scim")
@provisioning
def create_group(org_id: int):
    created = scim.create_team(org_id, body(Group, Context.RESOURCE_CREATION_REQUEST), catalogue())
    resource = scim_rules.group_resource(created, base_url())
    return answer(resource, 201, Context.RESOURCE_CREATION_RESPONSE, headers={"Location": resource.meta.location})


@bp.route("/Groups/<resource_id>")
@allow("scim")
@provisioning
def group(org_id: int, resource_id: str):
    found = scim.team_state(scim.team(org_id, resource_id))
    return answer(scim_rules.group_resource(found, base_url()), parameters=response_parameters(Group))


@bp.route("/Groups/<resource_id>", methods=["PUT"])
@allow("scim")
@provisioning
def replace_group(org_id: int, resource_id: str):
    found = scim.team(org_id, resource_id)
    written = scim.replace_team(found, body(Group, Context.RESOURCE_REPLACEMENT_REQUEST), catalogue(), base_url())
    return answer(scim_rules.group_resource(written, base_url()), context=Context.RESOURCE_REPLACEMENT_RESPONSE)


@bp.route("/Groups/<resource_id>", methods=["PATCH"])
@allow("scim")
@provisioning
def patch_group(org_id: int, resource_id: str):
    found = scim.team(org_id, resource_id)
    written = scim.patch_team(found, body(PatchOp[Group], Context.RESOURCE_PATCH_REQUEST), catalogue(), base_url())
    return answer(scim_rules.group_resource(written, base_url()), context=Context.RESOURCE_PATCH_RESPONSE)


@bp.route("/Groups/<resource_id>", methods=["DELETE"])
@allow("scim")
@provisioning
def delete_group(org_id: int, resource_id: str):
    """Delete the team; its people stay in the organisation."""
    scim.delete_team(scim.team(org_id, resource_id))
    return Response(status=204)


@bp.route("/.search", methods=["POST"])
@allow("scim")
@provisioning
def search_everything(org_id: int):
    raise NotImplementedException(detail="search /Users/.search or /Groups/.search: one resource type at a time")


@bp.route("/<path:unknown>", methods=list(METHODS))
@allow("scim")
def unknown(unknown: str):
    """Anything else under /scim/v2 answers as SCIM: 405 for a known address and another method,
    404 otherwise (a SCIM Error either way, which clients parse; the app's pages are HTML)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = [method for method in METHODS if _endpoint(adapter, method) not in (None, "scim.unknown")]
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed, description=f"{request.method} is not allowed here")
    raise NotFound(description=f"nothing at {request.path}")


def _endpoint(adapter, method: str) -> str | None:
    try:
        return adapter.match(request.path, method=method)[0]
    except HTTPException:
        return None
