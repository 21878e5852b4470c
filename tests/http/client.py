"""A thin helper over the real ASGI app: the customer's journey as HTTP calls."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import httpx
from litestar import Litestar

from bootstrap.container import Container
from tests.support import ADMIN_TOKEN, FakeClock


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ADMIN = bearer(ADMIN_TOKEN)


def relative(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    """The ASGI lifespan protocol, driven from a task of its own (as a server would)."""
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def receive() -> dict[str, str]:
        return await inbox.get()

    async def send(message: dict[str, Any]) -> None:
        await outbox.put(message)

    runner = asyncio.create_task(cast(Any, app)({"type": "lifespan"}, receive, send))
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    assert started["type"] == "lifespan.startup.complete", started
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        stopped = await outbox.get()
        await runner
        assert stopped["type"] == "lifespan.shutdown.complete", stopped


def documented_problems(app: Litestar) -> Callable[[httpx.Response], Awaitable[None]]:
    """A response hook: every problem an operation answers with must be one its OpenAPI entry
    documents (bugs, 500, and the framework's 405 aside), so the document cannot under-promise."""
    operations = [
        (method.upper(), re.compile(re.sub(r"\{[^}]+\}", "[^/]+", path) + r"\Z"), operation)
        for path, item in app.openapi_schema.to_schema()["paths"].items()
        for method, operation in item.items()
    ]

    async def check(response: httpx.Response) -> None:
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith("application/problem+json") or response.status_code in (
            405,
            500,
        ):
            return
        request = response.request
        for method, path, operation in operations:
            if method == request.method and path.match(request.url.path):
                documented = operation.get("responses", {})
                assert str(response.status_code) in documented, (
                    f"{request.method} {request.url.path} answered {response.status_code}, "
                    f"which {operation['operationId']} does not document"
                )

    return check


@asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The app in this event loop, through its lifespan, behind httpx's ASGI transport: requests
    really run concurrently (Litestar's own test client serialises them through a portal)."""
    async with _lifespan(app):
        transport = httpx.ASGITransport(app=cast(Any, app))
        hooks = {"response": [documented_problems(app)]}
        async with httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1:8000", event_hooks=hooks
        ) as c:
            yield c


@dataclass
class Api:
    client: httpx.AsyncClient
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
