"""Make sure an operator-chosen admin token works, creating the first workspace if needed."""

from __future__ import annotations

from application.create_workspace import OPERATOR_EMAIL
from application.ports.stores import MemberStore, WorkspaceStore
from application.ports.system import Clock
from domain.ids import new_id
from domain.secrets import Secret
from domain.workspaces import Member, Role, Workspace


class EnsureBootstrapAdmin:
    def __init__(self, workspaces: WorkspaceStore, members: MemberStore, clock: Clock) -> None:
        self._workspaces = workspaces
        self._members = members
        self._clock = clock

    async def execute(self, token: Secret, workspace_name: str) -> Member:
        existing = await self._members.by_token_fingerprint(token.fingerprint())
        if existing is not None:
            return existing
        workspace = await self._workspaces.first()
        if workspace is None:
            workspace = Workspace(id=new_id(), name=workspace_name)
            await self._workspaces.add(workspace)
        admin = Member(
            id=new_id(),
            workspace_id=workspace.id,
            email=OPERATOR_EMAIL,
            role=Role.ADMIN,
            token_fingerprint=token.fingerprint(),
            created_at=self._clock.now(),
        )
        await self._members.add(admin)
        return admin
