"""The Neon call budget of each Neon account, taken before a render's fetch (decision 0019)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from application.ports.neon import NeonRateLimited
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.neon_budget import CallBudget


@dataclass(frozen=True, slots=True)
class NeonBudget:
    """Every instance draws on one bucket per Neon account (in the database), refilled at
    ``per_minute`` calls a minute; a 429 pauses the account for every instance until Neon's
    Retry-After (30 s when Neon does not say)."""

    uow: UnitOfWork
    clock: Clock
    per_minute: int = 600

    async def take(self, account_id: str, calls: int) -> None:
        """Raises NeonRateLimited (with the seconds to wait) when the account is paused or its
        budget cannot cover ``calls``; nothing is taken then."""
        now = self.clock.now()
        async with self.uow.begin() as stores:
            held = await stores.neon_budgets.hold(account_id, CallBudget.full(self.per_minute, now))
            budget, wait = held.take(calls, self.per_minute, now)
            await stores.neon_budgets.put(account_id, budget)
        if wait:
            raise NeonRateLimited(wait, "This Neon account's call budget is spent for now.")

    async def pause(self, account_id: str, seconds: int) -> None:
        now = self.clock.now()
        async with self.uow.begin() as stores:
            held = await stores.neon_budgets.hold(account_id, CallBudget.full(self.per_minute, now))
            await stores.neon_budgets.put(account_id, held.paused(now + timedelta(seconds=seconds)))
