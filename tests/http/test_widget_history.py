"""GET /api/dashboards/{id}/widgets/{widget_id}/history: the trend's points as JSON, for members,
within 1..90 days; malformed days are 422 problems."""

from __future__ import annotations

import pytest

from tests.http.client import ADMIN, Api, bearer

SALAD = "aged-salad-46255801"


async def test_the_points_of_the_renders_that_fetched_neon(api: Api) -> None:
    await api.connect()
    board, widget = await api.board_with_widget(SALAD)
    base = f"/api/dashboards/{board}/widgets/{widget}"
    empty = await api.client.get(f"{base}/history", headers=ADMIN)
    assert empty.status_code == 200 and empty.json() == {
        "project_id": SALAD,
        "days": 30,
        "points": [],
    }
    shown = []
    for _ in range(2):
        shown.append((await api.client.get(f"{base}/data", headers=ADMIN)).json())
        api.clock.advance(hours=1)
    added = await api.client.post(
        "/api/members", json={"email": "m@example.com", "role": "member"}, headers=ADMIN
    )
    history = await api.client.get(f"{base}/history?days=7", headers=bearer(added.json()["token"]))
    assert history.status_code == 200
    assert history.headers["cache-control"] == "no-store"
    assert history.json()["points"] == [
        {
            "at": data["fetched_at"],
            "storage_bytes": data["storage"]["bytes"],
            "compute_hours": data["compute"]["hours"],
        }
        for data in shown
    ]


@pytest.mark.parametrize("days", ["0", "91", "-3", "thirty", ""])
async def test_days_outside_one_to_ninety_are_invalid(api: Api, days: str) -> None:
    await api.connect()
    board, widget = await api.board_with_widget(SALAD)
    response = await api.client.get(
        f"/api/dashboards/{board}/widgets/{widget}/history?days={days}", headers=ADMIN
    )
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/invalid-request"


async def test_not_connected_is_the_documented_problem(api: Api) -> None:
    board, widget = await api.board_with_widget(SALAD)
    response = await api.client.get(
        f"/api/dashboards/{board}/widgets/{widget}/history", headers=ADMIN
    )
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/neon-not-connected"
