"""Signed-in browsers and single-use sign-in links, by the digest of their secret."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select

from adapters.outbound.sql.in_transaction import InTransaction
from adapters.outbound.sql.tables import sign_in_links, web_sessions
from domain.web_sessions import SignInLink, WebSession


class SqlWebSessionStore(InTransaction):
    async def add(self, session: WebSession) -> None:
        await self.tx.execute(
            insert(web_sessions).values(
                digest=session.digest,
                member_id=session.member_id,
                workspace_id=session.workspace_id,
                created_at=session.created_at,
                expires_at=session.expires_at,
            )
        )

    async def get(self, digest: str) -> WebSession | None:
        query = select(web_sessions).where(web_sessions.c.digest == digest)
        row = (await self.tx.execute(query)).first()
        if row is None:
            return None
        return WebSession(
            row.digest, row.member_id, row.workspace_id, row.created_at, row.expires_at
        )

    async def remove(self, digest: str) -> None:
        await self.tx.execute(delete(web_sessions).where(web_sessions.c.digest == digest))

    async def end_all_of(self, workspace_id: str, member_id: str) -> None:
        # the foreign keys' cascade does this when the member row goes; saying it keeps the
        # rule visible where a revocation happens, and true for a member who stays
        for table in (web_sessions, sign_in_links):
            await self.tx.execute(
                delete(table).where(
                    table.c.workspace_id == workspace_id, table.c.member_id == member_id
                )
            )

    async def remove_expired(self, now: datetime) -> None:
        for table in (web_sessions, sign_in_links):
            await self.tx.execute(delete(table).where(table.c.expires_at <= now))

    async def add_link(self, link: SignInLink) -> None:
        await self.tx.execute(
            insert(sign_in_links).values(
                digest=link.digest,
                member_id=link.member_id,
                workspace_id=link.workspace_id,
                expires_at=link.expires_at,
            )
        )

    async def take_link(self, digest: str) -> SignInLink | None:
        # DELETE … RETURNING: of two browsers racing for one link, one gets the row
        taken = await self.tx.execute(
            delete(sign_in_links)
            .where(sign_in_links.c.digest == digest)
            .returning(
                sign_in_links.c.digest,
                sign_in_links.c.member_id,
                sign_in_links.c.workspace_id,
                sign_in_links.c.expires_at,
            )
        )
        row = taken.first()
        if row is None:
            return None
        return SignInLink(row.digest, row.member_id, row.workspace_id, row.expires_at)
