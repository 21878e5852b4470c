"""One fetch of a project's data from Neon at a time across every instance: a lease in the
database (decision 0019). In-process coalescing (``SingleFlight``) comes first, so each process
sends at most one render per project here."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.ports.neon import NeonRateLimited, NeonUnavailable
from application.ports.stores import FetchLease, StoreUnavailable, UnitOfWork
from application.ports.system import Clock
from domain.ids import new_id
from domain.metrics import NeonMetricsSnapshot

# Longer than a fetch takes (two concurrent Console calls with a 10 s deadline rarely take
# more than one round trip); a holder that crashed is replaced when it runs out.
LEASE = timedelta(seconds=10)
WAIT_SECONDS = 5.0  # how long a render waits for another instance's fetch before giving up
POLL_SECONDS = 0.05
UNAVAILABLE, RATE_LIMITED = "neon_unavailable", "neon_rate_limited"


@dataclass(frozen=True, slots=True)
class ProjectKey:
    """Whose data: the snapshots' key, so that tenants never share a fetch or its result."""

    workspace_id: str
    connection_id: str
    project_id: str


@dataclass(frozen=True, slots=True)
class SharedFetches:
    """Rules:
    - a snapshot newer than the one the render saw answers at once (another instance fetched);
    - otherwise the render takes the lease (atomically) and fetches, or waits for the holder,
      polling, for at most ``wait_seconds``;
    - a holder's failure is shared with the renders that waited for it (they answer with the
      last good data, or the problem), not retried by each of them; a render arriving later
      tries again (anyone may take a failed lease);
    - a holder that vanished (its lease ran out) or released the lease without a snapshot is
      replaced by the next waiter;
    - a render that waited in vain gets NeonUnavailable: the caller answers with the last good
      data when there is some, else the 503 problem. Fetching anyway would double Neon's calls
      exactly when Neon is slow.
    """

    uow: UnitOfWork
    clock: Clock
    wait_seconds: float = WAIT_SECONDS
    poll_seconds: float = POLL_SECONDS

    async def fetch(
        self,
        key: ProjectKey,
        seen: datetime | None,
        fetch: Callable[[], Awaitable[NeonMetricsSnapshot]],
    ) -> NeonMetricsSnapshot:
        """A snapshot fetched after ``seen`` (the render's latest; None: it had none)."""
        holder, waited_for = new_id(), None
        deadline = time.monotonic() + self.wait_seconds
        while True:
            newer, lease = await self._look(key, seen)
            if newer is not None:
                return newer
            now = self.clock.now()
            if lease is not None and lease.failure and lease.holder == waited_for:
                raise _shared(lease, now)
            if lease is None or lease.failure or lease.expires_at <= now:
                newer, taken = await self._take(key, seen, FetchLease(holder, now + LEASE), now)
                if newer is not None:
                    return newer
                if taken:
                    return await self._as_holder(key, holder, fetch)
            else:
                waited_for = lease.holder
            if time.monotonic() >= deadline:
                raise NeonUnavailable(1, "Another instance is still fetching this project.")
            await asyncio.sleep(self.poll_seconds)

    async def _look(
        self, key: ProjectKey, seen: datetime | None
    ) -> tuple[NeonMetricsSnapshot | None, FetchLease | None]:
        async with self.uow.read() as stores:
            latest = await stores.snapshots.latest(*_of(key))
            if _newer(latest, seen):
                return latest, None
            return None, await stores.fetch_leases.get(*_of(key))

    async def _take(
        self, key: ProjectKey, seen: datetime | None, lease: FetchLease, now: datetime
    ) -> tuple[NeonMetricsSnapshot | None, bool]:
        async with self.uow.begin() as stores:
            latest = await stores.snapshots.latest(*_of(key))  # saved since we looked?
            if _newer(latest, seen):
                return latest, False
            return None, await stores.fetch_leases.take(*_of(key), lease, now)

    async def _as_holder(
        self, key: ProjectKey, holder: str, fetch: Callable[[], Awaitable[NeonMetricsSnapshot]]
    ) -> NeonMetricsSnapshot:
        try:
            snapshot = await fetch()
        except (NeonRateLimited, NeonUnavailable) as failure:
            reason = RATE_LIMITED if isinstance(failure, NeonRateLimited) else UNAVAILABLE
            retry_at = self.clock.now() + timedelta(seconds=failure.retry_after_seconds)
            with contextlib.suppress(StoreUnavailable):  # the lease runs out by itself
                async with self.uow.begin() as stores:
                    await stores.fetch_leases.fail(*_of(key), holder, reason, retry_at)
            raise
        except BaseException:
            with contextlib.suppress(StoreUnavailable):
                await self._release(key, holder)
            raise
        await self._release(key, holder)
        return snapshot

    async def _release(self, key: ProjectKey, holder: str) -> None:
        async with self.uow.begin() as stores:
            await stores.fetch_leases.release(*_of(key), holder)


def _of(key: ProjectKey) -> tuple[str, str, str]:
    return key.workspace_id, key.connection_id, key.project_id


def _newer(latest: NeonMetricsSnapshot | None, seen: datetime | None) -> NeonMetricsSnapshot | None:
    if latest is None:
        return None
    return latest if seen is None or latest.fetched_at > seen else None


def _shared(lease: FetchLease, now: datetime) -> Exception:
    retry = max(1, math.ceil((lease.expires_at - now).total_seconds()))
    if lease.failure == RATE_LIMITED:
        return NeonRateLimited(retry)
    return NeonUnavailable(retry)
