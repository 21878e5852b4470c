"""What an operator sees: the request id, the one log line per request, /metrics and /readyz."""

from __future__ import annotations

import asyncio
import logging
import re

import pytest
from prometheus_client.parser import text_string_to_metric_families

from adapters.outbound.sql import migrate
from adapters.outbound.sql.database import Database
from adapters.outbound.sql.migrate import SqlStoreProbe
from adapters.request_context import current_request_id
from application.ports.stores import StoreReadiness, StoreUnavailable
from application.render_widget import REFRESH_FLOOR_SECONDS
from bootstrap.app import create_app
from tests.http.client import ADMIN, Api, serving
from tests.support import FakeClock, database_of, make_container

HEX_ID = re.compile(r"[0-9a-f]{32}\Z")


def samples(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


async def metric(api: Api, name: str, **labels: str) -> float:
    found = samples((await api.client.get("/metrics")).text)
    return found.get((name, frozenset(labels.items())), 0.0)


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "produl_neon.requests"]


async def test_a_well_formed_request_id_is_kept_and_any_other_replaced(api: Api) -> None:
    kept = await api.client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.c_1-X"})
    assert kept.headers["x-request-id"] == "lb-7f3a.c_1-X"
    for bad in (b"has space", b'quote"d', b"x" * 129, b"", "é".encode()):
        replaced = await api.client.get("/healthz", headers={b"X-Request-ID": bad})
        assert HEX_ID.match(replaced.headers["x-request-id"]), bad
    unmatched = await api.client.get("/no/such/route")
    assert unmatched.status_code == 404 and HEX_ID.match(unmatched.headers["x-request-id"])
    assert current_request_id() is None  # the request's context ended with it


async def test_one_line_per_request_with_the_route_template_and_never_the_query(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    board, _ = await api.board_with_widget()
    caplog.clear()
    with caplog.at_level(logging.INFO):
        await api.client.get(f"/api/dashboards/{board}", headers={**ADMIN, "X-Request-ID": "r-1"})
        await api.client.get(
            "/integrations/neon/callback?code=SECRET-CODE&state=SECRET-STATE",
            headers={"X-Request-ID": "r-2"},
        )
        await api.client.get(f"/no/such/{board}?token=SECRET-QUERY")
    read, callback, unmatched = request_lines(caplog)
    assert (read.route, read.method, read.status) == ("/api/dashboards/{dashboard_id}", "GET", 200)  # type: ignore[attr-defined]
    assert read.request_id == "r-1" and read.workspace_id  # type: ignore[attr-defined]
    assert read.duration_ms >= 0  # type: ignore[attr-defined]
    assert (callback.route, callback.request_id) == ("/integrations/neon/callback", "r-2")  # type: ignore[attr-defined]
    assert callback.workspace_id is None  # type: ignore[attr-defined]
    assert (unmatched.route, unmatched.status) == ("unmatched", 404)  # type: ignore[attr-defined]
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("produl_neon"))
    assert board not in ours and "SECRET" not in ours  # (httpx's own lines: decision 0022)


