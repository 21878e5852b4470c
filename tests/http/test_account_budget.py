"""Every Console call made for a Neon account is paid from its budget and honours its 429 pause
(decision 0024), through the HTTP API against the stand-in: a render's retries are charged, the
picker and the selection check pay and are refused when the budget is spent, a 429 seen by the
picker holds the renders (and the other way round), and completing a connection charges the
account it connects and checks the selection only within its budget."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from dependency_injector import providers

from application.neon_access.account_budget import AccountBudgets
from application.ports.stores import StoreUnavailable
from bootstrap.app import create_app
from domain.neon_budget import CallBudget
from neon_standin.seed import ADA, GRACE
from tests.http.client import ADMIN, Api, serving
from tests.support import FakeClock, make_container, stored

SALAD = "aged-salad-46255801"
PROJECTS = "/api/integrations/neon/projects"


def budgeted(per_minute: int) -> AsyncIterator[Api]:
    async def api() -> AsyncIterator[Api]:
        clock = FakeClock()
        container = make_container(clock, PRODUL_NEON_BUDGET_PER_MINUTE=str(per_minute))
        async with serving(create_app(container)) as client:
            yield Api(client, container, clock)

    return api()


@pytest.fixture
async def roomy() -> AsyncIterator[Api]:
    async for api in budgeted(600):
        yield api


@pytest.fixture
async def tight() -> AsyncIterator[Api]:
    async for api in budgeted(12):
        yield api


async def tokens_left(api: Api, account: str = ADA) -> float:
    full = CallBudget.full(api.container.settings().neon_budget_per_minute, api.clock.now())
    budget: CallBudget = await stored(api.container).neon_budgets.hold(account, full)
    return budget.tokens


def console_gets(api: Api) -> int:
    return api.container.standin().log.console_gets()


async def test_a_renders_retries_are_charged_to_the_account(roomy: Api) -> None:
    api = roomy
    await api.connect()
    board, widget = await api.board_with_widget(SALAD)
    before, sent = await tokens_left(api), console_gets(api)
    faults = api.container.standin().faults
    faults.error_rate, faults.error_status = 1.0, 503  # retried twice by the adapter, each call
    response = await api.client.get(f"/api/dashboards/{board}/widgets/{widget}/data", headers=ADMIN)
    assert response.status_code == 503
    made = console_gets(api) - sent
    assert made > 2  # the project and the branches, tried again (until one gives up)
    assert before - await tokens_left(api) == made


async def test_the_picker_and_the_selection_pay_and_stop_when_the_budget_is_spent(
    tight: Api,
) -> None:
    api = tight
    await api.connect()
    before, sent = await tokens_left(api), console_gets(api)
    listed = await api.client.get(PROJECTS, headers=ADMIN)
    assert listed.status_code == 200
    assert before - await tokens_left(api) == console_gets(api) - sent > 1  # every listing
    while (await api.client.get(PROJECTS, headers=ADMIN)).status_code == 200:
        assert console_gets(api) - sent < 12 + 8, "the picker was never refused"
    sent = console_gets(api)
    refused = await api.client.get(PROJECTS, headers=ADMIN)
    assert refused.status_code == 503 and refused.json()["type"].endswith("/neon-rate-limited")
    assert int(refused.headers["retry-after"]) >= 1
    selected = await api.client.put(
        "/api/integrations/neon/selection", json={"project_id": SALAD}, headers=ADMIN
    )
    assert selected.status_code == 503 and selected.json()["type"].endswith("/neon-rate-limited")
    assert console_gets(api) == sent  # Neon was not asked
    api.clock.advance(minutes=1)  # refilled
    assert (await api.client.get(PROJECTS, headers=ADMIN)).status_code == 200


async def test_a_429_seen_by_the_picker_holds_the_renders(roomy: Api) -> None:
    api = roomy
    await api.connect()
    board, widget = await api.board_with_widget(SALAD)
    url = f"/api/dashboards/{board}/widgets/{widget}/data"
    faults = api.container.standin().faults
    faults.rate_limit_burst, faults.retry_after = 1, 20
    limited = await api.client.get(PROJECTS, headers=ADMIN)
    assert limited.status_code == 503 and limited.json()["type"].endswith("/neon-rate-limited")
    sent = console_gets(api)
    held = await api.client.get(url, headers=ADMIN)
    assert held.status_code == 503 and held.json()["type"].endswith("/neon-rate-limited")
    assert held.headers["retry-after"] == "20" and console_gets(api) == sent
    api.clock.advance(seconds=20)
    assert (await api.client.get(url, headers=ADMIN)).status_code == 200


async def test_a_429_seen_by_a_render_holds_the_picker_and_the_selection(roomy: Api) -> None:
    api = roomy
    await api.connect()
    board, widget = await api.board_with_widget(SALAD)
    faults = api.container.standin().faults
    faults.rate_limit_burst, faults.retry_after = 2, 20
    url = f"/api/dashboards/{board}/widgets/{widget}/data"
    assert (await api.client.get(url, headers=ADMIN)).status_code == 503
    sent = console_gets(api)
    listed = await api.client.get(PROJECTS, headers=ADMIN)
    assert listed.status_code == 503 and listed.json()["type"].endswith("/neon-rate-limited")
    selected = await api.client.put(
        "/api/integrations/neon/selection", json={"project_id": SALAD}, headers=ADMIN
    )
    assert selected.status_code == 503 and console_gets(api) == sent
    api.clock.advance(seconds=20)
    assert (await api.client.get(PROJECTS, headers=ADMIN)).status_code == 200


@pytest.fixture
async def selected(roomy: Api) -> Api:
    """Connected to Ada's account, with her 7-branch project selected."""
    await roomy.connect()
    chosen = await roomy.client.put(
        "/api/integrations/neon/selection", json={"project_id": SALAD}, headers=ADMIN
    )
    assert chosen.status_code == 200, chosen.text
    return roomy


