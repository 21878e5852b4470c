"""Token upkeep (refresh-idle) and key rotation, on the staging fakes."""

from __future__ import annotations

from domain.connection import Health
from tests.support import Workspace, stored


async def test_idle_connections_are_refreshed_and_fresh_ones_left_alone(
    connected: Workspace,
) -> None:
    c = connected.container
    assert (await c.refresh_idle_connections().execute()).refreshed == 0
    connected.clock.advance(days=21)
    upkeep = await c.refresh_idle_connections().execute()
    assert (upkeep.refreshed, upkeep.need_reconnecting, upkeep.postponed) == (1, 0, 0)
    assert c.standin().oauth.counters.refreshes == 1
    assert (await c.refresh_idle_connections().execute()).refreshed == 0  # just issued


async def test_an_idle_connection_whose_grant_died_is_reported(connected: Workspace) -> None:
    c = connected.container
    kept = await stored(c).connections.get(connected.admin.workspace_id)
    assert kept is not None and kept.tokens.refresh_token is not None
    c.standin().oauth.revoke(kept.tokens.refresh_token.reveal())
    connected.clock.advance(days=25)
    upkeep = await c.refresh_idle_connections().execute()
    assert upkeep.need_reconnecting == 1
    status = await c.get_integration_status().execute(connected.admin)
    assert status.health is Health.NEEDS_REAUTHORIZATION


async def test_rotation_in_memory_changes_nothing(connected: Workspace) -> None:
    rotation = await connected.container.rotate_keys().execute()
    assert (rotation.resealed, rotation.unchanged, rotation.unreadable) == (0, 1, 0)
