"""Fetch a Neon Metrics widget's data from Neon, or answer with data fetched moments ago."""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from application.neon_access.authorized_calls import AuthorizedCalls
from application.neon_access.shared_fetch import (
    ConnectionReplaced,
    Fetch,
    ProjectKey,
    SharedFetches,
)
from application.neon_access.single_flight import SingleFlight
from application.permissions import Audience, use_case
from application.ports.failure import PortFailure
from application.ports.neon import NeonConsole, NeonRateLimited, NeonUnavailable
from application.ports.stores import TokensUnreadable, UnitOfWork
from application.ports.system import Clock, Telemetry
from domain.connection import usable
from domain.errors import (
    DomainError,
    InvalidInput,
    NeonNotConnected,
    NeonReauthorizationRequired,
    NotFound,
    ProjectNotAccessible,
    ProjectNotSelected,
)
from domain.ids import NeonProjectId, parse_uuid
from domain.metrics import NeonMetricsSnapshot
from domain.secrets import Secret
from domain.workspaces import Member

log = logging.getLogger("produl_neon.widgets")
# After Neon failed to answer for a project, renders of it in this process do not ask again for
# this long (or Neon's Retry-After, when shorter): they answer with the last good data, or the
# same 503, at once. We tell clients to retry after as long; asking a failing Neon three times
# per render for every viewer only makes the storm bigger (docs/decisions/0023).
FAILURE_PAUSE = timedelta(seconds=5)
# ``?refresh=true`` skips the window, but not this floor: a snapshot fetched less than this long
# ago (by any instance: it is the snapshot's fetched_at) answers the refresh, so a member
# looping on Refresh costs at most one fetch per project per 5 s (at most 24 of the account's
# 600 calls a minute), never the account's whole budget (decision 0024).
REFRESH_FLOOR_SECONDS = 5
A = TypeVar("A")
B = TypeVar("B")
# What one fetch takes from the account's budget with its lease: the project and its branches
# (one page of up to 10,000). Retries and further pages are charged after the fetch, from what
# the Console adapter counted (AuthorizedCalls, decision 0024).
CALLS_PER_FETCH = 2


class StaleReason(StrEnum):
    NEON_UNAVAILABLE = "neon_unavailable"
    NEON_RATE_LIMITED = "neon_rate_limited"


class RenderOutcome(StrEnum):
    """How a render was answered, for the operators' counter (a failure counts as its error's
    name in snake case, e.g. ``neon_unavailable``: a bounded set, like these)."""

    FRESH = "fresh"  # this render fetched from Neon
    COALESCED = "coalesced"  # joined a fetch of the same project already in flight here
    WINDOW_HIT = "window_hit"  # a snapshot younger than max_age_seconds answered
    STALE_NEON_UNAVAILABLE = "stale_neon_unavailable"
    STALE_NEON_RATE_LIMITED = "stale_neon_rate_limited"


@dataclass(frozen=True, slots=True)
class WidgetData:
    """A snapshot and how old it is; ``stale_reason`` is set when Neon failed just now and this
    is the last good data instead."""

    snapshot: NeonMetricsSnapshot
    age_seconds: int
    stale_reason: StaleReason | None = None

    @classmethod
    def of(
        cls, snapshot: NeonMetricsSnapshot, now: datetime, stale: StaleReason | None = None
    ) -> WidgetData:
        # Never negative: instances' clocks may differ by a little, and the data is not from
        # the future
        age = max(0, int((now - snapshot.fetched_at).total_seconds()))
        return cls(snapshot, age, stale)

    @property
    def stale(self) -> bool:
        return self.stale_reason is not None


