"""The last good data through the API: inside the window the widget answers without Neon; when
Neon fails or rate-limits after one good render it answers 200 with that data, marked stale;
a project Neon no longer shows and a broken grant stay problems."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from dependency_injector import providers

from bootstrap import neon_wiring
from bootstrap.app import create_app
from tests.http.client import ADMIN, Api, serving
from tests.http.neon_faults import CASES, Injecting, json_answer
from tests.support import FakeClock, make_container, stored

SALAD = "aged-salad-46255801"
STALE = {"neon-unavailable": "neon_unavailable", "neon-rate-limited": "neon_rate_limited"}


@pytest.fixture
async def rigged() -> AsyncIterator[tuple[Api, Injecting]]:
    clock = FakeClock()
    container = make_container(clock, PRODUL_METRICS_MAX_AGE="15")
    injecting = Injecting(neon_wiring.transport(container.settings(), container.standin()))
    container.neon_transport.override(providers.Object(injecting))
    async with serving(create_app(container)) as client:
        yield Api(client, container, clock), injecting


async def test_inside_the_window_neon_is_not_asked_and_refresh_asks(
    rigged: tuple[Api, Injecting],
) -> None:
    api, injecting = rigged
    await api.connect()
    board, widget = await api.board_with_widget(SALAD)
    url = f"/api/dashboards/{board}/widgets/{widget}/data"
    first = (await api.client.get(url, headers=ADMIN)).json()
    assert (first["stale"], first["stale_reason"], first["age_seconds"]) == (False, None, 0)
    api.clock.advance(seconds=5)
    injecting.answer = json_answer(500)  # any call to Neon now would fail
    again = await api.client.get(url, headers=ADMIN)
    assert again.status_code == 200 and injecting.hits == 0
    assert again.json() == first | {"age_seconds": 5}
    refreshed = await api.client.get(f"{url}?refresh=true", headers=ADMIN)
    assert injecting.hits > 0  # the window was skipped, and Neon failed: the last good data
    assert refreshed.status_code == 200 and refreshed.json()["stale_reason"] == "neon_unavailable"


@pytest.mark.parametrize("case", list(CASES))
async def test_which_failures_answer_with_the_last_good_data(
    rigged: tuple[Api, Injecting], case: str
) -> None:
    api, injecting = rigged
    await api.connect()
    board, widget = await api.board_with_widget(SALAD)
    url = f"/api/dashboards/{board}/widgets/{widget}/data"
    good = (await api.client.get(url, headers=ADMIN)).json()
    api.clock.advance(seconds=60)  # past the window
    answer, status, slug, _ = CASES[case]
    injecting.answer = answer
    response = await api.client.get(url, headers=ADMIN)
    if slug in STALE:
        assert response.status_code == 200, response.text
        shown = response.json()
        assert shown == good | {"stale": True, "stale_reason": STALE[slug], "age_seconds": 60}
        assert shown["fetched_at"] == good["fetched_at"]  # when that data came from Neon
        assert response.headers.get("retry-after") is None
    else:  # a project Neon no longer shows: pick another, never old data
        assert response.status_code == status and response.json()["type"].endswith(f"/{slug}")


async def test_a_broken_grant_is_a_problem_even_with_a_snapshot(api: Api) -> None:
    await api.connect()
    board, widget = await api.board_with_widget(SALAD)
    url = f"/api/dashboards/{board}/widgets/{widget}/data"
    assert (await api.client.get(url, headers=ADMIN)).status_code == 200
    workspace_id = (
        await api.container.authenticate_member().execute(ADMIN["Authorization"][7:])
    ).workspace_id
    connection = await stored(api.container).connections.get(workspace_id)
    assert connection is not None and connection.tokens.refresh_token is not None
    api.container.standin().oauth.refresh(connection.tokens.refresh_token.reveal())  # spent
    api.clock.advance(hours=2)
    reconnect = await api.client.get(url, headers=ADMIN)
    assert reconnect.status_code == 409
    assert reconnect.json()["type"].endswith("/neon-reauthorization-required")
