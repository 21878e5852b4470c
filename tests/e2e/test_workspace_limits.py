"""What one workspace may hold, and its lists a page at a time, through the HTTP API on SQLite and
PostgreSQL. The caps are raced with truly concurrent requests: on PostgreSQL (READ COMMITTED) two
creates at the cap minus one would both pass unless the workspace is held while counting."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from application.paging import DASHBOARDS
from application.ports.stores import Keyset, Page
from domain.dashboards import Dashboard
from domain.ids import new_id
from domain.limits import MAX_DASHBOARDS, MAX_MEMBERS, MAX_PENDING_CONNECTS
from domain.secrets import Secret
from domain.workspaces import Member, Role
from tests.http.client import ADMIN, Api, bearer

LIMIT_REACHED = "/problems/limit-reached"
WIDGET = {"kind": "neon_metrics", "settings": {"project_id": None}}


@pytest.fixture
def api(api_on_each_database: Api) -> Api:
    return api_on_each_database


async def _workspace_id(api: Api) -> str:
    async with api.container.uow().read() as stores:
        workspace = await stores.workspaces.first()
    assert workspace is not None
    return str(workspace.id)


async def _dashboards_stored(api: Api, count: int) -> None:
    """Arranged in one transaction: filling a workspace request by request takes too long."""
    workspace_id = await _workspace_id(api)
    async with api.container.uow().begin() as stores:
        for index in range(count):
            await stores.dashboards.add(Dashboard(new_id(), workspace_id, f"Board {index:03}"))


async def _admins(api: Api, count: int) -> list[dict[str, str]]:
    """Several admins' headers: one admin's requests queue on their own member row (every write
    checks its actor is still a member), so only different admins race each other for real."""
    workspace_id = await _workspace_id(api)
    tokens = [f"limits-admin-token-{index:04}-0123456789" for index in range(count)]
    async with api.container.uow().begin() as stores:
        for index, token in enumerate(tokens):
            fingerprint = Secret(token).fingerprint()
            admin = Member(new_id(), workspace_id, f"admin{index}@example.com", Role.ADMIN,
                           fingerprint, api.clock.now())  # fmt: skip
            await stores.members.add(admin)
    return [bearer(token) for token in tokens]


def _split(answers: list[httpx.Response], created: int = 201) -> tuple[int, int]:
    broken = [(a.status_code, a.text) for a in answers if a.status_code not in {created, 409}]
    assert not broken, broken
    refused = [a for a in answers if a.status_code == 409]
    for answer in refused:
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["type"] == LIMIT_REACHED, answer.text
    return len(answers) - len(refused), len(refused)


async def test_dashboards_stop_at_the_cap_even_when_created_at_once(api: Api) -> None:
    await _dashboards_stored(api, MAX_DASHBOARDS - 2)
    admins = await _admins(api, 8)
    creates = await asyncio.gather(*(
        api.client.post("/api/dashboards", json={"name": f"Late {i}"}, headers=admin)
        for i, admin in enumerate(admins)
    ))  # fmt: skip
    assert _split(list(creates)) == (2, 6)
    async with api.container.uow().read() as stores:
        assert await stores.dashboards.count(await _workspace_id(api)) == MAX_DASHBOARDS
    log = (await api.client.get("/api/audit-log?limit=200", headers=ADMIN)).json()["events"]
    assert [e["action"] for e in log].count("dashboard.created") == 2  # refusals change nothing

    board = (await api.client.get("/api/dashboards?limit=1", headers=ADMIN)).json()
    removed = await api.client.delete(f"/api/dashboards/{board['dashboards'][0]['id']}",
                                      headers=ADMIN)  # fmt: skip
    assert removed.status_code == 204
    again = await api.client.post("/api/dashboards", json={"name": "Room again"}, headers=ADMIN)
    assert again.status_code == 201, again.text


async def test_widgets_stop_at_the_cap_with_the_same_problem(api: Api) -> None:
    board = await api.client.post("/api/dashboards", json={"name": "Ops"}, headers=ADMIN)
    url = f"/api/dashboards/{board.json()['id']}/widgets"
    admins = await _admins(api, 5)
    adds = await asyncio.gather(*(api.client.post(url, json=WIDGET, headers=admins[i % 5])
                                  for i in range(55)))  # fmt: skip
    assert _split(list(adds)) == (50, 5)


async def test_members_stop_at_the_cap_even_when_added_at_once(api: Api) -> None:
    workspace_id = await _workspace_id(api)
    admins = await _admins(api, 8)
    async with api.container.uow().begin() as stores:
        present = await stores.members.count(workspace_id)
        for index in range(MAX_MEMBERS - 2 - present):
            email, fingerprint = f"m{index}@example.com", f"fp-{index}"
            member = Member(
                new_id(), workspace_id, email, Role.MEMBER, fingerprint, api.clock.now()
            )
            await stores.members.add(member)
    adds = await asyncio.gather(*(
        api.client.post("/api/members", json={"email": f"late{i}@example.com", "role": "member"},
                        headers=admin)
        for i, admin in enumerate(admins)
    ))  # fmt: skip
    assert _split(list(adds)) == (2, 6)
    async with api.container.uow().read() as stores:
        assert await stores.members.count(workspace_id) == MAX_MEMBERS


async def test_connects_in_progress_stop_at_the_cap_and_expired_ones_do_not_count(
    api: Api,
) -> None:
    start = "/api/integrations/neon/authorizations"
    admins = await _admins(api, 5)
    starts = await asyncio.gather(*(api.client.post(start, headers=admins[i % 5])
                                    for i in range(MAX_PENDING_CONNECTS + 5)))  # fmt: skip
    assert _split(list(starts)) == (MAX_PENDING_CONNECTS, 5)
    api.clock.advance(minutes=9)
    assert (await api.client.post(start, headers=ADMIN)).status_code == 409
    api.clock.advance(minutes=1, seconds=1)  # the first twenty expired: room again
    assert (await api.client.post(start, headers=ADMIN)).status_code == 201


async def test_every_dashboard_is_listed_once_in_order_across_pages(api: Api) -> None:
    await _dashboards_stored(api, 120)
    seen: list[str] = []
    pages, cursor = 0, None
    while True:
        query = "limit=50" + (f"&cursor={cursor}" if cursor else "")
        answer = await api.client.get(f"/api/dashboards?{query}", headers=ADMIN)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        seen += [d["name"] for d in body["dashboards"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [f"Board {index:03}" for index in range(120)]  # once each, in creation order
    first = (await api.client.get("/api/dashboards", headers=ADMIN)).json()
    assert len(first["dashboards"]) == 50 and first["next_cursor"] is not None  # default 50


async def test_a_page_boundary_survives_changes_between_pages(api: Api) -> None:
    ids = [(await api.client.post("/api/dashboards", json={"name": f"B{i}"}, headers=ADMIN)
            ).json()["id"] for i in range(5)]  # fmt: skip
    first = (await api.client.get("/api/dashboards?limit=2", headers=ADMIN)).json()
    assert [d["id"] for d in first["dashboards"]] == ids[:2]
    await api.client.delete(f"/api/dashboards/{ids[1]}", headers=ADMIN)  # the page's last one
    await api.client.delete(f"/api/dashboards/{ids[0]}", headers=ADMIN)
    rest = await api.client.get(f"/api/dashboards?limit=5&cursor={first['next_cursor']}",
                                headers=ADMIN)  # fmt: skip
    assert [d["id"] for d in rest.json()["dashboards"]] == ids[2:]
    assert rest.json()["next_cursor"] is None


async def test_members_and_the_audit_log_are_paged(api: Api) -> None:
    for index in range(4):
        api.clock.advance(seconds=1)
        person = {"email": f"p{index}@example.com", "role": "member"}
        added = await api.client.post("/api/members", json=person, headers=ADMIN)
        assert added.status_code == 201
    members: list[str] = []
    events: list[str] = []
    for path, key, into in (("members", "members", members), ("audit-log", "events", events)):
        cursor = None
        while True:
            query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
            body = (await api.client.get(f"/api/{path}?{query}", headers=ADMIN)).json()
            assert len(body[key]) <= 2
            into += [item["email"] if key == "members" else item["detail"]["email"]
                     for item in body[key]]  # fmt: skip
            cursor = body["next_cursor"]
            if cursor is None:
                break
    assert members[1:] == [f"p{i}@example.com" for i in range(4)]  # after the bootstrap admin
    assert events == [f"p{i}@example.com" for i in reversed(range(4))]  # newest first
    whole = (await api.client.get("/api/audit-log?limit=200", headers=ADMIN)).json()
    assert len(whole["events"]) == 4 and whole["next_cursor"] is None


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=101", "limit=x", "cursor=not-ours", "cursor=" + "A" * 300,
     "cursor=" + str(DASHBOARDS.listed(Page([], Keyset(1, "a"))).next_cursor)],
)  # fmt: skip
async def test_a_bad_limit_or_cursor_is_a_422(api: Api, query: str) -> None:
    for path in ("dashboards", "members"):
        answer = await api.client.get(f"/api/{path}?{query}", headers=ADMIN)
        if path == "dashboards" and query.startswith("cursor=WyJkYXNo"):
            assert answer.status_code == 200  # a dashboards cursor: refused only elsewhere
            continue
        assert answer.status_code == 422, (path, query, answer.text)
        assert answer.json()["type"] == "/problems/invalid-request"
    audit = await api.client.get(f"/api/audit-log?{query}", headers=ADMIN)
    assert audit.status_code == (200 if query == "limit=101" else 422), audit.text
    assert (await api.client.get("/api/audit-log?limit=201", headers=ADMIN)).status_code == 422
