"""A Console API that refuses fresh tokens is Neon having a bad moment, not a lost grant: the
card says "degraded", the widget "retry later", and only a day of refusals asks to reconnect."""

from __future__ import annotations

from tests.http.client import ADMIN, Api


async def _render(api: Api, board: str, widget: str) -> tuple[int, dict[str, object], str | None]:
    response = await api.client.get(f"/api/dashboards/{board}/widgets/{widget}/data", headers=ADMIN)
    return response.status_code, response.json(), response.headers.get("retry-after")


async def _card(api: Api) -> dict[str, object]:
    card: dict[str, object] = (await api.client.get("/api/integrations/neon", headers=ADMIN)).json()
    return card


async def test_console_401s_on_fresh_tokens_degrade_the_connection_until_one_succeeds(
    api: Api,
) -> None:
    await api.connect()
    board, widget = await api.board_with_widget("aged-salad-46255801")
    faults = api.container.standin().faults
    faults.error_rate, faults.error_status = 1.0, 401

    status, problem, retry_after = await _render(api, board, widget)
    assert status == 503 and str(problem["type"]).endswith("/neon-unavailable")
    assert retry_after == "60"
    card = await _card(api)
    assert (card["status"], card["health"], card["reason"]) == (
        "connected",
        "degraded",
        "console_rejected_token",
    )
    refreshes = api.container.standin().oauth.counters.refreshes
    assert (await _render(api, board, widget))[0] == 503
    assert api.container.standin().oauth.counters.refreshes == refreshes  # none within 60 s

    faults.error_rate = 0.0
    api.clock.advance(seconds=61)
    assert (await _render(api, board, widget))[0] == 200
    card = await _card(api)
    assert (card["status"], card["health"], card["reason"]) == ("connected", "ok", None)


async def test_a_day_of_refusals_asks_to_reconnect(api: Api) -> None:
    await api.connect()
    board, widget = await api.board_with_widget("aged-salad-46255801")
    faults = api.container.standin().faults
    faults.error_rate, faults.error_status = 1.0, 401
    for _ in range(48):  # a dashboard on a wall asks every 30 minutes, and Neon refuses each
        assert (await _render(api, board, widget))[0] == 503
        api.clock.advance(minutes=30)
    status, problem, _ = await _render(api, board, widget)
    assert status == 409 and str(problem["type"]).endswith("/neon-reauthorization-required")
    card = await _card(api)
    assert (card["status"], card["health"], card["reason"]) == (
        "needs_reauthorization",
        "failing",
        "access_rejected",
    )
