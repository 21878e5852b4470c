"""Live mode's transport (httpx over aiohttp's sockets) against servers that misbehave: every
failure reaches our adapters as httpx's TransportError, never as aiohttp's own exception."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from adapters.outbound.neon_http.wire import network_transport

SHORT_BODY = b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"cut":'
NOT_HTTP = b"SSH-2.0-OpenSSH_9.2\r\n\r\n"
BAD_HEADER = b"HTTP/1.1 200 OK\r\nContent Length: 2\r\n\r\n{}"


@asynccontextmanager
async def answering(raw: bytes | None) -> AsyncIterator[str]:
    """A server that reads the request, writes ``raw`` (None: nothing) and hangs up."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            if raw is not None:
                writer.write(raw)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client gave up first (a request it would not send)
        finally:
            writer.close()
            await writer.wait_closed()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/api/v2/users/me?token=secret-in-the-query"


BROKEN = {"body-cut-short": SHORT_BODY, "not-http": NOT_HTTP, "malformed-header": BAD_HEADER,
          "no-answer": None}  # fmt: skip
NEVER_SENT = httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout


@pytest.mark.parametrize("raw", BROKEN.values(), ids=BROKEN.keys())
async def test_a_broken_answer_after_the_request_left_never_reads_as_a_connect_failure(
    raw: bytes | None,
) -> None:
    """The token refresh sends again only what never left (a connect failure): a refresh that
    reached Neon may have rotated the pair, and sending it twice logs the customer out."""
    async with answering(raw) as url, httpx.AsyncClient(transport=network_transport()) as client:
        with pytest.raises(httpx.TransportError) as raised:
            await client.get(url)
    assert not isinstance(raised.value, NEVER_SENT)
    assert isinstance(raised.value, httpx.ReadError | httpx.RemoteProtocolError)
    assert "secret-in-the-query" not in str(raised.value)


async def test_an_answer_too_slow_is_a_read_timeout() -> None:
    answered = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await answered.wait()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    async with server, httpx.AsyncClient(transport=network_transport(), timeout=0.2) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(url)
        answered.set()
        await asyncio.sleep(0.05)  # the handler ends before the server closes


async def test_nobody_listening_is_a_connect_error() -> None:
    async with answering(None) as url:
        pass  # closed: the port is free again
    async with httpx.AsyncClient(transport=network_transport()) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(url)


async def test_a_good_answer_after_a_broken_one_on_the_same_client() -> None:
    good = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}"
    async with httpx.AsyncClient(transport=network_transport()) as client:
        async with answering(SHORT_BODY) as url:
            with pytest.raises(httpx.TransportError):
                await client.get(url)
        async with answering(good) as url:
            answer = await client.get(url)
    assert (answer.status_code, answer.json()) == (200, {})


async def test_a_get_whose_connection_drops_is_sent_once() -> None:
    """aiohttp would send an idempotent request once more by itself when the connection drops;
    our retries are counted and paid from the account's budget (decision 0024), so it must not."""
    requests = 0

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal requests
        await reader.readuntil(b"\r\n\r\n")
        requests += 1
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    async with server, httpx.AsyncClient(transport=network_transport()) as client:
        with pytest.raises(httpx.TransportError):
            await client.get(url)
    assert requests == 1


async def test_a_header_it_will_not_write_is_a_local_protocol_error() -> None:
    async with answering(None) as url, httpx.AsyncClient(transport=network_transport()) as client:
        with pytest.raises(httpx.LocalProtocolError):
            await client.get(url, headers={"Authorization": "Bearer tok\r\nX-Evil: 1"})


async def test_after_close_a_request_is_a_connect_error() -> None:
    """Shutdown closes the sessions while a fetch may still page or retry: what it then sends is
    refused as never sent, not an unexpected exception."""
    transport = network_transport()
    async with answering(SHORT_BODY) as url:
        async with httpx.AsyncClient(transport=transport) as client:
            with pytest.raises(httpx.TransportError):
                await client.get(url)  # opens the session
        await transport.aclose()
        with pytest.raises(httpx.ConnectError):
            await transport.handle_async_request(httpx.Request("GET", url))
