"""Writes that race each other through the HTTP API, with truly concurrent requests, on SQLite and
on PostgreSQL: widgets added at once, a dashboard deleted or renamed while it is changed, two
admins revoking each other, and an admin revoked while the connect they started is pending."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from dependency_injector import providers
from sqlalchemy import text

from adapters.inbound.http.binding_cookie import BINDING_COOKIE
from application.ports.stores import Stores, UnitOfWork
from application.revoke_member import RevokeMember
from tests.http.client import ADMIN, Api, bearer, relative
from tests.support import ADMIN_TOKEN, database_of

PROBLEM = "application/problem+json"
WIDGET = {"kind": "neon_metrics", "settings": {"project_id": None}}


@pytest.fixture
def api(api_on_each_database: Api) -> Api:
    return api_on_each_database


async def _board(api: Api, name: str = "Ops") -> str:
    created = await api.client.post("/api/dashboards", json={"name": name}, headers=ADMIN)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def _stored_widget_ids(api: Api, board_id: str | None = None) -> set[str]:
    query, params = "SELECT id FROM widgets", {}
    if board_id is not None:
        query, params = query + " WHERE dashboard_id = :board", {"board": board_id}
    async with database_of(api.container).transaction(write=False) as tx:
        return {str(row[0]) for row in (await tx.execute(text(query), params)).all()}


def _no_500(responses: list[httpx.Response]) -> None:
    broken = [(r.request.method, r.request.url.path, r.status_code, r.text) for r in responses
              if r.status_code >= 500]  # fmt: skip
    assert not broken, broken


async def test_twenty_widgets_added_at_once_are_all_kept(api: Api) -> None:
    board_id = await _board(api)
    adds = await asyncio.gather(*(
        api.client.post(f"/api/dashboards/{board_id}/widgets", json=WIDGET, headers=ADMIN)
        for _ in range(20)
    ))  # fmt: skip
    _no_500(adds)
    assert [a.status_code for a in adds] == [201] * 20, [a.text for a in adds if a.is_error]
    answered = {a.json()["id"] for a in adds}
    assert len(answered) == 20

    board = await api.client.get(f"/api/dashboards/{board_id}", headers=ADMIN)
    assert board.status_code == 200
    shown = [w["id"] for w in board.json()["widgets"]]
    assert len(shown) == 20 and set(shown) == answered
    assert await _stored_widget_ids(api, board_id) == answered


@pytest.mark.parametrize("delete_at", [0, 5, 10])
async def test_a_dashboard_deleted_while_widgets_are_added_leaves_nothing_behind(
    api: Api, delete_at: int
) -> None:
    board_id = await _board(api)
    kept_elsewhere = await _board(api, "Elsewhere")
    other = await api.client.post(
        f"/api/dashboards/{kept_elsewhere}/widgets", json=WIDGET, headers=ADMIN
    )
    adds: list[Any] = [
        api.client.post(f"/api/dashboards/{board_id}/widgets", json=WIDGET, headers=ADMIN)
        for _ in range(10)
    ]
    adds.insert(delete_at, api.client.delete(f"/api/dashboards/{board_id}", headers=ADMIN))
    answers: list[httpx.Response] = list(await asyncio.gather(*adds))
    _no_500(answers)
    deleted = answers.pop(delete_at)
    assert deleted.status_code == 204, deleted.text
    assert {a.status_code for a in answers} <= {201, 404}, [a.text for a in answers]
    for refused in (a for a in answers if a.status_code == 404):
        assert refused.headers["content-type"].startswith(PROBLEM)

    assert (await api.client.get(f"/api/dashboards/{board_id}", headers=ADMIN)).status_code == 404
    listed = (await api.client.get("/api/dashboards", headers=ADMIN)).json()["dashboards"]
    assert [d["id"] for d in listed] == [kept_elsewhere]
    answered_201 = {a.json()["id"] for a in answers if a.status_code == 201}
    assert await _stored_widget_ids(api) == {other.json()["id"]}  # no 201'd widget lingers

    log = (await api.client.get("/api/audit-log", headers=ADMIN)).json()["events"]
    added = {e["detail"]["widget_id"] for e in log if e["action"] == "widget.added"
             and e["detail"]["dashboard_id"] == board_id}  # fmt: skip
    assert added == answered_201  # an add is audited exactly when it answered 201
    assert [e["action"] for e in log].count("dashboard.deleted") == 1


async def test_a_dashboard_renamed_while_deleted_ends_gone(api: Api) -> None:
    for round_ in range(3):
        board_id = await _board(api, f"Round {round_}")
        one = f"/api/dashboards/{board_id}"
        calls: list[Any] = [
            api.client.patch(one, json={"name": f"Renamed {i}"}, headers=ADMIN) for i in range(6)
        ]
        calls.insert(round_ * 3, api.client.delete(one, headers=ADMIN))
        calls.append(api.client.post(one + "/widgets", json=WIDGET, headers=ADMIN))
        answers: list[httpx.Response] = list(await asyncio.gather(*calls))
        _no_500(answers)
        assert {a.status_code for a in answers} <= {200, 201, 204, 404, 409}, [
            (a.status_code, a.text) for a in answers
        ]
        assert [a.status_code for a in answers].count(204) == 1
        assert (await api.client.get(one, headers=ADMIN)).status_code == 404
        assert (await api.client.delete(one, headers=ADMIN)).status_code == 404
        assert await _stored_widget_ids(api, board_id) == set()
    assert (await api.client.get("/api/dashboards", headers=ADMIN)).json()["dashboards"] == []


async def _admins(api: Api, token: str) -> list[dict[str, str]]:
    listed = await api.client.get("/api/members", headers=bearer(token))
    assert listed.status_code == 200, listed.text
    return [m for m in listed.json()["members"] if m["role"] == "admin"]


async def _new_admin(api: Api, token: str, email: str) -> tuple[str, str]:
    added = await api.client.post(
        "/api/members", json={"email": email, "role": "admin"}, headers=bearer(token)
    )
    assert added.status_code == 201, added.text
    return str(added.json()["id"]), str(added.json()["token"])


async def test_two_admins_revoking_each_other_leave_exactly_one(api: Api) -> None:
    survivor_token = ADMIN_TOKEN
    outcomes: list[tuple[int, int]] = []
    for round_ in range(5):
        (survivor,) = await _admins(api, survivor_token)  # exactly two admins duel
        newcomer_id, newcomer_token = await _new_admin(api, survivor_token, f"duel{round_}@x.io")
        by_survivor, by_newcomer = await asyncio.gather(
            api.client.delete(f"/api/members/{newcomer_id}", headers=bearer(survivor_token)),
            api.client.delete(f"/api/members/{survivor['id']}", headers=bearer(newcomer_token)),
        )
        _no_500([by_survivor, by_newcomer])
        codes = (by_survivor.status_code, by_newcomer.status_code)
        outcomes.append(codes)
        assert codes.count(204) == 1, (round_, codes, by_survivor.text, by_newcomer.text)
        loser = by_newcomer if by_survivor.status_code == 204 else by_survivor
        assert loser.status_code in (401, 403, 409), (round_, loser.status_code, loser.text)
        assert loser.headers["content-type"].startswith(PROBLEM)
        if loser.status_code == 409:
            assert loser.json()["type"] == "/problems/conflict"
        if by_survivor.status_code == 204:
            revoked_id, revoked_token = newcomer_id, newcomer_token
        else:
            revoked_id, revoked_token = survivor["id"], survivor_token
            survivor_token = newcomer_token
        admins = await _admins(api, survivor_token)
        assert len(admins) == 1 and admins[0]["id"] != revoked_id, admins
        gone = await api.client.get("/api/members", headers=bearer(revoked_token))
        assert gone.status_code == 401, gone.text
    log = (await api.client.get("/api/audit-log", headers=bearer(survivor_token))).json()
    revoked = [e for e in log["events"] if e["action"] == "member.revoked"]
    assert len(revoked) == 5, outcomes


def _cookie_of(response: httpx.Response) -> str:
    header = response.headers["set-cookie"]
    assert f"{BINDING_COOKIE}=" in header and "Path=/integrations/neon/callback" in header
    return header.split(f"{BINDING_COOKIE}=", 1)[1].split(";", 1)[0].strip('"')


async def _start_as(api: Api, token: str) -> tuple[str, str]:
    """Connect Neon started by the admin with ``token``, approved on Neon's page: the callback
    URL and the binding cookie of that admin's browser (not kept in the shared cookie jar)."""
    started = await api.client.post("/api/integrations/neon/authorizations", headers=bearer(token))
    assert started.status_code == 201, started.text
    binding = _cookie_of(started)
    api.client.cookies.clear()
    callback_url = await api.consent(started.json()["authorization_url"])
    assert urlsplit(callback_url).path == "/integrations/neon/callback"
    return callback_url, binding


