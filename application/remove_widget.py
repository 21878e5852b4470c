"""Take a widget off a dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, still_member, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.dashboards import existing
from domain.errors import InvalidInput, NotFound
from domain.ids import parse_uuid
from domain.workspaces import Member


@use_case(Audience.ADMINS, raises=(NotFound, InvalidInput))
@dataclass(frozen=True, slots=True)
class RemoveWidget:
    uow: UnitOfWork
    clock: Clock

    async def execute(self, actor: Member, dashboard_id: str, widget_id: str) -> None:
        wid = parse_uuid(widget_id, "The widget id")
        board_id = parse_uuid(dashboard_id, "The dashboard id")
        async with self.uow.begin() as stores:
            await still_member(stores, actor)
            dashboard = existing(await stores.dashboards.get(actor.workspace_id, board_id))
            dashboard.widget(wid)  # NotFound unless it is on this dashboard
            await stores.dashboards.remove_widget(dashboard, wid)
            await stores.audit.record(
                AuditEvent.by(
                    actor,
                    "widget.removed",
                    self.clock.now(),
                    dashboard_id=dashboard.id,
                    widget_id=wid,
                )
            )
