"""Workspaces, members, pending authorizations, selections and the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select

from adapters.outbound.sql.database import Database
from adapters.outbound.sql.tables import (
    audit_events,
    members,
    pending_authorizations,
    selections,
    workspaces,
)
from adapters.outbound.sql.token_cipher import Keyring, UndecryptableToken
from domain.audit import AuditEvent
from domain.authorization import AUTHORIZATION_TTL, PendingAuthorization
from domain.ids import NeonProjectId
from domain.secrets import Secret
from domain.selection import ProjectSelection
from domain.workspaces import Member, Role, Workspace


class SqlWorkspaceStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, workspace: Workspace) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                insert(workspaces).values(
                    id=workspace.id, name=workspace.name, created_at=datetime.now(UTC)
                )
            )

    async def get(self, workspace_id: str) -> Workspace | None:
        async with self._db.transaction(write=False) as tx:
            row = (
                await tx.execute(
                    select(workspaces.c.id, workspaces.c.name).where(
                        workspaces.c.id == workspace_id
                    )
                )
            ).first()
        return Workspace(row.id, row.name) if row else None

    async def first(self) -> Workspace | None:
        async with self._db.transaction(write=False) as tx:
            row = (
                await tx.execute(
                    select(workspaces.c.id, workspaces.c.name)
                    .order_by(workspaces.c.created_at, workspaces.c.id)
                    .limit(1)
                )
            ).first()
        return Workspace(row.id, row.name) if row else None


class SqlMemberStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, member: Member) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
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
        return await self._one(members.c.token_fingerprint == fingerprint)

    async def list(self, workspace_id: str) -> Sequence[Member]:
        async with self._db.transaction(write=False) as tx:
            rows = (
                await tx.execute(
                    select(members)
                    .where(members.c.workspace_id == workspace_id)
                    .order_by(members.c.created_at, members.c.id)
                )
            ).all()
        return [_member(r) for r in rows]

    async def get(self, workspace_id: str, member_id: str) -> Member | None:
        return await self._one(members.c.workspace_id == workspace_id, members.c.id == member_id)

    async def remove(self, workspace_id: str, member_id: str) -> bool:
        async with self._db.transaction() as tx:
            result = await tx.execute(
                delete(members).where(
                    members.c.workspace_id == workspace_id, members.c.id == member_id
                )
            )
        return bool(result.rowcount)

    async def _one(self, *where: object) -> Member | None:
        async with self._db.transaction(write=False) as tx:
            row = (await tx.execute(select(members).where(*where))).first()  # type: ignore[arg-type]
        return _member(row) if row else None


def _member(row: object) -> Member:
    r = row._mapping  # type: ignore[attr-defined]
    return Member(
        r["id"],
        r["workspace_id"],
        r["email"],
        Role(r["role"]),
        r["token_fingerprint"],
        r["created_at"],
    )


class SqlAuthorizationStore:
    def __init__(self, db: Database, keyring: Keyring) -> None:
        self._db = db
        self._keyring = keyring

    async def add(self, pending: PendingAuthorization) -> None:
        context = f"{pending.workspace_id}/{pending.state_fingerprint}/code_verifier"
        async with self._db.transaction() as tx:
            stale = pending.created_at - AUTHORIZATION_TTL * 6
            await tx.execute(
                delete(pending_authorizations).where(pending_authorizations.c.created_at < stale)
            )
            await tx.execute(
                insert(pending_authorizations).values(
                    state_fingerprint=pending.state_fingerprint,
                    browser_fingerprint=pending.browser_fingerprint,
                    workspace_id=pending.workspace_id,
                    started_by=pending.started_by,
                    code_verifier=self._keyring.seal(pending.code_verifier.reveal(), context),
                    redirect_uri=pending.redirect_uri,
                    created_at=pending.created_at,
                )
            )

    async def take(self, state_fingerprint: str) -> PendingAuthorization | None:
        async with self._db.transaction() as tx:  # DELETE … RETURNING: one callback wins
            row = (
                (
                    await tx.execute(
                        delete(pending_authorizations)
                        .where(pending_authorizations.c.state_fingerprint == state_fingerprint)
                        .returning(*pending_authorizations.c)
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        context = f"{row['workspace_id']}/{state_fingerprint}/code_verifier"
        try:
            verifier = self._keyring.open(row["code_verifier"], context)
        except UndecryptableToken:
            return None
        return PendingAuthorization(
            state_fingerprint,
            row["browser_fingerprint"],
            row["workspace_id"],
            row["started_by"],
            Secret(verifier),
            row["redirect_uri"],
            row["created_at"],
        )


class SqlSelectionStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, workspace_id: str) -> ProjectSelection | None:
        async with self._db.transaction(write=False) as tx:
            row = (
                await tx.execute(
                    select(selections).where(selections.c.workspace_id == workspace_id)
                )
            ).first()
        if row is None:
            return None
        r = row._mapping
        return ProjectSelection(
            r["workspace_id"],
            NeonProjectId(r["project_id"]),
            r["project_name"],
            r["selected_at"],
            r["selected_by"],
        )

    async def put(self, selection: ProjectSelection) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                delete(selections).where(selections.c.workspace_id == selection.workspace_id)
            )
            await tx.execute(
                insert(selections).values(
                    workspace_id=selection.workspace_id,
                    project_id=str(selection.project_id),
                    project_name=selection.project_name,
                    selected_at=selection.selected_at,
                    selected_by=selection.selected_by,
                )
            )

    async def remove(self, workspace_id: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(delete(selections).where(selections.c.workspace_id == workspace_id))


class SqlAuditLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, event: AuditEvent) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                insert(audit_events).values(
                    workspace_id=event.workspace_id,
                    at=event.at,
                    actor=event.actor,
                    action=event.action,
                    detail=dict(event.detail),
                )
            )

    async def list(self, workspace_id: str, limit: int) -> Sequence[AuditEvent]:
        async with self._db.transaction(write=False) as tx:
            rows = (
                (
                    await tx.execute(
                        select(audit_events)
                        .where(audit_events.c.workspace_id == workspace_id)
                        .order_by(audit_events.c.at.desc(), audit_events.c.id.desc())
                        .limit(limit)
                    )
                )
                .mappings()
                .all()
            )
        return [
            AuditEvent(r["workspace_id"], r["at"], r["actor"], r["action"], dict(r["detail"]))
            for r in rows
        ]
