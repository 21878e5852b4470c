"""What `serve` asks of uvicorn: libuv's loop and httptools' parser (decision 0026), with the
header-read timeout on the protocol actually used (decision 0013; tests/e2e/test_slow_clients.py
holds it to its word against a spawned serve)."""

from __future__ import annotations

import uvicorn
import uvloop
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bootstrap import cli
from bootstrap.settings import load_settings
from bootstrap.slow_clients import HeaderTimeoutProtocol


async def _app(scope: object, receive: object, send: object) -> None:
    raise AssertionError("never called")


def test_serve_runs_httptools_with_the_header_timeout_on_uvloop() -> None:
    settings = load_settings({"PRODUL_HEADER_READ_TIMEOUT": "3"})
    config = uvicorn.Config(_app, **cli.server_options(settings, "127.0.0.1", 8000))
    config.load()
    protocol = config.http_protocol_class
    assert issubclass(protocol.func, HeaderTimeoutProtocol)  # type: ignore[attr-defined]
    assert issubclass(HeaderTimeoutProtocol, HttpToolsProtocol)
    assert protocol.keywords == {"header_timeout": 3.0}  # type: ignore[attr-defined]
    loop_factory = config.get_loop_factory()
    assert loop_factory is not None
    loop = loop_factory()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()
