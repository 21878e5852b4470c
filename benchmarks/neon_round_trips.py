"""Renders against the stand-in running as a separate process with latency at its socket.

    .venv/bin/python -m benchmarks.neon_round_trips [--latency-ms 50] [--renders 30]

Prints one bare round trip to the stand-in, then for a 7-branch and a 130-branch project the
upstream calls per render and render p50/p99, sequential and in a burst of 50 at once. A render
fetches the project and its branches concurrently, so it should cost about one round trip per
page of branches, not one per call.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from bootstrap.app import create_app
from tests.http.client import ADMIN, Api, serving
from tests.standin_process import live_env, running_standin
from tests.support import FakeClock, make_container, stored


def _ms(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100) if len(samples) > 1 else samples * 99
    return f"p50 {cuts[49] * 1000:6.1f} ms  p99 {cuts[98] * 1000:6.1f} ms"


async def _timed(call: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await call()
    return time.perf_counter() - started


async def _gets(issuer: str) -> int:
    async with httpx.AsyncClient() as client:
        return int((await client.get(f"{issuer}_standin/stats")).json()["console_gets"])


async def main(latency_ms: float, renders: int) -> None:
    with running_standin("--latency-ms", str(latency_ms)) as issuer:
        container = make_container(FakeClock(datetime.now(UTC)), **live_env(issuer))
        async with serving(create_app(container)) as c:
            api = Api(c, container, FakeClock())
            url = await api.start_authorization()
            async with httpx.AsyncClient() as browser:
                consent = await browser.get(url + "&decision=approve")
                await api.callback(consent.headers["location"])
                admin = await container.authenticate_member().execute(ADMIN["Authorization"][7:])
                connection = await stored(container).connections.get(admin.workspace_id)
                assert connection is not None
                token = {"Authorization": f"Bearer {connection.tokens.access_token.reveal()}"}
                me = f"{issuer}api/v2/users/me"
                bare = [
                    await _timed(lambda: browser.get(me, headers=token)) for _ in range(renders)
                ]
            print(f"stand-in latency {latency_ms:.0f} ms; bare round trip: {_ms(bare)}")
            base = statistics.median(bare)
            for project in ("aged-salad-46255801", "old-violet-32930710"):
                board, widget = await api.board_with_widget(project)
                data = f"/api/dashboards/{board}/widgets/{widget}/data"

                async def render(data: str = data) -> None:
                    response = await c.get(data, headers=ADMIN)
                    assert response.status_code == 200, response.text

                before = await _gets(issuer)
                sequential = [await _timed(render) for _ in range(renders)]
                calls = (await _gets(issuer) - before) / renders
                burst = await asyncio.gather(*(_timed(render) for _ in range(50)))
                print(f"{project}: {calls:.1f} upstream calls per render")
                print(
                    f"  sequential x{renders}: {_ms(sequential)}  "
                    f"({statistics.median(sequential) / base:.1f}x a bare round trip)"
                )
                print(f"  burst of 50:      {_ms(list(burst))}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--renders", type=int, default=30)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.latency_ms, arguments.renders))