async def _callback_with(api: Api, callback_url: str, binding: str) -> httpx.Response:
    done = await api.client.get(
        relative(callback_url), headers={"Cookie": f"{BINDING_COOKIE}={binding}"}
    )
    assert done.status_code == 303, done.text
    return done


def _outcome(done: httpx.Response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(done.headers["location"]).query).items()}


async def _assert_nothing_connected_and_revocation_audited(api: Api, member_id: str) -> None:
    status = (await api.client.get("/api/integrations/neon", headers=ADMIN)).json()
    assert status["status"] == "disconnected", status
    async with database_of(api.container).transaction(write=False) as tx:
        assert (await tx.execute(text("SELECT count(*) FROM connections"))).scalar_one() == 0
    log = (await api.client.get("/api/audit-log", headers=ADMIN)).json()["events"]
    actions = [e["action"] for e in log]
    assert "neon.connected" not in actions, log
    revoked = [e for e in log if e["action"] == "member.revoked"]
    assert [e["detail"]["member_id"] for e in revoked] == [member_id], log


async def test_an_admin_revoked_while_their_connect_is_pending_connects_nothing(api: Api) -> None:
    b_id, b_token = await _new_admin(api, ADMIN_TOKEN, "b@example.com")
    callback_url, binding = await _start_as(api, b_token)
    revoked = await api.client.delete(f"/api/members/{b_id}", headers=ADMIN)
    assert revoked.status_code == 204, revoked.text

    done = await _callback_with(api, callback_url, binding)
    outcome = _outcome(done)
    assert outcome["neon"] == "error" and outcome["reason"] in ("state_invalid", "not_an_admin")
    oauth = api.container.standin().oauth.counters
    if outcome["reason"] == "state_invalid":
        assert oauth.code_exchanges == 0  # the connect ended with the admin: no code exchanged
    await _assert_nothing_connected_and_revocation_audited(api, b_id)


