"""Fetch a Neon Metrics widget's data live from Neon."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from application.dashboard_lookup import dashboard_of
from application.neon_call import NeonCall
from application.ports.neon import NeonConsole
from application.ports.stores import DashboardStore, SelectionStore
from application.ports.system import Clock, Telemetry
from domain.errors import DomainError, ProjectNotSelected
from domain.ids import NeonProjectId, parse_uuid
from domain.metrics import NeonMetricsSnapshot
from domain.secrets import Secret
from domain.workspaces import Member

A = TypeVar("A")
B = TypeVar("B")


async def both(first: Awaitable[A], second: Awaitable[B]) -> tuple[A, B]:
    """Run two calls at once; if one fails, cancel the other rather than leave it running."""
    one, two = asyncio.ensure_future(first), asyncio.ensure_future(second)
    try:
        return await one, await two
    except BaseException:
        one.cancel()
        two.cancel()
        await asyncio.gather(one, two, return_exceptions=True)
        raise


class RenderWidget:
    """Any member. The project is the widget's own setting, else the workspace's selection.
    The project and all its branches are fetched concurrently (one round trip, not two), with a
    token from FreshAccessToken; the snapshot applies the widget's rules.
    """

    def __init__(
        self,
        dashboards: DashboardStore,
        selections: SelectionStore,
        neon: NeonCall,
        console: NeonConsole,
        clock: Clock,
        telemetry: Telemetry,
    ) -> None:
        self._dashboards = dashboards
        self._selections = selections
        self._neon = neon
        self._console = console
        self._clock = clock
        self._telemetry = telemetry

    async def execute(
        self, actor: Member, dashboard_id: str, widget_id: str
    ) -> NeonMetricsSnapshot:
        try:
            snapshot = await self._render(actor, dashboard_id, widget_id)
        except DomainError as failure:
            self._telemetry.widget_render(type(failure).__name__)
            raise
        self._telemetry.widget_render("ok")
        return snapshot

    async def _render(
        self, actor: Member, dashboard_id: str, widget_id: str
    ) -> NeonMetricsSnapshot:
        dashboard = await dashboard_of(self._dashboards, actor.workspace_id, dashboard_id)
        widget = dashboard.widget(parse_uuid(widget_id, "The widget id"))

        async def fetch(token: Secret) -> NeonMetricsSnapshot:
            # Resolved once a token exists: "connect Neon" comes before "select a project".
            project_id = widget.settings.project_id or await self._selected(actor.workspace_id)
            return await self._fetch(token, project_id)

        return await self._neon.run(actor.workspace_id, fetch)

    async def _selected(self, workspace_id: str) -> NeonProjectId:
        selection = await self._selections.get(workspace_id)
        if selection is None:
            raise ProjectNotSelected()
        return selection.project_id

    async def _fetch(self, token: Secret, project_id: NeonProjectId) -> NeonMetricsSnapshot:
        project, branches = await both(
            self._console.get_project(token, project_id),
            self._console.list_branches(token, project_id),
        )
        return NeonMetricsSnapshot.from_neon(project, branches, fetched_at=self._clock.now())
