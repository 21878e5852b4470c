"""Two `serve` processes on one PostgreSQL database, in live mode against one stand-in process
(50 ms per answer): a burst of renders on both costs Neon one fetch per window (the fetch lease);
a 429's Retry-After stops the other instance too; the call budget of the Neon account is one
budget for both. Neon's calls are counted at the stand-in."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.cluster import Cluster, running_cluster, stats

pytestmark = pytest.mark.slow
# Calls a minute for the account: connecting (its read of the account), the selection check,
# then three fetches of 2 calls each
BUDGET = 8


@pytest.fixture(scope="module")
def cluster(postgres_server: str) -> Iterator[Cluster]:
    with running_cluster(
        postgres_server, instances=2, access_ttl=3600,
        PRODUL_METRICS_MAX_AGE="15", PRODUL_NEON_BUDGET_PER_MINUTE=str(BUDGET),
        PRODUL_REFRESH_FLOOR="0",  # these tests refresh to ask Neon now, again and again
    ) as running:  # fmt: skip
        httpx.put(f"{running.issuer}_standin/faults", json={"latency_ms": 50})
        yield running


async def _render(cluster: Cluster, instance: int, query: str = "") -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30, headers=cluster.admin) as client:
        response = await client.get(cluster.instances[instance] + cluster.widget_data + query)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def _calls(cluster: Cluster) -> int:
    return int((await stats(cluster.issuer))["console_requests"])


# The tests share the cluster's one Neon account and run in this order: the burst first (cold),
# the 429 next (it pauses the account briefly), the budget last (it spends the account's budget).


async def test_a_burst_on_both_instances_costs_one_fetch(cluster: Cluster) -> None:
    before = await _calls(cluster)
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(timeout=60, limits=limits, headers=cluster.admin) as client:
        responses = await asyncio.gather(*(
            client.get(base + cluster.widget_data) for base in cluster.instances for _ in range(100)
        ))  # fmt: skip
    assert {r.status_code for r in responses} == {200}
    assert await _calls(cluster) - before == 2  # the project and its branches, once
    fetched = {r.json()["fetched_at"] for r in responses}
    assert len(fetched) == 1 and not any(r.json()["stale"] for r in responses)


async def test_a_429_stops_the_other_instance_until_its_retry_after(cluster: Cluster) -> None:
    httpx.put(f"{cluster.issuer}_standin/faults", json={"rate_limit_burst": 2, "retry_after": 3})
    limited = await _render(cluster, 0, "?refresh=true")
    assert (limited["stale"], limited["stale_reason"]) == (True, "neon_rate_limited")
    before = await _calls(cluster)
    other = await _render(cluster, 1, "?refresh=true")
    assert (other["stale"], other["stale_reason"]) == (True, "neon_rate_limited")
    assert await _calls(cluster) == before  # the other instance did not ask Neon
    await asyncio.sleep(3.1)
    after_the_pause = await _render(cluster, 1, "?refresh=true")
    assert not after_the_pause["stale"]


async def test_the_budget_is_one_budget_for_both_instances(cluster: Cluster) -> None:
    before, started = await _calls(cluster), time.monotonic()
    answers = [await _render(cluster, i % 2, "?refresh=true") for i in range(8)]
    refilled = (time.monotonic() - started) * BUDGET / 60
    assert await _calls(cluster) - before <= BUDGET + refilled  # not a budget per instance
    limited = [i % 2 for i, a in enumerate(answers) if a["stale_reason"] == "neon_rate_limited"]
    assert set(limited) == {0, 1}, answers  # both instances were held to it
