"""The widgets a member can add to a dashboard, and whether what each needs is connected."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import TokensUnreadable, UnitOfWork
from domain.dashboards import WIDGET_LIBRARY, WidgetSpec
from domain.workspaces import Member


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    spec: WidgetSpec
    available: bool  # False while the integration it requires is not connected


@use_case(Audience.MEMBERS)
@dataclass(frozen=True, slots=True)
class ListWidgetLibrary:
    """A connection that needs re-authorization (or whose tokens cannot be read) still counts as
    connected here: the widget itself then says "Reconnect"."""

    uow: UnitOfWork

    async def execute(self, actor: Member) -> tuple[LibraryEntry, ...]:
        async with self.uow.read() as stores:
            try:
                connected = await stores.connections.get(actor.workspace_id) is not None
            except TokensUnreadable:
                connected = True
        available = {"neon": connected}
        return tuple(LibraryEntry(spec, available[spec.requires]) for spec in WIDGET_LIBRARY)
