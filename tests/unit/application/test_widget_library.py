"""The widget library: Neon Metrics, available once Neon is connected."""

from __future__ import annotations

from domain.workspaces import Role
from tests.support import Workspace


async def test_the_library_says_neon_metrics_waits_for_a_connection(workspace: Workspace) -> None:
    library = workspace.container.list_widget_library()
    member = await workspace.add_member(Role.MEMBER)
    (entry,) = await library.execute(member)
    assert (entry.spec.name, entry.available) == ("Neon Metrics", False)
    await workspace.connect()
    (entry,) = await library.execute(member)
    assert entry.available
    await workspace.container.disconnect().execute(workspace.admin)
    assert not (await library.execute(member))[0].available
