"""Who belongs to the workspace."""

from __future__ import annotations

from collections.abc import Sequence

from application.access import require_admin
from application.ports.stores import MemberStore
from domain.workspaces import Member


class ListMembers:
    def __init__(self, members: MemberStore) -> None:
        self._members = members

    async def execute(self, actor: Member) -> Sequence[Member]:
        require_admin(actor)
        return await self._members.list(actor.workspace_id)
