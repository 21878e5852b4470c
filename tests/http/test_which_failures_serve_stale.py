"""Which failures answer with the last good data, through the HTTP API against the stand-in's own
fault knobs: Neon failing (5xx), dropping the connection, rate-limiting (429) and the account's
call budget being spent do (marked stale, with the reason); a refused grant and a project Neon
refuses (403/404) never do. With nothing fetched yet, the problem with Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bootstrap.app import create_app
from domain.neon_budget import CallBudget
from neon_standin.faults import Faults
from tests.http.client import ADMIN, Api, serving
from tests.support import FakeClock, make_container, stored

SALAD, MONOREPO = "aged-salad-46255801", "old-violet-32930710"
WINDOW = 15
Wrong = Callable[[Api], Awaitable[None]]


def knobs(**settings: object) -> Wrong:
    async def turn(api: Api) -> None:
        faults: Faults = api.container.standin().faults
        for name, value in settings.items():
            setattr(faults, name, value)

    return turn


async def spend_the_budget(api: Api) -> None:
    """Other instances rendering for the same Neon account spent its budget just now."""
    workspace = await api.container.authenticate_member().execute(ADMIN["Authorization"][7:])
    connection = await stored(api.container).connections.get(workspace.workspace_id)
    empty = CallBudget(0.0, api.clock.now())
    await stored(api.container).neon_budgets.put(connection.account.id, empty)


async def refuse_the_grant(api: Api) -> None:  # Neon revokes the grant (RFC 7009)
    workspace = await api.container.authenticate_member().execute(ADMIN["Authorization"][7:])
    connection = await stored(api.container).connections.get(workspace.workspace_id)
    api.container.standin().oauth.revoke(connection.tokens.refresh_token.reveal())


# case -> (what goes wrong, status, stale reason or problem slug)
CASES: dict[str, tuple[Wrong, int, str]] = {
    "500": (knobs(error_rate=1.0, error_status=500), 200, "neon_unavailable"),
    "503": (knobs(error_rate=1.0, error_status=503), 200, "neon_unavailable"),
    "dropped connection": (knobs(drop_rate=1.0), 200, "neon_unavailable"),
    "429 with Retry-After": (knobs(rate_limit_burst=50, retry_after=17), 200, "neon_rate_limited"),
    "429 without Retry-After": (knobs(rate_limit_burst=50, retry_after=None), 200,
                                "neon_rate_limited"),
    "budget spent": (spend_the_budget, 200, "neon_rate_limited"),
    "403": (knobs(error_rate=1.0, error_status=403), 409, "project-not-accessible"),
    "404": (knobs(error_rate=1.0, error_status=404), 409, "project-not-accessible"),
}  # fmt: skip


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    clock = FakeClock()
    container = make_container(clock, PRODUL_METRICS_MAX_AGE=str(WINDOW))
    async with serving(create_app(container)) as client:
        yield Api(client, container, clock)


async def _rendered_once(api: Api) -> tuple[str, dict[str, object]]:
    await api.connect()
    board, widget = await api.board_with_widget(SALAD)
    url = f"/api/dashboards/{board}/widgets/{widget}/data"
    good = await api.client.get(url, headers=ADMIN)
    assert good.status_code == 200, good.text
    api.clock.advance(seconds=WINDOW + 1)  # past the window: the next render asks Neon
    return url, good.json()


@pytest.mark.parametrize("case", list(CASES))
async def test_which_failures_answer_with_the_last_good_data(api: Api, case: str) -> None:
    url, good = await _rendered_once(api)
    wrong, status, expected = CASES[case]
    await wrong(api)
    response = await api.client.get(url, headers=ADMIN)
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json() == good | {
            "stale": True, "stale_reason": expected, "age_seconds": WINDOW + 1
        }  # fmt: skip
    else:  # never old data: the customer has to act
        assert response.json()["type"].endswith(f"/{expected}")


async def test_a_refused_grant_is_never_answered_with_the_last_good_data(api: Api) -> None:
    url, _ = await _rendered_once(api)
    api.clock.advance(hours=2)  # the access token is due: the refresh meets the revoked grant
    await refuse_the_grant(api)
    response = await api.client.get(url, headers=ADMIN)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/neon-reauthorization-required")


@pytest.mark.parametrize("case", ["503", "429 with Retry-After", "budget spent"])
async def test_with_nothing_fetched_yet_the_problem_says_when_to_retry(api: Api, case: str) -> None:
    await _rendered_once(api)
    board, widget = await api.board_with_widget(MONOREPO)  # never fetched
    wrong, _, reason = CASES[case]
    await wrong(api)
    response = await api.client.get(f"/api/dashboards/{board}/widgets/{widget}/data", headers=ADMIN)
    assert response.status_code == 503, response.text
    assert response.json()["type"].endswith("/" + reason.replace("_", "-"))
    assert int(response.headers["retry-after"]) >= 1


async def _rejections(api: Api, reason: str) -> float:
    exposition = (await api.client.get("/metrics")).text
    line = f'produl_neon_budget_rejections_total{{reason="{reason}"}} '
    found = [row for row in exposition.splitlines() if row.startswith(line)]
    assert found, exposition
    return float(found[0].split()[-1])


async def test_budget_and_retry_after_refusals_are_counted_for_the_operators(api: Api) -> None:
    url, _ = await _rendered_once(api)
    await spend_the_budget(api)
    assert (await api.client.get(url, headers=ADMIN)).json()["stale_reason"] == "neon_rate_limited"
    assert await _rejections(api, "budget") == 1
    assert await _rejections(api, "retry_after") == 0
    api.clock.advance(seconds=60)  # the budget refilled; Neon now says 429, wait 30 s
    await knobs(rate_limit_burst=50, retry_after=30)(api)
    await api.client.get(url, headers=ADMIN)
    api.clock.advance(seconds=5)  # still paused: not even asked
    assert (await api.client.get(url, headers=ADMIN)).json()["stale"] is True
    assert await _rejections(api, "retry_after") == 1
