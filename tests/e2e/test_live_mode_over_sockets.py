"""Live mode against the stand-in running as its own server: real sockets, real knobs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bootstrap.app import create_app
from tests.http.client import ADMIN, Api, serving
from tests.standin_process import live_env, running_standin
from tests.support import FakeClock, make_container

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with running_standin("--latency-ms", "1") as url:
        yield url


@pytest.fixture
async def api(issuer: str) -> AsyncIterator[Api]:
    clock = FakeClock(datetime.now(UTC))
    container = make_container(clock, **live_env(issuer))
    async with serving(create_app(container)) as client:
        yield Api(client, container, clock)


async def _connect(api: Api) -> None:
    url = await api.start_authorization()
    async with httpx.AsyncClient() as browser:  # the browser visits Neon's consent page
        consent = await browser.get(url + "&decision=approve")
    assert consent.status_code == 303
    done = await api.callback(consent.headers["location"])
    assert done.headers["location"] == "/settings/integrations?neon=connected"


async def _knobs(issuer: str, **faults: Any) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        await client.put(f"{issuer}_standin/faults", json=faults)
        stats: dict[str, Any] = (await client.get(f"{issuer}_standin/stats")).json()
        return stats


async def test_connect_render_and_survive_the_knobs(api: Api, issuer: str) -> None:
    await _connect(api)
    board, widget = await api.board_with_widget("old-violet-32930710")
    url = f"/api/dashboards/{board}/widgets/{widget}/data"
    ok = await api.client.get(url, headers=ADMIN)
    assert ok.status_code == 200 and ok.json()["branches"]["total"] == 130

    await _knobs(issuer, rate_limit_burst=1, retry_after=9)
    stale = await api.client.get(url, headers=ADMIN)  # fetched before: the last good data
    assert stale.status_code == 200, stale.text
    assert stale.json() | {"age_seconds": 0} == ok.json() | {
        "stale": True, "stale_reason": "neon_rate_limited"
    }  # fmt: skip
    never_fetched = "/api/dashboards/{}/widgets/{}/data".format(
        *await api.board_with_widget("aged-salad-46255801")
    )
    await _knobs(issuer, rate_limit_burst=1, retry_after=9)
    limited = await api.client.get(never_fetched, headers=ADMIN)  # nothing to fall back on
    assert limited.status_code == 503 and limited.headers["retry-after"] == "9"
    assert limited.json()["type"].endswith("/neon-rate-limited")

    api.clock.advance(seconds=9)  # Neon's Retry-After paused the account until now
    await _knobs(issuer, drop_rate=0.3, seed=7)
    statuses = [(await api.client.get(url, headers=ADMIN)).status_code for _ in range(15)]
    stats = await _knobs(issuer, drop_rate=0.0)
    assert stats["dropped"] > 0
    assert set(statuses) <= {200, 503} and statuses.count(200) >= 10  # GETs retried on drops

    assert stats["console_requests"] == stats["console_gets"]  # nothing but GETs, ever
    gone = await api.client.delete("/api/integrations/neon", headers=ADMIN)
    assert gone.json() == {"revoked": True, "reason": None}
