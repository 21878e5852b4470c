"""Hostile bytes, the stand-in's knobs on the service port, and the headers browsers rely on
(issue 8, items 2, 7 and 12): all through the HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bootstrap.app import create_app
from bootstrap.settings import SettingsError, load_settings
from neon_standin.seed import ADA
from tests.http.client import ADMIN, Api, relative, serving
from tests.http.web_pages import sign_in
from tests.support import FakeClock, make_container

BODY_ROUTES = [
    ("POST", "/api/dashboards"),
    ("POST", "/api/members"),
    ("PUT", "/api/integrations/neon/selection"),
]
NOT_UTF8 = b'{"name":"\xff"}'
TOO_DEEP = b"[" * 1000 + b"]" * 1000


async def _dashboard_count(api: Api) -> int:
    return len((await api.client.get("/api/dashboards", headers=ADMIN)).json()["dashboards"])


@pytest.mark.parametrize(
    "body", [NOT_UTF8, TOO_DEEP, b'{"name": '], ids=["not-utf8", "deep", "cut"]
)
@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
async def test_bytes_that_are_not_json_are_an_invalid_request(
    api: Api, method: str, path: str, body: bytes
) -> None:
    headers = {**ADMIN, "Content-Type": "application/json"}
    response = await api.client.request(method, path, content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "/problems/invalid-request"


@pytest.mark.parametrize("content_type", ["text/plain", None, "application/x-www-form-urlencoded"])
@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
async def test_a_body_that_is_not_declared_json_is_refused_unread(
    api: Api, method: str, path: str, content_type: str | None
) -> None:
    before = await _dashboard_count(api)
    headers = dict(ADMIN)
    if content_type:
        headers["Content-Type"] = content_type
    body = b'{"name": "Ops", "email": "a@example.com", "role": "member", "project_id": "p"}'
    response = await api.client.request(method, path, content=body, headers=headers)
    assert response.status_code == 415, response.text
    assert response.json()["type"] == "/problems/unsupported-media-type"
    assert await _dashboard_count(api) == before


async def test_json_with_a_charset_is_json(api: Api) -> None:
    headers = {**ADMIN, "Content-Type": "application/json; charset=utf-8"}
    response = await api.client.post("/api/dashboards", content=b'{"name":"Ops"}', headers=headers)
    assert response.status_code == 201, response.text


async def test_every_route_with_a_body_documents_415_and_422(api: Api) -> None:
    paths = (await api.client.get("/schema/openapi.json")).json()["paths"]
    with_body = [
        (method, path, operation["responses"])
        for path, item in paths.items()
        for method, operation in item.items()
        if "requestBody" in operation
    ]
    assert len(with_body) >= 6
    for method, path, responses in with_body:
        assert responses["415"]["description"] == "unsupported-media-type", (method, path)
        assert "422" in responses, (method, path)


@pytest.fixture
async def knobs_api() -> AsyncIterator[Api]:
    clock = FakeClock()
    container = make_container(clock, PRODUL_STANDIN_KNOBS="1")
    async with serving(create_app(container)) as client:
        yield Api(client, container, clock)


FAULTS = {"error_rate": 1.0, "error_status": 503}


async def test_the_standins_knobs_are_closed_on_the_service_port_by_default(api: Api) -> None:
    put = await api.client.put("/fake-neon/_standin/faults", json=FAULTS)
    stats = await api.client.get("/fake-neon/_standin/stats")
    revoke = await api.client.post(f"/fake-neon/_standin/accounts/{ADA}/revoke-grants")
    assert (put.status_code, stats.status_code, revoke.status_code) == (404, 404, 404)
    assert api.container.standin().faults.error_rate == 0
    assert (await api.connect()).status_code == 303  # the stand-in itself still plays Neon


async def test_the_standins_knobs_open_with_produl_standin_knobs(knobs_api: Api) -> None:
    put = await knobs_api.client.put("/fake-neon/_standin/faults", json=FAULTS)
    assert put.status_code == 200, put.text
    assert knobs_api.container.standin().faults.error_rate == 1.0
    closed = await knobs_api.client.post(f"/fake-neon/_standin/accounts/{ADA}/revoke-grants")
    assert closed.status_code == 201 and closed.json() == {"revoked": 0}


async def test_revoking_the_standins_grants_makes_the_widget_ask_for_a_reconnect(
    knobs_api: Api,
) -> None:
    await knobs_api.connect()
    board, widget = await knobs_api.board_with_widget("aged-salad-46255801")
    url = f"/api/dashboards/{board}/widgets/{widget}/data"
    assert (await knobs_api.client.get(url, headers=ADMIN)).status_code == 200
    revoked = await knobs_api.client.post(f"/fake-neon/_standin/accounts/{ADA}/revoke-grants")
    assert revoked.json() == {"revoked": 1}
    refused = await knobs_api.client.get(url, headers=ADMIN)
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"] == "/problems/neon-reauthorization-required"


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "produl.example.com"])
def test_fake_mode_refuses_a_public_host(host: str) -> None:
    with pytest.raises(SettingsError, match="PRODUL_ALLOW_FAKE_PUBLIC"):
        load_settings({}, host=host)
    with pytest.raises(SettingsError, match="PRODUL_ALLOW_FAKE_PUBLIC"):
        load_settings({"PRODUL_PUBLIC_URL": "https://produl.example.com"}, host=host)
    public = {"PRODUL_ALLOW_FAKE_PUBLIC": "1", "PRODUL_PUBLIC_URL": "https://produl.example.com"}
    assert load_settings(public, host=host).fake
    assert not load_settings(
        {"PRODUL_NEON_MODE": "live", "PRODUL_NEON_CLIENT_ID": "c", "PRODUL_NEON_CLIENT_SECRET": "s",
         "PRODUL_SECRET_KEYS": "k1:" + "A" * 43 + "=", "PRODUL_PUBLIC_URL": "https://x.example"},
        host=host,
    ).fake  # fmt: skip


def _assert_page_headers(headers: dict[str, str] | object) -> None:
    assert isinstance(headers, dict)
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy and "style-src 'self';" in policy  # nothing inline
    assert "unsafe" not in policy
    assert "form-action 'self'" in policy
    assert headers["referrer-policy"] in ("same-origin", "no-referrer")
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"


async def test_html_pages_carry_a_policy_nosniff_and_refuse_framing(api: Api) -> None:
    await sign_in(api.client)
    page = await api.client.get("/settings/integrations?neon=connected")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    _assert_page_headers(dict(page.headers))
    consent = await api.client.get(relative(await api.start_authorization()))
    assert consent.status_code == 200 and "<form" in consent.text
    _assert_page_headers(dict(consent.headers))


@pytest.mark.parametrize("ui", ["/schema/swagger", "/schema/redoc", "/schema/elements",
                                "/schema/rapidoc", "/schema/scalar"])  # fmt: skip
async def test_no_docs_ui_loads_scripts_from_a_cdn(api: Api, ui: str) -> None:
    response = await api.client.get(ui)
    assert response.status_code == 404
    assert "cdn" not in response.text and "<script" not in response.text


async def test_the_openapi_document_is_served(api: Api) -> None:
    for path in ("/schema/openapi.json", "/schema"):
        response = await api.client.get(path)
        assert response.status_code == 200 and response.json()["openapi"].startswith("3.")


async def test_every_api_response_is_no_store(api: Api) -> None:
    await api.connect()
    board_id, widget_id = await api.board_with_widget("aged-salad-46255801")
    base = f"/api/dashboards/{board_id}"
    gets = [
        "/api/integrations", "/api/integrations/neon", "/api/integrations/neon/projects",
        "/api/widget-library", "/api/dashboards", base, f"{base}/widgets/{widget_id}/data",
        "/api/members", "/api/audit-log",
    ]  # fmt: skip
    responses = [await api.client.get(path, headers=ADMIN) for path in gets]
    responses.append(await api.client.get("/api/dashboards"))  # 401: says what exists
    responses.append(await api.client.get("/api/dashboards/nope", headers=ADMIN))
    responses.append(await api.client.post("/api/dashboards", json={"name": "Two"}, headers=ADMIN))
    responses.append(await api.client.delete(f"{base}/widgets/{widget_id}", headers=ADMIN))
    responses.append(await api.client.get("/api/no-such-route", headers=ADMIN))  # the router's 404
    responses.append(await api.client.patch("/api/dashboards", headers=ADMIN))  # and its 405
    for response in responses:
        assert response.headers.get_list("cache-control") == ["no-store"], response.request.url
        assert response.headers["x-content-type-options"] == "nosniff"
    assert [r.status_code for r in responses[: len(gets)]] == [200] * len(gets)
