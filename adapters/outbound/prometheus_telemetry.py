"""Counters and histograms for /metrics, in a registry owned by one app (no globals).

Under ``serve --workers N`` every worker is a process of its own: prometheus_client's
multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set by ``serve`` before the workers start)
keeps each worker's values in files there, and the exposition adds up every worker's.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class PrometheusTelemetry:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._refreshes = Counter(
            "produl_neon_token_refreshes",
            "Token refreshes by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self._renders = Counter(
            "produl_neon_widget_renders",
            "Widget renders by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self._upstream = Counter(
            "produl_neon_upstream_calls",
            "Calls to Neon by operation and status",
            ["operation", "status"],
            registry=self.registry,
        )
        self._latency = Histogram(
            "produl_neon_upstream_seconds",
            "Latency of calls to Neon",
            ["operation"],
            registry=self.registry,
        )

    def token_refresh(self, outcome: str) -> None:
        self._refreshes.labels(outcome).inc()

    def widget_render(self, outcome: str) -> None:
        self._renders.labels(outcome).inc()

    def upstream_call(self, operation: str, status: str, seconds: float) -> None:
        self._upstream.labels(operation, status).inc()
        self._latency.labels(operation).observe(seconds)

    def exposition(self) -> bytes:
        folder = os.environ.get(MULTIPROCESS_DIR)
        if not folder:
            return generate_latest(self.registry)
        every_worker = CollectorRegistry()
        MultiProcessCollector(every_worker, path=folder)  # type: ignore[no-untyped-call]
        return generate_latest(every_worker)
