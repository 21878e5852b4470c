"""The last good data of each project, as one JSON document per (workspace, connection,
project): the snapshot is read and written whole, never queried by its figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as upsert  # compiles for SQLite too

from adapters.outbound.sql.in_transaction import InTransaction
from adapters.outbound.sql.tables import metrics_snapshots
from domain.ids import NeonProjectId
from domain.metrics import BranchLine, NeonMetricsSnapshot

# Built once: every widget render reads its snapshot (see dashboards.py)
_LATEST = select(metrics_snapshots.c.fetched_at, metrics_snapshots.c.data).where(
    metrics_snapshots.c.workspace_id == bindparam("workspace_id"),
    metrics_snapshots.c.connection_id == bindparam("connection_id"),
    metrics_snapshots.c.project_id == bindparam("project_id"),
)


class SqlSnapshotStore(InTransaction):
    async def latest(
        self, workspace_id: str, connection_id: str, project_id: str
    ) -> NeonMetricsSnapshot | None:
        key = {"workspace_id": workspace_id, "connection_id": connection_id,
               "project_id": project_id}  # fmt: skip
        row = (await self.tx.execute(_LATEST, key)).first()
        return _snapshot(row.data, row.fetched_at) if row else None

    async def save(
        self, workspace_id: str, connection_id: str, snapshot: NeonMetricsSnapshot
    ) -> None:
        values = {"fetched_at": snapshot.fetched_at, "data": _document(snapshot)}
        row = {"workspace_id": workspace_id, "connection_id": connection_id,
               "project_id": str(snapshot.project_id), **values}  # fmt: skip
        # One statement: insert, or replace unless the stored one was fetched later (an older
        # fetch finishing last must not overwrite a newer one)
        await self.tx.execute(
            upsert(metrics_snapshots)
            .values(**row)
            .on_conflict_do_update(
                index_elements=[
                    metrics_snapshots.c.workspace_id,
                    metrics_snapshots.c.connection_id,
                    metrics_snapshots.c.project_id,
                ],
                set_=values,
                where=metrics_snapshots.c.fetched_at <= snapshot.fetched_at,
            )
        )

    async def remove_all(self, workspace_id: str) -> None:
        await self.tx.execute(
            delete(metrics_snapshots).where(metrics_snapshots.c.workspace_id == workspace_id)
        )


def _key(workspace_id: str, connection_id: str, project_id: str) -> Any:
    return and_(
        metrics_snapshots.c.workspace_id == workspace_id,
        metrics_snapshots.c.connection_id == connection_id,
        metrics_snapshots.c.project_id == project_id,
    )


def _instant(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _parsed(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


def _document(snapshot: NeonMetricsSnapshot) -> dict[str, Any]:
    return {
        "project_name": snapshot.project_name,
        "storage_bytes": snapshot.storage_bytes,
        "compute_seconds": snapshot.compute_seconds,
        "period_start": _instant(snapshot.period_start),
        "period_end": _instant(snapshot.period_end),
        "branches_shown": [[b.name, b.primary] for b in snapshot.branches_shown],
        "branch_total": snapshot.branch_total,
        "unmeant": list(snapshot.unmeant),
        "project_id": str(snapshot.project_id),
    }


def _snapshot(data: dict[str, Any], fetched_at: datetime) -> NeonMetricsSnapshot:
    return NeonMetricsSnapshot(
        project_id=NeonProjectId(data["project_id"]),
        project_name=data["project_name"],
        storage_bytes=data["storage_bytes"],
        compute_seconds=data["compute_seconds"],
        period_start=_parsed(data["period_start"]),
        period_end=_parsed(data["period_end"]),
        branches_shown=tuple(BranchLine(name, primary) for name, primary in data["branches_shown"]),
        branch_total=data["branch_total"],
        fetched_at=fetched_at,
        unmeant=tuple(data["unmeant"]),
    )
