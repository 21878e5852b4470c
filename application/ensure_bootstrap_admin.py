"""Make sure an operator-chosen admin token works, creating the first workspace if needed."""

from __future__ import annotations

from dataclasses import dataclass

from application.create_workspace import OPERATOR_EMAIL
from application.permissions import Audience, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.ids import new_id
from domain.secrets import Secret
from domain.workspaces import Member, Role, Workspace


@use_case(Audience.OPERATORS)
@dataclass(frozen=True, slots=True)
class EnsureBootstrapAdmin:
    uow: UnitOfWork
    clock: Clock

    async def execute(self, token: Secret, workspace_name: str) -> Member:
        async with self.uow.begin() as stores:
            existing = await stores.members.by_token_fingerprint(token.fingerprint())
            if existing is not None:
                return existing
            workspace = await stores.workspaces.first()
            if workspace is None:
                workspace = Workspace(id=new_id(), name=workspace_name)
                await stores.workspaces.add(workspace)
            admin = Member(
                id=new_id(),
                workspace_id=workspace.id,
                email=OPERATOR_EMAIL,
                role=Role.ADMIN,
                token_fingerprint=token.fingerprint(),
                created_at=self.clock.now(),
            )
            await stores.members.add(admin)
        return admin
