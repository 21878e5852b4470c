"""The fetch leases and the Neon call budgets, shared by every instance through the database.

The statements a cold render runs (take the lease, hold and put the budget, release the lease)
are built once, with bind parameters: building a statement and its cache key costs SQLAlchemy
about ten times what SQLite then takes to run it (decision 0025)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as upsert  # compiles for SQLite too

from adapters.outbound.sql.in_transaction import InTransaction
from adapters.outbound.sql.tables import fetch_leases, neon_budgets
from application.ports.stores import FetchLease
from domain.neon_budget import CallBudget

_IN_KEY = (
    fetch_leases.c.workspace_id == bindparam("w"),
    fetch_leases.c.connection_id == bindparam("c"),
    fetch_leases.c.project_id == bindparam("p"),
)
_NEW_LEASE = upsert(fetch_leases).values(
    workspace_id=bindparam("w"), connection_id=bindparam("c"), project_id=bindparam("p"),
    holder=bindparam("h"), expires_at=bindparam("e"), failure=None,
)  # fmt: skip
# One statement, atomic on both databases: insert, or take over a lease that is over
_TAKE = _NEW_LEASE.on_conflict_do_update(
    index_elements=[fetch_leases.c.workspace_id, fetch_leases.c.connection_id,
                    fetch_leases.c.project_id],
    set_={"holder": _NEW_LEASE.excluded.holder, "expires_at": _NEW_LEASE.excluded.expires_at,
          "failure": None},
    where=or_(fetch_leases.c.expires_at <= bindparam("now"), fetch_leases.c.failure.is_not(None)),
)  # fmt: skip
_HOLDERS = (*_IN_KEY, fetch_leases.c.holder == bindparam("h"))
_LEASE = select(fetch_leases.c.holder, fetch_leases.c.expires_at, fetch_leases.c.failure).where(
    *_IN_KEY
)
_RELEASE = delete(fetch_leases).where(*_HOLDERS)
_EXTEND = (
    update(fetch_leases)
    .where(*_HOLDERS, fetch_leases.c.failure.is_(None))
    .values(expires_at=bindparam("e"))
)
_FAIL = (
    update(fetch_leases).where(*_HOLDERS).values(failure=bindparam("f"), expires_at=bindparam("e"))
)
_BUDGET = select(neon_budgets).where(neon_budgets.c.account_id == bindparam("a"))
_BUDGET_HELD = _BUDGET.with_for_update()
_PUT_BUDGET = (
    update(neon_budgets)
    .where(neon_budgets.c.account_id == bindparam("a"))
    .values(tokens=bindparam("t"), refilled_at=bindparam("r"), paused_until=bindparam("u"))
)


class SqlFetchLeaseStore(InTransaction):
    async def get(
        self, workspace_id: str, connection_id: str, project_id: str
    ) -> FetchLease | None:
        key = {"w": workspace_id, "c": connection_id, "p": project_id}
        row = (await self.tx.execute(_LEASE, key)).first()
        return FetchLease(row.holder, row.expires_at, row.failure) if row else None

    async def take(
        self, workspace_id: str, connection_id: str, project_id: str, lease: FetchLease,
        now: datetime,
    ) -> bool:  # fmt: skip
        taken = await self.tx.execute(
            _TAKE,
            {"w": workspace_id, "c": connection_id, "p": project_id, "h": lease.holder,
             "e": lease.expires_at, "now": now},
        )  # fmt: skip
        return bool(taken.rowcount)

    async def extend(
        self, workspace_id: str, connection_id: str, project_id: str, holder: str,
        expires_at: datetime,
    ) -> bool:  # fmt: skip
        extended = await self.tx.execute(
            _EXTEND,
            {"w": workspace_id, "c": connection_id, "p": project_id, "h": holder,
             "e": expires_at},
        )  # fmt: skip
        return bool(extended.rowcount)

    async def release(
        self, workspace_id: str, connection_id: str, project_id: str, holder: str
    ) -> bool:
        released = await self.tx.execute(
            _RELEASE, {"w": workspace_id, "c": connection_id, "p": project_id, "h": holder}
        )
        return bool(released.rowcount)

    async def remove_all(self, workspace_id: str) -> None:
        await self.tx.execute(
            delete(fetch_leases).where(fetch_leases.c.workspace_id == workspace_id)
        )

    async def fail(
        self, workspace_id: str, connection_id: str, project_id: str, holder: str,
        failure: str, retry_at: datetime,
    ) -> None:  # fmt: skip
        await self.tx.execute(
            _FAIL,
            {"w": workspace_id, "c": connection_id, "p": project_id, "h": holder,
             "f": failure, "e": retry_at},
        )  # fmt: skip


class SqlNeonBudgetStore(InTransaction):
    async def hold(self, account_id: str, fresh: CallBudget) -> CallBudget:
        query = _BUDGET_HELD if self.writing else _BUDGET  # what held() gives, built once
        row = (await self.tx.execute(query, {"a": account_id})).first()
        if row is None:  # first use: store it full (or find the one a racing first use stored)
            await self.tx.execute(
                upsert(neon_budgets)
                .values(account_id=account_id, tokens=fresh.tokens, refilled_at=fresh.refilled_at)
                .on_conflict_do_nothing(index_elements=[neon_budgets.c.account_id])
            )
            row = (await self.tx.execute(query, {"a": account_id})).one()
        return CallBudget(row.tokens, row.refilled_at, row.paused_until)

    async def put(self, account_id: str, budget: CallBudget) -> None:
        await self.tx.execute(
            _PUT_BUDGET,
            {"a": account_id, "t": budget.tokens, "r": budget.refilled_at,
             "u": budget.paused_until},
        )  # fmt: skip
