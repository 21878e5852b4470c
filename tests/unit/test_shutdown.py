"""A request cut off at the end of the shutdown grace period is answered 503, not 500; any
other cancellation passes through (bootstrap/shutdown.py)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bootstrap.shutdown import UVICORN_CUT_OFF, answering_cut_off_requests


async def _cut_off(message: str, *, answer_started: bool) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    waiting = asyncio.Event()

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        if answer_started:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        waiting.set()
        await asyncio.Event().wait()  # a client that stopped reading

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.disconnect"}

    app: Any = answering_cut_off_requests(slow)

    async def serve() -> None:
        await app({"type": "http", "path": "/api/x"}, receive, send)

    task = asyncio.create_task(serve())
    await waiting.wait()
    task.cancel(msg=message)
    await task
    return sent


async def test_a_request_cut_off_by_the_grace_period_is_a_typed_503() -> None:
    sent = await _cut_off(f"Task cancelled, {UVICORN_CUT_OFF}", answer_started=False)
    start, body = sent
    assert start["status"] == 503
    assert (b"retry-after", b"1") in start["headers"]
    assert (b"connection", b"close") in start["headers"]
    assert json.loads(body["body"])["type"] == "/problems/store-unavailable"


async def test_an_answer_already_started_is_left_to_uvicorn_to_close() -> None:
    sent = await _cut_off(f"Task cancelled, {UVICORN_CUT_OFF}", answer_started=True)
    assert [m["type"] for m in sent] == ["http.response.start"]


async def test_any_other_cancellation_passes_through() -> None:
    with pytest.raises(asyncio.CancelledError):
        await _cut_off("the client went away", answer_started=False)
