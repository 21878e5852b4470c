"""Who belongs to the workspace, a page at a time in the order they joined."""

from __future__ import annotations

from dataclasses import dataclass

from application.paging import FIRST_PAGE, MEMBERS, Listed, PageRequest
from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from domain.errors import InvalidInput
from domain.workspaces import Member


@use_case(Audience.ADMINS, raises=(InvalidInput,))
@dataclass(frozen=True, slots=True)
class ListMembers:
    uow: UnitOfWork

    async def execute(self, actor: Member, request: PageRequest = FIRST_PAGE) -> Listed[Member]:
        after = MEMBERS.start(request)
        async with self.uow.read() as stores:
            page = await stores.members.page(actor.workspace_id, after, request.limit)
        return MEMBERS.listed(page)
