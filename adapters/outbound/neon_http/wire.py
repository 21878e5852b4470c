"""The sockets under both Neon clients: httpx's API on top, aiohttp's connection pool and C parser
below (httpx-aiohttp, decision 0027).

A cold render's two Console calls spent about 4.5 ms of the event loop's time in httpcore, h11
and anyio (the requests out, the answers in, one after the other on one thread), which is what
kept a render at 1.15x one Neon round trip; on aiohttp's transport they take about half. httpx
still builds every request and reads every answer: timeouts, auth flows, redirects refused, the
read-only allow-list and every exception our adapters catch stay httpx's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

MAX_CONNECTIONS = 100  # open to Neon at once, as httpx's own pool allowed
KEEPALIVE_SECONDS = 5.0  # how long an idle one is kept (httpx's own default)


def network_transport() -> httpx.AsyncBaseTransport:
    """A pool of connections to Neon for one process (its session is made on the first request,
    inside the running loop)."""
    return _Translated(retries=0, client=_session)  # retries are ours, and never for tokens


def _session() -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(
        limit=MAX_CONNECTIONS,
        keepalive_timeout=KEEPALIVE_SECONDS,
        ssl=httpx.create_ssl_context(),  # the same trust store as httpx's own transport
    )
    # No cookie jar: one session serves every workspace, and a cookie one Neon account's answer
    # set must never ride along on another's request (httpx's client keeps none we send either)
    session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar())
    # aiohttp sends a GET once more by itself when the connection drops under it; our retries
    # are counted, each one paid from the account's budget (decision 0024): no hidden second
    # send. (A private attribute; aiohttp's own test client sets it the same way.)
    session._retry_connection = False
    return session


class _Translated(AiohttpTransport):
    """aiohttp's failures as the httpx exceptions httpcore raises for the same event.

    httpx-aiohttp maps some itself, but coarsely: a server that hung up after our request was
    sent would read as ``ConnectTimeout``, and the token refresh treats a connect failure as
    "the request never left, safe to send again" (a refresh Neon may have rotated must never be
    sent twice; reliability-security.md). So each aiohttp exception is mapped here, by what it
    says about whether the request left, and anything unknown counts as sent."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await super().handle_async_request(request)
        except (httpx.TransportError, aiohttp.ClientError) as failure:
            raise _as_httpx(failure, request) from failure
        except ValueError as failure:  # a header aiohttp refuses to write (CR or LF in it)
            raise httpx.LocalProtocolError("aiohttp: a header it would not send") from failure
        except RuntimeError as failure:  # the session was closed (shutdown): nothing was sent
            if not isinstance(self.client, aiohttp.ClientSession) or not self.client.closed:
                raise
            raise httpx.ConnectError("aiohttp: session closed", request=request) from failure
        response.stream = _TranslatedStream(response.stream, request)
        return response


class _TranslatedStream(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream | httpx.SyncByteStream, request: httpx.Request):
        assert isinstance(inner, httpx.AsyncByteStream)  # an async transport's answer
        self._inner, self._request = inner, request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except (httpx.TransportError, aiohttp.ClientError) as failure:
            raise _as_httpx(failure, self._request) from failure

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        except (httpx.TransportError, aiohttp.ClientError) as failure:
            raise _as_httpx(failure, self._request) from failure


def _as_httpx(
    failure: httpx.TransportError | aiohttp.ClientError, request: httpx.Request
) -> httpx.TransportError:
    cause = failure.__cause__ if isinstance(failure, httpx.TransportError) else failure
    if not isinstance(cause, aiohttp.ClientError):  # httpx's own, or httpx-aiohttp's own
        assert isinstance(failure, httpx.TransportError)
        return failure
    # The class name only: aiohttp's messages may quote the URL, whose query is not for logs
    message = f"aiohttp: {type(cause).__name__}"
    kind: type[httpx.TransportError]
    if isinstance(cause, aiohttp.ClientConnectorError):  # refused, DNS, TLS: never sent
        kind = httpx.ConnectError
    elif isinstance(cause, aiohttp.ConnectionTimeoutError):  # no connection in time: never sent
        kind = httpx.ConnectTimeout
    elif isinstance(cause, aiohttp.ServerTimeoutError):  # the answer was late: sent
        kind = httpx.ReadTimeout
    elif isinstance(cause, aiohttp.InvalidURL):
        kind = httpx.UnsupportedProtocol
    elif isinstance(cause, aiohttp.ClientPayloadError | aiohttp.ClientOSError):
        kind = httpx.ReadError
    else:  # hung up without an answer, a malformed answer, or unknown: sent
        kind = httpx.RemoteProtocolError
    return kind(message, request=request)
