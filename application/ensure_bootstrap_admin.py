"""Make sure an operator-chosen admin token works, creating the first workspace if needed."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.ids import new_id
from domain.secrets import Secret
from domain.workspaces import Member, Role, Workspace, operator_email


@use_case(Audience.OPERATORS)
@dataclass(frozen=True, slots=True)
class EnsureBootstrapAdmin:
    """A bootstrap token an admin revoked stays revoked: its fingerprint is remembered, and the
    answer is None (start-up says so) instead of an admin recreated behind the workspace's back.
    Each new bootstrap token gets an address of its own (members' addresses are unique)."""

    uow: UnitOfWork
    clock: Clock

    async def execute(self, token: Secret, workspace_name: str) -> Member | None:
        async with self.uow.begin() as stores:
            existing = await stores.members.by_token_fingerprint(token.fingerprint())
            if existing is not None:
                return existing
            if await stores.members.token_revoked(token.fingerprint()):
                return None
            workspace = await stores.workspaces.first()
            if workspace is None:
                workspace = Workspace(id=new_id(), name=workspace_name)
                await stores.workspaces.add(workspace)
            admin_id = new_id()
            admin = Member(
                id=admin_id,
                workspace_id=workspace.id,
                email=operator_email(admin_id),
                role=Role.ADMIN,
                token_fingerprint=token.fingerprint(),
                created_at=self.clock.now(),
            )
            await stores.members.add(admin)
        return admin
