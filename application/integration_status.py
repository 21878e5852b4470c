"""What the Neon card on the Integrations page shows."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.stores import ConnectionStore, SelectionStore
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


class GetIntegrationStatus:
    """Any member. Reads only what is stored: showing the card never calls Neon."""

    def __init__(self, connections: ConnectionStore, selections: SelectionStore) -> None:
        self._connections = connections
        self._selections = selections

    async def execute(self, actor: Member) -> IntegrationStatus:
        connection = await self._connections.get(actor.workspace_id)
        selection = await self._selections.get(actor.workspace_id)
        if connection is None:
            return IntegrationStatus(Health.DISCONNECTED, None, frozenset(), None, selection)
        return IntegrationStatus(
            connection.health,
            connection.account,
            connection.scopes,
            connection.reauthorization_reason,
            selection,
        )
