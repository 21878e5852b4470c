"""Create an empty dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, still_member, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.dashboards import Dashboard, dashboard_name
from domain.errors import InvalidInput, LimitReached
from domain.ids import new_id
from domain.limits import MAX_DASHBOARDS, within
from domain.workspaces import Member


@use_case(Audience.ADMINS, raises=(InvalidInput, LimitReached))
@dataclass(frozen=True, slots=True)
class CreateDashboard:
    """The workspace is held while its dashboards are counted, so two creates at the cap minus
    one cannot both pass."""

    uow: UnitOfWork
    clock: Clock

    async def execute(self, actor: Member, name: str) -> Dashboard:
        dashboard = Dashboard(new_id(), actor.workspace_id, dashboard_name(name))
        async with self.uow.begin() as stores:
            await still_member(stores, actor)
            await stores.workspaces.hold(actor.workspace_id)
            within(await stores.dashboards.count(actor.workspace_id), MAX_DASHBOARDS, "dashboards")
            await stores.dashboards.add(dashboard)
            await stores.audit.record(
                AuditEvent.by(
                    actor,
                    "dashboard.created",
                    self.clock.now(),
                    dashboard_id=dashboard.id,
                    name=dashboard.name,
                )
            )
        return dashboard
