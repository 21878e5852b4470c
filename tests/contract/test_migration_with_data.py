"""Upgrading from the previous head with a workspace's data in it, on SQLite and on PostgreSQL:
nothing is lost, pending connects are matched to their admin by email (the unmatched ones are
dropped), and going back down brings the email back."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import JSON, bindparam, inspect, text
from sqlalchemy.engine import Connection as SqlConnection
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeEngine

from adapters.outbound.sql import migrate
from adapters.outbound.sql.database import Database
from adapters.outbound.sql.tables import UtcDateTime, metadata
from adapters.outbound.sql.token_cipher import Keyring
from application.ports.stores import VersionConflict
from bootstrap.container import Container
from domain.secrets import Secret
from tests.postgres import fresh_database
from tests.support import TEST_KEYS, database_of, make_container, stored

PREVIOUS_HEAD = "0002"
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
KEYRING = Keyring.parse(TEST_KEYS)

WS, OTHER_WS = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
ADMIN_1, ADMIN_2 = "a1a1a1a1-0000-4000-8000-000000000001", "a2a2a2a2-0000-4000-8000-000000000002"
PLAIN = "b0b0b0b0-0000-4000-8000-000000000003"
ELSEWHERE = "c0c0c0c0-0000-4000-8000-000000000004"  # an admin of another workspace
BOARD, EMPTY_BOARD = "d1d1d1d1-0000-4000-8000-000000000001", "d2d2d2d2-0000-4000-8000-000000000002"
WIDGETS = (  # in their order on the board; the ids are deliberately not sorted
    "f0000000-0000-4000-8000-000000000003",
    "e0000000-0000-4000-8000-000000000001",
    "f0000000-0000-4000-8000-000000000002",
)

MEMBERS = [  # id, workspace, email, role, token fingerprint, created_at
    (ADMIN_1, WS, "ada@example.com", "admin", "fp-admin-1", T0),
    (ADMIN_2, WS, "grace@example.com", "admin", "fp-admin-2", T0 + timedelta(minutes=1)),
    (PLAIN, WS, "linus@example.com", "member", "fp-plain", T0 + timedelta(minutes=2)),
    (ELSEWHERE, OTHER_WS, "nobody-here@example.com", "admin", "fp-else", T0),
]
PENDING = {  # state fingerprint → started_by, as 0002 stored it (an email)
    "state-of-ada": "ada@example.com",
    "state-of-grace": "grace@example.com",
    "state-of-a-gone-admin": "gone@example.com",  # matches no member: dropped
    "state-of-a-plain-member": "linus@example.com",  # not an admin: dropped
    "state-of-another-workspaces-admin": "nobody-here@example.com",  # an admin, but elsewhere
}
KEPT = {"state-of-ada": ADMIN_1, "state-of-grace": ADMIN_2}
AUDIT = [  # workspace, at, actor, action, detail
    (WS, T0, "ada@example.com", "member.added", {"member_id": ADMIN_2, "role": "admin"}),
    (WS, T0 + timedelta(minutes=5), "grace@example.com", "dashboard.created",
     {"dashboard_id": BOARD, "name": "Ops"}),
    (WS, T0 + timedelta(minutes=6), "operator", "neon.disconnected", {"revoked": None}),
]  # fmt: skip
TYPED: dict[str, TypeEngine[Any]] = {
    "created_at": UtcDateTime(), "selected_at": UtcDateTime(), "at": UtcDateTime(), "detail": JSON()
}  # fmt: skip


async def _insert(tx: AsyncConnection, table: str, **values: Any) -> None:
    """A raw INSERT, typed only where the driver needs it (aware datetimes, JSON)."""
    names = ", ".join(values)
    slots = ", ".join(f":{name}" for name in values)
    statement = text(f"INSERT INTO {table} ({names}) VALUES ({slots})").bindparams(
        *(bindparam(name, type_=TYPED[name]) for name in values if name in TYPED)
    )
    await tx.execute(statement, values)


async def _fill_at_previous_head(db: Database) -> None:
    """A workspace as the 0002 schema held it, written with raw SQL."""
    async with db.transaction() as tx:
        for workspace_id in (WS, OTHER_WS):
            await _insert(tx, "workspaces", id=workspace_id, name=workspace_id[:4], created_at=T0)
        for member_id, workspace_id, email, role, fingerprint, created_at in MEMBERS:
            await _insert(
                tx, "members", id=member_id, workspace_id=workspace_id, email=email, role=role,
                token_fingerprint=fingerprint, created_at=created_at,
            )  # fmt: skip
        for state, started_by in PENDING.items():
            verifier = KEYRING.seal(f"verifier-{state}", f"{WS}/{state}/code_verifier")
            await _insert(tx, "pending_authorizations", state_fingerprint=state,
                          browser_fingerprint=f"browser-{state}", workspace_id=WS,
                          started_by=started_by, code_verifier=verifier,
                          redirect_uri="http://127.0.0.1:8000/integrations/neon/callback",
                          created_at=T0)  # fmt: skip
        for workspace_id, at, actor, action, detail in AUDIT:
            await _insert(tx, "audit_events", workspace_id=workspace_id, at=at, actor=actor,
                          action=action, detail=detail)  # fmt: skip
        await _insert(
            tx, "selections", workspace_id=WS, project_id="aged-salad-46255801",
            project_name="analytics", selected_at=T0, selected_by="ada@example.com",
        )  # fmt: skip
        for position, (board, name) in enumerate(((BOARD, "Ops"), (EMPTY_BOARD, "Empty"))):
            await _insert(tx, "dashboards", id=board, workspace_id=WS, name=name,
                          position=position)  # fmt: skip
        for position, widget in enumerate(WIDGETS):
            project = "aged-salad-46255801" if position == 1 else None
            await _insert(tx, "widgets", id=widget, dashboard_id=BOARD, kind="neon_metrics",
                          project_id=project, position=position)  # fmt: skip


@pytest.fixture(params=["sqlite", "postgres"])
async def container(
    request: pytest.FixtureRequest, postgres_server: str
) -> AsyncIterator[Container]:
    """The app's container on a database at the previous head, holding a workspace's data."""
    if request.param == "postgres":
        url = await fresh_database(postgres_server)
    else:
        url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp(prefix='produl-0002-')) / 'p.db'}"
    made = make_container(neon="staging_fakes", PRODUL_DATABASE_URL=url)
    db = database_of(made)  # the app's engine: on SQLite, foreign keys are enforced
    await migrate.upgrade(db, PREVIOUS_HEAD)
    assert await migrate.current(db) == PREVIOUS_HEAD
    await _fill_at_previous_head(db)
    yield made
    await made.storage().dispose()


async def _rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    async with db.transaction(write=False) as tx:
        return [tuple(row) for row in (await tx.execute(text(sql))).all()]


async def _columns(db: Database, table: str) -> set[str]:
    async with db.transaction(write=False) as tx:
        found = await tx.run_sync(lambda sync: inspect(sync).get_columns(table))
    return {column["name"] for column in found}


async def _everything_but_pending(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "members": await _rows(db, "SELECT id, workspace_id, email, role, token_fingerprint "
                                   "FROM members ORDER BY id"),
        "dashboards": await _rows(db, "SELECT id, workspace_id, name, position FROM dashboards "
                                      "ORDER BY position"),
        "widgets": await _rows(db, "SELECT id, dashboard_id, kind, project_id, position "
                                   "FROM widgets ORDER BY dashboard_id, position"),
        "selections": await _rows(db, "SELECT workspace_id, project_id, project_name, "
                                      "selected_by FROM selections"),
        "audit": await _rows(db, "SELECT id, workspace_id, actor, action FROM audit_events "
                                 "ORDER BY id"),
    }  # fmt: skip


async def test_upgrading_keeps_the_data_and_gives_pending_connects_their_admin(
    container: Container,
) -> None:
    db = database_of(container)
    before = await _everything_but_pending(db)
    await migrate.upgrade(db)
    assert await migrate.at_head(db)

    assert await _everything_but_pending(db) == before
    assert [row[0] for row in before["widgets"]] == list(WIDGETS)
    pending = await _rows(db, "SELECT state_fingerprint, started_by_member_id "
                              "FROM pending_authorizations")  # fmt: skip
    assert dict(pending) == KEPT  # the gone admin's, the plain member's and the foreign one's go
    assert "started_by" not in await _columns(db, "pending_authorizations")
    audit = await _rows(db, "SELECT actor, action, actor_id FROM audit_events ORDER BY id")
    assert audit == [(actor, action, None) for _, _, actor, action, _ in AUDIT]

    # what the app reads back through its own stores
    board = await stored(container).dashboards.get(WS, BOARD)
    assert [w.id for w in board.widgets] == list(WIDGETS)
    assert str(board.widgets[1].settings.project_id) == "aged-salad-46255801"
    assert [m.id for m in await stored(container).members.admins(WS)] == [ADMIN_1, ADMIN_2]
    selection = await stored(container).selections.get(WS)
    assert selection is not None and str(selection.project_id) == "aged-salad-46255801"
    events = await stored(container).audit.list(WS, 10)
    assert sorted(e.action for e in events) == sorted(a[3] for a in AUDIT if a[0] == WS)
    assert all(e.actor_id is None for e in events)
    assert {e.action: e.detail for e in events}["member.added"] == AUDIT[0][4]
    taken = await stored(container).authorizations.take("state-of-ada")
    assert taken is not None and taken.started_by == ADMIN_1
    assert taken.code_verifier == Secret("verifier-state-of-ada")

    def differences(sync: SqlConnection) -> list[object]:
        found: list[object] = compare_metadata(MigrationContext.configure(sync), metadata)
        return found

    async with db.transaction() as tx:
        assert await tx.run_sync(differences) == []


async def test_revoking_an_admin_ends_their_pending_connects_through_the_foreign_key(
    container: Container,
) -> None:
    db = database_of(container)
    await migrate.upgrade(db)
    async with db.transaction() as tx:
        await tx.execute(text("DELETE FROM members WHERE id = :id"), {"id": ADMIN_2})
    pending = await _rows(db, "SELECT state_fingerprint, started_by_member_id "
                              "FROM pending_authorizations")  # fmt: skip
    assert dict(pending) == {"state-of-ada": ADMIN_1}


async def test_going_back_to_the_previous_head_brings_back_the_email(
    container: Container,
) -> None:
    db = database_of(container)
    before = await _everything_but_pending(db)
    await migrate.upgrade(db)
    await migrate.downgrade(db, PREVIOUS_HEAD)
    assert await migrate.current(db) == PREVIOUS_HEAD

    columns = await _columns(db, "pending_authorizations")
    assert "started_by" in columns and "started_by_member_id" not in columns
    assert "actor_id" not in await _columns(db, "audit_events")
    pending = await _rows(db, "SELECT state_fingerprint, started_by FROM pending_authorizations")
    assert dict(pending) == {"state-of-ada": "ada@example.com",
                             "state-of-grace": "grace@example.com"}  # fmt: skip
    assert await _everything_but_pending(db) == before

    await migrate.upgrade(db)  # and up again, with the rows that came back down
    pending = await _rows(db, "SELECT state_fingerprint, started_by_member_id "
                              "FROM pending_authorizations")  # fmt: skip
    assert dict(pending) == KEPT


async def _member(db: Database, member_id: str, workspace_id: str, email: str) -> None:
    async with db.transaction() as tx:
        await _insert(tx, "members", id=member_id, workspace_id=workspace_id, email=email,
                      role="admin", token_fingerprint=f"fp-{member_id}",
                      created_at=T0 + timedelta(hours=1))  # fmt: skip


async def test_upgrading_stops_on_duplicate_member_emails_and_lists_them(
    container: Container,
) -> None:
    """0004: people's duplicate addresses are listed, not merged; the admins the service itself
    called admin@localhost (one per bootstrap token) get addresses of their own."""
    db = database_of(container)
    await _member(db, "e1e1e1e1-0000-4000-8000-000000000001", WS, "ADA@example.com")
    await _member(db, "e2e2e2e2-0000-4000-8000-000000000002", OTHER_WS, "Ada@Example.com")
    for n in (3, 4):
        await _member(db, f"e{n}e{n}e{n}e{n}-0000-4000-8000-00000000000{n}", OTHER_WS,
                      "admin@localhost")  # fmt: skip
    with pytest.raises(migrate.MigrationStopped) as stopped:
        await migrate.upgrade(db)
    assert f"workspace {WS}: ada@example.com" in str(stopped.value)
    assert OTHER_WS not in str(stopped.value)  # different workspaces; operator admins renamed
    assert await migrate.current(db) == PREVIOUS_HEAD  # one transaction: nothing changed

    async with db.transaction() as tx:  # the operator revokes the extra Ada
        await tx.execute(text("DELETE FROM members WHERE email = 'ADA@example.com'"))
    await migrate.upgrade(db)
    assert await migrate.at_head(db)
    operators = await _rows(db, "SELECT email FROM members WHERE email LIKE 'admin%@localhost' "
                                "ORDER BY email")  # fmt: skip
    assert operators == [("admin-e4e4e4e4@localhost",), ("admin@localhost",)]

    with pytest.raises(VersionConflict):  # the index holds against a write that skips the check
        await _member(db, "e5e5e5e5-0000-4000-8000-000000000005", WS, "GRACE@example.COM")


async def test_a_stored_connection_upgrades_without_refusals_and_keeps_them_once_noted(
    container: Container,
) -> None:
    """0005: when the Console API started refusing fresh tokens (decision 0002)."""
    db = database_of(container)
    connection_id = "c0c0c0c0-0000-4000-8000-000000000001"
    context = f"{WS}/{connection_id}"
    async with db.transaction() as tx:
        await _insert(
            tx, "connections", id=connection_id, workspace_id=WS, account_id="user-ada-lovelace",
            account_email="ada@example.com", account_name="Ada Lovelace",
            access_token=KEYRING.seal("nat_old", f"{context}/access_token"),
            refresh_token=KEYRING.seal("nrt_old", f"{context}/refresh_token"),
            issued_at=T0, expires_at=T0 + timedelta(hours=1), scopes="openid offline",
            connected_at=T0, health="active", reauthorization_reason=None, version=3,
            refresh_blocked_until=None,
        )  # fmt: skip
    await migrate.upgrade(db)
    connection = await stored(container).connections.get(WS)
    assert connection is not None and connection.console_rejected_since is None
    assert connection.tokens.access_token == Secret("nat_old") and connection.version == 3

    refused = connection.console_rejected(T0 + timedelta(minutes=5))
    await stored(container).connections.update(refused, expected_version=3)
    again = await stored(container).connections.get(WS)
    assert again is not None and again.degraded
    assert again.console_rejected_since == T0 + timedelta(minutes=5)
    assert again.refresh_blocked_until == T0 + timedelta(minutes=6)
