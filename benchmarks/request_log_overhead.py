"""What the request log costs: one log line, the counts and the X-Request-ID per request.

    .venv/bin/python -m benchmarks.request_log_overhead [--requests 20000] [--trials 5]

Calls an ASGI app that answers at once, bare and wrapped in ``RequestLog`` (with the Prometheus
telemetry and the line emitted at INFO through structlog's JSON formatter to a stream that goes
nowhere, as in live mode minus the disk), and prints the time per request of each, the median
of the trials, and the difference beside its goal. No HTTP client and no routing are in the
loop, so the difference is the request log's own.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import statistics
import time
from typing import Any

from adapters.inbound.http.request_log import RequestLog
from adapters.outbound.prometheus_telemetry import PrometheusTelemetry
from bootstrap.logs import formatter

GOAL_MS = 0.2  # per request: under 1% of a render answered from the window (~30 ms in process)
SCOPE = {"type": "http", "method": "GET", "path": "/healthz", "path_template": "/healthz",
         "headers": [(b"x-request-id", b"lb-0123456789")]}  # fmt: skip


async def answer(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b""}


async def discard(message: Any) -> None:
    return None


async def per_request_ms(app: Any, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        await app(dict(SCOPE), receive, discard)
    return (time.perf_counter() - started) / requests * 1000


async def main(requests: int, trials: int) -> None:
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(formatter("json"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    logged = RequestLog(answer, PrometheusTelemetry())
    timings: dict[str, list[float]] = {"bare": [], "logged": []}
    for _ in range(trials):
        timings["bare"].append(await per_request_ms(answer, requests))
        timings["logged"].append(await per_request_ms(logged, requests))
    bare, with_log = (statistics.median(timings[k]) for k in ("bare", "logged"))
    print(f"{requests} requests x {trials} trials (median per request)")
    print(f"bare ASGI app {bare:.4f} ms; wrapped in the request log {with_log:.4f} ms")
    print(f"cost {with_log - bare:.3f} ms per request (goal: < {GOAL_MS} ms)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--trials", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.trials))
