"""/healthz, /readyz and /metrics: for load balancers and Prometheus."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Response, get
from litestar.di import NamedDependency

from application.ports.stores import StoreProbe

Exposition = Callable[[], bytes]
# Litestar appends "; charset=utf-8" to a text type it answers with; the document lists the
# header as it arrives.
PROMETHEUS_TEXT = "text/plain; version=0.0.4"


@get("/healthz", operation_id="healthz", tags=["operations"], sync_to_thread=False)
def healthz() -> dict[str, str]:
    return {"status": "alive"}


@get("/readyz", operation_id="readyz", tags=["operations"])
async def readyz(store_probe: NamedDependency[StoreProbe]) -> Response[dict[str, str]]:
    ready = await store_probe.ready()
    return Response(
        {"status": "ready" if ready else "not_ready"}, status_code=200 if ready else 503
    )


@get(
    "/metrics",
    operation_id="metrics",
    tags=["operations"],
    media_type=f"{PROMETHEUS_TEXT}; charset=utf-8",
    sync_to_thread=False,
)
def metrics(metrics_exposition: NamedDependency[Exposition]) -> Response[bytes]:
    return Response(metrics_exposition(), media_type=PROMETHEUS_TEXT)
