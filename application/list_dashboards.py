"""The workspace's dashboards, with their widgets, a page at a time in creation order."""

from __future__ import annotations

from dataclasses import dataclass

from application.paging import DASHBOARDS, FIRST_PAGE, Listed, PageRequest
from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from domain.dashboards import Dashboard
from domain.errors import InvalidInput
from domain.workspaces import Member


@use_case(Audience.MEMBERS, raises=(InvalidInput,))
@dataclass(frozen=True, slots=True)
class ListDashboards:
    uow: UnitOfWork

    async def execute(self, actor: Member, request: PageRequest = FIRST_PAGE) -> Listed[Dashboard]:
        after = DASHBOARDS.start(request)
        async with self.uow.read() as stores:
            page = await stores.dashboards.page(actor.workspace_id, after, request.limit)
        return DASHBOARDS.listed(page)
