"""The fetch lease and the budget as two instances see them (two SharedFetches over one set of
stores): one fetch for both, the holder's failure shared with its waiters, a bounded wait, a
crashed holder replaced when its lease runs out, a spent budget that stops both."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import pytest

from adapters.outbound.staging_fakes.memory_unit_of_work import MemoryUnitOfWork
from application.neon_access.shared_fetch import (
    LEASE,
    ConnectionReplaced,
    Fetch,
    ProjectKey,
    SharedFetches,
)
from application.ports.neon import NeonRateLimited, NeonUnavailable
from application.ports.stores import FetchLease, StoreUnavailable
from domain.metrics import NeonMetricsSnapshot
from tests.contract.test_snapshot_store_contract import snapshot
from tests.contract.test_sql_storage import connection
from tests.support import FakeClock

KEY_PARTS = ("w1", "c1", "aged-salad-46255801")
KEY = ProjectKey(*KEY_PARTS)


class Neon:
    """What the holder's fetch does: counted, slow enough for the other instance to wait."""

    def __init__(self, clock: FakeClock, failure: Exception | None = None) -> None:
        self.clock, self.failure, self.calls = clock, failure, 0

    async def fetch(self) -> NeonMetricsSnapshot:
        self.calls += 1
        await asyncio.sleep(0.1)
        if self.failure is not None:
            raise self.failure
        return snapshot(at=self.clock.now())


def instances(per_minute: int = 600) -> tuple[FakeClock, SharedFetches, SharedFetches]:
    clock, uow = FakeClock(), MemoryUnitOfWork()
    uow.state.connections[KEY.workspace_id] = connection(KEY.workspace_id, KEY.connection_id, "x")
    one = SharedFetches(uow, clock, per_minute, wait_seconds=1.0, poll_seconds=0.01)
    return clock, one, replace(one, saving={})  # each instance knows only its own saves


def fetch(neon: Neon) -> Fetch:
    return Fetch(KEY, "acct-1", 2, neon.fetch)


async def test_two_instances_share_one_fetch() -> None:
    clock, one, two = instances()
    neon = Neon(clock)
    first, second = await asyncio.gather(one.fetch(fetch(neon), None), two.fetch(fetch(neon), None))
    assert neon.calls == 1 and first == second


async def test_the_holders_failure_is_shared_with_its_waiters() -> None:
    clock, one, two = instances()
    neon = Neon(clock, NeonUnavailable(5))
    outcomes = await asyncio.gather(
        one.fetch(fetch(neon), None), two.fetch(fetch(neon), None), return_exceptions=True
    )
    assert neon.calls == 1
    assert all(isinstance(o, NeonUnavailable) for o in outcomes)
    retried = Neon(clock)  # a render arriving later tries again
    assert await one.fetch(fetch(retried), None) and retried.calls == 1


async def test_a_waiter_gives_up_after_the_bound_and_a_crashed_holder_is_replaced() -> None:
    clock, one, _ = instances()
    async with one.uow.begin() as stores:  # another instance took the lease and died
        crashed = FetchLease("gone", clock.now() + LEASE)
        assert await stores.fetch_leases.take(*KEY_PARTS, crashed, clock.now())
    neon = Neon(clock)
    with pytest.raises(NeonUnavailable):
        await one.fetch(fetch(neon), None)
    assert neon.calls == 0  # waiting in vain never doubles Neon's calls
    clock.advance(seconds=LEASE.total_seconds())
    assert await one.fetch(fetch(neon), None) and neon.calls == 1


async def test_the_budget_holds_every_instance() -> None:
    """(A 429's pause is every Console call's, not only a fetch's: AuthorizedCalls settles each
    call with the account, tests/http/test_account_budget.py.)"""
    clock, one, two = instances(per_minute=2)  # one fetch a minute

    async def render(on: SharedFetches, neon: Neon) -> NeonMetricsSnapshot:
        """A render past the window: it needs data newer than the latest (the one before it
        has saved its snapshot by now: that lands a moment after its answer)."""
        await asyncio.gather(one.drain(), two.drain())
        async with on.uow.read() as stores:
            latest = await stores.snapshots.latest(*KEY_PARTS)
        clock.advance(seconds=1)
        return await on.fetch(fetch(neon), latest.fetched_at if latest else None)

    assert await render(one, Neon(clock))
    spent = Neon(clock)
    with pytest.raises(NeonRateLimited) as over:
        await render(two, spent)
    assert spent.calls == 0 and over.value.retry_after_seconds == 59  # refilled for 1 s
    clock.advance(minutes=1)
    assert await render(one, Neon(clock))


