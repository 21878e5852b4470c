"""A burst of concurrent widget renders through the real app on the staging fakes.

    .venv/bin/python -m benchmarks.render_burst [--viewers 100] [--rounds 5]

Each round expires the access token first, so every burst also races the token refresh. Prints
token refreshes per round, Neon calls per render, and render latency percentiles. The stand-in
runs in-process with no latency, so the figures show the service's own cost under a burst.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from bootstrap.app import create_app
from tests.http.client import ADMIN, relative, serving
from tests.support import FakeClock, make_container


async def main(viewers: int, rounds: int) -> None:
    clock = FakeClock()
    container = make_container(clock)
    app = create_app(container)
    async with serving(app) as client:
        url = (await client.post("/api/integrations/neon/authorizations", headers=ADMIN)).json()
        consent = await client.get(relative(url["authorization_url"]) + "&decision=approve")
        await client.get(relative(consent.headers["location"]))
        board = (await client.post("/api/dashboards", json={"name": "B"}, headers=ADMIN)).json()
        widget = await client.post(
            f"/api/dashboards/{board['id']}/widgets",
            json={"kind": "neon_metrics", "settings": {"project_id": "old-violet-32930710"}},
            headers=ADMIN,
        )
        data_url = f"/api/dashboards/{board['id']}/widgets/{widget.json()['id']}/data"
        latencies: list[float] = []
        server, log = container.standin().oauth, container.standin().log
        for _ in range(rounds):
            clock.advance(hours=2)
            refreshes_before, calls_before = server.counters.refreshes, log.console_gets()

            async def render() -> None:
                started = time.perf_counter()
                response = await client.get(data_url, headers=ADMIN)
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text

            await asyncio.gather(*(render() for _ in range(viewers)))
            print(
                f"round: {viewers} concurrent renders, "
                f"token refreshes {server.counters.refreshes - refreshes_before}, "
                f"Neon calls {log.console_gets() - calls_before} "
                f"({(log.console_gets() - calls_before) / viewers:.2f} per render; goal: one "
                "render's worth, 2)"
            )
        cuts = statistics.quantiles(latencies, n=100)
        print(f"renders: {len(latencies)}; reuse detections: {server.counters.reuse_detections}")
        print(f"latency ms: p50 {cuts[49] * 1000:.1f}  p99 {cuts[98] * 1000:.1f}  "
              f"max {max(latencies) * 1000:.1f}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--viewers", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.viewers, arguments.rounds))
