"""The Neon Console port is read-only by construction: every operation is a GET on a pinned
allow-list, and each one exists in Neon's published OpenAPI document."""

from __future__ import annotations

import inspect

import httpx
import pytest

from adapters.outbound.neon_http.console import HttpxNeonConsole
from adapters.outbound.neon_http.read_only import ReadOnlyTransport, WriteRefused, allowed
from adapters.outbound.staging.console import FakeNeonConsole
from application.ports.neon import CONSOLE_OPERATIONS, NeonConsole
from bootstrap.settings import DEFAULT_SCOPES, READ_ONLY_SCOPES
from tests.contract.neon_spec import neon_spec

PINNED = {
    ("GET", "/users/me"),
    ("GET", "/users/me/organizations"),
    ("GET", "/projects"),
    ("GET", "/projects/shared"),
    ("GET", "/projects/{project_id}"),
    ("GET", "/projects/{project_id}/branches"),
}


def _public_methods(cls: type) -> set[str]:
    return {
        name for name, _ in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")
    }


def test_the_port_offers_exactly_the_allow_listed_operations() -> None:
    assert _public_methods(NeonConsole) == set(CONSOLE_OPERATIONS)
    assert {(method, path) for method, path, _ in CONSOLE_OPERATIONS.values()} == PINNED


def test_every_allowed_operation_is_a_get() -> None:
    assert {method for method, _, _ in CONSOLE_OPERATIONS.values()} == {"GET"}


def test_every_allowed_operation_is_in_neons_published_document() -> None:
    paths = neon_spec()["paths"]
    for method, path, operation_id in CONSOLE_OPERATIONS.values():
        assert path in paths, path
        operation = paths[path][method.lower()]
        assert operation["operationId"] == operation_id


def test_the_adapters_offer_nothing_more_than_the_port() -> None:
    assert _public_methods(FakeNeonConsole) == set(CONSOLE_OPERATIONS)
    assert _public_methods(HttpxNeonConsole) == set(CONSOLE_OPERATIONS)


def test_the_requested_scopes_are_read_only() -> None:
    assert set(DEFAULT_SCOPES.split()) <= READ_ONLY_SCOPES
    for scope in READ_ONLY_SCOPES:
        assert not any(word in scope for word in ("create", "update", "delete", "permission"))


async def test_the_transport_refuses_writes_before_anything_is_sent() -> None:
    sent: list[str] = []

    async def record(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path}")
        return httpx.Response(200, json={})

    api = "https://console.neon.tech/api/v2"
    transport = ReadOnlyTransport(httpx.MockTransport(record), api)
    async with httpx.AsyncClient(transport=transport) as client:
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            with pytest.raises(WriteRefused):
                await client.request(method, f"{api}/projects/aged-salad-46255801")
        with pytest.raises(WriteRefused):  # a GET, but not one on the allow-list
            await client.get(f"{api}/projects/aged-salad-46255801/connection_uri")
        with pytest.raises(WriteRefused):
            await client.get(f"{api}/projects/a/../../api_keys")
        assert sent == []
        await client.get(f"{api}/projects/aged-salad-46255801/branches")
        await client.get(f"{api}/users/me")
        await client.post("https://oauth2.neon.tech/oauth2/token")  # not the Console API
    assert sent == [
        "GET /api/v2/projects/aged-salad-46255801/branches",
        "GET /api/v2/users/me",
        "POST /oauth2/token",
    ]


def test_the_allow_list_matches_whole_paths_only() -> None:
    assert allowed("GET", "/projects/aged-salad-46255801")
    assert not allowed("GET", "/projects/aged-salad-46255801\n")
    assert not allowed("GET", "/projects/Aged/branches")
    assert not allowed("DELETE", "/projects/aged-salad-46255801")
