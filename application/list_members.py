"""Who belongs to the workspace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from domain.workspaces import Member


@use_case(Audience.ADMINS)
@dataclass(frozen=True, slots=True)
class ListMembers:
    uow: UnitOfWork

    async def execute(self, actor: Member) -> Sequence[Member]:
        async with self.uow.read() as stores:
            return await stores.members.list(actor.workspace_id)
