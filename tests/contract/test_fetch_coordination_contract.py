"""The fetch lease and Neon budget stores' contract on every store adapter (memory, SQLite,
PostgreSQL): one holder per (workspace, connection, project) until it releases, fails or runs
out; a failed lease says so and may be taken over; concurrent takes on PostgreSQL let exactly
one win; a budget is stored full on first use and kept whole."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from application.ports.stores import FetchLease
from bootstrap.container import Container
from domain.neon_budget import CallBudget
from domain.workspaces import Workspace
from tests.contract.backends import stores
from tests.support import stored

T0 = datetime(2026, 11, 25, 12, 0, 0, 123456, tzinfo=UTC)
KEY = ("w1", "c1", "aged-salad-46255801")
LATER = T0 + timedelta(seconds=10)


async def _take(
    backend: Container, holder: str, now: datetime = T0, key: tuple[str, ...] = KEY
) -> bool:
    return bool(
        await stored(backend).fetch_leases.take(
            *key, FetchLease(holder, now + timedelta(seconds=10)), now
        )
    )


async def test_one_holder_until_it_releases(backend: Container) -> None:
    assert await stored(backend).fetch_leases.get(*KEY) is None
    assert await _take(backend, "a")
    assert not await _take(backend, "b")
    assert await stored(backend).fetch_leases.get(*KEY) == FetchLease("a", LATER)
    assert not await stored(backend).fetch_leases.release(*KEY, "b")  # not b's to release
    assert not await _take(backend, "b")
    assert await stored(backend).fetch_leases.release(*KEY, "a")
    assert await stored(backend).fetch_leases.get(*KEY) is None
    assert not await stored(backend).fetch_leases.release(*KEY, "a")  # released once
    assert await _take(backend, "b")


async def test_a_lease_that_ran_out_is_taken_over(backend: Container) -> None:
    assert await _take(backend, "a")
    assert not await _take(backend, "b", now=LATER - timedelta(microseconds=1))
    assert await _take(backend, "b", now=LATER)
    assert (await stored(backend).fetch_leases.get(*KEY)).holder == "b"


async def test_only_the_holder_extends_its_lease_while_it_fetches(backend: Container) -> None:
    assert await _take(backend, "a")
    later = LATER + timedelta(seconds=10)
    assert not await stored(backend).fetch_leases.extend(*KEY, "b", later)  # not b's
    assert await stored(backend).fetch_leases.extend(*KEY, "a", later)
    assert not await _take(backend, "b", now=LATER)  # it would have run out by now
    assert await stored(backend).fetch_leases.get(*KEY) == FetchLease("a", later)
    assert await _take(backend, "b", now=later)
    assert not await stored(backend).fetch_leases.extend(*KEY, "a", later)  # taken over
    await stored(backend).fetch_leases.fail(*KEY, "b", "neon_unavailable", later)
    assert not await stored(backend).fetch_leases.extend(*KEY, "b", later)  # failed


async def test_a_failed_lease_says_so_and_anyone_may_try_again(backend: Container) -> None:
    assert await _take(backend, "a")
    retry = T0 + timedelta(seconds=30)
    await stored(backend).fetch_leases.fail(*KEY, "b", "neon_unavailable", retry)  # not b's
    assert (await stored(backend).fetch_leases.get(*KEY)).failure is None
    await stored(backend).fetch_leases.fail(*KEY, "a", "neon_rate_limited", retry)
    assert await stored(backend).fetch_leases.get(*KEY) == FetchLease(
        "a", retry, "neon_rate_limited"
    )
    assert await _take(backend, "b")  # before the retry moment: a new render tries again
    assert await stored(backend).fetch_leases.get(*KEY) == FetchLease("b", LATER)


async def test_leases_are_per_workspace_connection_and_project(backend: Container) -> None:
    assert await _take(backend, "a")
    assert await _take(backend, "b", key=("w2", "c1", KEY[2]))
    assert await _take(backend, "c", key=("w1", "c2", KEY[2]))
    assert await _take(backend, "d", key=("w1", "c1", "other-project-1"))


async def test_a_disconnect_removes_the_workspaces_leases_only(backend: Container) -> None:
    assert await _take(backend, "a")
    assert await _take(backend, "b", key=("w1", "c1", "other-project-1"))
    assert await _take(backend, "c", key=("w2", "c9", KEY[2]))
    await stored(backend).fetch_leases.remove_all("w1")
    assert await stored(backend).fetch_leases.get(*KEY) is None
    assert await stored(backend).fetch_leases.get("w1", "c1", "other-project-1") is None
    assert not await stored(backend).fetch_leases.release(*KEY, "a")  # its holder finds it gone
    assert await stored(backend).fetch_leases.get("w2", "c9", KEY[2]) is not None


async def test_a_budget_is_stored_full_on_first_use_and_kept_whole(backend: Container) -> None:
    fresh = CallBudget.full(600, T0)
    assert await stored(backend).neon_budgets.hold("acct-1", fresh) == fresh
    spent = CallBudget(3.5, LATER, T0 + timedelta(seconds=30))
    await stored(backend).neon_budgets.put("acct-1", spent)
    assert await stored(backend).neon_budgets.hold("acct-1", fresh) == spent
    assert await stored(backend).neon_budgets.hold("acct-2", fresh) == fresh  # per account


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_concurrent_takes_have_one_winner(kind: str, postgres_server: str) -> None:
    async with stores(kind, postgres_server) as backend:
        await stored(backend).workspaces.add(Workspace("w1", "w1"))
        won = await asyncio.gather(*(_take(backend, f"h{i}") for i in range(20)))
        assert sum(won) == 1


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_concurrent_budget_takes_never_overspend(kind: str, postgres_server: str) -> None:
    async with stores(kind, postgres_server) as backend:

        async def take() -> int:  # seconds to wait: 0 when taken
            async with backend.uow().begin() as tx:
                held = await tx.neon_budgets.hold("acct", CallBudget.full(10, T0))
                budget, wait = held.take(2, 10, T0)
                wait = int(wait)
                await tx.neon_budgets.put("acct", budget)
            return wait

        waits = await asyncio.gather(*(take() for _ in range(12)))
        assert waits.count(0) == 5  # 10 calls a minute, 2 per fetch, nothing refilled at T0
