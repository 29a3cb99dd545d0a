"""SCIM over real HTTP (``make test-scim``): scim2-tester's compliance checks against the running
server, the refusals a client meets over the wire, and 1,000 people provisioned in one run."""

from __future__ import annotations

import time
import uuid
from collections import Counter

import httpx2
import pytest
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server
from scim2_tester import filling as tester_filling
from scim2_tester.checkers import patch_add, patch_replace

PASSED = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}
PEOPLE = 1000
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

# Checks that do not apply to this service, by (resource type, check, attribute), with the reason.
# Anything else that does not pass fails the test.
NOT_APPLICABLE = {
    ("User", "check_remove_attribute", "active"): (
        "every account is active or deactivated: unassigning active would leave that unsaid, so the"
        " service refuses it (400 invalidValue) and clients send active false to deactivate"
    ),
    ("User", "search_with_attributes", None): (
        "POST /.search across several resource types is optional (RFC 7644 §3.4.3): the service answers"
        " 501 and serves /Users/.search and /Groups/.search"
    ),
    ("Group", "search_with_attributes", None): (
        "POST /.search across several resource types is optional (RFC 7644 §3.4.3): the service answers"
        " 501 and serves /Users/.search and /Groups/.search"
    ),
}


@pytest.fixture
def email_user_names(monkeypatch):
    """The checker writes random UUIDs into every string; here userName is the email address the
    person signs in with (RFC 7643 §4.1.1 leaves its form to the service, which refuses anything
    else with invalidValue), so the checker's userNames are made addresses. Nothing else changes."""
    original = tester_filling.generate_random_value

    def generate(context, path, mutability=None, required=None):
        value = original(context, path, mutability, required)
        if str(path).split(":")[-1].lower() == "username" and isinstance(value, str):
            return f"{uuid.uuid4().hex}@checker.example"
        return value

    for module in (tester_filling, patch_add, patch_replace):
        monkeypatch.setattr(module, "generate_random_value", generate)


def client_for(server, secret: str | None = None) -> httpx2.Client:
    headers = {"Authorization": f"Bearer {secret or server.secret}", "Content-Type": "application/scim+json"}
    return httpx2.Client(base_url=server.base_url, headers=headers, timeout=30)


def test_scim2_tester_passes_every_check(server, email_user_names):
    results = check_server(SyncSCIMClient(client_for(server)))
    counts = Counter(result.status.name for result in results)
    print(f"\nscim2-tester: {len(results)} checks: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    failing = []
    for result in results:
        if result.status in PASSED:
            continue
        urn = result.data.get("urn") if isinstance(result.data, dict) else None
        reason = NOT_APPLICABLE.get((result.resource_type, result.title, urn))
        if reason:
            print(f"  not applicable: {result.resource_type} {result.title} {urn or ''}: {reason}")
        else:
            failing.append(f"{result.status.name} {result.resource_type} {result.title}: {result.reason}")
    assert not failing, "\n".join(failing)
    passed = [r for r in results if r.status in PASSED]
    assert len(passed) >= 75  # discovery did not stop the run early
    titles = {(r.resource_type, r.title) for r in passed}
    for resource_type in ("User", "Group"):
        for check in ("object_creation", "object_query", "object_replacement", "object_deletion"):
            assert (resource_type, check) in titles
        for check in ("check_add_attribute", "check_remove_attribute", "check_replace_attribute"):
            assert (resource_type, check) in titles


def test_refusals_over_http(server):
    with client_for(server) as acme, client_for(server, server.other_secret) as globex:
        person = acme.post("/Users", json={"schemas": [USER_SCHEMA], "userName": "wire@acme.example"}).json()
        assert globex.get(f"/Users/{person['id']}").status_code == 404
        assert globex.get("/Users", params={"filter": 'userName eq "wire@acme.example"'}).json()["totalResults"] == 0
        malformed = acme.post("/Users", content=b'{"userName": ')
        assert malformed.status_code == 400 and malformed.json()["scimType"] == "invalidSyntax"
        bad_filter = acme.get("/Users", params={"filter": "userName eq"})
        assert bad_filter.status_code == 400 and bad_filter.json()["scimType"] == "invalidFilter"
        assert httpx2.get(f"{server.base_url}/Users").status_code == 401
        assert acme.get("/Users", params={"filter": 'userName eq "WIRE@acme.example"'}).json()["totalResults"] == 1


def test_a_thousand_people_provisioned_in_one_run(server):
    names = [f"person{n:04d}@bulk.example" for n in range(PEOPLE)]
    with client_for(server) as acme:
        started = time.perf_counter()
        ids = []
        for n, email in enumerate(names):
            payload = {
                "schemas": [USER_SCHEMA],
                "userName": email,
                "name": {"givenName": "Person", "familyName": f"{n:04d}"},
                "emails": [{"value": email, "type": "work", "primary": True}],
                "externalId": f"bulk-{n}",
                "active": True,
            }
            response = acme.post("/Users", json=payload)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        created = time.perf_counter() - started
        team = acme.post("/Groups", json={"schemas": [GROUP_SCHEMA], "displayName": "Everyone in bulk"}).json()
        operation = {"op": "add", "path": "members", "value": [{"value": i} for i in ids]}
        joined = acme.patch(f"/Groups/{team['id']}", json={"schemas": [PATCH_SCHEMA], "Operations": [operation]})
        assert joined.status_code == 200 and len(joined.json()["members"]) == PEOPLE
        listed, start = [], 1
        while True:
            page = acme.get("/Users", params={"startIndex": start, "count": 200}).json()
            listed += [r["userName"] for r in page.get("Resources", [])]
            start += page["itemsPerPage"]
            if start > page["totalResults"] or not page["itemsPerPage"]:
                break
        took = time.perf_counter() - started
    assert set(names) <= set(listed)
    print(
        f"\n{PEOPLE} people provisioned over HTTP in {created:.1f} s ({PEOPLE / created:.0f} a second);"
        f" with one team of all of them and every page read back: {took:.1f} s"
    )
