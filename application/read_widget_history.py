"""The points of a widget's trend: storage and compute hours, where renders fetched Neon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.neon_access.shared_fetch import SharedFetches
from application.permissions import Audience, use_case
from application.ports.stores import TokensUnreadable, UnitOfWork
from application.ports.system import Clock
from domain.errors import InvalidInput, NeonNotConnected, NotFound, ProjectNotSelected
from domain.ids import NeonProjectId, parse_uuid
from domain.trend import TrendPoint, history_days, within
from domain.workspaces import Member


@dataclass(frozen=True, slots=True)
class WidgetHistory:
    project_id: NeonProjectId
    days: int
    points: tuple[TrendPoint, ...]  # oldest first
    as_of: datetime  # the last ``days`` days before this moment


@use_case(
    Audience.MEMBERS,
    raises=(NotFound, InvalidInput, NeonNotConnected, TokensUnreadable, ProjectNotSelected),
)
@dataclass(frozen=True, slots=True)
class ReadWidgetHistory:
    """The project is the one the widget renders (its own, else the workspace's selection), and
    the points are those kept for it under the connected Neon account; reading never calls Neon,
    and a connection that needs re-authorization still shows what was seen before. A render in
    this process that fetched moments ago saves its point just after answering: that save is
    waited for, so the chart beside a widget shows the figures the widget shows."""

    uow: UnitOfWork
    clock: Clock
    fetches: SharedFetches

    async def execute(
        self, actor: Member, dashboard_id: str, widget_id: str, days: int
    ) -> WidgetHistory:
        board_id = parse_uuid(dashboard_id, "The dashboard id")
        wid = parse_uuid(widget_id, "The widget id")
        span = history_days(days)
        await self.fetches.settled(actor.workspace_id)
        async with self.uow.read() as stores:
            widget = await stores.dashboards.widget(actor.workspace_id, board_id, wid)
            connection = await stores.connections.get(actor.workspace_id)
            selection = await stores.selections.get(actor.workspace_id)
            project_id = (widget.settings.project_id if widget else None) or (
                selection.project_id if selection else None
            )
            points = (
                await stores.trend.points(
                    actor.workspace_id, connection.account.id, str(project_id)
                )
                if connection is not None and project_id is not None
                else ()
            )
        if widget is None:
            raise NotFound("No such widget on a dashboard of this workspace.")
        if connection is None:
            raise NeonNotConnected()
        if project_id is None:
            raise ProjectNotSelected()
        now = self.clock.now()
        return WidgetHistory(project_id, span, within(points, now, span), now)