class SlowNeon(Neon):
    """A holder's fetch that takes as long as the test says: a token refresh, then Console calls
    that each run into their 10 s deadline."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock)
        self.done = asyncio.Event()

    async def fetch(self) -> NeonMetricsSnapshot:
        self.calls += 1
        await self.done.wait()
        return snapshot(at=self.clock.now())


async def test_a_slow_holder_keeps_its_lease_for_as_long_as_it_fetches() -> None:
    clock, one, two = instances()
    one, two = replace(one, renew_seconds=0.01), replace(two, renew_seconds=0.01)
    slow = SlowNeon(clock)
    holder = asyncio.create_task(one.fetch(fetch(slow), None))
    for _ in range(10):  # 30 s of the fetch: three leases' worth
        await asyncio.sleep(0.05)  # time for the holder to extend its lease
        clock.advance(seconds=3)
    other = Neon(clock)
    waiter = asyncio.create_task(two.fetch(fetch(other), None))
    await asyncio.sleep(0.1)
    assert other.calls == 0  # the lease held: the other instance waits for the holder
    slow.done.set()
    assert await waiter == await holder and other.calls == 0 and slow.calls == 1
    async with one.uow.read() as stores:
        assert await stores.fetch_leases.get(*KEY_PARTS) is None  # released with the snapshot


async def test_the_snapshot_is_saved_just_after_the_answer_and_read_after_its_save() -> None:
    clock, one, _ = instances()
    fetched = await one.fetch(fetch(Neon(clock)), None)
    async with one.uow.read() as stores:
        assert await stores.snapshots.latest(*KEY_PARTS) is None  # the answer came first
        assert (await stores.fetch_leases.get(*KEY_PARTS)) is not None  # held until saved
    await one.settled(KEY.workspace_id)
    async with one.uow.read() as stores:
        assert await stores.snapshots.latest(*KEY_PARTS) == fetched
        assert len(await stores.trend.points("w1", "acct-1", KEY.project_id)) == 1
        assert await stores.fetch_leases.get(*KEY_PARTS) is None


async def test_a_fetch_ending_after_a_disconnect_keeps_nothing() -> None:
    """The workspace disconnected (or reconnected) while a fetch ran: its lease is gone, and
    the old grant's snapshot and trend point are not written after the disconnect removed them."""
    clock, one, two = instances()
    slow = SlowNeon(clock)
    render = asyncio.ensure_future(one.fetch(fetch(slow), None))
    await asyncio.sleep(0.05)  # the holder is fetching
    async with two.uow.begin() as stores:  # Disconnect's transaction, in another instance
        await disconnected(stores)
    slow.done.set()
    assert await render  # the render that asked still gets its answer
    await one.settled(KEY.workspace_id)
    async with one.uow.read() as stores:
        assert await stores.snapshots.latest(*KEY_PARTS) is None
        assert await stores.trend.points("w1", "acct-1", KEY.project_id) == []


async def disconnected(stores: Any) -> None:
    """What Disconnect's transaction does to a fetch's rows."""
    await stores.connections.remove(KEY.workspace_id)
    await stores.fetch_leases.remove_all(KEY.workspace_id)
    await stores.snapshots.remove_all(KEY.workspace_id)


