"""The stand-in as an ASGI app: fault knobs and the request log wrap every answer."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from litestar import Litestar, Router, get, post, put
from litestar.params import FromPath, JSONBody
from litestar.types import ASGIApp, Message, Receive, Send

from neon_standin.console_api import console_handlers
from neon_standin.faults import LoggedRequest
from neon_standin.oauth_api import oauth_handlers
from neon_standin.standin import StandIn


class ConnectionDropped(Exception):
    """Raised after the response head is sent: the server closes the connection mid-answer."""


def _faulty(standin: StandIn, app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        path = str(scope["path"])
        method = str(scope["method"])
        faults = standin.faults
        subject = "/api/v2/" in path or path.endswith("/oauth2/token")
        status = 0
        request_id = next(
            (bytes(v).decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None
        )
        # Neon names each Console answer with an id of its own (neon-facts: a real header)
        neon_id = uuid.uuid4().hex if "/api/v2/" in path else None

        stalled = subject and faults.roll(faults.stall_rate)

        async def logged_send(message: Message) -> None:
            nonlocal status, stalled
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if neon_id is not None:
                    extra = (b"x-neon-ret-request-id", neon_id.encode())
                    message["headers"] = [*message.get("headers", []), extra]
            elif message["type"] == "http.response.body" and stalled:
                stalled = False  # one stall per answer
                await _trickle(message, send, receive, faults.stall_after_bytes)
                return
            await send(message)

        def log() -> None:
            standin.log.add(LoggedRequest(standin.clock.now(), method, path, status,
                                          request_id, neon_id))  # fmt: skip

        if subject and faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if path.endswith("/oauth2/token") and faults.token_latency_ms:
            await asyncio.sleep(faults.token_latency_ms / 1000)
        if subject and faults.roll(faults.drop_rate):
            head: Any = {"type": "http.response.start", "status": 200,
                         "headers": [(b"content-length", b"100")]}  # fmt: skip
            await send(head)
            log()
            raise ConnectionDropped()
        if "/oauth2/" in path and faults.oauth_down and method == "POST":
            failure: Injected | None = _unavailable_page()
        elif "/api/v2/" in path:
            failure = _injected(standin)
        else:
            failure = None
        if failure is not None:
            status, headers, body = failure
            start: Any = {"type": "http.response.start", "status": status, "headers": headers}
            await logged_send(start)
            content: Any = {"type": "http.response.body", "body": body}
            await logged_send(content)
        else:
            await app(scope, receive, logged_send)
        log()

    return middleware


Injected = tuple[int, list[tuple[bytes, bytes]], bytes]
TRICKLE_SECONDS = 1.0


async def _trickle(message: Message, send: Send, receive: Receive, after_bytes: int) -> None:
    """The first ``after_bytes`` of the body at once, then one byte a second until the body is
    done or the client hangs up: a stalled answer that never trips a per-read timeout."""
    fields: Any = message
    body: bytes = fields.get("body", b"")
    more = bool(fields.get("more_body", False))
    head, rest = body[:after_bytes], body[after_bytes:]
    first: Any = {"type": "http.response.body", "body": head, "more_body": True}
    await send(first)
    for index in range(len(rest)):
        try:
            async with asyncio.timeout(TRICKLE_SECONDS):
                if (await receive())["type"] == "http.disconnect":
                    return
        except TimeoutError:
            pass
        last = index == len(rest) - 1
        piece: Any = {"type": "http.response.body", "body": rest[index : index + 1],
                      "more_body": more or not last}  # fmt: skip
        await send(piece)
    if not rest:
        done: Any = {"type": "http.response.body", "body": b"", "more_body": more}
        await send(done)


def _unavailable_page() -> Injected:
    body = b"<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
    return 503, [(b"content-type", b"text/html")], body


def _injected(standin: StandIn) -> Injected | None:
    """A 429 from the burst knob, or an error from the error-rate knob, as Neon would send it."""
    faults = standin.faults
    headers = [(b"content-type", b"application/json")]
    if faults.rate_limit_burst > 0:
        faults.rate_limit_burst -= 1
        if faults.retry_after is not None:
            headers.append((b"retry-after", str(faults.retry_after).encode()))
        return 429, headers, json.dumps({"code": "", "message": "rate limit exceeded"}).encode()
    if faults.roll(faults.error_rate):
        body = json.dumps({"code": "", "message": "injected failure"}).encode()
        return faults.error_status, headers, body
    return None


def _control_handlers(standin: StandIn) -> list[Any]:
    """Outside Neon's API: what tests and the benchmark use to steer and read the stand-in."""

    @get("/_standin/stats", sync_to_thread=False)
    def stats() -> dict[str, Any]:
        counters = standin.oauth.counters
        return {
            "code_exchanges": counters.code_exchanges, "refreshes": counters.refreshes,
            "reuse_detections": counters.reuse_detections, "revocations": counters.revocations,
            "console_gets": standin.log.console_gets(),
            "console_requests": sum(1 for e in standin.log.entries if "/api/v2/" in e.path),
            "dropped": sum(1 for e in standin.log.entries if e.status == 0),
            "faults": standin.faults.settings(),
        }  # fmt: skip

    @put("/_standin/faults", sync_to_thread=False)
    def set_faults(data: JSONBody[dict[str, Any]]) -> dict[str, Any]:
        for name, value in data.items():
            if name.startswith("_") or not hasattr(standin.faults, name):
                continue
            setattr(standin.faults, name, value)
        standin.faults.reseed()
        return standin.faults.settings()

    @post("/_standin/accounts/{account_id:str}/revoke-grants", sync_to_thread=False)
    def revoke_grants(account_id: FromPath[str]) -> dict[str, int]:
        """As if the person removed the app in Neon's settings: every grant of the account ends."""
        return {"revoked": standin.oauth.revoke_account(account_id)}

    return [stats, set_faults, revoke_grants]


def standin_router(standin: StandIn, path: str = "/", *, knobs: bool = True) -> Router:
    api = Router("/api/v2", route_handlers=console_handlers(standin))
    control = _control_handlers(standin) if knobs else []
    return Router(path, route_handlers=[*oauth_handlers(standin), api, *control],
                  include_in_schema=False)  # fmt: skip


def create_standin_app(standin: StandIn, path: str = "/", *, knobs: bool = True) -> ASGIApp:
    """The stand-in on its own, serving under ``path`` (e.g. "/fake-neon"). ``knobs``: whether
    the fault knobs and counters (``/_standin/...``) answer; whoever can reach them can make
    every answer fail, so a stand-in on a service's port has them only when asked for."""
    app = Litestar(route_handlers=[standin_router(standin, path, knobs=knobs)],
                   openapi_config=None, logging_config=None)  # fmt: skip
    return _faulty(standin, app)
