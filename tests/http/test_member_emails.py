"""Member addresses: control characters are refused as invalid input (a NUL used to reach
PostgreSQL and come back as a 503), and a workspace's addresses are unique case-insensitively
(adding one again is a 409 conflict), on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.outbound.sql import migrate
from bootstrap.app import create_app
from tests.http.client import ADMIN, Api, serving
from tests.postgres import fresh_database
from tests.support import FakeClock, database_of, make_container


@pytest.fixture(params=["sqlite", "postgres"])
async def api(request: pytest.FixtureRequest, postgres_server: str) -> AsyncIterator[Api]:
    env = {}
    if request.param == "postgres":
        env["PRODUL_DATABASE_URL"] = await fresh_database(postgres_server)
    clock = FakeClock()
    container = make_container(clock, **env)
    await migrate.upgrade(database_of(container))
    async with serving(create_app(container)) as client:
        yield Api(client, container, clock)


async def _add(api: Api, email: str) -> tuple[int, dict[str, object]]:
    response = await api.client.post(
        "/api/members", json={"email": email, "role": "member"}, headers=ADMIN
    )
    return response.status_code, response.json()


@pytest.mark.parametrize(
    "email",
    ["bob\x00@example.com", "bob@exa\x00mple.com", "\x1b[31mbob@example.com", "bob@example.com\x7f",
     "bo\u200bb@example.com"],  # NUL, ESC (a terminal colour), DEL, a zero-width space
)  # fmt: skip
async def test_an_email_with_a_control_character_is_invalid_input(api: Api, email: str) -> None:
    status, body = await _add(api, email)
    assert (status, body["type"]) == (422, "/problems/invalid-request"), body
    members = (await api.client.get("/api/members", headers=ADMIN)).json()["members"]
    assert all("bob" not in m["email"] for m in members)


async def test_an_address_already_in_the_workspace_is_a_conflict_whatever_its_case(
    api: Api,
) -> None:
    assert (await _add(api, "Bob@Example.com"))[0] == 201
    status, body = await _add(api, "  bob@EXAMPLE.com ")
    assert (status, body["type"]) == (409, "/problems/conflict"), body
    assert body["detail"] == "A member of this workspace already has this email address."
    members = (await api.client.get("/api/members", headers=ADMIN)).json()["members"]
    assert [m["email"] for m in members].count("Bob@Example.com") == 1
    assert len(members) == 2  # the bootstrap admin and Bob, once
