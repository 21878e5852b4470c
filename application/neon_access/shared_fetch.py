"""One fetch of a project's data from Neon at a time across every instance (a lease in the
database), paid from the Neon account's call budget (decision 0019). In-process coalescing
(``SingleFlight``) comes first, so each process sends at most one render per project here.

A cold render makes two short writes here: the lease and the budget together before the call,
then the snapshot, its trend point and the lease's release together, a moment after the render
has answered (decision 0025)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from application.neon_access.account_budget import take_calls
from application.ports.neon import NeonRateLimited, NeonUnavailable
from application.ports.stores import FetchLease, Stores, StoreUnavailable, UnitOfWork
from application.ports.system import Clock, Telemetry
from application.trend_points import keep_point
from domain.ids import new_id
from domain.metrics import NeonMetricsSnapshot

# A holder that crashed is replaced when its lease runs out. A fetch may take longer than
# that (a token refresh, then Console calls with a 10 s deadline each, retries, more pages), so
# the holder extends its lease while it fetches, every third of it (decision 0024).
LEASE = timedelta(seconds=10)
RENEW_SECONDS = LEASE.total_seconds() / 3
WAIT_SECONDS = 5.0  # how long a render waits for another instance's fetch before giving up
POLL_SECONDS = 0.05
# How long after the fetch its snapshot is saved: long enough for the render holding the data to
# write its answer first (a few hundred microseconds of CPU, never a suspension), so that a cold
# render costs one Neon round trip and not one plus a write; short enough that nobody notices.
SAVE_DELAY_SECONDS = 0.001
# A save that finds the store unavailable is tried again after these pauses (0.75 s in all,
# within what a reader waits for it), then given up.
SAVE_RETRY_PAUSES = (0.05, 0.1, 0.2, 0.4)
# How long a reader waits for those saves: they take a millisecond; a store that is stuck must
# not hold every render of the workspace (what is read then may be a moment older).
SETTLE_SECONDS = 1.0
UNAVAILABLE, RATE_LIMITED = "neon_unavailable", "neon_rate_limited"
log = logging.getLogger("produl_neon.widgets")


class ConnectionReplaced(Exception):
    """The workspace disconnected or reconnected while this render ran: its fetch would be made
    with the old grant (and its data kept after the disconnect). Render again."""


@dataclass(frozen=True, slots=True)
class ProjectKey:
    """Whose data: the snapshots' key, so that tenants never share a fetch or its result."""

    workspace_id: str
    connection_id: str
    project_id: str


@dataclass(frozen=True, slots=True)
class Fetch:
    """What the holder of the lease does: ``calls`` Console calls for ``account_id``."""

    key: ProjectKey
    account_id: str
    calls: int
    run: Callable[[], Awaitable[NeonMetricsSnapshot]]


