"""Failures that are not a customer's mistake: bugs are logged 500s, never hidden."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from dependency_injector import providers

from application.list_integrations import ListIntegrations
from bootstrap.app import create_app
from tests.http.client import ADMIN, Api, serving
from tests.support import make_container


class BuggyStores:
    """A unit of work with a bug in it: what a use case meets is an exception nobody expected."""

    def read(self) -> Any:
        raise RuntimeError("nat_secret-looking-token in a bug")

    def begin(self, *, durable: bool = True) -> Any:
        return self.read()


async def test_an_unexpected_exception_is_a_logged_500_with_a_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    container = make_container()
    container.list_integrations.override(providers.Object(ListIntegrations(BuggyStores())))
    async with serving(create_app(container)) as client:
        with caplog.at_level(logging.ERROR, logger="produl_neon.http"):
            response = await client.get("/api/integrations", headers=ADMIN)
    assert response.status_code == 500
    body = response.json()
    assert body["type"].endswith("/internal-error") and len(body["request_id"]) == 32
    assert "nat_secret" not in response.text  # the exception text stays in the log
    assert body["request_id"] in caplog.text and "RuntimeError" in caplog.text


async def test_options_and_unknown_methods_are_not_bugs(api: Api) -> None:
    assert (await api.client.options("/api/dashboards")).status_code == 204
    wrong = await api.client.put("/api/dashboards", headers=ADMIN)
    assert wrong.status_code == 405
    assert wrong.headers["content-type"].startswith("application/problem+json")
    missing = await api.client.get("/api/nothing-here", headers=ADMIN)
    assert missing.status_code == 404 and missing.json()["type"].endswith("/not-found")


async def test_validation_problems_name_the_field_but_not_the_value(api: Api) -> None:
    response = await api.client.post(
        "/api/members",
        json={"email": "nat@supersecretvalue.example", "role": "owner"},
        headers=ADMIN,
    )
    assert response.status_code == 422
    assert "supersecretvalue" not in response.text and "owner" not in response.text
    assert response.json()["errors"][0]["key"] == "role"


async def test_neon_being_unreachable_on_disconnect_still_forgets_the_tokens(api: Api) -> None:
    await api.connect()
    api.container.standin().faults.oauth_down = True
    response = await api.client.delete("/api/integrations/neon", headers=ADMIN)
    assert response.json() == {"revoked": False, "reason": "neon_unavailable"}
    status = (await api.client.get("/api/integrations/neon", headers=ADMIN)).json()
    assert status["status"] == "disconnected"
