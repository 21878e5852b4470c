"""Workspaces, members, pending connects, selections and the audit log, inside one transaction."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, RowMapping, Select, and_, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.outbound.sql.tables import (
    audit_events,
    members,
    pending_authorizations,
    revoked_tokens,
    selections,
    workspaces,
)
from adapters.outbound.sql.token_cipher import Keyring, UndecryptableToken
from application.ports.stores import Keyset, Page
from domain.audit import AuditEvent
from domain.authorization import AUTHORIZATION_TTL, PendingAuthorization
from domain.ids import NeonProjectId
from domain.secrets import Secret
from domain.selection import ProjectSelection
from domain.workspaces import Member, Role, Workspace


@dataclass(frozen=True, slots=True)
class InTransaction:
    """A store bound to the transaction its unit of work opened. In a writing transaction,
    ``held`` reads lock the rows they return until it ends (PostgreSQL: FOR UPDATE; SQLite's
    writing transactions already run one at a time)."""

    tx: AsyncConnection
    writing: bool

    def held(self, query: Select[Any]) -> Select[Any]:
        return query.with_for_update() if self.writing else query


class SqlWorkspaceStore(InTransaction):
    async def add(self, workspace: Workspace) -> None:
        await self.tx.execute(
            insert(workspaces).values(
                id=workspace.id, name=workspace.name, created_at=datetime.now(UTC)
            )
        )

    async def get(self, workspace_id: str) -> Workspace | None:
        return await self._one(select(workspaces).where(workspaces.c.id == workspace_id))

    async def first(self) -> Workspace | None:
        return await self._one(
            select(workspaces).order_by(workspaces.c.created_at, workspaces.c.id).limit(1)
        )

    async def hold(self, workspace_id: str) -> None:
        # FOR NO KEY UPDATE: the holders queue for each other, while inserts that merely
        # reference the workspace (their foreign key takes KEY SHARE) are not blocked by it
        if self.writing:
            await self.tx.execute(
                select(workspaces.c.id)
                .where(workspaces.c.id == workspace_id)
                .with_for_update(key_share=True)
            )

    async def _one(self, query: Select[Any]) -> Workspace | None:
        row = (await self.tx.execute(query)).first()
        return Workspace(row.id, row.name) if row else None


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
        found = await self._all(select(members).where(members.c.token_fingerprint == fingerprint))
        return found[0] if found else None

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
        return [
            Member(r.id, r.workspace_id, r.email, Role(r.role), r.token_fingerprint, r.created_at)
            for r in rows
        ]


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


class SqlSelectionStore(InTransaction):
    async def get(self, workspace_id: str) -> ProjectSelection | None:
        row = (
            await self.tx.execute(
                select(selections).where(selections.c.workspace_id == workspace_id)
            )
        ).first()
        if row is None:
            return None
        return ProjectSelection(
            row.workspace_id,
            NeonProjectId(row.project_id),
            row.project_name,
            row.selected_at,
            row.selected_by,
        )

    async def put(self, selection: ProjectSelection) -> None:
        await self.remove(selection.workspace_id)
        await self.tx.execute(
            insert(selections).values(
                workspace_id=selection.workspace_id,
                project_id=str(selection.project_id),
                project_name=selection.project_name,
                selected_at=selection.selected_at,
                selected_by=selection.selected_by,
            )
        )

    async def remove(self, workspace_id: str) -> None:
        await self.tx.execute(delete(selections).where(selections.c.workspace_id == workspace_id))


class SqlAuditLog(InTransaction):
    async def record(self, event: AuditEvent) -> None:
        await self.tx.execute(
            insert(audit_events).values(
                workspace_id=event.workspace_id,
                at=event.at,
                actor=event.actor,
                actor_id=event.actor_id,
                action=event.action,
                detail=dict(event.detail),
            )
        )

    async def list(self, workspace_id: str, limit: int) -> Sequence[AuditEvent]:
        rows = (
            await self.tx.execute(
                select(audit_events)
                .where(audit_events.c.workspace_id == workspace_id)
                .order_by(audit_events.c.at.desc(), audit_events.c.id.desc())
                .limit(limit)
            )
        ).all()
        return [_event(r) for r in rows]

    async def page(self, workspace_id: str, after: Keyset | None, limit: int) -> Page[AuditEvent]:
        query = select(audit_events).where(audit_events.c.workspace_id == workspace_id)
        if after is not None:  # newest first: the next page is older
            query = query.where(
                or_(
                    audit_events.c.at < after.when,
                    and_(audit_events.c.at == after.when, audit_events.c.id < int(after.key)),
                )
            )
        rows = (
            await self.tx.execute(
                query.order_by(audit_events.c.at.desc(), audit_events.c.id.desc()).limit(limit + 1)
            )
        ).all()
        shown = rows[:limit]
        after_last = Keyset.at(shown[-1].at, str(shown[-1].id)) if len(rows) > limit else None
        return Page([_event(r) for r in shown], after_last)


def _event(row: Row[Any]) -> AuditEvent:
    return AuditEvent(
        row.workspace_id, row.at, row.actor, row.action, dict(row.detail), row.actor_id
    )
