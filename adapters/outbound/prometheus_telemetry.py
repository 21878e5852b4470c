"""Counters and histograms for /metrics, in a registry owned by one app (no globals).

Every label value comes from a small fixed set (outcomes, operation ids, statuses, route
templates): never an id, a token or a customer's word, so the series stay few (decision 0022).

Under ``serve --workers N`` every worker is a process of its own: prometheus_client's
multiprocess mode (``PROMETHEUS_MULTIPROC_DIR``, set by ``serve`` before the workers start)
keeps each worker's values in files there, and the exposition adds up every worker's.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# Seconds: a window hit answers in milliseconds, Neon in tens to hundreds, a deadline at 10 s.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.5, 5.0, 10.0)


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
        self._budget_rejections = Counter(
            "produl_neon_budget_rejections",
            "Calls to Neon not made: the account's budget spent, or Neon's Retry-After pending",
            ["reason"],
            registry=self.registry,
        )
        for reason in ("budget", "retry_after"):  # present from the start, at 0
            self._budget_rejections.labels(reason)
        self._store_errors = Counter(
            "produl_neon_store_errors",
            "Database failures that made the store unavailable, by cause",
            ["cause"],
            registry=self.registry,
        )
        self._requests = Counter(
            "produl_neon_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self._request_seconds = Histogram(
            "produl_neon_http_request_seconds",
            "Time to answer an HTTP request, by route template",
            ["route"],
            buckets=REQUEST_BUCKETS,
            registry=self.registry,
        )
        self._in_flight = Gauge(
            "produl_neon_http_requests_in_flight",
            "HTTP requests being answered now",
            registry=self.registry,
            multiprocess_mode="livesum",  # summed over the live workers
        )
        self._neon_reachable = Gauge(
            "produl_neon_oauth_reachable",
            "1 when the last readiness probe of Neon's OAuth discovery answered, else 0",
            registry=self.registry,
            multiprocess_mode="livemin",  # any worker that cannot reach Neon shows 0,
        )

    def token_refresh(self, outcome: str) -> None:
        self._refreshes.labels(outcome).inc()

    def widget_render(self, outcome: str) -> None:
        self._renders.labels(outcome).inc()

    def upstream_call(self, operation: str, status: str, seconds: float) -> None:
        self._upstream.labels(operation, status).inc()
        self._latency.labels(operation).observe(seconds)

    def budget_rejection(self, reason: str) -> None:
        self._budget_rejections.labels(reason).inc()

    def store_error(self, cause: str) -> None:
        self._store_errors.labels(cause).inc()

    def request_started(self) -> None:
        self._in_flight.inc()

    def request_answered(self, method: str, route: str, status: int, seconds: float) -> None:
        self._in_flight.dec()
        self._requests.labels(method, route, str(status)).inc()
        self._request_seconds.labels(route).observe(seconds)

    def neon_reachable(self, reachable: bool) -> None:
        self._neon_reachable.set(1 if reachable else 0)

    def exposition(self) -> bytes:
        folder = os.environ.get(MULTIPROCESS_DIR)
        if not folder:
            return generate_latest(self.registry)
        every_worker = CollectorRegistry()
        MultiProcessCollector(every_worker, path=folder)  # type: ignore[no-untyped-call]
        return generate_latest(every_worker)
