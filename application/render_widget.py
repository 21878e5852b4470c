"""Fetch a Neon Metrics widget's data live from Neon."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from application.neon_access.authorized_calls import AuthorizedCalls
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
A = TypeVar("A")
B = TypeVar("B")


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
    """Steps: read the widget, the connection and the selection in one read; resolve the project
    (the widget's own, else the workspace's selection; "connect Neon" is reported before "select
    a project"); fetch the project and all its branches concurrently with a fresh token (one
    round trip, not two), sharing the fetch with every render of the same project over the same
    connection already in flight in this process (a team opening one dashboard costs Neon one
    render's calls); apply the widget's rules.
    """

    uow: UnitOfWork
    neon: AuthorizedCalls
    console: NeonConsole
    clock: Clock
    telemetry: Telemetry
    in_flight: SingleFlight[NeonMetricsSnapshot] = field(default_factory=SingleFlight)

    async def execute(
        self, actor: Member, dashboard_id: str, widget_id: str
    ) -> NeonMetricsSnapshot:
        try:
            snapshot = await self._render(actor, dashboard_id, widget_id)
        except (DomainError, PortFailure) as failure:
            self.telemetry.widget_render(type(failure).__name__)
            raise
        self.telemetry.widget_render("ok")
        return snapshot

    async def _render(
        self, actor: Member, dashboard_id: str, widget_id: str
    ) -> NeonMetricsSnapshot:
        board_id = parse_uuid(dashboard_id, "The dashboard id")
        wid = parse_uuid(widget_id, "The widget id")
        async with self.uow.read() as stores:
            widget = await stores.dashboards.widget(actor.workspace_id, board_id, wid)
            connection = await stores.connections.get(actor.workspace_id)
            selection = await stores.selections.get(actor.workspace_id)
        if widget is None:
            raise NotFound("No such widget on a dashboard of this workspace.")
        connection = usable(connection)  # "connect Neon" comes before "select a project"
        project_id = widget.settings.project_id or (selection.project_id if selection else None)
        if project_id is None:
            raise ProjectNotSelected()
        return await self.in_flight.run(  # keyed by connection: never shared across workspaces
            f"{connection.id}:{project_id}",
            lambda: self.neon.with_fresh_token(
                connection, lambda token: self._fetch(token, project_id)
            ),
        )

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
