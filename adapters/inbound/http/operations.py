"""/healthz, /readyz and /metrics: for load balancers and Prometheus."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from litestar import Response, get
from litestar.di import NamedDependency

from application.ports.neon import NeonProbe
from application.ports.stores import StoreProbe, StoreReadiness

Exposition = Callable[[], bytes]
ReachabilityGauge = Callable[[bool], None]


@get("/healthz", operation_id="healthz", tags=["operations"], sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "alive"}


@get("/readyz", operation_id="readyz", tags=["operations"])
async def readyz(
    store_probe: NamedDependency[StoreProbe],
    neon_probe: NamedDependency[NeonProbe],
    neon_reachable_gauge: NamedDependency[ReachabilityGauge],
) -> Response[dict[str, object]]:
    """503 only for what waiting on this instance can fix: the database unreachable, or its
    schema not yet at head. Neon's reachability is reported, never failed on: taking every
    instance out of the load balancer would not bring Neon back, and the last good widget data
    and the settings pages still answer without it."""
    store, neon = await asyncio.gather(store_probe.readiness(), neon_probe.reachability())
    neon_reachable_gauge(neon.reachable)
    ready = store is StoreReadiness.READY
    body: dict[str, object] = {
        "status": "ready" if ready else "not_ready",
        "database": store.value,
        "neon": {"reachable": neon.reachable, "checked_at": neon.checked_at.isoformat()},
    }
    return Response(body, status_code=200 if ready else 503)


@get("/metrics", operation_id="metrics", tags=["operations"], sync_to_thread=False)
def metrics(metrics_exposition: NamedDependency[Exposition]) -> Response[bytes]:
    return Response(metrics_exposition(), media_type="text/plain; version=0.0.4; charset=utf-8")