class _RevokeDuringAccountRead:
    """The Console port, except that reading the new account (after the code was exchanged,
    before the tokens are stored) first has admin A revoke admin B through the API."""

    def __init__(self, console: Any, revoke: Any) -> None:
        self._console, self._revoke = console, revoke

    def __getattr__(self, name: str) -> Any:
        return getattr(self._console, name)

    async def get_current_user(self, access_token: Any) -> Any:
        await self._revoke()
        return await self._console.get_current_user(access_token)


async def test_an_admin_revoked_after_the_state_was_taken_connects_nothing(api: Api) -> None:
    b_id, b_token = await _new_admin(api, ADMIN_TOKEN, "b@example.com")
    revocations: list[httpx.Response] = []

    async def revoke_b() -> None:
        revocations.append(await api.client.delete(f"/api/members/{b_id}", headers=ADMIN))

    console = api.container.neon().console
    api.container.neon_console.override(
        providers.Object(_RevokeDuringAccountRead(console, revoke_b))
    )
    callback_url, binding = await _start_as(api, b_token)
    done = await _callback_with(api, callback_url, binding)

    assert [r.status_code for r in revocations] == [204]
    assert _outcome(done) == {"neon": "error", "reason": "not_an_admin"}
    oauth = api.container.standin().oauth.counters
    assert oauth.code_exchanges == 1 and oauth.revocations == 1  # the new grant is given back
    await _assert_nothing_connected_and_revocation_audited(api, b_id)


