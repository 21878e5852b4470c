"""The Neon Console port is read-only by construction: every operation is a GET on a pinned
allow-list, and each one exists in Neon's published OpenAPI document."""

from __future__ import annotations

import inspect

import httpx
import pytest

from adapters.outbound.neon_http.console import HttpxNeonConsole
from adapters.outbound.neon_http.read_only import ReadOnlyTransport, WriteRefused, allowed
from adapters.outbound.staging_fakes.console import StagingNeonConsole
from application.ports.neon import CONSOLE_OPERATIONS, NeonConsole
from bootstrap.settings import DEFAULT_SCOPES
from domain.scopes import READ_ONLY_SCOPES
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
    assert {(op.method, op.path) for op in CONSOLE_OPERATIONS.values()} == PINNED


def test_every_allowed_operation_is_a_get() -> None:
    assert {op.method for op in CONSOLE_OPERATIONS.values()} == {"GET"}


def test_every_allowed_operation_is_in_neons_published_document() -> None:
    paths = neon_spec()["paths"]
    for op in CONSOLE_OPERATIONS.values():
        assert op.path in paths, op.path
        operation = paths[op.path][op.method.lower()]
        assert operation["operationId"] == op.operation_id


def test_the_adapters_offer_nothing_more_than_the_port() -> None:
    assert _public_methods(StagingNeonConsole) == set(CONSOLE_OPERATIONS)
    assert _public_methods(HttpxNeonConsole) == set(CONSOLE_OPERATIONS)


def test_the_requested_scopes_are_read_only() -> None:
    assert set(DEFAULT_SCOPES.split()) <= set(READ_ONLY_SCOPES)
    for scope in READ_ONLY_SCOPES:
        assert not any(word in scope for word in ("create", "update", "delete", "permission"))


async def test_the_transport_refuses_anything_but_allowed_requests_before_sending() -> None:
    sent: list[str] = []

    async def record(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.host}{request.url.path}")
        return httpx.Response(200, json={})

    api, issuer = "https://console.neon.tech/api/v2", "https://oauth2.neon.tech/"
    transport = ReadOnlyTransport(httpx.MockTransport(record), api, issuer)
    refused = [
        *((method, f"{api}/projects/aged-salad-46255801") for method in
          ("POST", "PUT", "PATCH", "DELETE")),
        ("GET", f"{api}/projects/aged-salad-46255801/connection_uri"),  # a GET, not on the list
        ("GET", f"{api}/projects/a/../../api_keys"),
        ("POST", "https://console.neon.tech/api/v1/projects"),
        ("DELETE", "https://console.neon.tech/api//v2/projects/abc"),
        ("DELETE", "https://console.neon.tech/api/V2/projects/abc"),
        ("DELETE", "https://console.neon.tech./api/v2/projects/abc"),
        ("GET", "http://console.neon.tech/api/v2/users/me"),
        ("DELETE", f"{issuer}oauth2/token"),
        ("GET", "https://example.com/"),
    ]  # fmt: skip
    async with httpx.AsyncClient(transport=transport) as client:
        for method, url in refused:
            with pytest.raises(WriteRefused):
                await client.request(method, url)
        assert sent == []
        await client.get(f"{api}/projects/aged-salad-46255801/branches")
        await client.get(f"{api}/users/me")
        await client.get(f"{issuer}.well-known/openid-configuration")
        await client.post(f"{issuer}oauth2/token")
    assert sent == [
        "GET console.neon.tech/api/v2/projects/aged-salad-46255801/branches",
        "GET console.neon.tech/api/v2/users/me",
        "GET oauth2.neon.tech/.well-known/openid-configuration",
        "POST oauth2.neon.tech/oauth2/token",
    ]


async def test_dot_segments_are_refused_before_the_sockets_resolve_them() -> None:
    """aiohttp (live mode's sockets) resolves "." and ".." (%2e too) after this check: with the
    issuer and the API on one host, /oauth2/../api/... would leave as a POST to the API."""
    sent: list[str] = []

    async def record(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        return httpx.Response(200, json={})

    transport = ReadOnlyTransport(httpx.MockTransport(record), "https://neon.test/api/v2",
                                  "https://neon.test/")  # fmt: skip
    async with httpx.AsyncClient(transport=transport) as client:
        # (a literal ../ is resolved by httpx itself, before this check sees the path)
        for path in ("oauth2/%2e%2e/api/v2/projects/p1/branches", "oauth2/%2E%2E/revoke",
                     "oauth2/%2e/token", "api/v2/users/%2E/me"):  # fmt: skip
            with pytest.raises(WriteRefused):
                await client.post(f"https://neon.test/{path}")
    assert sent == []


def test_the_allow_list_matches_whole_paths_only() -> None:
    assert allowed("GET", "/projects/aged-salad-46255801")
    assert not allowed("GET", "/projects/aged-salad-46255801\n")
    assert not allowed("GET", "/projects/Aged/branches")
    assert not allowed("DELETE", "/projects/aged-salad-46255801")
