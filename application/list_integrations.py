"""The Integrations page's list: which integrations exist and whether each is connected."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.stores import ConnectionStore
from domain.workspaces import Member


@dataclass(frozen=True, slots=True)
class IntegrationEntry:
    kind: str
    name: str
    connected: bool


class ListIntegrations:
    def __init__(self, connections: ConnectionStore) -> None:
        self._connections = connections

    async def execute(self, actor: Member) -> list[IntegrationEntry]:
        connection = await self._connections.get(actor.workspace_id)
        return [IntegrationEntry("neon", "Neon", connected=connection is not None)]
