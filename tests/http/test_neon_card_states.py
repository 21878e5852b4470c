"""The Neon card in each state a connection can be in, as the page words it."""

from __future__ import annotations

from tests.http.client import ADMIN, Api
from tests.http.web_pages import sign_in


async def _card(api: Api) -> str:
    page = await api.client.get("/settings/integrations")
    assert page.status_code == 200
    return page.text


async def test_degraded_says_so_and_offers_reconnect(api: Api) -> None:
    await api.connect()
    board = (await api.client.post("/api/dashboards", json={"name": "B"}, headers=ADMIN)).json()
    widget = await api.client.post(
        f"/api/dashboards/{board['id']}/widgets",
        json={"kind": "neon_metrics", "settings": {"project_id": "aged-salad-46255801"}},
        headers=ADMIN,
    )
    faults = api.container.standin().faults
    faults.error_rate, faults.error_status = 1.0, 401  # the Console refuses fresh tokens
    data = f"/api/dashboards/{board['id']}/widgets/{widget.json()['id']}/data"
    assert (await api.client.get(data, headers=ADMIN)).status_code == 503
    await sign_in(api.client)
    card = await _card(api)
    assert "Degraded" in card and "lately refused" in card
    assert ">Reconnect</button>" in card and ">Disconnect</a>" in card


async def test_connected_shows_the_account_and_what_produl_may_do(api: Api) -> None:
    await api.connect()
    await sign_in(api.client)
    card = await _card(api)
    assert "ada@example.com" in card and ">Connected<" in card
    assert "Read your projects, their branches, storage and compute usage" in card
    assert "urn:neoncloud" not in card  # plain words, not scope names
    assert ">Reconnect</button>" not in card


async def test_not_connected_offers_connect_and_remembers_the_project(api: Api) -> None:
    await api.connect()
    selected = await api.client.put(
        "/api/integrations/neon/selection",
        json={"project_id": "aged-salad-46255801"},
        headers=ADMIN,
    )
    assert selected.status_code == 200
    assert (await api.client.delete("/api/integrations/neon", headers=ADMIN)).status_code == 200
    await sign_in(api.client)
    card = await _card(api)
    assert "Not connected" in card and ">Connect Neon</button>" in card
    assert "Last chosen project: analytics" in card