@dataclass(frozen=True, slots=True)
class SharedFetches:
    """Rules:
    - a snapshot newer than the one the render saw answers at once (another instance fetched);
    - otherwise the render takes the lease (atomically) and fetches, or waits for the holder,
      polling, for at most ``wait_seconds``;
    - a holder's failure is shared with the renders that waited for it (they answer with the
      last good data, or the problem), not retried by each of them; a render arriving later
      tries again (anyone may take a failed lease);
    - the holder extends its lease while it fetches, however long that takes; a holder that
      vanished (its lease ran out) or released the lease without a snapshot is replaced by the
      next waiter;
    - a render that waited in vain gets NeonUnavailable: the caller answers with the last good
      data when there is some, else the 503 problem. Fetching anyway would double Neon's calls
      exactly when Neon is slow;
    - the holder pays the fetch's calls from the account's budget (one bucket per Neon account
      for every instance, ``per_minute`` calls a minute) before calling; a spent budget or a
      429 (which pauses the account until Neon's Retry-After) is NeonRateLimited.
    """

    uow: UnitOfWork
    clock: Clock
    per_minute: int = 600
    wait_seconds: float = WAIT_SECONDS
    poll_seconds: float = POLL_SECONDS
    telemetry: Telemetry | None = None  # counts the fetches the budget refused
    renew_seconds: float = RENEW_SECONDS
    saving: dict[ProjectKey, asyncio.Task[None]] = field(default_factory=dict)  # in this process

    async def fetch(self, fetch: Fetch, seen: datetime | None) -> NeonMetricsSnapshot:
        """The snapshot ``fetch`` saved, or one another render saved after ``seen`` (the
        render's latest; None: it had none). Raises NeonRateLimited, NeonUnavailable and what
        ``fetch.run`` raises."""
        key, holder, waited_for = fetch.key, new_id(), None
        await self._settled([self.saving.get(key)])  # a fetch here just ended: that snapshot
        deadline = time.monotonic() + self.wait_seconds
        lease: FetchLease | None = None  # first try to take it: usually nobody holds it
        while True:
            now = self.clock.now()
            if lease is not None and lease.failure and lease.holder == waited_for:
                raise _shared(lease, now)
            if lease is None or lease.failure or lease.expires_at <= now:
                mine = FetchLease(holder, now + LEASE)
                newer, lease = await self._take(fetch, seen, mine, now)
                if newer is not None:
                    return newer
                if lease == mine:
                    return await self._as_holder(fetch, holder)
            if lease is not None:
                waited_for = lease.holder
            if time.monotonic() >= deadline:
                raise NeonUnavailable(1, "Another instance is still fetching this project.")
            await asyncio.sleep(self.poll_seconds)
            newer, lease = await self._look(key, seen)
            if newer is not None:
                return newer

    async def _look(
        self, key: ProjectKey, seen: datetime | None
    ) -> tuple[NeonMetricsSnapshot | None, FetchLease | None]:
        async with self.uow.read() as stores:
            latest = await stores.snapshots.latest(*_of(key))
            if _newer(latest, seen):
                return latest, None
            return None, await stores.fetch_leases.get(*_of(key))

    async def _take(
        self, fetch: Fetch, seen: datetime | None, lease: FetchLease, now: datetime
    ) -> tuple[NeonMetricsSnapshot | None, FetchLease | None]:
        """The lease and the fetch's calls from the budget, together: ``lease`` when taken,
        else whose it is. A spent budget takes the lease only to tell the renders waiting for
        it (a failed lease), and raises."""
        async with self.uow.begin(durable=False) as stores:
            current = await stores.connections.current_id(fetch.key.workspace_id)
            if current != fetch.key.connection_id:  # its grant is gone: no fetch, no data kept
                raise ConnectionReplaced()
            latest = await stores.snapshots.latest(*_of(fetch.key))  # saved since we looked?
            if _newer(latest, seen):  # the lease is left as it is: a failure in it is shared
                return latest, None
            if not await stores.fetch_leases.take(*_of(fetch.key), lease, now):
                return None, await stores.fetch_leases.get(*_of(fetch.key))
            # Again, now that the lease is ours: on PostgreSQL (read committed) the holder before
            # us may have saved and released between the look above and our take, which then
            # waited for its release; the look would have missed that snapshot
            latest = await stores.snapshots.latest(*_of(fetch.key))
            if _newer(latest, seen):
                await stores.fetch_leases.release(*_of(fetch.key), lease.holder)
                return latest, None
            wait = await self._spend(stores, fetch, now)
            if wait:
                retry_at = now + timedelta(seconds=wait)
                await stores.fetch_leases.fail(
                    *_of(fetch.key), lease.holder, RATE_LIMITED, retry_at
                )
        if wait:
            raise NeonRateLimited(wait, "This Neon account's call budget is spent for now.")
        return None, lease

    async def _spend(self, stores: Stores, fetch: Fetch, now: datetime) -> int:
        """Take ``fetch.calls`` from the account's budget: 0, or the seconds to wait."""
        return await take_calls(
            stores, fetch.account_id, fetch.calls, self.per_minute, now, self.telemetry
        )

    async def _as_holder(self, fetch: Fetch, holder: str) -> NeonMetricsSnapshot:
        key = fetch.key
        try:
            async with self._kept(key, holder):
                snapshot = await fetch.run()
        except (NeonRateLimited, NeonUnavailable) as failure:
            await self._failed(fetch, holder, failure)
            raise
        except BaseException:
            with contextlib.suppress(StoreUnavailable):  # the lease runs out by itself
                async with self.uow.begin(durable=False) as stores:
                    await stores.fetch_leases.release(*_of(key), holder)
            raise
        self._save_soon(fetch, holder, snapshot)
        return snapshot

    async def settled(self, workspace_id: str) -> None:
        """Once the saves of ``workspace_id``'s fetches that this process has in flight are done:
        what a render here answered with is then in the store (its trend point too)."""
        await self._settled([t for k, t in self.saving.items() if k.workspace_id == workspace_id])

    async def drain(self) -> None:
        """At shutdown: every snapshot fetched is saved (or given up) before the store closes."""
        if self.saving:
            await asyncio.wait(list(self.saving.values()))

    async def _settled(self, saves: list[asyncio.Task[None] | None]) -> None:
        pending = [save for save in saves if save is not None]
        if pending:  # their own failures are logged by ``_saved``
            await asyncio.wait(pending, timeout=SETTLE_SECONDS)

    def _save_soon(self, fetch: Fetch, holder: str, snapshot: NeonMetricsSnapshot) -> None:
        """Keep ``snapshot`` as the project's last, with its trend point, and release the lease:
        in a write of its own, no transaction held while Neon answered, and a moment after the
        render has answered (``SAVE_DELAY_SECONDS``). The lease is held until then, so no
        instance fetches again meanwhile (they wait for this snapshot), and anything here that
        reads it first waits for the save (``settled``)."""
        save = asyncio.ensure_future(self._save(fetch, holder, snapshot))
        self.saving[fetch.key] = save
        save.add_done_callback(lambda done: self._saved(fetch.key, done))

    async def _save(self, fetch: Fetch, holder: str, snapshot: NeonMetricsSnapshot) -> None:
        key = fetch.key
        await asyncio.sleep(SAVE_DELAY_SECONDS)
        # Tried again while the store is briefly unavailable (a connection killed under it):
        # a save given up leaves the lease held for LEASE, and every render of the project then
        # waits for a fetch that already ended
        for pause in (*SAVE_RETRY_PAUSES, None):
            try:
                async with self.uow.begin(durable=False) as stores:
                    # Only while the lease is still ours: a disconnect or reconnect meanwhile
                    # removed it, and the old grant's data must not come back after it
                    if not await stores.fetch_leases.release(*_of(key), holder):
                        return
                    await stores.snapshots.save(key.workspace_id, key.connection_id, snapshot)
                    now = self.clock.now()
                    await keep_point(
                        stores.trend, key.workspace_id, fetch.account_id, snapshot, now
                    )
                return
            except StoreUnavailable:
                if pause is None:  # the render has its answer; the lease runs out by itself
                    log.warning("project %s: the snapshot just fetched was not kept (store "
                                "unavailable)", key.project_id)  # fmt: skip
                    return
                await asyncio.sleep(pause)

    def _saved(self, key: ProjectKey, save: asyncio.Task[None]) -> None:
        if self.saving.get(key) is save:
            del self.saving[key]
        if not save.cancelled() and (failure := save.exception()) is not None:
            log.error("project %s: saving its snapshot failed", key.project_id, exc_info=failure)

    @contextlib.asynccontextmanager
    async def _kept(self, key: ProjectKey, holder: str) -> AsyncIterator[None]:
        """The holder's lease, extended every ``renew_seconds`` while the block runs: a fetch
        that outlasts LEASE must not let another instance take the lease and fetch too. A fetch
        shorter than ``renew_seconds`` (nearly all) writes nothing more, and starts no task: a
        timer starts the keeper, so a cold render pays no task's start and end for it."""
        keepers: list[asyncio.Task[None]] = []

        def start() -> None:
            keepers.append(asyncio.ensure_future(self._keep(key, holder)))

        timer = asyncio.get_running_loop().call_later(self.renew_seconds, start)
        try:
            yield
        finally:
            timer.cancel()
            for keeper in keepers:
                keeper.cancel()
            if keepers:
                await asyncio.gather(*keepers, return_exceptions=True)

    async def _keep(self, key: ProjectKey, holder: str) -> None:
        while True:
            extended = None
            with contextlib.suppress(StoreUnavailable):  # tried again next time, before it ends
                async with self.uow.begin(durable=False) as stores:
                    until = self.clock.now() + LEASE
                    extended = await stores.fetch_leases.extend(*_of(key), holder, until)
            if extended is False:
                log.warning("project %s: this fetch's lease ran out (its extensions did not "
                            "reach the store); another render took it", key.project_id)  # fmt: skip
                return
            await asyncio.sleep(self.renew_seconds)

    async def _failed(
        self, fetch: Fetch, holder: str, failure: NeonRateLimited | NeonUnavailable
    ) -> None:
        """The renders waiting for this fetch share its failure (Neon's 429 has already paused
        the account for every instance: ``AuthorizedCalls`` settles every call with it)."""
        now = self.clock.now()
        retry_at = now + timedelta(seconds=failure.retry_after_seconds)
        reason = RATE_LIMITED if isinstance(failure, NeonRateLimited) else UNAVAILABLE
        with contextlib.suppress(StoreUnavailable):  # the lease runs out by itself
            async with self.uow.begin(durable=False) as stores:
                await stores.fetch_leases.fail(*_of(fetch.key), holder, reason, retry_at)


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
