"""The one place that hands out a usable access token, refreshing it once per rotation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NoReturn

from application.neon_access.single_flight import SingleFlight
from application.ports.neon import (
    NeonOAuth,
    NeonUnavailable,
    RefreshOutcomeUnknown,
    RefreshRejected,
)
from application.ports.stores import RefreshLock, StoreUnavailable, UnitOfWork, VersionConflict
from application.ports.system import Clock, Telemetry
from domain.connection import (
    CONSOLE_REJECTION_PAUSE,
    Connection,
    ReauthorizationReason,
    usable,
)
from domain.errors import NeonReauthorizationRequired, NotFound

log = logging.getLogger("produl_neon.tokens")
PERSIST_ATTEMPTS = 8  # about 10 s of a store outage
# Once the rotated pair's first write has failed, how much longer a caller waits for the flight
# to store it (a store restarting for a moment) before answering store-unavailable. The flight
# keeps trying meanwhile; without this bound every render waited for all of its tries: about
# 7 s of back-off, and up to the store's 5 s deadline each (decision 0024).
STORE_GRACE_SECONDS = 2.0
# Longer than any token request can take (the OAuth adapter's deadline is 15 s) with room to spare.
UNKNOWN_OUTCOME_PAUSE = timedelta(seconds=60)


@dataclass(frozen=True, slots=True)
class AccessTokens:
    """Rules:
    - a token that is expired or about to be is refreshed before use;
    - one refresh per rotation: concurrent callers in this process share one flight, and the
      flight takes the per-connection lock (shared by every process) and re-checks the version
      it saw before waiting: if someone else rotated meanwhile, their token is used;
    - the rotated pair is written (version-checked) before anyone uses it, in a transaction of
      its own, never inside a use case's (decision 0011: Neon has already rotated; losing that
      write would log the customer out);
    - invalid_grant / token_inactive mark the connection "needs re-authorization"; no retry.
    """

    uow: UnitOfWork
    lock: RefreshLock
    oauth: NeonOAuth
    clock: Clock
    telemetry: Telemetry
    flights: SingleFlight[Connection] = field(default_factory=SingleFlight)
    # Per flight: set when its rotated pair could not be written at the first try
    unstored: dict[str, asyncio.Event] = field(default_factory=dict)

    async def current(self, workspace_id: str) -> Connection:
        """The stored connection, if Neon can be called with it (its token may be due)."""
        async with self.uow.read() as stores:
            return usable(await stores.connections.get(workspace_id))

    async def fit_for_use(self, connection: Connection) -> Connection:
        """``connection``, or its successor with a refreshed token when its token is due."""
        now = self.clock.now()
        if not connection.needs_refresh(now):
            return connection
        try:
            return await self.rotate(connection)
        except NeonUnavailable:
            if now >= connection.tokens.expires_at:
                raise
            return connection  # about to expire, not yet: use it while the token endpoint recovers

    async def rotate(self, seen: Connection) -> Connection:
        """Rotate the tokens of ``seen`` unless someone already replaced that version."""
        current = await self.current(seen.workspace_id)
        if current.id != seen.id or current.version != seen.version:
            return current  # rotated meanwhile: no flight, no lock
        key = _flight(seen)
        return await self._wait(key, self.flights.run(key, lambda: self._rotate_under_lock(seen)))

    async def _wait(self, key: str, flight: Awaitable[Connection]) -> Connection:
        """The flight's connection; once the flight's rotated pair could not be written, for
        STORE_GRACE_SECONDS more at most, then StoreUnavailable. The flight goes on trying,
        still holding the refresh lock (nobody may refresh with the old token meanwhile), and
        callers leave it to the store's outage; one arriving meanwhile waits the grace alone."""
        unstored = self.unstored.setdefault(key, asyncio.Event())
        waiting, noticed = asyncio.ensure_future(flight), asyncio.ensure_future(unstored.wait())
        try:
            await asyncio.wait((waiting, noticed), return_when=asyncio.FIRST_COMPLETED)
            if not waiting.done():
                await asyncio.wait((waiting,), timeout=STORE_GRACE_SECONDS)
            if not waiting.done():
                raise StoreUnavailable()
            return waiting.result()
        finally:
            noticed.cancel()
            waiting.cancel()  # this caller's wait only: the flight itself is shielded
            if not self.flights.running(key):
                self.unstored.pop(key, None)

    async def drain(self) -> None:
        """Wait for refreshes in flight (a stopping process must still store what it rotated)."""
        await self.flights.wait_all()

    async def mark_broken(self, connection: Connection, reason: ReauthorizationReason) -> None:
        """Unless someone changed the connection meanwhile (theirs wins)."""
        broken = connection.requiring_reauthorization(reason)
        with suppress(VersionConflict, NotFound):
            await self._write(broken, expected_version=connection.version)

    async def console_refused_fresh_token(self, connection: Connection) -> NoReturn:
        """The Console API refused a token the token endpoint has just issued. That is Neon's
        trouble, not a lost grant (only the token endpoint's verdict means that): the connection
        is degraded and nobody refreshes for a while. A day of unbroken refusals, though, is a
        grant that no longer works: then the customer reconnects."""
        now = self.clock.now()
        if connection.console_rejection_outlasted(now):
            await self.mark_broken(connection, ReauthorizationReason.ACCESS_REJECTED)
            since = connection.console_rejected_since
            log.warning("connection %s needs re-authorization: the Console API has refused "
                        "fresh tokens since %s", connection.id, since)  # fmt: skip
            raise NeonReauthorizationRequired()
        rejected = connection.console_rejected(now)
        with suppress(VersionConflict, NotFound):
            await self._write(rejected, expected_version=connection.version)
        self.telemetry.token_refresh("console_rejected")
        log.warning("connection %s version %d: the Console API refused a token fresh from a "
                    "refresh; no refresh before %s", connection.id, connection.version,
                    rejected.refresh_blocked_until)  # fmt: skip
        raise NeonUnavailable(retry_after_seconds=int(CONSOLE_REJECTION_PAUSE.total_seconds()))

    async def console_accepted(self, connection: Connection) -> None:
        """A Console call succeeded: whatever refusals came before were not a broken grant."""
        if connection.console_rejected_since is None:
            return
        with suppress(VersionConflict, NotFound):
            await self._write(connection.console_accepted(), expected_version=connection.version)
        log.info("connection %s: the Console API accepts its token again", connection.id)

    async def _rotate_under_lock(self, seen: Connection) -> Connection:
        try:
            async with self.lock.hold(seen.id):
                current = await self.current(seen.workspace_id)
                if current.id != seen.id or current.version != seen.version:
                    self.telemetry.token_refresh("already_rotated")
                    return current
                return await self._refresh(current)
        finally:
            self.unstored.pop(_flight(seen), None)  # a later flight of this version starts anew

    async def _refresh(self, current: Connection) -> Connection:
        now = self.clock.now()
        if current.refresh_blocked_until is not None and current.refresh_blocked(now):
            wait = int((current.refresh_blocked_until - now).total_seconds()) + 1
            raise NeonUnavailable(retry_after_seconds=wait)
        refresh_token = current.tokens.refresh_token
        if refresh_token is None:
            await self._give_up(current, ReauthorizationReason.NO_REFRESH_TOKEN)
        try:
            granted = await self.oauth.refresh(refresh_token)
        except RefreshRejected as rejected:
            reason = (
                ReauthorizationReason.GRANT_REVOKED
                if rejected.grant_revoked
                else ReauthorizationReason.REFRESH_REJECTED
            )
            await self._give_up(current, reason)
        except NeonUnavailable:
            self.telemetry.token_refresh("unavailable")
            raise
        except RefreshOutcomeUnknown:
            await self._block_refreshes(current, now)
            pause = int(UNKNOWN_OUTCOME_PAUSE.total_seconds())
            raise NeonUnavailable(retry_after_seconds=pause) from None
        rotated = current.rotated(granted.tokens)
        await self._persist(rotated, current.version)
        self.telemetry.token_refresh("rotated")
        log.info("connection %s: tokens rotated to version %d", rotated.id, rotated.version)
        return rotated

    async def _persist(self, rotated: Connection, expected_version: int) -> None:
        """Neon has already rotated: losing this write would lose the only valid refresh token,
        so a store outage is retried for a while rather than given up at once."""
        for attempt in range(PERSIST_ATTEMPTS):
            try:
                await self._write(rotated, expected_version=expected_version)
                return
            except StoreUnavailable:
                flight = f"{rotated.id}@{expected_version}"  # the key of the flight rotating it
                self.unstored.setdefault(flight, asyncio.Event()).set()
                if attempt == PERSIST_ATTEMPTS - 1:
                    log.critical("rotated tokens of connection %s could not be stored", rotated.id)
                    self.telemetry.token_refresh("lost")
                    raise
                await asyncio.sleep(min(0.1 * 2**attempt, 2.0))

    async def _block_refreshes(self, current: Connection, now: datetime) -> None:
        """Neon may have rotated: let its request finish before anyone presents the token again
        (a second one in flight would be taken for reuse and revoke the grant)."""
        log.warning("connection %s: refresh outcome unknown; no refresh before %s",
                    current.id, now + UNKNOWN_OUTCOME_PAUSE)  # fmt: skip
        self.telemetry.token_refresh("outcome_unknown")
        blocked = current.blocking_refresh_until(now + UNKNOWN_OUTCOME_PAUSE)
        with suppress(VersionConflict, NotFound):
            await self._write(blocked, expected_version=current.version)

    async def _give_up(self, current: Connection, reason: ReauthorizationReason) -> NoReturn:
        await self._write(
            current.requiring_reauthorization(reason), expected_version=current.version
        )
        self.telemetry.token_refresh(reason.value)
        log.warning("connection %s needs re-authorization: %s", current.id, reason.value)
        raise NeonReauthorizationRequired()

    async def _write(self, connection: Connection, *, expected_version: int) -> None:
        async with self.uow.begin() as stores:
            await stores.connections.update(connection, expected_version=expected_version)


def _flight(seen: Connection) -> str:
    """The key of the flight rotating that version of the connection (one per rotation)."""
    return f"{seen.id}@{seen.version}"
