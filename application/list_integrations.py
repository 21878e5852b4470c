"""The Integrations page's list: which integrations exist and whether each is connected."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import TokensUnreadable, UnitOfWork
from domain.workspaces import Member


@dataclass(frozen=True, slots=True)
class IntegrationEntry:
    kind: str
    name: str
    connected: bool


@use_case(Audience.MEMBERS, raises=(TokensUnreadable,))
@dataclass(frozen=True, slots=True)
class ListIntegrations:
    uow: UnitOfWork

    async def execute(self, actor: Member) -> list[IntegrationEntry]:
        async with self.uow.read() as stores:
            connection = await stores.connections.get(actor.workspace_id)
        return [IntegrationEntry("neon", "Neon", connected=connection is not None)]
