"""What only the SQL stores promise: tokens encrypted at rest and bound to their place, key
rotation, and migrations that go up and down cleanly — on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection as SqlConnection

from adapters.outbound.sql import migrate
from adapters.outbound.sql.tables import metadata
from adapters.outbound.sql.token_cipher import Keyring
from application.ports.stores import StoreReadiness, TokensUnreadable
from bootstrap.container import Container
from domain.authorization import PendingAuthorization
from domain.connection import Connection, NeonAccount, TokenPair
from domain.secrets import Secret
from domain.workspaces import Member, Role, Workspace
from tests.contract.backends import database_url
from tests.support import database_of, make_container, stored

T0 = datetime(2026, 11, 25, tzinfo=UTC)
K1 = Keyring.generate_entry("k1")
K2 = Keyring.generate_entry("k2")


def connection(workspace_id: str, cid: str, secret: str) -> Connection:
    tokens = TokenPair(
        Secret(f"nat-{secret}"), Secret(f"nrt-{secret}"), T0, T0 + timedelta(hours=1)
    )
    return Connection(cid, workspace_id, NeonAccount("u", "u@x.io", "U"), tokens, frozenset(), T0)


def _container(url: str, keys: str) -> Container:
    return make_container(neon="staging_fakes", stores="sql", PRODUL_DATABASE_URL=url,
                          PRODUL_SECRET_KEYS=keys)  # fmt: skip


@pytest.fixture(params=["sqlite", "postgres"])
async def url(request: pytest.FixtureRequest, postgres_server: str) -> AsyncIterator[str]:
    database = await database_url(request.param, postgres_server)
    setup = _container(database, K1)
    await migrate.upgrade(database_of(setup))
    for workspace_id in ("w1", "w2"):
        await stored(setup).workspaces.add(Workspace(workspace_id, workspace_id))
    await setup.storage().dispose()
    yield database


async def _raw(container: Container, sql: str) -> list[tuple[object, ...]]:
    async with database_of(container).transaction() as tx:
        return [tuple(row) for row in (await tx.execute(text(sql))).all()]


async def test_raw_rows_hold_no_token_bytes(url: str) -> None:
    c = _container(url, K1)
    await stored(c).connections.add(connection("w1", "c1", "SUPERSECRET"))
    await stored(c).members.add(Member("m1", "w1", "a@b.co", Role.ADMIN, "member-fp", T0))
    await stored(c).authorizations.add(PendingAuthorization(
        "fp", "browser", "w1", "m1", Secret("VERIFIERSECRET"), "http://x/cb", T0))  # fmt: skip
    dump = repr(await _raw(c, "SELECT * FROM connections"))
    dump += repr(await _raw(c, "SELECT * FROM pending_authorizations"))
    assert "SUPERSECRET" not in dump and "VERIFIERSECRET" not in dump
    assert "k1:" in dump  # the key id travels with each ciphertext
    kept = await stored(c).connections.get("w1")
    assert kept is not None and kept.tokens.access_token == Secret("nat-SUPERSECRET")
    await c.storage().dispose()


async def test_a_ciphertext_moved_to_another_row_or_column_does_not_decrypt(url: str) -> None:
    c = _container(url, K1)
    await stored(c).connections.add(connection("w1", "c1", "one"))
    await stored(c).connections.add(connection("w2", "c2", "two"))
    async with database_of(c).transaction() as tx:
        await tx.execute(text("UPDATE connections SET access_token = "
                              "(SELECT access_token FROM connections WHERE id = 'c2') "
                              "WHERE id = 'c1'"))  # fmt: skip
        await tx.execute(text("UPDATE connections SET access_token = refresh_token "
                              "WHERE id = 'c2'"))  # fmt: skip
    for workspace_id in ("w1", "w2"):
        with pytest.raises(TokensUnreadable):
            await stored(c).connections.get(workspace_id)
    await c.storage().dispose()


async def test_keys_rotate_to_the_newest_key(url: str) -> None:
    old = _container(url, K1)
    await stored(old).connections.add(connection("w1", "c1", "rotating"))
    await old.storage().dispose()
    both = _container(url, f"{K2},{K1}")
    result = await both.rotate_keys().execute()
    assert (result.resealed, result.unchanged, result.unreadable) == (1, 0, 0)
    assert (await both.rotate_keys().execute()).unchanged == 1
    stored_ciphertext = (await _raw(both, "SELECT access_token FROM connections"))[0][0]
    assert str(stored_ciphertext).startswith("k2:")
    await both.storage().dispose()
    new_only = _container(url, K2)
    kept = await stored(new_only).connections.get("w1")
    assert kept is not None and kept.tokens.refresh_token == Secret("nrt-rotating")
    assert kept.version == 1  # re-encryption is not a rotation
    await new_only.storage().dispose()


async def test_migrations_go_down_to_nothing_and_up_again(url: str) -> None:
    c = _container(url, K1)
    db = database_of(c)
    assert await migrate.at_head(db)
    await migrate.downgrade(db, "base")
    async with db.transaction() as tx:
        tables = await tx.run_sync(lambda sync: inspect(sync).get_table_names())
    assert set(tables) <= {"alembic_version"}
    assert await migrate.current(db) is None
    assert await c.store_probe().readiness() is StoreReadiness.SCHEMA_BEHIND
    await migrate.upgrade(db)
    assert await migrate.at_head(db) and await c.store_probe().readiness() is StoreReadiness.READY
    await db.dispose()


async def test_the_migrations_create_exactly_the_tables_the_stores_use(url: str) -> None:
    c = _container(url, K1)

    def differences(sync: SqlConnection) -> list[object]:
        found: list[object] = compare_metadata(MigrationContext.configure(sync), metadata)
        return found

    async with database_of(c).transaction() as tx:
        assert await tx.run_sync(differences) == []
    await c.storage().dispose()
