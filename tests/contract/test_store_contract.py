"""Storage contracts every store adapter keeps: versioned connection writes, tenant isolation."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from application.ports.stores import ConnectionStore, VersionConflict
from bootstrap.container import Container
from domain.audit import AuditEvent
from domain.authorization import PendingAuthorization
from domain.connection import Connection, NeonAccount, TokenPair
from domain.dashboards import Dashboard, NeonMetricsSettings, Widget, WidgetKind
from domain.errors import NotFound
from domain.ids import NeonProjectId
from domain.secrets import Secret
from domain.selection import ProjectSelection
from domain.workspaces import Member, Role
from tests.support import stored

T0 = datetime(2026, 11, 25, tzinfo=UTC)


def connection(workspace_id: str = "w1", cid: str = "c1") -> Connection:
    tokens = TokenPair(Secret("nat-a"), Secret("nrt-r"), T0, T0 + timedelta(hours=1))
    return Connection(cid, workspace_id, NeonAccount("u", "u@x.io", "U"), tokens, frozenset(), T0)


@pytest.fixture
def connections(backend: Container) -> ConnectionStore:
    store: ConnectionStore = stored(backend).connections
    return store


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


async def test_dashboards_are_per_workspace(backend: Container) -> None:
    store = stored(backend).dashboards
    await store.add(Dashboard("d1", "w1", "Ops"))
    assert await store.get("w2", "d1") is None
    assert await store.list("w2") == []
    assert not await store.remove("w2", "d1")
    assert await store.get("w1", "d1") is not None


async def test_members_are_per_workspace(backend: Container) -> None:
    store = stored(backend).members
    member = Member("m1", "w1", "a@b.co", Role.ADMIN, "fp", T0)
    await store.add(member)
    assert await store.get("w2", "m1") is None
    assert not await store.remove("w2", "m1")
    assert await store.by_token_fingerprint("fp") == member
    assert await store.list("w2") == []


async def test_member_addresses_are_found_case_insensitively_per_workspace(
    backend: Container,
) -> None:
    store = stored(backend).members
    member = Member("m1", "w1", "Ada@Example.com", Role.ADMIN, "fp", T0)
    await store.add(member)
    assert await store.with_email("w1", "ada@example.COM") == member
    assert await store.with_email("w2", "ada@example.com") is None
    await store.add(Member("m2", "w2", "ada@example.com", Role.ADMIN, "fp2", T0))  # elsewhere: ok


async def test_revoked_tokens_are_remembered(backend: Container) -> None:
    store = stored(backend).members
    assert not await store.token_revoked("fp-gone")
    await store.forget_token("fp-gone", T0)
    await store.forget_token("fp-gone", T0)  # twice is once
    assert await store.token_revoked("fp-gone")
    assert not await store.token_revoked("fp-other")


async def test_dashboards_keep_their_widgets_in_order(backend: Container) -> None:
    store = stored(backend).dashboards
    project = NeonProjectId("aged-salad-46255801")
    board = Dashboard("d1", "w1", "Ops", (
        Widget("a", WidgetKind.NEON_METRICS, NeonMetricsSettings(project)),
        Widget("b", WidgetKind.NEON_METRICS, NeonMetricsSettings()),
    ))  # fmt: skip
    await store.add(board)
    await store.add(Dashboard("d2", "w1", "Second"))
    assert await store.get("w1", "d1") == board
    assert [d.id for d in await store.list("w1")] == ["d1", "d2"]
    assert await store.widget("w1", "d1", "a") == board.widgets[0]
    assert await store.widget("w2", "d1", "a") is None  # another workspace's: not found
    assert await store.widget("w1", "d2", "a") is None  # another dashboard's: not found
    await store.rename(replace(board, name="Ops 2"))
    await store.remove_widget(board, "a")
    third = Widget("c", WidgetKind.NEON_METRICS, NeonMetricsSettings())
    await store.add_widget(board, third)
    moved = Widget("b", WidgetKind.NEON_METRICS, NeonMetricsSettings(project))
    await store.save_widget(board, moved)
    assert await store.get("w1", "d1") == Dashboard("d1", "w1", "Ops 2", (moved, third))
    assert await store.remove("w1", "d1") and await store.get("w1", "d1") is None


async def test_a_pending_authorization_is_taken_once_even_concurrently(backend: Container) -> None:
    store = stored(backend).authorizations
    await stored(backend).members.add(Member("m1", "w1", "a@b.co", Role.ADMIN, "fp", T0))
    pending = PendingAuthorization("fp", "browser", "w1", "m1", Secret("verifier-1"),
                                   "http://x/cb", T0)  # fmt: skip
    await store.add(pending)
    taken = await asyncio.gather(*(store.take("fp") for _ in range(5)))
    winners = [t for t in taken if t is not None]
    assert winners == [pending]


async def test_a_pending_authorization_can_be_read_without_consuming_it(backend: Container) -> None:
    store = stored(backend).authorizations
    await stored(backend).members.add(Member("m1", "w1", "a@b.co", Role.ADMIN, "fp", T0))
    pending = PendingAuthorization("fp", "browser", "w1", "m1", Secret("verifier-1"),
                                   "http://x/cb", T0)  # fmt: skip
    await store.add(pending)
    assert await store.peek("fp") == pending
    assert await store.peek("fp") == pending  # still there
    assert await store.peek("other") is None
    assert await store.take("fp") == pending
    assert await store.peek("fp") is None


async def test_selections_audit_and_workspaces(backend: Container) -> None:
    selection = ProjectSelection("w1", NeonProjectId("aged-salad-46255801"), "analytics", T0, "a")
    await stored(backend).selections.put(selection)
    await stored(backend).selections.put(replace(selection, project_name="renamed"))
    assert (await stored(backend).selections.get("w1")) == replace(
        selection, project_name="renamed"
    )
    assert await stored(backend).selections.get("w2") is None
    await stored(backend).selections.remove("w1")
    assert await stored(backend).selections.get("w1") is None
    audit = stored(backend).audit
    for minute in range(3):
        await audit.record(AuditEvent("w1", T0 + timedelta(minutes=minute), "a", f"x.{minute}",
                                      {"k": "v", "none": None}))  # fmt: skip
    events = await audit.list("w1", 2)
    assert [e.action for e in events] == ["x.2", "x.1"] and events[0].detail["none"] is None
    assert await audit.list("w2", 10) == []
    first = await stored(backend).workspaces.first()
    assert first is not None and first.id == "w1"


async def test_idle_connections_are_found(connections: ConnectionStore) -> None:
    await connections.add(connection("w1", "c1"))
    assert [c.id for c in await connections.idle_since(T0 + timedelta(days=1))] == ["c1"]
    assert await connections.idle_since(T0) == []
    assert list(await connections.workspace_ids()) == ["w1"]


async def test_a_refresh_pause_is_stored_and_cleared_by_a_rotation(
    connections: ConnectionStore,
) -> None:
    original = connection()
    await connections.add(original)
    paused = original.blocking_refresh_until(T0 + timedelta(minutes=1))
    await connections.update(paused, expected_version=1)
    stored = await connections.get("w1")
    assert stored == paused and stored.refresh_blocked(T0)
    rotated = paused.rotated(paused.tokens)
    await connections.update(rotated, expected_version=2)
    stored = await connections.get("w1")
    assert stored is not None and stored.refresh_blocked_until is None


async def test_console_refusals_are_stored_kept_by_a_rotation_and_cleared_by_a_success(
    connections: ConnectionStore,
) -> None:
    original = connection()
    await connections.add(original)
    refused = original.console_rejected(T0)
    await connections.update(refused, expected_version=1)
    assert await connections.get("w1") == refused
    rotated = refused.rotated(refused.tokens)  # a refresh is not the Console accepting a token
    await connections.update(rotated, expected_version=2)
    stored = await connections.get("w1")
    assert stored is not None and stored.console_rejected_since == T0 and stored.degraded
    await connections.update(rotated.console_accepted(), expected_version=3)
    stored = await connections.get("w1")
    assert stored is not None and stored.console_rejected_since is None and not stored.degraded


async def _walk(page: Any, limit: int) -> list[list[str]]:
    """Every page of a list, as ids (``page(after, limit)`` is the store's method, bound)."""
    pages, after = [], None
    while True:
        found = await page(after, limit)
        pages.append([getattr(item, "id", None) or item.action for item in found.items])
        if found.after is None:
            return pages
        after = found.after


async def test_dashboards_are_paged_in_creation_order_per_workspace(backend: Container) -> None:
    store = stored(backend).dashboards
    for index in range(7):
        await store.add(Dashboard(f"d{index}", "w1", f"Board {index}"))
    await store.add(Dashboard("elsewhere", "w2", "Theirs"))
    pages = await _walk(lambda after, limit: store.page("w1", after, limit), 3)
    assert pages == [["d0", "d1", "d2"], ["d3", "d4", "d5"], ["d6"]]
    assert await _walk(lambda after, limit: store.page("w1", after, limit), 7) == [
        [f"d{i}" for i in range(7)]
    ]
    first = await store.page("w1", None, 2)
    assert first.after is not None
    await store.remove("w1", "d1")  # the page's last one goes: the next page still follows it
    rest = await store.page("w1", first.after, 2)
    assert [d.id for d in rest.items] == ["d2", "d3"]
    assert await store.count("w1") == 6 and await store.count("w2") == 1
    assert (await store.page("w2", None, 5)).items[0].id == "elsewhere"


async def test_members_are_paged_in_joining_order_ties_broken_by_id(backend: Container) -> None:
    store = stored(backend).members
    for index, minute in enumerate([0, 1, 1, 1, 2]):  # three joined in the same instant
        member = Member(f"m{index}", "w1", f"m{index}@b.co", Role.MEMBER, f"fp{index}",
                        T0 + timedelta(minutes=minute))  # fmt: skip
        await store.add(member)
    await store.add(Member("other", "w2", "o@b.co", Role.ADMIN, "fp-o", T0))
    pages = await _walk(lambda after, limit: store.page("w1", after, limit), 2)
    assert pages == [["m0", "m1"], ["m2", "m3"], ["m4"]]
    assert await store.count("w1") == 5 and await store.count("w2") == 1


async def test_the_audit_log_is_paged_newest_first(backend: Container) -> None:
    audit = stored(backend).audit
    for index, minute in enumerate([0, 1, 1, 1, 2]):  # recorded in this order
        await audit.record(AuditEvent("w1", T0 + timedelta(minutes=minute), "a", f"x.{index}"))
    await audit.record(AuditEvent("w2", T0, "a", "theirs"))
    pages = await _walk(lambda after, limit: audit.page("w1", after, limit), 2)
    assert pages == [["x.4", "x.3"], ["x.2", "x.1"], ["x.0"]]


async def test_connects_in_progress_are_counted_per_workspace_since_a_time(
    backend: Container,
) -> None:
    store = stored(backend).authorizations
    await stored(backend).members.add(Member("m1", "w1", "a@b.co", Role.ADMIN, "fp", T0))
    for minute in range(3):
        pending = PendingAuthorization(f"state{minute}", "browser", "w1", "m1", Secret("v"),
                                       "http://x/cb", T0 + timedelta(minutes=minute))  # fmt: skip
        await store.add(pending)
    assert await store.count_since("w1", T0 - timedelta(seconds=1)) == 3
    assert await store.count_since("w1", T0) == 2  # started after it only
    assert await store.count_since("w2", T0 - timedelta(days=1)) == 0
