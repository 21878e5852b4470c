"""Any 200 that Neon's published document allows renders a widget: the httpx Console client
and the widget's rules, fed bodies generated from the getProject and listProjectBranches
schemas. A figure Neon cannot mean (the document allows a negative size or duration, and a
period that ends before it starts) comes out null; every other figure is sane."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import msgspec
from hypothesis import HealthCheck, given, settings

from adapters.inbound.http import presenters
from adapters.outbound.neon_http.calls import ConsoleCalls
from adapters.outbound.neon_http.console import HttpxNeonConsole
from adapters.outbound.prometheus_telemetry import PrometheusTelemetry
from application.render_widget import WidgetData
from domain.ids import NeonProjectId
from domain.metrics import NeonMetricsSnapshot
from domain.secrets import Secret
from tests.contract.neon_spec import response_bodies

API = "https://console.neon.tech/api/v2"
PROJECT = NeonProjectId("aged-salad-46255801")
NOW = datetime(2026, 11, 25, 16, tzinfo=UTC)


def _console(project: Any, branches: Any) -> HttpxNeonConsole:
    def answer(request: httpx.Request) -> httpx.Response:
        body = branches if request.url.path.endswith("/branches") else project
        return httpx.Response(200, content=json.dumps(body).encode())

    transport = httpx.MockTransport(answer)
    return HttpxNeonConsole(ConsoleCalls(transport, API, PrometheusTelemetry(), backoff=0.001))


@settings(
    max_examples=60,
    deadline=None,
    # hypothesis-jsonschema filters internally (patterns, required keys): expected, not a smell
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)
@given(
    project=response_bodies("/projects/{project_id}"),
    branches=response_bodies("/projects/{project_id}/branches"),
)
async def test_every_spec_valid_answer_is_a_widget_of_null_or_sane_figures(
    project: Any, branches: Any
) -> None:
    console = _console(project, branches)
    details = await console.get_project(Secret("nat_token"), PROJECT)
    listed = await console.list_branches(Secret("nat_token"), PROJECT)
    snapshot = NeonMetricsSnapshot.from_neon(details, listed, NOW)

    assert snapshot.storage_bytes is None or snapshot.storage_bytes >= 0
    assert (snapshot.storage_bytes is None) == (snapshot.storage_display is None)
    assert snapshot.compute_seconds is None or snapshot.compute_seconds >= 0
    assert (snapshot.compute_seconds is None) == (snapshot.compute_hours is None)
    if snapshot.period_start is not None and snapshot.period_end is not None:
        assert snapshot.period_start <= snapshot.period_end
    assert snapshot.branch_total == len(branches["branches"])
    shown = msgspec.json.decode(
        msgspec.json.encode(presenters.widget_data(WidgetData.of(snapshot, NOW)))
    )
    assert shown["storage"]["bytes"] == snapshot.storage_bytes
    assert shown["compute"]["seconds"] == snapshot.compute_seconds
