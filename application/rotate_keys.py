"""Re-encrypt every stored token under the newest key, while the service keeps running."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, use_case
from application.ports.stores import RefreshLock, TokensUnreadable, UnitOfWork


@dataclass(frozen=True, slots=True)
class Rotation:
    resealed: int
    unchanged: int
    unreadable: int


@use_case(Audience.OPERATORS)
@dataclass(frozen=True, slots=True)
class RotateKeys:
    """Each connection is rewritten under the same per-connection lock a refresh takes, and only
    if its version is still the one read under that lock, so a refresh never loses to it."""

    uow: UnitOfWork
    lock: RefreshLock

    async def execute(self) -> Rotation:
        resealed = unchanged = unreadable = 0
        async with self.uow.read() as stores:
            workspace_ids = await stores.connections.workspace_ids()
        for workspace_id in workspace_ids:
            try:
                async with self.uow.read() as stores:
                    seen = await stores.connections.get(workspace_id)
                if seen is None:
                    continue
                async with self.lock.hold(seen.id), self.uow.begin() as stores:
                    current = await stores.connections.get(workspace_id)
                    changed = current is not None and await stores.connections.reseal(current)
            except TokensUnreadable:  # tokens no key in the keyring can open
                unreadable += 1
                continue
            resealed, unchanged = (
                (resealed + 1, unchanged) if changed else (resealed, unchanged + 1)
            )
        return Rotation(resealed, unchanged, unreadable)
