"""`keys rotate` while renders keep refreshing tokens: every connection keeps working."""

from __future__ import annotations

import asyncio

import pytest

from adapters.outbound.sql.token_cipher import Keyring
from bootstrap.app import create_app
from tests.http.client import ADMIN, Api, serving
from tests.support import (
    ADMIN_TOKEN,
    FakeClock,
    make_container,
    stored,
    temporary_sqlite,
)

pytestmark = pytest.mark.slow
K1, K2 = Keyring.generate_entry("k1"), Keyring.generate_entry("k2")


async def test_rotation_during_refreshing_renders_loses_nothing() -> None:
    database, clock = temporary_sqlite(), FakeClock()
    before = make_container(clock, PRODUL_DATABASE_URL=database, PRODUL_SECRET_KEYS=K1)
    async with serving(create_app(before)) as client:
        api = Api(client, before, clock)
        await api.connect()
        board, widget = await api.board_with_widget("aged-salad-46255801")
    standin = before.standin()

    # Redeployed with the new key first; the old one stays until the rotation is done.
    after = make_container(clock, PRODUL_DATABASE_URL=database, PRODUL_SECRET_KEYS=f"{K2},{K1}")
    after.standin.override(standin)  # the same Neon, with its grants
    operator = make_container(clock, PRODUL_DATABASE_URL=database, PRODUL_SECRET_KEYS=f"{K2},{K1}")
    async with serving(create_app(after)) as client:
        url = f"/api/dashboards/{board}/widgets/{widget}/data"

        async def renders() -> list[int]:
            codes = []
            for _ in range(6):
                clock.advance(hours=2)  # every round needs a refresh
                answers = await asyncio.gather(*(client.get(url, headers=ADMIN) for _ in range(5)))
                codes += [a.status_code for a in answers]
            return codes

        async def rotations() -> int:
            resealed = 0
            for _ in range(6):
                resealed += (await operator.rotate_keys().execute()).resealed
                await asyncio.sleep(0.01)
            return resealed

        codes, _ = await asyncio.gather(renders(), rotations())
    assert set(codes) == {200}
    assert standin.oauth.counters.reuse_detections == 0
    assert standin.oauth.counters.refreshes == 6

    new_key_only = make_container(clock, PRODUL_DATABASE_URL=database, PRODUL_SECRET_KEYS=K2)
    admin = await new_key_only.authenticate_member().execute(ADMIN_TOKEN)
    kept = await stored(new_key_only).connections.get(admin.workspace_id)
    assert kept is not None and kept.usable
    for container in (before, after, operator, new_key_only):
        await container.storage().dispose()
