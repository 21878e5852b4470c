"""Rename a dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, still_member, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.dashboards import Dashboard, dashboard_name, existing
from domain.errors import InvalidInput, NotFound
from domain.ids import parse_uuid
from domain.workspaces import Member


@use_case(Audience.ADMINS, raises=(NotFound, InvalidInput))
@dataclass(frozen=True, slots=True)
class RenameDashboard:
    uow: UnitOfWork
    clock: Clock

    async def execute(self, actor: Member, dashboard_id: str, name: str) -> Dashboard:
        new_name = dashboard_name(name)
        board_id = parse_uuid(dashboard_id, "The dashboard id")
        async with self.uow.begin() as stores:
            await still_member(stores, actor)
            dashboard = existing(await stores.dashboards.get(actor.workspace_id, board_id))
            renamed = dashboard.renamed(new_name)
            await stores.dashboards.rename(renamed)
            await stores.audit.record(
                AuditEvent.by(
                    actor,
                    "dashboard.renamed",
                    self.clock.now(),
                    dashboard_id=dashboard.id,
                    name=renamed.name,
                )
            )
        return renamed