async def test_a_render_waiting_for_a_fetch_that_a_disconnect_ended_does_not_fetch() -> None:
    """It saw the lease go with the disconnect and would take it: the grant it would fetch with
    is gone, so it renders again instead (and finds Neon not connected)."""
    clock, one, two = instances()
    slow = SlowNeon(clock)
    holder = asyncio.ensure_future(one.fetch(fetch(slow), None))
    await asyncio.sleep(0.05)
    waiter_neon = Neon(clock)
    waiter = asyncio.ensure_future(two.fetch(fetch(waiter_neon), None))
    await asyncio.sleep(0.05)  # it polls the holder's lease
    async with one.uow.begin() as stores:
        await disconnected(stores)
    with pytest.raises(ConnectionReplaced):
        await waiter
    slow.done.set()
    assert await holder  # the render that asked still gets its answer
    await one.settled(KEY.workspace_id)
    assert waiter_neon.calls == 0
    async with one.uow.read() as stores:
        assert await stores.snapshots.latest(*KEY_PARTS) is None


class HolderBeforeUsSaves:
    """PostgreSQL under read committed, played out: the holder before us saves its snapshot
    and releases its lease after our look at the snapshots and before our take (which, on
    PostgreSQL, waited for that release and then succeeded)."""

    def __init__(self, inner: MemoryUnitOfWork, saved: NeonMetricsSnapshot) -> None:
        self.inner, self.saved = inner, saved

    def read(self) -> Any:
        return self.inner.read()

    @asynccontextmanager
    async def begin(self, *, durable: bool = True) -> AsyncIterator[Any]:
        async with self.inner.begin(durable=durable) as stores:
            yield _Racing(stores, self.saved)


class _Racing:
    def __init__(self, stores: Any, saved: NeonMetricsSnapshot) -> None:
        self.stores, self.saved, self.fetch_leases = stores, saved, self

    def __getattr__(self, name: str) -> Any:  # the stores, and the leases but for ``take``
        return getattr(self.stores, name, None) or getattr(self.stores.fetch_leases, name)

    async def take(self, *args: Any) -> bool:
        await self.stores.snapshots.save(KEY.workspace_id, KEY.connection_id, self.saved)
        await self.stores.fetch_leases.release(*KEY_PARTS, "before-us")
        return bool(await self.stores.fetch_leases.take(*args))


async def test_a_snapshot_saved_while_our_take_waited_is_answered_not_fetched_again() -> None:
    clock, one, _ = instances()
    async with one.uow.begin() as stores:
        assert await stores.fetch_leases.take(
            *KEY_PARTS, FetchLease("before-us", clock.now() + LEASE), clock.now()
        )
    theirs = snapshot(at=clock.now())
    racing = replace(one, uow=HolderBeforeUsSaves(one.uow, theirs))  # type: ignore[arg-type]
    clock.advance(seconds=11)  # their lease looks over to us: we try to take it
    neon = Neon(clock)
    assert await racing.fetch(fetch(neon), None) == theirs
    assert neon.calls == 0
    async with one.uow.read() as stores:
        assert await stores.fetch_leases.get(*KEY_PARTS) is None  # ours, given back at once


class Unreachable:
    """The stores behind ``inner``, unreachable for the next ``failures`` writing transactions."""

    def __init__(self, inner: MemoryUnitOfWork) -> None:
        self.inner, self.failures = inner, 0

    def begin(self, *, durable: bool = True) -> Any:
        if self.failures:
            self.failures -= 1
            raise StoreUnavailable()
        return self.inner.begin(durable=durable)

    def read(self) -> Any:
        return self.inner.read()


async def test_a_save_that_meets_a_brief_store_outage_is_tried_again() -> None:
    """Given up, it would leave the lease held for LEASE: every render of the project would wait
    for a fetch that already ended, and answer neon-unavailable when none had data yet."""
    clock, one, _ = instances()
    flaky = Unreachable(one.uow)  # type: ignore[arg-type]
    holder = replace(one, uow=flaky)

    async def fetched_then_the_store_drops() -> NeonMetricsSnapshot:
        flaky.failures = 2  # the save's first two tries
        return snapshot(at=clock.now())

    got = await holder.fetch(Fetch(KEY, "acct-1", 2, fetched_then_the_store_drops), None)
    await holder.settled(KEY.workspace_id)
    async with one.uow.read() as stores:
        assert await stores.snapshots.latest(*KEY_PARTS) == got
        assert await stores.fetch_leases.get(*KEY_PARTS) is None  # released: nobody waits
    assert flaky.failures == 0
