"""Logging for the command line: structlog renders every line, ours and the libraries'.

JSON lines for log shippers (live mode), ``key=value`` lines for a person at a terminal (fake
mode, or a TTY); ``PRODUL_LOG_FORMAT`` overrides. The code keeps logging through the standard
library (``logging.getLogger("produl_neon…")`` with ``extra=`` fields), so pytest's ``caplog``
sees every record and nothing but the command line decides where lines go (the app is built
with ``logging_config=None``). Each line made while a request is served names its request id,
and its workspace once the member is known. What may be logged: decision 0022.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import msgspec
import structlog

from adapters.request_context import current

FORMATS = ("json", "console")
# Libraries whose lines carry full URLs (httpx at INFO) or raw headers (httpcore and aiohttp, the
# sockets under httpx, at DEBUG): kept at WARNING whatever the level, so no query string or header
# reaches a log line from them.
# alembic's migration context announces itself on every readiness probe (`migrate` prints what
# it did).
QUIET = ("httpx", "httpcore", "aiohttp", "hpack", "uvicorn.access", "aiosqlite", "asyncio",
         "alembic.runtime.migration")  # fmt: skip


def _json(event: Any, **_: Any) -> str:
    """msgspec's encoder: several times json.dumps's speed, on every request's line. Anything
    it cannot encode is written as its str()."""
    return _ENCODER.encode(event).decode()


_ENCODER = msgspec.json.Encoder(enc_hook=str)


def default_format(fake: bool, terminal: bool) -> str:
    return "console" if fake or terminal else "json"


def _request_fields(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    context = current()
    if context is not None:
        event.setdefault("request_id", context.request_id)
        if context.workspace_id is not None:
            event.setdefault("workspace_id", context.workspace_id)
    return event


def _drop_color_message(
    _: Any, __: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    event.pop("color_message", None)  # uvicorn's copy of the message with terminal colours
    return event


def _processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(),
        _drop_color_message,
        _request_fields,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def formatter(log_format: str) -> logging.Formatter:
    renderer: Any = (
        structlog.processors.JSONRenderer(_json)
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False, sort_keys=False)
    )
    final: list[Any] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if log_format == "json":
        final.append(structlog.processors.format_exc_info)  # a traceback as one JSON field
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_processors(), processors=[*final, renderer]
    )


def configure_logging(log_format: str, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    structlog.configure(  # for code that logs through structlog itself: the same pipeline
        processors=[*_processors(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