class _CommitWhenReleased:
    """A unit of work whose writing transactions, their work done, wait to commit until
    released: a revoke that has deleted the member but not yet committed."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self.written, self.release = asyncio.Event(), asyncio.Event()

    @asynccontextmanager
    async def begin(self, *, durable: bool = True) -> AsyncIterator[Stores]:
        async with self._uow.begin(durable=durable) as stores:
            yield stores
            self.written.set()
            await self.release.wait()

    def read(self) -> AbstractAsyncContextManager[Stores]:
        return self._uow.read()


async def test_a_revoke_committing_while_the_connection_is_stored_wins(api: Api) -> None:
    """The revoke of B has deleted B but not committed when B's callback stores the connection:
    the check "the starter is still an admin" must wait for the revoke, not read past it."""
    b_id, b_token = await _new_admin(api, ADMIN_TOKEN, "b@example.com")
    paused = _CommitWhenReleased(api.container.uow())
    api.container.revoke_member.override(
        providers.Object(RevokeMember(paused, api.container.clock()))
    )
    revoking: list[asyncio.Task[httpx.Response]] = []

    async def revoke_b() -> None:
        revoking.append(asyncio.create_task(
            api.client.delete(f"/api/members/{b_id}", headers=ADMIN)
        ))  # fmt: skip
        await paused.written.wait()

    async def release_soon() -> None:  # SQLite's writers queue: the callback waits for it
        await asyncio.sleep(1.0)
        paused.release.set()

    console = api.container.neon().console
    api.container.neon_console.override(
        providers.Object(_RevokeDuringAccountRead(console, revoke_b))
    )
    callback_url, binding = await _start_as(api, b_token)
    releaser = asyncio.create_task(release_soon())
    done = await _callback_with(api, callback_url, binding)
    paused.release.set()
    await releaser
    (revoked,) = [await task for task in revoking]

    assert revoked.status_code == 204, revoked.text
    assert _outcome(done) == {"neon": "error", "reason": "not_an_admin"}
    await _assert_nothing_connected_and_revocation_audited(api, b_id)


async def test_two_first_connects_finishing_at_once_leave_one_connection(api: Api) -> None:
    """Two admins (two browsers) finish Connect Neon at the same moment, with no connection yet:
    they queue on the workspace's connection slot, the later one replaces the earlier (whose
    grant is revoked), and neither ends in an error."""
    _, b_token = await _new_admin(api, ADMIN_TOKEN, "b@example.com")
    first = await _start_as(api, ADMIN_TOKEN)
    second = await _start_as(api, b_token)
    done = await asyncio.gather(_callback_with(api, *first), _callback_with(api, *second))
    assert [_outcome(d)["neon"] for d in done] == ["connected", "connected"]
    async with database_of(api.container).transaction(write=False) as tx:
        assert (await tx.execute(text("SELECT count(*) FROM connections"))).scalar_one() == 1
    counters = api.container.standin().oauth.counters
    assert counters.code_exchanges == 2 and counters.revocations == 1
    log = (await api.client.get("/api/audit-log", headers=ADMIN)).json()["events"]
    connected = [e["detail"]["replaced"] for e in log if e["action"] == "neon.connected"]
    assert sorted(connected) == ["false", "true"]
