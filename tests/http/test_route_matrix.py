"""Every /api route × {no token, bad token, member on an admin route, another workspace's id,
malformed input}, generated from the app's own route table: a new route without its cases
fails here until its inputs are described below."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.routes import HTTPRoute

from application.permissions import declaration
from bootstrap.app import create_app
from tests.http.client import ADMIN, Api, bearer
from tests.support import admin_of_another_workspace, make_container

# A valid body for every route that takes one (the member and foreign-id cases send it).
BODIES: dict[str, dict[str, Any]] = {
    "selectNeonProject": {"project_id": "aged-salad-46255801"},
    "createDashboard": {"name": "Ops"},
    "renameDashboard": {"name": "Ops 2"},
    "addWidget": {"kind": "neon_metrics"},
    "configureWidget": {"settings": {"project_id": None}},
    "addMember": {"email": "new@example.com", "role": "member"},
}
# Malformed input for routes without a body or path id.
BAD_QUERIES = {"listNeonProjects": "?limit=0"}
NO_INPUT = {"listIntegrations", "getNeonIntegration", "startNeonAuthorization", "disconnectNeon",
            "listWidgetLibrary", "listDashboards", "listMembers", "readAuditLog"}  # fmt: skip


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    operation_id: str
    role: str
    path_params: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _endpoints() -> list[Endpoint]:
    app = create_app(make_container())
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api"):
            continue
        for method, (handler, _) in route.route_handler_map.items():
            if method in {"OPTIONS", "HEAD"}:
                continue
            declared = declaration(handler.opt.get("use_case", object))
            role = declared.audience.value if declared else "none"
            params = tuple(route.path_parameters)
            found.append(Endpoint(method, route.path, str(handler.operation_id), role, params))
    return sorted(found, key=str)


ENDPOINTS = _endpoints()


def test_the_table_covers_every_route() -> None:
    assert len(ENDPOINTS) >= 20
    for endpoint in ENDPOINTS:
        assert endpoint.role in {"member", "admin"}, f"{endpoint} declares no role"
        described = (
            endpoint.operation_id in BODIES
            or endpoint.operation_id in BAD_QUERIES
            or endpoint.operation_id in NO_INPUT
            or endpoint.path_params
        )
        assert described, f"{endpoint}: say how to send it malformed input"


async def _ids(api: Api, headers: dict[str, str]) -> dict[str, str]:
    board = (await api.client.post("/api/dashboards", json={"name": "B"}, headers=headers)).json()
    widget = await api.client.post(
        f"/api/dashboards/{board['id']}/widgets", json={"kind": "neon_metrics"}, headers=headers
    )
    member = await api.client.post(
        "/api/members", json={"email": "x@example.com", "role": "member"}, headers=headers
    )
    return {"dashboard_id": board["id"], "widget_id": widget.json()["id"],
            "member_id": member.json()["id"]}  # fmt: skip


async def _call(
    api: Api, endpoint: Endpoint, headers: dict[str, str], ids: dict[str, str], body: Any = None
) -> Any:
    path = re.sub(r"\{(\w+)(:\w+)?\}", lambda m: ids[m.group(1)], endpoint.path)
    if body is None:
        body = BODIES.get(endpoint.operation_id)
    kwargs: dict[str, Any] = {"headers": headers}
    if isinstance(body, bytes):
        kwargs["content"] = body
        kwargs["headers"] = {**headers, "content-type": "application/json"}
    elif body is not None:
        kwargs["json"] = body
    return await api.client.request(endpoint.method, path, **kwargs)


def _assert_problem(response: Any, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith(f"/{slug}") and body["status"] == status
    assert {"title", "detail", "action"} <= body.keys()


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
async def test_no_token_or_a_bad_one_is_unauthenticated(api: Api, endpoint: Endpoint) -> None:
    ids = await _ids(api, ADMIN)
    for headers in ({}, bearer("not-a-member-token"), {"Authorization": "Basic YTpi"}):
        _assert_problem(await _call(api, endpoint, headers, ids), 401, "unauthenticated")


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.role == "admin"], ids=str)
async def test_a_member_on_an_admin_route_is_forbidden(api: Api, endpoint: Endpoint) -> None:
    ids = await _ids(api, ADMIN)
    added = await api.client.post(
        "/api/members", json={"email": "m@example.com", "role": "member"}, headers=ADMIN
    )
    member = bearer(added.json()["token"])
    _assert_problem(await _call(api, endpoint, member, ids), 403, "forbidden")
    _assert_problem(await _call(api, endpoint, member, ids, b"{not json"), 403, "forbidden")


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.path_params], ids=str)
async def test_another_workspaces_ids_do_not_exist(api: Api, endpoint: Endpoint) -> None:
    stranger = await admin_of_another_workspace(api.container)
    their_token = "other-admin-token-0123456"
    assert stranger.token_fingerprint
    their_ids = await _ids(api, bearer(their_token))
    _assert_problem(await _call(api, endpoint, ADMIN, their_ids), 404, "not-found")
    # ...and nothing of theirs changed.
    board = await api.client.get(
        f"/api/dashboards/{their_ids['dashboard_id']}", headers=bearer(their_token)
    )
    assert board.status_code == 200 and len(board.json()["widgets"]) == 1


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e.operation_id not in NO_INPUT],
                         ids=str)  # fmt: skip
async def test_malformed_input_is_an_invalid_request(api: Api, endpoint: Endpoint) -> None:
    ids = await _ids(api, ADMIN)
    if endpoint.operation_id in BODIES:
        for bad in (b"{not json", b"[]", b'{"unexpected": 1}', b'{"name": 5, "project_id": 5}'):
            _assert_problem(await _call(api, endpoint, ADMIN, ids, bad), 422, "invalid-request")
    if endpoint.operation_id in BAD_QUERIES:
        response = await api.client.request(
            endpoint.method, endpoint.path + BAD_QUERIES[endpoint.operation_id], headers=ADMIN
        )
        _assert_problem(response, 422, "invalid-request")
    if endpoint.path_params:
        malformed = dict.fromkeys(ids, "not-a-uuid")
        _assert_problem(await _call(api, endpoint, ADMIN, malformed), 422, "invalid-request")
    after = (await api.client.get(f"/api/dashboards/{ids['dashboard_id']}", headers=ADMIN)).json()
    assert after["name"] == "B" and len(after["widgets"]) == 1  # nothing half-written
