"""/healthz, /readyz and /metrics: for load balancers and Prometheus."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Literal

import msgspec
from litestar import Response, get
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec

from application.ports.neon import NeonProbe
from application.ports.stores import StoreProbe, StoreReadiness

Exposition = Callable[[], bytes]
ReachabilityGauge = Callable[[bool], None]
# Litestar appends "; charset=utf-8" to a text type it answers with; the document lists the
# header as it arrives.
PROMETHEUS_TEXT = "text/plain; version=0.0.4"


@get("/healthz", operation_id="healthz", tags=["operations"], sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "alive"}


class NeonReachabilityBody(msgspec.Struct):
    reachable: bool
    checked_at: datetime


class ReadinessBody(msgspec.Struct):
    status: Literal["ready", "not_ready"]
    database: Literal["ready", "unreachable", "schema_behind"]
    neon: NeonReachabilityBody


@get(
    "/readyz",
    operation_id="readyz",
    tags=["operations"],
    responses={503: ResponseSpec(ReadinessBody, description="not ready", generate_examples=False)},
)
async def readyz(
    store_probe: NamedDependency[StoreProbe],
    neon_probe: NamedDependency[NeonProbe],
    neon_reachable_gauge: NamedDependency[ReachabilityGauge],
) -> Response[ReadinessBody]:
    """200 when the database answers and its schema is at head, else 503; Neon's reachability
    is reported in the body and never fails the probe."""
    # Only what waiting on this instance can fix fails it: pulling every instance out of the
    # load balancer would not bring Neon back, and the last good widget data still answers.
    store, neon = await asyncio.gather(store_probe.readiness(), neon_probe.reachability())
    neon_reachable_gauge(neon.reachable)
    ready = store is StoreReadiness.READY
    body = ReadinessBody(
        status="ready" if ready else "not_ready",
        database=store.value,  # StoreReadiness's values, one for one
        neon=NeonReachabilityBody(neon.reachable, neon.checked_at),
    )
    return Response(body, status_code=200 if ready else 503)


@get(
    "/metrics",
    operation_id="metrics",
    tags=["operations"],
    media_type=f"{PROMETHEUS_TEXT}; charset=utf-8",
    sync_to_thread=False,
)
def metrics(metrics_exposition: NamedDependency[Exposition]) -> Response[bytes]:
    return Response(metrics_exposition(), media_type=PROMETHEUS_TEXT)
