"""A thin helper over the real ASGI app: the customer's journey as HTTP calls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from litestar.testing import AsyncTestClient

from bootstrap.container import Container
from tests.support import ADMIN_TOKEN, FakeClock


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ADMIN = bearer(ADMIN_TOKEN)


def relative(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@dataclass
class Api:
    client: AsyncTestClient[Any]
    container: Container
    clock: FakeClock

    async def start_authorization(self, headers: dict[str, str] = ADMIN) -> str:
        response = await self.client.post("/api/integrations/neon/authorizations", headers=headers)
        assert response.status_code == 201, response.text
        return str(response.json()["authorization_url"])

    async def consent(self, authorization_url: str, decision: str = "approve", **extra: str) -> str:
        query = "".join(f"&{k}={v}" for k, v in {"decision": decision, **extra}.items())
        response = await self.client.get(relative(authorization_url) + query)
        assert response.status_code == 303, response.text
        return str(response.headers["location"])

    async def callback(self, callback_url: str) -> httpx.Response:
        return await self.client.get(relative(callback_url))

    async def connect(self, **extra: str) -> httpx.Response:
        return await self.callback(await self.consent(await self.start_authorization(), **extra))

    async def board_with_widget(self, project_id: str | None = None) -> tuple[str, str]:
        board = await self.client.post("/api/dashboards", json={"name": "Ops"}, headers=ADMIN)
        board_id = board.json()["id"]
        widget = await self.client.post(
            f"/api/dashboards/{board_id}/widgets",
            json={"kind": "neon_metrics", "settings": {"project_id": project_id}},
            headers=ADMIN,
        )
        return board_id, widget.json()["id"]
