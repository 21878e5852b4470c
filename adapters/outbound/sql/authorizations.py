"""Connects in progress: their state, PKCE verifier (encrypted) and browser binding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import RowMapping, delete, func, insert, select

from adapters.outbound.sql.in_transaction import InTransaction
from adapters.outbound.sql.tables import (
    pending_authorizations,
)
from adapters.outbound.sql.token_cipher import Keyring, UndecryptableToken
from domain.authorization import AUTHORIZATION_TTL, PendingAuthorization
from domain.secrets import Secret


@dataclass(frozen=True, slots=True)
class SqlAuthorizationStore(InTransaction):
    keyring: Keyring

    async def add(self, pending: PendingAuthorization) -> None:
        stale = pending.created_at - AUTHORIZATION_TTL * 6
        await self.tx.execute(
            delete(pending_authorizations).where(pending_authorizations.c.created_at < stale)
        )
        await self.tx.execute(
            insert(pending_authorizations).values(
                state_fingerprint=pending.state_fingerprint,
                browser_fingerprint=pending.browser_fingerprint,
                workspace_id=pending.workspace_id,
                started_by_member_id=pending.started_by,
                code_verifier=self.keyring.seal(
                    pending.code_verifier.reveal(),
                    _context(pending.workspace_id, pending.state_fingerprint),
                ),
                redirect_uri=pending.redirect_uri,
                created_at=pending.created_at,
            )
        )

    async def peek(self, state_fingerprint: str) -> PendingAuthorization | None:
        query = select(pending_authorizations).where(
            pending_authorizations.c.state_fingerprint == state_fingerprint
        )
        return self._pending((await self.tx.execute(query)).mappings().first(), state_fingerprint)

    async def take(self, state_fingerprint: str) -> PendingAuthorization | None:
        row = (
            (
                await self.tx.execute(  # DELETE … RETURNING: one callback wins
                    delete(pending_authorizations)
                    .where(pending_authorizations.c.state_fingerprint == state_fingerprint)
                    .returning(*pending_authorizations.c)
                )
            )
            .mappings()
            .first()
        )
        return self._pending(row, state_fingerprint)

    def _pending(
        self, row: RowMapping | None, state_fingerprint: str
    ) -> PendingAuthorization | None:
        if row is None:
            return None
        try:
            verifier = self.keyring.open(
                row["code_verifier"], _context(row["workspace_id"], state_fingerprint)
            )
        except UndecryptableToken:
            return None
        return PendingAuthorization(
            state_fingerprint,
            row["browser_fingerprint"],
            row["workspace_id"],
            row["started_by_member_id"],
            Secret(verifier),
            row["redirect_uri"],
            row["created_at"],
        )

    async def forget_started_by(self, workspace_id: str, member_id: str) -> None:
        await self.tx.execute(
            delete(pending_authorizations).where(
                pending_authorizations.c.workspace_id == workspace_id,
                pending_authorizations.c.started_by_member_id == member_id,
            )
        )

    async def count_since(self, workspace_id: str, since: datetime) -> int:
        query = select(func.count()).where(
            pending_authorizations.c.workspace_id == workspace_id,
            pending_authorizations.c.created_at > since,
        )
        return int((await self.tx.execute(query)).scalar_one())


def _context(workspace_id: str, state_fingerprint: str) -> str:
    return f"{workspace_id}/{state_fingerprint}/code_verifier"
