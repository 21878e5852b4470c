"""Graceful shutdown's two bounds (docs/decisions/0023-fault-storms-and-graceful-shutdown.md).

On SIGTERM uvicorn stops accepting connections and waits for the requests in flight, for
``PRODUL_SHUTDOWN_GRACE`` seconds; each of ours has a shorter deadline of its own (a Console
call 10 s, a token request 15 s, a store statement 5 s), so only a client that stops reading
its answer is still there when the grace ends. uvicorn then cancels what is left: such a request
is answered here with a 503 problem (uvicorn would log a traceback and answer 500), and the
lifespan's shutdown waits, for at most ``DRAIN_BOUND``, for token refreshes still in flight: a
refresh runs in a task of its own (``SingleFlight``), so cancelling the request that started it
does not stop it, and the rotated pair is stored before the process exits.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Send

from adapters.inbound.http.request_log import route_template

log = logging.getLogger("produl_neon.shutdown")
# A refresh: its token request's deadline (15 s) and storing the rotated pair through a store
# outage (about 10 s), with room to spare.
DRAIN_BOUND = 30.0
UVICORN_CUT_OFF = "timeout graceful shutdown exceeded"  # the message of uvicorn's cancel
CUT_OFF_PROBLEM = json.dumps({
    "type": "/problems/store-unavailable", "title": "Service temporarily unavailable",
    "status": 503, "detail": "This instance is shutting down; try again.",
    "action": "retry_later",
}).encode()  # fmt: skip


def answering_cut_off_requests(app: ASGIApp) -> ASGIApp:
    """``app``, with a request cancelled by uvicorn at the end of the grace period answered 503
    (``Retry-After: 1``, ``Connection: close``) if its answer has not started, and closed
    quietly otherwise; any other cancellation passes through."""

    async def guarded(scope: Any, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, tracking)
        except asyncio.CancelledError as cancelled:
            if scope["type"] != "http" or UVICORN_CUT_OFF not in " ".join(map(str, cancelled.args)):
                raise
            # the route's template, never the path: a sign-in link's secret is in its path
            log.warning("a request outlasted the shutdown grace period: cut off (%s)",
                        route_template(scope))  # fmt: skip
            if not started:
                await send(_start())
                body: Any = {"type": "http.response.body", "body": CUT_OFF_PROBLEM}
                await send(body)
            # else: uvicorn closes the connection of an answer that did not complete

    return guarded


def _start() -> Any:
    return {
        "type": "http.response.start",
        "status": 503,
        "headers": [
            (b"content-type", b"application/problem+json"),
            (b"retry-after", b"1"),
            (b"connection", b"close"),
            (b"cache-control", b"no-store"),
            (b"x-content-type-options", b"nosniff"),
        ],
    }
