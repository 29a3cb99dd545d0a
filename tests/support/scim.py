"""SCIM provisioning for tests: tokens, a client that sends an organisation's bearer token, and the
payloads identity providers send."""

from __future__ import annotations

import json

from flask import Flask

from literacy.identity import tokens
from literacy.identity.scim_schema import EXTENSION_SCHEMA, GROUP_SCHEMA, USER_SCHEMA

from . import make

PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
MEDIA_TYPE = "application/scim+json"


def token(app: Flask, org_id: int, label: str = "Entra ID") -> str:
    """A new token of the organisation; its secret."""
    with make.saved(app):
        return tokens.create(org_id, label, created_by="")[1]


class Scim:
    """A Flask test client speaking SCIM with one token (``secret=None``: no Authorization header)."""

    def __init__(self, app: Flask, secret: str | None):
        self.client = app.test_client()
        self.secret = secret

    def headers(self) -> dict:
        return {"Content-Type": MEDIA_TYPE, **({"Authorization": f"Bearer {self.secret}"} if self.secret else {})}

    def get(self, path: str, **params):
        return self.client.get(f"/scim/v2{path}", headers=self.headers(), query_string=params)

    def send(self, method: str, path: str, payload=None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(payload) if payload is not None else None)
        return self.client.open(f"/scim/v2{path}", method=method, headers=self.headers(), data=data)

    def post(self, path: str, payload=None, raw: bytes | None = None):
        return self.send("POST", path, payload, raw)

    def put(self, path: str, payload):
        return self.send("PUT", path, payload)

    def patch(self, path: str, *operations: dict):
        return self.send("PATCH", path, {"schemas": [PATCH_SCHEMA], "Operations": list(operations)})

    def delete(self, path: str):
        return self.send("DELETE", path)


def user(email: str, *, given: str = "Ann", family: str = "Lee", active: bool = True, **extension) -> dict:
    """A User as Okta sends it; ``extension`` fills the literacy extension (role, external, agency)."""
    payload = {
        "schemas": [USER_SCHEMA],
        "userName": email,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"value": email.lower(), "type": "work", "primary": True}],
        "active": active,
    }
    if extension:
        payload["schemas"].append(EXTENSION_SCHEMA)
        payload[EXTENSION_SCHEMA] = extension
    return payload


def group(name: str, *member_ids) -> dict:
    payload = {"schemas": [GROUP_SCHEMA], "displayName": name}
    if member_ids:
        payload["members"] = [{"value": str(i)} for i in member_ids]
    return payload
