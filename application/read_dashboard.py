"""One dashboard of the workspace, with its widgets."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from domain.dashboards import Dashboard, existing
from domain.errors import InvalidInput, NotFound
from domain.ids import parse_uuid
from domain.workspaces import Member


@use_case(Audience.MEMBERS, raises=(NotFound, InvalidInput))
@dataclass(frozen=True, slots=True)
class ReadDashboard:
    uow: UnitOfWork

    async def execute(self, actor: Member, dashboard_id: str) -> Dashboard:
        board_id = parse_uuid(dashboard_id, "The dashboard id")
        async with self.uow.read() as stores:
            return existing(await stores.dashboards.get(actor.workspace_id, board_id))
