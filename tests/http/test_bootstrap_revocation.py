"""Revoking the bootstrap admin lasts across restarts: the next start-up says so in one line and
does not bring the token back."""

from __future__ import annotations

import logging

import pytest

from bootstrap.app import create_app
from tests.http.client import ADMIN, serving
from tests.support import FakeClock, make_container, temporary_sqlite


async def test_a_revoked_bootstrap_admin_stays_revoked_after_a_restart(
    caplog: pytest.LogCaptureFixture,
) -> None:
    database = temporary_sqlite()
    first = make_container(FakeClock(), PRODUL_DATABASE_URL=database)
    async with serving(create_app(first)) as client:
        me = (await client.get("/api/members", headers=ADMIN)).json()["members"][0]
        added = await client.post(
            "/api/members", json={"email": "grace@example.com", "role": "admin"}, headers=ADMIN
        )
        grace = {"Authorization": f"Bearer {added.json()['token']}"}
        revoked = await client.delete(f"/api/members/{me['id']}", headers=grace)
        assert revoked.status_code == 204, revoked.text
        assert (await client.get("/api/members", headers=ADMIN)).status_code == 401

    caplog.set_level(logging.INFO, logger="produl_neon")
    second = make_container(FakeClock(), PRODUL_DATABASE_URL=database)  # same token, restarted
    async with serving(create_app(second)) as client:
        assert (await client.get("/api/members", headers=ADMIN)).status_code == 401
        members = (await client.get("/api/members", headers=grace)).json()["members"]
        assert [m["email"] for m in members] == ["grace@example.com"]
    said = [r.getMessage() for r in caplog.records if "bootstrap admin token" in r.getMessage()]
    assert said == [
        "The bootstrap admin token was revoked by an admin; it stays revoked. Set a new "
        "PRODUL_BOOTSTRAP_ADMIN_TOKEN, or run `produl-neon admin create --workspace ID`."
    ]
