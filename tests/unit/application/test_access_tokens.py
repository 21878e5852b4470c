"""One refresh per rotation, however many renders ask at once; failures need reconnecting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TypeVar

import pytest

from application.neon_access.access_tokens import AccessTokens
from application.ports.neon import AccessTokenRejected, NeonUnavailable
from application.ports.stores import Stores, StoreUnavailable, UnitOfWork
from bootstrap.container import Container
from domain.connection import Connection, Health, ReauthorizationReason
from domain.errors import NeonNotConnected, NeonReauthorizationRequired
from domain.secrets import Secret
from tests.support import Workspace, new_workspace, stored

T = TypeVar("T")


def another_process(c: Container) -> AccessTokens:
    """The same stores and Neon, but a single flight of its own, as in another process."""
    return AccessTokens(c.uow(), c.refresh_lock(), c.neon_oauth(), c.clock(), c.telemetry())


async def with_fresh_token(
    c: Container, workspace_id: str, request: Callable[[Secret], Awaitable[T]]
) -> T:
    connection = await c.access_tokens().current(workspace_id)
    return await c.authorized_calls().with_fresh_token(connection, request)


async def usable_connection(tokens: AccessTokens, workspace_id: str) -> Connection:
    """What a render gets: the stored connection, its token refreshed if due."""
    return await tokens.fit_for_use(await tokens.current(workspace_id))


async def _dashboard_widget(ws: Workspace, project: str = "aged-salad-46255801") -> tuple[str, str]:
    await ws.container.select_project().execute(ws.admin, project)
    board = await ws.container.create_dashboard().execute(ws.admin, "Ops")
    widget = await ws.container.add_widget().execute(ws.admin, board.id, "neon_metrics", None)
    return board.id, widget.id


async def test_a_fresh_token_is_used_as_it_is(connected: Workspace) -> None:
    before = await stored(connected.container).connections.get(connected.admin.workspace_id)
    got = await usable_connection(connected.container.access_tokens(), connected.admin.workspace_id)
    assert got == before
    assert connected.container.standin().oauth.counters.refreshes == 0


async def test_fifty_concurrent_renders_on_an_expired_token_refresh_once(
    connected: Workspace,
) -> None:
    board, widget = await _dashboard_widget(connected)
    connected.clock.advance(hours=2)
    render = connected.container.render_widget()
    snapshots = await asyncio.gather(
        *(render.execute(connected.admin, board, widget) for _ in range(50))
    )
    assert {s.snapshot.project_name for s in snapshots} == {"analytics"}
    assert connected.container.standin().oauth.counters.refreshes == 1
    kept = await stored(connected.container).connections.get(connected.admin.workspace_id)
    assert kept is not None and kept.version == 2


async def test_two_processes_sharing_the_store_and_lock_refresh_once(connected: Workspace) -> None:
    c = connected.container
    # A second AccessTokens has its own single flight, as another process would.
    other = another_process(c)
    connected.clock.advance(hours=2)
    workspace_id = connected.admin.workspace_id
    results = await asyncio.gather(
        *(usable_connection(c.access_tokens(), workspace_id) for _ in range(10)),
        *(usable_connection(other, workspace_id) for _ in range(10)),
    )
    assert {r.version for r in results} == {2}
    assert c.standin().oauth.counters.refreshes == 1
    assert c.standin().oauth.counters.reuse_detections == 0


async def test_a_rejected_refresh_needs_reauthorization_and_is_not_retried(
    connected: Workspace,
) -> None:
    c = connected.container
    kept = await stored(c).connections.get(connected.admin.workspace_id)
    assert kept is not None and kept.tokens.refresh_token is not None
    # Someone else used our refresh token (e.g. a leaked copy): Neon rotated it away.
    c.standin().oauth.refresh(kept.tokens.refresh_token.reveal())
    connected.clock.advance(hours=2)
    fresh = c.access_tokens()
    with pytest.raises(NeonReauthorizationRequired):
        await usable_connection(fresh, connected.admin.workspace_id)
    with pytest.raises(NeonReauthorizationRequired):
        await usable_connection(fresh, connected.admin.workspace_id)
    assert c.standin().oauth.counters.refreshes == 2  # the foreign one and ours, no retry
    assert c.standin().oauth.counters.reuse_detections == 1
    status = await c.get_integration_status().execute(connected.admin)
    assert status.health is Health.NEEDS_REAUTHORIZATION
    assert status.reason is ReauthorizationReason.GRANT_REVOKED


async def test_hydra_v2_reuse_answers_invalid_grant_and_also_needs_reconnecting() -> None:
    ws = await new_workspace()
    server = ws.container.standin().oauth
    server.hydra_v2_reuse = True
    await ws.connect()
    kept = await stored(ws.container).connections.get(ws.admin.workspace_id)
    assert kept is not None and kept.tokens.refresh_token is not None
    server.refresh(kept.tokens.refresh_token.reveal())
    ws.clock.advance(hours=2)
    with pytest.raises(NeonReauthorizationRequired):
        await usable_connection(ws.container.access_tokens(), ws.admin.workspace_id)
    status = await ws.container.get_integration_status().execute(ws.admin)
    assert status.reason is ReauthorizationReason.REFRESH_REJECTED


async def test_without_a_connection_there_is_no_token(workspace: Workspace) -> None:
    with pytest.raises(NeonNotConnected):
        await usable_connection(workspace.container.access_tokens(), workspace.admin.workspace_id)


async def _whoami_while_another_process_rotates(
    connected: Workspace, then: Callable[[], None] = lambda: None
) -> tuple[Connection, Callable[[Secret], Awaitable[str]], list[Secret]]:
    """A Console call that, the first time, lets another process refresh meanwhile (Neon then
    revokes the token the caller holds). Returns the stale connection, the call, and the tokens
    it was given."""
    c = connected.container
    stale = await stored(c).connections.get(connected.admin.workspace_id)
    assert stale is not None
    other = another_process(c)
    used: list[Secret] = []

    async def whoami(token: Secret) -> str:
        if not used:
            await other.rotate(stale)
            then()
        used.append(token)
        return str((await c.neon_console().get_current_user(token)).id)

    return stale, whoami, used


async def test_a_401_after_another_process_rotated_uses_the_newer_token(
    connected: Workspace,
) -> None:
    c = connected.container
    workspace_id = connected.admin.workspace_id
    stale, whoami, tokens_used = await _whoami_while_another_process_rotates(connected)
    assert await with_fresh_token(c, workspace_id, whoami) == "user-ada-lovelace"
    assert tokens_used[0] == stale.tokens.access_token and tokens_used[1] != tokens_used[0]
    assert c.standin().oauth.counters.refreshes == 1  # re-read the store, no second refresh


async def _always_rejected(token: Secret) -> str:
    raise AccessTokenRejected()


async def _accepted(token: Secret) -> str:
    return "ok"


async def test_a_fresh_token_the_console_refuses_is_neon_unavailable_not_a_reconnect(
    connected: Workspace,
) -> None:
    c = connected.container
    workspace_id = connected.admin.workspace_id
    with pytest.raises(NeonUnavailable) as refused:
        await with_fresh_token(c, workspace_id, _always_rejected)
    assert refused.value.retry_after_seconds == 60
    assert c.standin().oauth.counters.refreshes == 1
    status = await c.get_integration_status().execute(connected.admin)
    assert status.health is Health.ACTIVE and status.degraded and status.reason is None

    connected.clock.advance(seconds=59)  # no further refresh for 60 s
    with pytest.raises(NeonUnavailable):
        await with_fresh_token(c, workspace_id, _always_rejected)
    assert c.standin().oauth.counters.refreshes == 1

    connected.clock.advance(seconds=2)  # then one refresh, refused again: still only degraded
    with pytest.raises(NeonUnavailable):
        await with_fresh_token(c, workspace_id, _always_rejected)
    assert c.standin().oauth.counters.refreshes == 2
    assert (await c.get_integration_status().execute(connected.admin)).degraded


async def test_only_a_day_of_unbroken_refusals_needs_reauthorization(
    connected: Workspace,
) -> None:
    c = connected.container
    workspace_id = connected.admin.workspace_id
    for _ in range(48):  # a dashboard on a wall asks every 30 minutes, and Neon refuses each
        with pytest.raises(NeonUnavailable):
            await with_fresh_token(c, workspace_id, _always_rejected)
        connected.clock.advance(minutes=30)
    with pytest.raises(NeonReauthorizationRequired):
        await with_fresh_token(c, workspace_id, _always_rejected)
    status = await c.get_integration_status().execute(connected.admin)
    assert status.health is Health.NEEDS_REAUTHORIZATION
    assert status.reason is ReauthorizationReason.ACCESS_REJECTED


async def test_a_console_call_that_succeeds_ends_the_refusals(connected: Workspace) -> None:
    c = connected.container
    workspace_id = connected.admin.workspace_id
    with pytest.raises(NeonUnavailable):
        await with_fresh_token(c, workspace_id, _always_rejected)
    connected.clock.advance(hours=12)
    assert await with_fresh_token(c, workspace_id, _accepted) == "ok"
    assert not (await c.get_integration_status().execute(connected.admin)).degraded
    connected.clock.advance(hours=13)  # 25 h after the first refusal, but not unbroken ones
    with pytest.raises(NeonUnavailable):
        await with_fresh_token(c, workspace_id, _always_rejected)
    status = await c.get_integration_status().execute(connected.admin)
    assert status.health is Health.ACTIVE and status.degraded


async def test_the_token_endpoints_verdict_still_means_reconnect(connected: Workspace) -> None:
    c = connected.container
    workspace_id = connected.admin.workspace_id
    with pytest.raises(NeonUnavailable):
        await with_fresh_token(c, workspace_id, _always_rejected)
    connection = await stored(c).connections.get(workspace_id)
    assert connection is not None and connection.tokens.refresh_token is not None
    c.standin().oauth.revoke(connection.tokens.refresh_token.reveal())  # the grant is gone
    connected.clock.advance(seconds=61)
    with pytest.raises(NeonReauthorizationRequired):
        await with_fresh_token(c, workspace_id, _always_rejected)
    status = await c.get_integration_status().execute(connected.admin)
    assert status.health is Health.NEEDS_REAUTHORIZATION
    assert status.reason is not ReauthorizationReason.ACCESS_REJECTED


async def test_a_newer_token_that_expired_meanwhile_is_refreshed_not_declared_broken(
    connected: Workspace,
) -> None:
    c = connected.container
    workspace_id = connected.admin.workspace_id
    # …and a slow render outlives the newer token too.
    _, whoami, used = await _whoami_while_another_process_rotates(
        connected, then=lambda: connected.clock.advance(hours=2)
    )
    assert await with_fresh_token(c, workspace_id, whoami) == "user-ada-lovelace"
    assert len(set(used)) == 2 and c.standin().oauth.counters.refreshes == 2
    status = await c.get_integration_status().execute(connected.admin)
    assert status.health.value == "active"


class FlakyWrites:
    """A unit of work whose writing transactions fail a few times first, as during a database
    restart (reads still work)."""

    def __init__(self, inner: UnitOfWork, failures: int) -> None:
        self.inner, self.failures, self.attempts = inner, failures, 0

    def read(self) -> AbstractAsyncContextManager[Stores]:
        return self.inner.read()

    @asynccontextmanager
    async def begin(self, *, durable: bool = True) -> AsyncIterator[Stores]:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise StoreUnavailable()
        async with self.inner.begin(durable=durable) as stores:
            yield stores


async def test_a_rotated_pair_is_written_through_a_store_outage(connected: Workspace) -> None:
    c = connected.container
    flaky = FlakyWrites(c.uow(), failures=3)
    fresh = AccessTokens(flaky, c.refresh_lock(), c.neon_oauth(), c.clock(), c.telemetry())
    connected.clock.advance(hours=2)
    rotated = await usable_connection(fresh, connected.admin.workspace_id)
    assert flaky.attempts == 4 and rotated.version == 2
    assert c.standin().oauth.counters.refreshes == 1  # never refreshed twice for it
    kept = await stored(c).connections.get(connected.admin.workspace_id)
    assert kept == rotated


async def test_a_refresh_outlives_a_caller_that_goes_away_and_drain_waits_for_it(
    connected: Workspace,
) -> None:
    c = connected.container
    connected.clock.advance(hours=2)
    fresh = c.access_tokens()
    caller = asyncio.create_task(usable_connection(fresh, connected.admin.workspace_id))
    await asyncio.sleep(0.005)  # the refresh is on its way to Neon
    caller.cancel()  # the client hung up, or the server is stopping
    await fresh.drain()
    kept = await stored(c).connections.get(connected.admin.workspace_id)
    assert kept is not None and kept.version == 2
    assert c.standin().oauth.counters.refreshes == 1


async def test_an_unknown_refresh_outcome_pauses_refreshes_in_every_process(
    connected: Workspace,
) -> None:
    c = connected.container
    workspace_id = connected.admin.workspace_id
    c.neon_oauth().lose_next_answers = 1  # Neon rotates; its answer is lost on the way back
    connected.clock.advance(hours=2)
    with pytest.raises(NeonUnavailable):
        await usable_connection(c.access_tokens(), workspace_id)
    with pytest.raises(NeonUnavailable):  # elsewhere, within the pause: no second request
        await usable_connection(another_process(c), workspace_id)
    assert c.standin().oauth.counters.refreshes == 1
    kept = await stored(c).connections.get(workspace_id)
    assert kept is not None and kept.refresh_blocked(c.clock().now())

    connected.clock.advance(seconds=61)  # the lost request has surely finished by now
    with pytest.raises(NeonReauthorizationRequired):  # Neon had rotated: reconnecting is left
        await usable_connection(c.access_tokens(), workspace_id)
    assert c.standin().oauth.counters.refreshes == 2


async def test_during_a_store_outage_a_render_waits_a_bounded_time_and_the_pair_is_kept(
    connected: Workspace,
) -> None:
    """Neon has rotated; the store fails the new pair's write. Callers answer store-unavailable
    soon (not after all the flight's tries), while the flight goes on trying, holding the lock,
    and stores the pair once the store is back: no second refresh, no lost grant."""
    c = connected.container
    outage = FlakyWrites(c.uow(), failures=1_000)
    fresh = AccessTokens(outage, c.refresh_lock(), c.neon_oauth(), c.clock(), c.telemetry())
    connected.clock.advance(hours=2)
    workspace_id = connected.admin.workspace_id
    renders = [usable_connection(fresh, workspace_id) for _ in range(5)]
    answers = await asyncio.wait_for(asyncio.gather(*renders, return_exceptions=True), 4.0)
    assert all(isinstance(a, StoreUnavailable) for a in answers)
    assert c.standin().oauth.counters.refreshes == 1
    outage.failures = 0  # the store is back: the flight's next try stores the pair
    await fresh.drain()
    kept = await stored(c).connections.get(workspace_id)
    assert kept is not None and kept.version == 2
    assert (await usable_connection(fresh, workspace_id)).version == 2
    assert c.standin().oauth.counters.refreshes == 1 and outage.attempts > 2
