"""A workspace's members, found by id, token fingerprint or address, and paged."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, delete, func, insert, or_, select

from adapters.outbound.sql.in_transaction import InTransaction
from adapters.outbound.sql.tables import (
    members,
    revoked_tokens,
)
from application.ports.stores import Keyset, Page
from domain.workspaces import Member, Role

# Built once: the request path's statements (every authenticated request runs this one).
# Building a statement and its cache key costs several times what SQLite takes to run it.
_BY_FINGERPRINT = (
    select(members)
    .where(members.c.token_fingerprint == bindparam("fingerprint"))
    .order_by(members.c.created_at, members.c.id)
)


class SqlMemberStore(InTransaction):
    async def add(self, member: Member) -> None:
        await self.tx.execute(
            insert(members).values(
                id=member.id,
                workspace_id=member.workspace_id,
                email=member.email,
                role=member.role.value,
                token_fingerprint=member.token_fingerprint,
                created_at=member.created_at,
            )
        )

    async def by_token_fingerprint(self, fingerprint: str) -> Member | None:
        row = (await self.tx.execute(_BY_FINGERPRINT, {"fingerprint": fingerprint})).first()
        return _member(row) if row is not None else None

    async def list(self, workspace_id: str) -> Sequence[Member]:
        return await self._all(select(members).where(members.c.workspace_id == workspace_id))

    async def page(self, workspace_id: str, after: Keyset | None, limit: int) -> Page[Member]:
        query = select(members).where(members.c.workspace_id == workspace_id)
        if after is not None:
            query = query.where(
                or_(
                    members.c.created_at > after.when,
                    and_(members.c.created_at == after.when, members.c.id > after.key),
                )
            )
        found = await self._all(query.limit(limit + 1))
        items, more = found[:limit], len(found) > limit
        return Page(items, Keyset.at(items[-1].created_at, items[-1].id) if more else None)

    async def count(self, workspace_id: str) -> int:
        query = select(func.count()).where(members.c.workspace_id == workspace_id)
        return int((await self.tx.execute(query)).scalar_one())

    async def with_email(self, workspace_id: str, email: str) -> Member | None:
        # lower() on both sides, as the unique index has it: the database's rule decides
        query = select(members).where(
            members.c.workspace_id == workspace_id,
            func.lower(members.c.email) == func.lower(email),
        )
        found = await self._all(query)
        return found[0] if found else None

    async def get(self, workspace_id: str, member_id: str) -> Member | None:
        query = select(members).where(
            members.c.workspace_id == workspace_id, members.c.id == member_id
        )
        found = await self._all(self.held(query))
        return found[0] if found else None

    async def admins(self, workspace_id: str) -> Sequence[Member]:
        query = select(members).where(
            members.c.workspace_id == workspace_id, members.c.role == Role.ADMIN.value
        )
        return await self._all(self.held(query))

    async def remove(self, workspace_id: str, member_id: str) -> bool:
        result = await self.tx.execute(
            delete(members).where(members.c.workspace_id == workspace_id, members.c.id == member_id)
        )
        return bool(result.rowcount)

    async def forget_token(self, fingerprint: str, at: datetime) -> None:
        if not await self.token_revoked(fingerprint):
            await self.tx.execute(
                insert(revoked_tokens).values(token_fingerprint=fingerprint, revoked_at=at)
            )

    async def token_revoked(self, fingerprint: str) -> bool:
        query = select(revoked_tokens.c.token_fingerprint).where(
            revoked_tokens.c.token_fingerprint == fingerprint
        )
        return (await self.tx.execute(query)).first() is not None

    async def _all(self, query: Select[Any]) -> builtins.list[Member]:
        rows = (await self.tx.execute(query.order_by(members.c.created_at, members.c.id))).all()
        return [_member(r) for r in rows]


def _member(r: Row[Any]) -> Member:
    return Member(r.id, r.workspace_id, r.email, Role(r.role), r.token_fingerprint, r.created_at)
