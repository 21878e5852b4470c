"""The customer's journey through the real app, and what it shows when things go wrong."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

from domain.dashboards import WIDGET_LIBRARY
from tests.http.client import ADMIN, Api
from tests.http.web_pages import sign_in
from tests.support import stored

PROBLEM = "application/problem+json"


async def test_connect_pick_select_and_render(api: Api) -> None:
    assert (await api.client.get("/api/integrations", headers=ADMIN)).json() == {
        "integrations": [{"kind": "neon", "name": "Neon", "connected": False}]
    }
    start = await api.client.post("/api/integrations/neon/authorizations", headers=ADMIN)
    cookie = start.headers["set-cookie"]
    assert "produl_neon_oauth=" in cookie and "HttpOnly" in cookie
    assert "Path=/integrations/neon/callback" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # http://127.0.0.1 is not https
    consent_page = await api.client.get(start.json()["authorization_url"].split("8000", 1)[1])
    assert "Approve" in consent_page.text and "Deny" in consent_page.text
    callback_url = await api.consent(start.json()["authorization_url"])
    done = await api.callback(callback_url)
    assert done.status_code == 303
    assert done.headers["location"] == "/settings/integrations?neon=connected"
    assert done.headers["referrer-policy"] == "no-referrer"
    await sign_in(api.client)  # the page is for signed-in people
    page = await api.client.get(done.headers["location"])
    assert "Neon is connected" in page.text

    status = (await api.client.get("/api/integrations/neon", headers=ADMIN)).json()
    assert status["status"] == "connected" and status["health"] == "ok"
    assert status["account"]["email"] == "ada@example.com"
    assert "urn:neoncloud:projects:read" in status["scopes"]

    picker = (await api.client.get("/api/integrations/neon/projects?limit=3", headers=ADMIN)).json()
    assert len(picker["projects"]) == 3 and picker["next_cursor"]
    assert {o["name"] for o in picker["organizations"]} == {"Acme Analytics", "Night Lab"}

    chosen = await api.client.put(
        "/api/integrations/neon/selection", json={"project_id": "aged-salad-46255801"},
        headers=ADMIN,
    )  # fmt: skip
    assert chosen.json() == {"project_id": "aged-salad-46255801", "project_name": "analytics"}
    library = (await api.client.get("/api/widget-library", headers=ADMIN)).json()
    assert library == {"widgets": [{"kind": "neon_metrics", "name": "Neon Metrics",
                                    "requires": "neon", "available": True,
                                    "description": WIDGET_LIBRARY[0].description}]}  # fmt: skip
    board, widget = await api.board_with_widget()
    data = await api.client.get(f"/api/dashboards/{board}/widgets/{widget}/data", headers=ADMIN)
    body = data.json()
    assert body["project"] == {"id": "aged-salad-46255801", "name": "analytics"}
    assert body["storage"] == {"bytes": 52428800, "display": "50 MB"}
    assert body["branches"]["total"] == 7 and len(body["branches"]["shown"]) == 5
    assert body["branches"]["shown"][0] == {"name": "main", "primary": True}
    assert body["compute"]["period_start"] == "2026-11-01T00:00:00Z"
    assert body["compute"]["hours"] == round(body["compute"]["seconds"] / 3600, 2)
    assert body["fetched_at"] == "2026-11-25T16:00:00Z" and body["stale"] is False


async def test_denied_consent_comes_back_as_access_denied(api: Api) -> None:
    done = await api.connect(decision="deny")
    assert done.headers["location"] == "/settings/integrations?neon=error&reason=access_denied"
    await sign_in(api.client)
    page = await api.client.get(done.headers["location"])
    assert "declined" in page.text and "resource owner" not in page.text  # never Neon's words
    status = (await api.client.get("/api/integrations/neon", headers=ADMIN)).json()
    assert status["status"] == "disconnected"


async def test_a_callback_from_another_browser_is_refused_before_any_exchange(api: Api) -> None:
    callback_url = await api.consent(await api.start_authorization())
    api.client.cookies.clear()  # another browser: no binding cookie
    done = await api.callback(callback_url)
    assert done.headers["location"].endswith("reason=state_invalid")
    assert api.container.standin().oauth.counters.code_exchanges == 0


async def test_an_expired_state_and_a_replayed_callback(api: Api) -> None:
    callback_url = await api.consent(await api.start_authorization())
    api.clock.advance(minutes=11)
    assert (await api.callback(callback_url)).headers["location"].endswith("state_expired")
    callback_url = await api.consent(await api.start_authorization())
    assert (await api.callback(callback_url)).headers["location"].endswith("neon=connected")
    assert (await api.callback(callback_url)).headers["location"].endswith("state_invalid")


async def test_a_forged_state_or_issuer_never_connects(api: Api) -> None:
    callback_url = await api.consent(await api.start_authorization())
    query = {k: v[0] for k, v in parse_qs(urlsplit(callback_url).query).items()}
    forged = await api.client.get(
        "/integrations/neon/callback", params={**query, "state": "forged-state"}
    )
    assert forged.headers["location"].endswith("reason=state_invalid")
    callback_url = await api.consent(await api.start_authorization())
    query = {k: v[0] for k, v in parse_qs(urlsplit(callback_url).query).items()}
    wrong_iss = await api.client.get(
        "/integrations/neon/callback", params={**query, "iss": "https://attacker.example/"}
    )
    assert wrong_iss.headers["location"].endswith("reason=issuer_mismatch")


async def test_widget_problems_name_the_action(api: Api) -> None:
    board, widget = await api.board_with_widget()
    url = f"/api/dashboards/{board}/widgets/{widget}/data"
    not_connected = await api.client.get(url, headers=ADMIN)
    assert not_connected.status_code == 409
    assert not_connected.headers["content-type"].startswith(PROBLEM)
    assert not_connected.json()["type"].endswith("/neon-not-connected")
    await api.connect()
    not_selected = (await api.client.get(url, headers=ADMIN)).json()
    assert not_selected["type"].endswith("/project-not-selected")
    assert not_selected["action"] == "select_project"

    connection = await stored(api.container).connections.get(
        (await api.container.authenticate_member().execute(ADMIN["Authorization"][7:])).workspace_id
    )
    assert connection is not None and connection.tokens.refresh_token is not None
    api.container.standin().oauth.refresh(connection.tokens.refresh_token.reveal())
    api.clock.advance(hours=2)
    board2, widget2 = await api.board_with_widget("aged-salad-46255801")
    reconnect = await api.client.get(f"/api/dashboards/{board2}/widgets/{widget2}/data",
                                     headers=ADMIN)  # fmt: skip
    assert reconnect.status_code == 409
    assert reconnect.json() | {"detail": ""} == {
        "type": "/problems/neon-reauthorization-required", "title": "Neon API error",
        "status": 409, "detail": "", "action": "reconnect",
    }  # fmt: skip
    status = (await api.client.get("/api/integrations/neon", headers=ADMIN)).json()
    assert status["status"] == "needs_reauthorization" and status["reason"] == "grant_revoked"
    assert status["health"] == "failing"


async def test_disconnect_reports_revocation(api: Api) -> None:
    await api.connect()
    gone = await api.client.delete("/api/integrations/neon", headers=ADMIN)
    assert gone.status_code == 200 and gone.json() == {"revoked": True, "reason": None}
    again = await api.client.delete("/api/integrations/neon", headers=ADMIN)
    assert again.status_code == 409 and again.json()["type"].endswith("/neon-not-connected")


async def test_members_get_a_token_once_and_can_read_but_not_edit(api: Api) -> None:
    added = await api.client.post(
        "/api/members", json={"email": "bob@example.com", "role": "member"}, headers=ADMIN
    )
    assert added.status_code == 201 and added.headers["cache-control"] == "no-store"
    token = added.json()["token"]
    bob = {"Authorization": f"Bearer {token}"}
    assert (await api.client.get("/api/dashboards", headers=bob)).status_code == 200
    denied = await api.client.post("/api/dashboards", json={"name": "x"}, headers=bob)
    assert denied.status_code == 403 and denied.json()["type"].endswith("/forbidden")
    listed = (await api.client.get("/api/members", headers=ADMIN)).json()["members"]
    assert token not in str(listed) and {m["email"] for m in listed} >= {"bob@example.com"}
    revoked = await api.client.delete(f"/api/members/{added.json()['id']}", headers=ADMIN)
    assert revoked.status_code == 204
    assert (await api.client.get("/api/dashboards", headers=bob)).status_code == 401
    audit = (await api.client.get("/api/audit-log", headers=ADMIN)).json()["events"]
    assert [e["action"] for e in audit] == ["member.revoked", "member.added"]


async def test_operations_endpoints(api: Api) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "alive"}
    assert (await api.client.get("/readyz")).status_code == 200
    board, widget = await api.board_with_widget()
    await api.client.get(f"/api/dashboards/{board}/widgets/{widget}/data", headers=ADMIN)
    metrics = (await api.client.get("/metrics")).text
    assert 'produl_neon_widget_renders_total{outcome="neon_not_connected"} 1.0' in metrics
    schema = (await api.client.get("/schema/openapi.json")).json()
    assert "/api/dashboards/{dashboard_id}/widgets/{widget_id}/data" in schema["paths"]


async def test_fifty_concurrent_renders_over_http_refresh_the_token_once(api: Api) -> None:
    await api.connect()
    board, widget = await api.board_with_widget("old-violet-32930710")
    api.clock.advance(hours=2)  # the access token has expired
    url = f"/api/dashboards/{board}/widgets/{widget}/data"
    responses = await asyncio.gather(*(api.client.get(url, headers=ADMIN) for _ in range(50)))
    assert {r.status_code for r in responses} == {200}
    assert {r.json()["branches"]["total"] for r in responses} == {130}
    counters = api.container.standin().oauth.counters
    assert counters.refreshes == 1 and counters.reuse_detections == 0
    metrics = (await api.client.get("/metrics")).text
    assert 'produl_neon_token_refreshes_total{outcome="rotated"} 1.0' in metrics


async def test_every_use_case_end_to_end_sends_only_gets_to_the_console_api(api: Api) -> None:
    await api.connect()
    cursor = (await api.client.get("/api/integrations/neon/projects?limit=2", headers=ADMIN)).json()
    await api.client.get(
        f"/api/integrations/neon/projects?limit=2&cursor={cursor['next_cursor']}", headers=ADMIN
    )
    await api.client.get("/api/integrations/neon/projects?org_id=org-morning-bread-81040908",
                         headers=ADMIN)  # fmt: skip
    await api.client.put("/api/integrations/neon/selection",
                         json={"project_id": "old-violet-32930710"}, headers=ADMIN)  # fmt: skip
    board, widget = await api.board_with_widget()
    await api.client.patch(f"/api/dashboards/{board}/widgets/{widget}",
                           json={"settings": {"project_id": "aged-salad-46255801"}},
                           headers=ADMIN)  # fmt: skip
    api.clock.advance(hours=2)  # a refresh on the way
    assert (await api.client.get(f"/api/dashboards/{board}/widgets/{widget}/data",
                                 headers=ADMIN)).status_code == 200  # fmt: skip
    await api.connect()  # reconnect: the old grant is revoked
    await api.client.delete(f"/api/dashboards/{board}/widgets/{widget}", headers=ADMIN)
    await api.client.delete("/api/integrations/neon", headers=ADMIN)
    log = api.container.standin().log
    console = [e for e in log.entries if "/api/v2/" in e.path]
    assert console and {e.method for e in console} == {"GET"}
    assert {e.path.split("/api/v2")[1].split("/")[1] for e in console} == {"users", "projects"}
    assert api.container.standin().oauth.counters.refreshes == 1
    assert api.container.standin().oauth.counters.revocations == 2


async def test_a_replayed_code_on_a_fresh_flow_fails_to_exchange(api: Api) -> None:
    first = await api.consent(await api.start_authorization())
    assert (await api.callback(first)).headers["location"].endswith("neon=connected")
    code = parse_qs(urlsplit(first).query)["code"][0]
    second = await api.consent(await api.start_authorization())
    query = {k: v[0] for k, v in parse_qs(urlsplit(second).query).items()}
    replayed = await api.client.get("/integrations/neon/callback", params={**query, "code": code})
    assert replayed.headers["location"].endswith("reason=exchange_failed")
