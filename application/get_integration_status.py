"""What the Neon card on the Integrations page shows."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import TokensUnreadable, UnitOfWork
from domain.connection import Health, NeonAccount, ReauthorizationReason
from domain.selection import ProjectSelection
from domain.workspaces import Member


@dataclass(frozen=True, slots=True)
class IntegrationStatus:
    health: Health
    account: NeonAccount | None
    scopes: frozenset[str]
    reason: ReauthorizationReason | None
    selection: ProjectSelection | None
    # Connected, but the Console API has been refusing fresh tokens (decision 0002).
    degraded: bool = False


@use_case(Audience.MEMBERS, raises=(TokensUnreadable,))
@dataclass(frozen=True, slots=True)
class GetIntegrationStatus:
    """Reads only what is stored: showing the card never calls Neon."""

    uow: UnitOfWork

    async def execute(self, actor: Member) -> IntegrationStatus:
        async with self.uow.read() as stores:
            connection = await stores.connections.get(actor.workspace_id)
            selection = await stores.selections.get(actor.workspace_id)
        if connection is None:
            return IntegrationStatus(Health.DISCONNECTED, None, frozenset(), None, selection)
        return IntegrationStatus(
            connection.health,
            connection.account,
            connection.scopes,
            connection.reauthorization_reason,
            selection,
            degraded=connection.degraded,
        )
