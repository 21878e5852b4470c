"""Add a widget from the library to a dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, still_member, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.dashboards import Widget, WidgetKind, existing, neon_metrics_settings
from domain.errors import InvalidInput, LimitReached, NotFound
from domain.ids import new_id, parse_uuid
from domain.workspaces import Member


@use_case(Audience.ADMINS, raises=(NotFound, InvalidInput, LimitReached))
@dataclass(frozen=True, slots=True)
class AddWidget:
    """Without settings a Neon Metrics widget shows the workspace's selection."""

    uow: UnitOfWork
    clock: Clock

    async def execute(
        self, actor: Member, dashboard_id: str, kind: str, project_id: str | None
    ) -> Widget:
        try:
            widget_kind = WidgetKind(kind)
        except ValueError:
            raise InvalidInput("That widget is not in the widget library.") from None
        widget = Widget(new_id(), widget_kind, neon_metrics_settings(project_id))
        board_id = parse_uuid(dashboard_id, "The dashboard id")
        async with self.uow.begin() as stores:
            await still_member(stores, actor)
            dashboard = existing(await stores.dashboards.get(actor.workspace_id, board_id))
            dashboard.with_widget(widget)  # the per-dashboard cap, counted under the hold
            await stores.dashboards.add_widget(dashboard, widget)
            await stores.audit.record(
                AuditEvent.by(
                    actor,
                    "widget.added",
                    self.clock.now(),
                    dashboard_id=dashboard.id,
                    widget_id=widget.id,
                    kind=widget_kind.value,
                    project_id=project_id,
                )
            )
        return widget
