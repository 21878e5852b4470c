"""Re-encrypt every stored token under the newest key, while the service keeps running."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.stores import ConnectionStore, RefreshLock, TokensUnreadable


@dataclass(frozen=True, slots=True)
class Rotation:
    resealed: int
    unchanged: int
    unreadable: int


class RotateKeys:
    """Each connection is rewritten under the same per-connection lock a refresh takes, and only
    if its version is still the one read under that lock, so a refresh never loses to it."""

    def __init__(self, connections: ConnectionStore, lock: RefreshLock) -> None:
        self._connections = connections
        self._lock = lock

    async def execute(self) -> Rotation:
        resealed = unchanged = unreadable = 0
        for workspace_id in await self._connections.workspace_ids():
            try:
                seen = await self._connections.get(workspace_id)
                if seen is None:
                    continue
                async with self._lock.hold(seen.id):
                    current = await self._connections.get(workspace_id)
                    changed = current is not None and await self._connections.reseal(current)
            except TokensUnreadable:  # tokens no key in the keyring can open
                unreadable += 1
                continue
            resealed, unchanged = (
                (resealed + 1, unchanged) if changed else (resealed, unchanged + 1)
            )
        return Rotation(resealed, unchanged, unreadable)