async def test_the_request_id_goes_on_to_neon_and_neons_own_is_logged_beside_it(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    url = await api.start_authorization()
    callback = await api.consent(url)
    with caplog.at_level(logging.INFO):
        await api.client.get(callback.removeprefix("http://127.0.0.1:8000"),
                             headers={"X-Request-ID": "lb-callback"})  # fmt: skip
        board, widget = await api.board_with_widget("aged-salad-46255801")
        await api.client.get(f"/api/dashboards/{board}/widgets/{widget}/data",
                             headers={**ADMIN, "X-Request-ID": "lb-render"})  # fmt: skip
    seen = api.container.standin().log.entries
    token = [e for e in seen if e.path.endswith("/oauth2/token")]
    assert [e.request_id for e in token] == ["lb-callback"]
    render = [e for e in seen if e.path.endswith("/projects/aged-salad-46255801")]
    assert render[-1].request_id == "lb-render" and render[-1].neon_request_id
    calls = [r for r in caplog.records if r.name.startswith("produl_neon.neon_")]
    by_operation = {(r.operation, r.request_id): r for r in calls}  # type: ignore[attr-defined]
    assert ("oauth_token", "lb-callback") in by_operation
    assert ("getCurrentUserInfo", "lb-callback") in by_operation
    project = by_operation[("getProject", "lb-render")]
    assert project.neon_request_id == render[-1].neon_request_id  # type: ignore[attr-defined]
    assert await metric(api, "produl_neon_upstream_calls_total",
                        operation="oauth_token", status="200") == 1  # fmt: skip


async def test_renders_are_counted_by_outcome() -> None:
    clock = FakeClock()
    container = make_container(clock, PRODUL_METRICS_MAX_AGE="60")
    async with serving(create_app(container)) as client:
        api = Api(client, container, clock)
        await api.connect()
        board, widget = await api.board_with_widget("aged-salad-46255801")
        url = f"/api/dashboards/{board}/widgets/{widget}/data"
        container.standin().faults.latency_ms = 50  # long enough for the others to join
        answers = await asyncio.gather(*(client.get(url, headers=ADMIN) for _ in range(5)))
        container.standin().faults.latency_ms = 0
        assert {a.status_code for a in answers} == {200}
        await client.get(url, headers=ADMIN)  # inside the 60 s window
        container.standin().faults.rate_limit_burst = 10
        clock.advance(seconds=REFRESH_FLOOR_SECONDS)  # a refresh asks Neon from then on
        stale = await client.get(url + "?refresh=true", headers=ADMIN)
        assert stale.json()["stale_reason"] == "neon_rate_limited"
        name = "produl_neon_widget_renders_total"
        assert await metric(api, name, outcome="fresh") == 1
        assert await metric(api, name, outcome="coalesced") == 4
        assert await metric(api, name, outcome="window_hit") == 1
        assert await metric(api, name, outcome="stale_neon_rate_limited") == 1


async def test_requests_are_counted_by_route_template_and_none_stays_in_flight(api: Api) -> None:
    board, _ = await api.board_with_widget()
    await api.client.get(f"/api/dashboards/{board}", headers=ADMIN)
    await api.client.get("/no/such/route")
    route = "/api/dashboards/{dashboard_id}"
    assert await metric(api, "produl_neon_http_requests_total",
                        method="GET", route=route, status="200") == 1  # fmt: skip
    assert await metric(api, "produl_neon_http_requests_total",
                        method="GET", route="unmatched", status="404") == 1  # fmt: skip
    exposition = (await api.client.get("/metrics")).text
    assert board not in exposition
    # the scrape itself is the one request in flight while /metrics renders
    assert await metric(api, "produl_neon_http_requests_in_flight") == 1
    assert await metric(api, "produl_neon_budget_rejections_total", reason="budget") == 0


async def test_readyz_reports_neon_without_failing_on_it(api: Api) -> None:
    ready = await api.client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["status"] == "ready" and body["database"] == "ready"
    assert body["neon"]["reachable"] is True
    assert await metric(api, "produl_neon_oauth_reachable") == 1


async def test_readyz_stays_ready_when_neon_is_unreachable() -> None:
    # live mode towards a port nobody listens on: discovery fails fast
    container = make_container(
        FakeClock(), PRODUL_NEON_MODE="live", PRODUL_NEON_OAUTH_ISSUER="http://127.0.0.1:9/",
        PRODUL_NEON_API_URL="http://127.0.0.1:9/api/v2", PRODUL_NEON_CLIENT_ID="c",
        PRODUL_NEON_CLIENT_SECRET="s",
    )  # fmt: skip
    async with serving(create_app(container)) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["neon"]["reachable"] is False
        metrics = samples((await client.get("/metrics")).text)
        assert metrics[("produl_neon_oauth_reachable", frozenset())] == 0


async def test_readyz_fails_while_the_schema_is_behind(api: Api) -> None:
    await migrate.downgrade(database_of(api.container), "0005")  # as before a deployment's migrate
    answer = await api.client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["database"] == "schema_behind" and answer.json()["neon"]["reachable"]


async def test_a_database_that_does_not_answer_is_unready_and_counted() -> None:
    causes: list[str] = []
    nobody = Database(
        "postgresql+asyncpg://produl@127.0.0.1:9/produl", on_unavailable=causes.append
    )
    try:
        assert await SqlStoreProbe(nobody).readiness() is StoreReadiness.UNREACHABLE
        with pytest.raises(StoreUnavailable):
            async with nobody.transaction():
                pass
    finally:
        await nobody.dispose()
    assert causes and all(cause.isidentifier() for cause in causes)  # class names: bounded


async def test_a_method_nobody_knows_is_counted_as_other_and_never_becomes_a_series(
    api: Api,
) -> None:
    """A stranger's made-up methods would otherwise each add a series that is never freed."""
    for n in range(3):
        await api.client.request(f"XYZ{n}JUNK", "/healthz")
    exposition = (await api.client.get("/metrics")).text
    assert "JUNK" not in exposition
    counted = [
        line
        for line in exposition.splitlines()
        if line.startswith("produl_neon_http_requests_total{") and 'method="OTHER"' in line
    ]
    assert len(counted) == 1 and counted[0].endswith(" 3.0"), counted  # fmt: skip
