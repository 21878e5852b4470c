"""The widget's trend points, one row each; which rows stay is the domain's rule, applied by the
writer (``application/trend_points.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, insert, literal, select

from adapters.outbound.sql.in_transaction import InTransaction
from adapters.outbound.sql.tables import trend_points
from domain.trend import TrendPoint


class SqlTrendStore(InTransaction):
    async def points(
        self, workspace_id: str, account_id: str, project_id: str
    ) -> Sequence[TrendPoint]:
        rows = await self.tx.execute(
            select(trend_points.c.at, trend_points.c.storage_bytes, trend_points.c.compute_seconds)
            .where(_key(workspace_id, account_id, project_id))
            .order_by(trend_points.c.at)
        )
        return [TrendPoint(r.at, r.storage_bytes, r.compute_seconds) for r in rows]

    async def add(
        self, workspace_id: str, account_id: str, project_id: str, point: TrendPoint
    ) -> None:
        """One statement (insert unless a point at that instant is there): a cold render's write
        is a handful of statements, each a trip through aiosqlite's thread."""
        values = {
            "workspace_id": workspace_id,
            "account_id": account_id,
            "project_id": project_id,
            "at": point.at,
            "storage_bytes": point.storage_bytes,
            "compute_seconds": point.compute_seconds,
        }
        columns = [trend_points.c[name] for name in values]
        row = select(*(literal(v, c.type) for v, c in zip(values.values(), columns, strict=True)))
        same = exists().where(_key(workspace_id, account_id, project_id), _at(point.at))
        await self.tx.execute(insert(trend_points).from_select(columns, row.where(~same)))

    async def remove(
        self, workspace_id: str, account_id: str, project_id: str, instants: Sequence[datetime]
    ) -> None:
        if instants:
            await self.tx.execute(
                delete(trend_points).where(
                    _key(workspace_id, account_id, project_id), trend_points.c.at.in_(instants)
                )
            )

    async def remove_before(self, workspace_id: str, before: datetime) -> None:
        await self.tx.execute(
            delete(trend_points).where(
                trend_points.c.workspace_id == workspace_id, trend_points.c.at < before
            )
        )

    async def remove_all(self, workspace_id: str, *, except_account: str | None = None) -> None:
        query = delete(trend_points).where(trend_points.c.workspace_id == workspace_id)
        if except_account is not None:
            query = query.where(trend_points.c.account_id != except_account)
        await self.tx.execute(query)


def _key(workspace_id: str, account_id: str, project_id: str) -> Any:
    return and_(
        trend_points.c.workspace_id == workspace_id,
        trend_points.c.account_id == account_id,
        trend_points.c.project_id == project_id,
    )


def _at(moment: datetime) -> Any:
    return trend_points.c.at == moment