@use_case(
    Audience.MEMBERS,
    raises=(
        NotFound,
        InvalidInput,
        NeonNotConnected,
        NeonReauthorizationRequired,
        TokensUnreadable,
        ProjectNotSelected,
        ProjectNotAccessible,
        NeonRateLimited,
        NeonUnavailable,
    ),
)
@dataclass(frozen=True, slots=True)
class RenderWidget:
    """Steps: read the widget, the connection, the selection and the project's last snapshot in
    one read; resolve the project (the widget's own, else the workspace's selection; "connect
    Neon" is reported before "select a project"); a snapshot younger than ``max_age_seconds``
    answers at once (Neon's own figures lag by minutes, so the window loses nothing; a
    ``refresh`` skips it, unless the snapshot is younger than ``refresh_floor_seconds``).
    Otherwise one fetch: shared with every render of the same project over the same
    connection in flight in this process, then with every instance through the fetch lease
    (``SharedFetches``: one instance fetches, the others wait for its snapshot). The holder takes
    its calls from the Neon account's budget, then gets the project and all its branches
    concurrently with a fresh token (one round trip), and keeps the result as the last snapshot
    in a write of its own after the call; a 429 pauses the account for every instance. When
    Neon fails, rate-limits or the budget is spent, the last snapshot answers, marked stale; a
    broken grant or a project Neon no longer shows never does (those need the customer, and old
    data would hide it).
    """

    uow: UnitOfWork
    neon: AuthorizedCalls
    console: NeonConsole
    clock: Clock
    telemetry: Telemetry
    shared: SharedFetches
    max_age_seconds: int = 15
    refresh_floor_seconds: int = REFRESH_FLOOR_SECONDS
    in_flight: SingleFlight[NeonMetricsSnapshot] = field(default_factory=SingleFlight)
    failed_until: dict[str, datetime] = field(default_factory=dict)  # per connection and project

    async def execute(
        self, actor: Member, dashboard_id: str, widget_id: str, *, refresh: bool = False
    ) -> WidgetData:
        try:
            try:
                data, outcome = await self._render(actor, dashboard_id, widget_id, refresh)
            except ConnectionReplaced:  # (dis)connected meanwhile: once more, with what is there
                data, outcome = await self._again(actor, dashboard_id, widget_id, refresh)
        except (DomainError, PortFailure) as failure:
            self.telemetry.widget_render(failure_outcome(failure))
            raise
        self.telemetry.widget_render(outcome)
        return data

    async def _again(
        self, actor: Member, dashboard_id: str, widget_id: str, refresh: bool
    ) -> tuple[WidgetData, RenderOutcome]:
        try:
            return await self._render(actor, dashboard_id, widget_id, refresh)
        except ConnectionReplaced:  # twice in one render: the customer is (re)connecting now
            raise NeonUnavailable(1, "Neon is being connected again; try in a moment.") from None

    async def _render(
        self, actor: Member, dashboard_id: str, widget_id: str, refresh: bool
    ) -> tuple[WidgetData, RenderOutcome]:
        board_id = parse_uuid(dashboard_id, "The dashboard id")
        wid = parse_uuid(widget_id, "The widget id")
        await self.shared.settled(actor.workspace_id)  # a fetch here just ended: read its snapshot
        async with self.uow.read() as stores:
            widget = await stores.dashboards.widget(actor.workspace_id, board_id, wid)
            stored = await stores.connections.get(actor.workspace_id)
            selection = await stores.selections.get(actor.workspace_id)
            project_id = (widget.settings.project_id if widget else None) or (
                selection.project_id if selection else None
            )
            last = None
            if stored is not None and project_id is not None:
                last = await stores.snapshots.latest(actor.workspace_id, stored.id, str(project_id))
        if widget is None:
            raise NotFound("No such widget on a dashboard of this workspace.")
        connection = usable(stored)  # "connect Neon" comes before "select a project"
        if project_id is None:
            raise ProjectNotSelected()
        now = self.clock.now()
        window = self.max_age_seconds
        if refresh:
            window = min(window, self.refresh_floor_seconds)
        if last is not None and (now - last.fetched_at).total_seconds() < window:
            return WidgetData.of(last, now), RenderOutcome.WINDOW_HIT
        fetch = Fetch(
            ProjectKey(actor.workspace_id, connection.id, str(project_id)),
            connection.account.id,
            CALLS_PER_FETCH,
            lambda: self.neon.with_fresh_token(
                connection, lambda token: self._fetch(token, project_id), paid=CALLS_PER_FETCH
            ),
        )
        seen = last.fetched_at if last is not None else None
        key = f"{connection.id}:{project_id}"  # by connection: never shared across workspaces
        joined = self.in_flight.running(key)
        try:
            self._not_failing_now(key, now)
            snapshot = await self.in_flight.run(key, lambda: self._fetch_shared(key, fetch, seen))
        except (NeonUnavailable, NeonRateLimited) as failure:
            if last is None:
                raise
            reason = (
                StaleReason.NEON_RATE_LIMITED
                if isinstance(failure, NeonRateLimited)
                else StaleReason.NEON_UNAVAILABLE
            )
            log.info("project %s: %s; answering with the data fetched at %s",
                     project_id, reason, last.fetched_at.isoformat())  # fmt: skip
            return WidgetData.of(last, self.clock.now(), reason), RenderOutcome(f"stale_{reason}")
        fetched = RenderOutcome.COALESCED if joined else RenderOutcome.FRESH
        return WidgetData.of(snapshot, self.clock.now()), fetched

    def _not_failing_now(self, key: str, now: datetime) -> None:
        """Raises the pause's NeonUnavailable while Neon failed this project moments ago."""
        until = self.failed_until.get(key)
        if until is None:
            return
        if now >= until:
            del self.failed_until[key]
            return
        raise NeonUnavailable(retry_after_seconds=max(1, math.ceil((until - now).total_seconds())))

    async def _fetch_shared(
        self, key: str, fetch: Fetch, seen: datetime | None
    ) -> NeonMetricsSnapshot:
        try:
            snapshot = await self.shared.fetch(fetch, seen)
        except NeonUnavailable as failure:
            pause = min(FAILURE_PAUSE, timedelta(seconds=failure.retry_after_seconds))
            self.failed_until[key] = self.clock.now() + pause
            raise
        self.failed_until.pop(key, None)
        return snapshot

    async def _fetch(self, token: Secret, project_id: NeonProjectId) -> NeonMetricsSnapshot:
        project, branches = await _together(
            self.console.get_project(token, project_id),
            self.console.list_branches(token, project_id),
        )
        snapshot = NeonMetricsSnapshot.from_neon(project, branches, fetched_at=self.clock.now())
        if snapshot.unmeant:
            # Neon's request ids are on the adapter's line for each call; this names the project
            # so that the two can be matched, and the widget renders with those figures null.
            log.warning("project %s: Neon sent figures it cannot mean (%s); shown as not reported",
                        project_id, ", ".join(snapshot.unmeant))  # fmt: skip
        return snapshot


def failure_outcome(failure: Exception) -> str:
    """``NeonUnavailable`` → ``neon_unavailable``: the error's name, bounded like the errors."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(failure).__name__).lower()


async def _together(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Both at once; if one fails, the other is cancelled rather than left running, and the
    failure is raised as itself (a TaskGroup would wrap it in an ExceptionGroup)."""
    one, two = asyncio.ensure_future(first), asyncio.ensure_future(second)
    try:
        return await one, await two
    except BaseException:
        one.cancel()
        two.cancel()
        await asyncio.gather(one, two, return_exceptions=True)
        raise
