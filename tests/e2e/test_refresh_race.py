"""The refresh race, for real: 4 serve processes on one PostgreSQL database, 50 concurrent renders
each, the access token expired by the stand-in's lifetime knob, Hydra's strict reuse rule on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.cluster import Cluster, race, running_cluster

pytestmark = pytest.mark.slow
TRIALS = 3


@pytest.fixture(scope="module")
def cluster(postgres_server: str) -> Iterator[Cluster]:
    with running_cluster(postgres_server, instances=4, access_ttl=10) as running:
        yield running


@pytest.mark.parametrize("trial", range(TRIALS))
async def test_exactly_one_refresh_per_rotation_and_every_render_succeeds(
    cluster: Cluster, trial: int
) -> None:
    result = await race(cluster, renders_per_instance=50)
    assert result.statuses == {200: 200}, result
    assert result.refreshes == 1, result
    assert result.reuse_detections == 0, result
