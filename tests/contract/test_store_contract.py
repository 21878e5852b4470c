"""Storage contracts every store adapter keeps: versioned connection writes, tenant isolation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from adapters.outbound.memory.connections import MemoryConnectionStore
from adapters.outbound.memory.stores import MemoryDashboardStore, MemoryMemberStore
from application.ports.stores import ConnectionStore, DashboardStore, MemberStore
from domain.connection import Connection, NeonAccount, TokenPair
from domain.dashboards import Dashboard
from domain.errors import NotFound, VersionConflict
from domain.secrets import Secret
from domain.workspaces import Member, Role

T0 = datetime(2026, 11, 25, tzinfo=UTC)
CONNECTION_STORES: dict[str, Callable[[], ConnectionStore]] = {"memory": MemoryConnectionStore}
DASHBOARD_STORES: dict[str, Callable[[], DashboardStore]] = {"memory": MemoryDashboardStore}
MEMBER_STORES: dict[str, Callable[[], MemberStore]] = {"memory": MemoryMemberStore}


def connection(workspace_id: str = "w1", cid: str = "c1") -> Connection:
    tokens = TokenPair(Secret("nat-a"), Secret("nrt-r"), T0, T0 + timedelta(hours=1))
    return Connection(cid, workspace_id, NeonAccount("u", "u@x.io", "U"), tokens, frozenset(), T0)


@pytest.fixture(params=sorted(CONNECTION_STORES))
def connections(request: pytest.FixtureRequest) -> ConnectionStore:
    return CONNECTION_STORES[request.param]()


async def test_a_write_with_a_stale_version_is_refused(connections: ConnectionStore) -> None:
    original = connection()
    await connections.add(original)
    rotated = original.rotated(replace(original.tokens, access_token=Secret("nat-b")))
    await connections.update(rotated, expected_version=1)
    with pytest.raises(VersionConflict):
        await connections.update(original.rotated(original.tokens), expected_version=1)
    assert await connections.get("w1") == rotated


async def test_a_removed_connection_cannot_be_updated(connections: ConnectionStore) -> None:
    original = connection()
    await connections.add(original)
    assert await connections.remove("w1") == original
    with pytest.raises(NotFound):
        await connections.update(original.rotated(original.tokens), expected_version=1)
    assert await connections.remove("w1") is None


async def test_a_reconnect_replaces_and_old_writers_lose(connections: ConnectionStore) -> None:
    old = connection(cid="old")
    await connections.add(old)
    await connections.add(connection(cid="new"))
    with pytest.raises(NotFound):
        await connections.update(old.rotated(old.tokens), expected_version=1)


async def test_connections_are_per_workspace(connections: ConnectionStore) -> None:
    await connections.add(connection("w1", "c1"))
    assert await connections.get("w2") is None


@pytest.mark.parametrize("factory", DASHBOARD_STORES.values(), ids=sorted(DASHBOARD_STORES))
async def test_dashboards_are_per_workspace(factory: Callable[[], DashboardStore]) -> None:
    store = factory()
    await store.put(Dashboard("d1", "w1", "Ops"))
    assert await store.get("w2", "d1") is None
    assert await store.list("w2") == []
    assert not await store.remove("w2", "d1")
    assert await store.get("w1", "d1") is not None


@pytest.mark.parametrize("factory", MEMBER_STORES.values(), ids=sorted(MEMBER_STORES))
async def test_members_are_per_workspace(factory: Callable[[], MemberStore]) -> None:
    store = factory()
    member = Member("m1", "w1", "a@b.co", Role.ADMIN, "fp", T0)
    await store.add(member)
    assert await store.get("w2", "m1") is None
    assert not await store.remove("w2", "m1")
    assert await store.by_token_fingerprint("fp") == member
    assert await store.list("w2") == []
