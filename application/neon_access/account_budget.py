"""The call budget of each Neon account and its 429 pause, shared by every instance through the
database (decisions 0019 and 0024): the rules every Console call for an account is paid by."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from application.ports.neon import ConsoleRequests, NeonRateLimited, counting_console_requests
from application.ports.stores import Stores, StoreUnavailable, UnitOfWork
from application.ports.system import Clock, Telemetry
from domain.neon_budget import CallBudget

log = logging.getLogger("produl_neon.budget")
T = TypeVar("T")


async def take_calls(
    stores: Stores,
    account_id: str,
    calls: int,
    per_minute: int,
    now: datetime,
    telemetry: Telemetry | None = None,
) -> int:
    """Inside the caller's ``uow.begin()``: take ``calls`` from the account's budget. 0, or the
    seconds to wait (the bucket is short, or a 429's pause is on): then nothing is taken."""
    held = await stores.neon_budgets.hold(account_id, CallBudget.full(per_minute, now))
    budget, wait = held.take(calls, per_minute, now)
    if not wait:
        await stores.neon_budgets.put(account_id, budget)
    elif telemetry is not None:
        paused = held.paused_until is not None and now < held.paused_until
        telemetry.budget_rejection("retry_after" if paused else "budget")
    return wait


@dataclass(frozen=True, slots=True)
class AccountBudgets:
    """Calls are paid for before they are made (a render's fetch with its lease, others one
    call's worth in a write of their own) and settled afterwards from what the Console adapter
    counted: calls beyond what was paid (retries, more pages, the picker's further listings)
    are charged, calls not made are given back, and a 429 pauses the account until Neon's
    Retry-After. The settling write happens only when there is something to change, so a
    render whose fetch made exactly its two calls writes nothing more."""

    uow: UnitOfWork
    clock: Clock
    per_minute: int = 600
    telemetry: Telemetry | None = None

    async def paying(
        self, account_id: str, request: Callable[[], Awaitable[T]], *, paid: int = 0
    ) -> T:
        """``request``'s Console calls for ``account_id``: ``paid`` of them were taken by the
        caller (a render's fetch, with its lease), else one is taken here first (raises
        NeonRateLimited when the budget is spent or the account paused); settled afterwards with
        what was really sent, whichever way ``request`` ends."""
        if not paid:
            paid = 1
            await self.reserve(account_id, paid)
        with counting_console_requests() as counted:
            try:
                return await request()
            finally:
                await self.settle(account_id, paid, counted)

    async def paid_afterwards(
        self, request: Callable[[], Awaitable[T]], account_of: Callable[[T], str]
    ) -> T:
        """For calls whose account only their answer names (connecting's read of the account):
        made unpaid, then charged to ``account_of(answer)``, a 429 among them pausing it. Calls
        that failed charge nobody: nobody is known."""
        with counting_console_requests() as counted:
            answer = await request()
        await self.settle(account_of(answer), 0, counted)
        return answer

    async def reserve(self, account_id: str, calls: int) -> None:
        """Take ``calls`` in a write of its own; raises NeonRateLimited when the budget is spent
        or the account paused."""
        now = self.clock.now()
        async with self.uow.begin(durable=False) as stores:
            wait = await take_calls(stores, account_id, calls, self.per_minute, now, self.telemetry)
        if wait:
            raise NeonRateLimited(wait, "This Neon account's call budget is spent for now.")

    async def settle(self, account_id: str, paid: int, counted: ConsoleRequests) -> None:
        """Charge or give back the difference between ``paid`` and what was sent, and pause the
        account after a 429. Never fails the call it settles: the calls were made either way."""
        if counted.sent == paid and counted.retry_after_seconds is None:
            return
        now = self.clock.now()
        with contextlib.suppress(StoreUnavailable):
            async with self.uow.begin(durable=False) as stores:
                fresh = CallBudget.full(self.per_minute, now)
                held = await stores.neon_budgets.hold(account_id, fresh)
                budget = held.settled(paid, counted.sent, self.per_minute, now)
                if counted.retry_after_seconds is not None:
                    budget = budget.paused(now + timedelta(seconds=counted.retry_after_seconds))
                await stores.neon_budgets.put(account_id, budget)
            return
        log.warning("%d Neon calls could not be settled with their account's budget (store "
                    "unavailable)", counted.sent)  # fmt: skip
