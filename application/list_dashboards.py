"""Every dashboard of the workspace, with its widgets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from domain.dashboards import Dashboard
from domain.workspaces import Member


@use_case(Audience.MEMBERS)
@dataclass(frozen=True, slots=True)
class ListDashboards:
    uow: UnitOfWork

    async def execute(self, actor: Member) -> Sequence[Dashboard]:
        async with self.uow.read() as stores:
            return await stores.dashboards.list(actor.workspace_id)