async def test_completing_a_connection_charges_the_account_it_connects(selected: Api) -> None:
    api = selected
    before, sent = await tokens_left(api), console_gets(api)
    reconnected = await api.connect()  # reads the account, then checks the selection with it
    assert reconnected.headers["location"].endswith("neon=connected")
    made = console_gets(api) - sent
    assert made == 2
    assert before - await tokens_left(api) == made


async def test_connecting_another_account_charges_that_account(selected: Api) -> None:
    api = selected  # Ada's project is selected: Grace cannot see it
    ada, grace, sent = await tokens_left(api), await tokens_left(api, GRACE), console_gets(api)
    reconnected = await api.connect(account=GRACE)
    assert reconnected.headers["location"].endswith("selection=not_accessible")
    assert console_gets(api) - sent == 2
    assert (await tokens_left(api), grace - await tokens_left(api, GRACE)) == (ada, 2)


class StoreDownForReservations(AccountBudgets):
    async def reserve(self, account_id: str, calls: int) -> None:
        raise StoreUnavailable()


async def test_a_store_failing_the_selection_checks_reservation_still_connects(
    selected: Api,
) -> None:
    api = selected
    budgets = api.container.account_budgets()
    api.container.complete_connection.reset()  # built again, with the budgets below
    failing = StoreDownForReservations(budgets.uow, budgets.clock, budgets.per_minute)
    with api.container.account_budgets.override(providers.Object(failing)):
        sent = console_gets(api)
        reconnected = await api.connect()
    assert reconnected.status_code == 303
    assert reconnected.headers["location"].endswith("neon=connected")  # the check: cannot tell
    assert console_gets(api) - sent == 1


async def test_a_reconnect_while_the_account_is_paused_skips_only_the_selection_check(
    selected: Api,
) -> None:
    api = selected
    faults = api.container.standin().faults
    faults.rate_limit_burst, faults.retry_after = 1, 20
    assert (await api.client.get(PROJECTS, headers=ADMIN)).status_code == 503  # paused 20 s
    sent = console_gets(api)
    reconnected = await api.connect()
    assert reconnected.headers["location"].endswith("neon=connected")
    assert console_gets(api) - sent == 1  # who the account is: the check waits for the budget
    status = await api.client.get("/api/integrations/neon", headers=ADMIN)
    assert status.json()["selected_project"]["id"] == SALAD  # kept: it could not be checked


@pytest.fixture
async def windowed() -> AsyncIterator[Api]:
    clock = FakeClock()
    container = make_container(clock, PRODUL_METRICS_MAX_AGE="15")
    async with serving(create_app(container)) as client:
        yield Api(client, container, clock)


async def test_a_member_looping_on_refresh_costs_one_fetch_per_five_seconds(
    windowed: Api,
) -> None:
    api = windowed
    await api.connect()
    board, widget = await api.board_with_widget(SALAD)
    url = f"/api/dashboards/{board}/widgets/{widget}/data?refresh=true"
    assert (await api.client.get(url, headers=ADMIN)).json()["age_seconds"] == 0
    sent, ages = console_gets(api), []
    for _ in range(30):  # a refresh a second for 30 s
        api.clock.advance(seconds=1)
        answer = await api.client.get(url, headers=ADMIN)
        assert answer.status_code == 200 and answer.json()["stale"] is False
        ages.append(answer.json()["age_seconds"])
    assert console_gets(api) - sent == 6 * 2  # at 5, 10, … 30 s: the project and its branches
    assert ages == [1, 2, 3, 4, 0] * 6  # each answer says how old its data is
