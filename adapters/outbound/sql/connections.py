"""Connections and their tokens, encrypted at rest, written only with a version check."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from adapters.outbound.sql.in_transaction import InTransaction
from adapters.outbound.sql.tables import connections
from adapters.outbound.sql.token_cipher import Keyring, UndecryptableToken
from application.ports.stores import TokensUnreadable, VersionConflict
from domain.connection import (
    Connection,
    Health,
    NeonAccount,
    ReauthorizationReason,
    TokenPair,
)
from domain.errors import NotFound
from domain.secrets import Secret

log = logging.getLogger("produl_neon.store")


def _context(workspace_id: str, connection_id: str, column: str) -> str:
    return f"{workspace_id}/{connection_id}/{column}"


# Built once: every widget render reads the connection (see dashboards.py)
_CONNECTION = select(connections).where(connections.c.workspace_id == bindparam("workspace_id"))
_CONNECTION_ID = select(connections.c.id).where(
    connections.c.workspace_id == bindparam("workspace_id")
)


@dataclass(frozen=True, slots=True)
class SqlConnectionStore(InTransaction):
    keyring: Keyring

    async def get(self, workspace_id: str) -> Connection | None:
        row = (
            (await self.tx.execute(_CONNECTION, {"workspace_id": workspace_id})).mappings().first()
        )
        return self._to_domain(row) if row is not None else None

    async def current_id(self, workspace_id: str) -> str | None:
        found = await self.tx.execute(_CONNECTION_ID, {"workspace_id": workspace_id})
        return found.scalar_one_or_none()

    async def add(self, connection: Connection) -> None:
        await self.tx.execute(
            delete(connections).where(connections.c.workspace_id == connection.workspace_id)
        )
        await self.tx.execute(insert(connections).values(**self._to_row(connection)))

    async def update(self, connection: Connection, *, expected_version: int) -> None:
        result = await self.tx.execute(
            update(connections)
            .where(
                connections.c.id == connection.id,
                connections.c.workspace_id == connection.workspace_id,
                connections.c.version == expected_version,
            )
            .values(**self._to_row(connection))
        )
        if result.rowcount == 1:
            return
        exists = (
            await self.tx.execute(
                select(connections.c.version).where(connections.c.id == connection.id)
            )
        ).first()
        if exists is None:
            raise NotFound("The connection was removed.")
        raise VersionConflict()

    async def remove(self, workspace_id: str) -> Connection | None:
        row = (
            (
                await self.tx.execute(
                    delete(connections)
                    .where(connections.c.workspace_id == workspace_id)
                    .returning(*connections.c)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        try:
            return self._to_domain(row)
        except TokensUnreadable:
            return None  # deleted; nothing to revoke with

    async def idle_since(self, before: datetime) -> Sequence[Connection]:
        rows = (
            (
                await self.tx.execute(
                    select(connections).where(
                        connections.c.issued_at < before,
                        connections.c.health == Health.ACTIVE.value,
                    )
                )
            )
            .mappings()
            .all()
        )
        readable = []
        for row in rows:
            try:
                readable.append(self._to_domain(row))
            except TokensUnreadable:
                continue  # logged in _to_domain; the others still get their upkeep
        return readable

    async def workspace_ids(self) -> Sequence[str]:
        return [r[0] for r in (await self.tx.execute(select(connections.c.workspace_id))).all()]

    async def reseal(self, connection: Connection) -> bool:
        """Write the same tokens under the newest key (same version: nothing else changed)."""
        current = (
            await self.tx.execute(
                select(connections.c.access_token).where(
                    connections.c.id == connection.id,
                    connections.c.version == connection.version,
                )
            )
        ).first()
        if current is None or self.keyring.key_id_of(current[0]) == self.keyring.newest:
            return False
        await self.tx.execute(
            update(connections)
            .where(connections.c.id == connection.id, connections.c.version == connection.version)
            .values(**self._to_row(connection))
        )
        return True

    def _to_row(self, c: Connection) -> dict[str, Any]:
        seal = self.keyring.seal
        refresh = c.tokens.refresh_token
        return {
            "id": c.id,
            "workspace_id": c.workspace_id,
            "account_id": c.account.id,
            "account_email": c.account.email,
            "account_name": c.account.name,
            "access_token": seal(
                c.tokens.access_token.reveal(), _context(c.workspace_id, c.id, "access_token")
            ),
            "refresh_token": seal(refresh.reveal(), _context(c.workspace_id, c.id, "refresh_token"))
            if refresh is not None
            else None,
            "issued_at": c.tokens.issued_at,
            "expires_at": c.tokens.expires_at,
            "scopes": " ".join(sorted(c.scopes)),
            "connected_at": c.connected_at,
            "health": c.health.value,
            "reauthorization_reason": c.reauthorization_reason.value
            if c.reauthorization_reason
            else None,
            "version": c.version,
            "refresh_blocked_until": c.refresh_blocked_until,
            "console_rejected_since": c.console_rejected_since,
            "console_rejected_last": c.console_rejected_last,
        }

    def _to_domain(self, row: Any) -> Connection:
        ws, cid = row["workspace_id"], row["id"]
        try:
            access = self.keyring.open(row["access_token"], _context(ws, cid, "access_token"))
            refresh = row["refresh_token"] and self.keyring.open(
                row["refresh_token"], _context(ws, cid, "refresh_token")
            )
        except UndecryptableToken:
            log.error(
                "tokens of connection %s cannot be decrypted (key removed or row altered)", cid
            )
            raise TokensUnreadable() from None
        reason = row["reauthorization_reason"]
        return Connection(
            id=cid,
            workspace_id=ws,
            account=NeonAccount(row["account_id"], row["account_email"], row["account_name"]),
            tokens=TokenPair(
                Secret(access),
                Secret(refresh) if refresh else None,
                row["issued_at"],
                row["expires_at"],
            ),
            scopes=frozenset(row["scopes"].split()),
            connected_at=row["connected_at"],
            health=Health(row["health"]),
            reauthorization_reason=ReauthorizationReason(reason) if reason else None,
            version=row["version"],
            refresh_blocked_until=row["refresh_blocked_until"],
            console_rejected_since=row["console_rejected_since"],
            console_rejected_last=row["console_rejected_last"],
        )
