"""uvicorn's httptools protocol with a header-read timeout (docs/decisions/0013-slow-clients.md).

uvicorn 0.54 closes a connection idle *between* requests (``timeout_keep_alive``), but a client
that opens a connection, or starts a request, and then sends its headers a byte at a time (or not
at all) is waited for forever: a few hundred such sockets hold file descriptors and memory until
the process runs out. Here every request's head must arrive within ``header_timeout`` seconds of
its first byte (or of the connection opening), and the body it announces within as long again;
otherwise the connection is closed. Responses are untouched.

``serve`` runs uvicorn's httptools protocol (decision 0026: h11's pure-Python parser was about a
tenth of a cheap read's CPU), so the timer follows httptools' parser callbacks.
"""

from __future__ import annotations

import asyncio
import enum
import functools
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class Owed(enum.Enum):
    """What the client still owes us on this connection."""

    HEAD = "head"  # the connection is open, or a request has begun, and its head is incomplete
    BODY = "body"  # the head is parsed and the body it announced has not all arrived


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """HttpToolsProtocol plus one timer: armed while the peer owes us a request head, and again
    while it owes us the body it announced; each phase gets ``header_timeout`` seconds from its
    start, however the bytes trickle in. Once our answer is complete, a client still sending a
    body is disconnected: nobody reads the rest."""

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self.header_timer: asyncio.TimerHandle | None = None
        self.timed_phase: Owed | None = None
        # The parser's callbacks keep this up to date; the timer follows it once per read (a
        # request that arrives whole passes HEAD, BODY and None in one read: no timer at all).
        self.owed: Owed | None = Owed.HEAD

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_request()

    def data_received(self, data: bytes) -> None:
        # The parent cancels the keep-alive timer on any byte, however few: from here on, only
        # this timer stands between a trickling client and a connection held forever.
        super().data_received(data)
        self._watch_request()

    def on_message_begin(self) -> None:
        # The first byte of a request. Idle *between* requests stays the keep-alive timer's
        # business; a fresh connection's clock already runs since it opened and is not restarted.
        super().on_message_begin()
        self.owed = Owed.HEAD

    def on_headers_complete(self) -> None:
        self.owed = Owed.BODY  # httptools says "complete" next, in the same read, if none follows
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.owed = None
        super().on_message_complete()

    def on_response_complete(self) -> None:
        # With no request queued behind it, a body still owed is the one we just answered.
        body_unread = self.owed is Owed.BODY and not self.pipeline
        super().on_response_complete()  # starts the next pipelined request, if one is queued
        if body_unread and not self.transport.is_closing():
            # Answered before the body was read (a 401, a 415): waiting for the rest, or parsing
            # it only to throw it away, would let the client hold the connection at its own pace.
            self.transport.close()
        else:
            self._watch_request()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def _watch_request(self) -> None:
        # A pipelined request waits for ours to finish, with reading paused: the client is not
        # the slow one then. Its clock starts when its turn comes (on_response_complete).
        owed = None if self.pipeline else self.owed
        if owed is not self.timed_phase:
            self._stop_timer()
        if owed is not None and self.header_timer is None and not self.transport.is_closing():
            self.header_timer = self.loop.call_later(self.header_timeout, self._too_slow)
            self.timed_phase = owed

    def _stop_timer(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
        self.header_timer, self.timed_phase = None, None

    def _too_slow(self) -> None:
        phase, self.header_timer, self.timed_phase = self.timed_phase, None, None
        if self.owed is phase and not self.pipeline and not self.transport.is_closing():
            # No answer: the client has not finished asking. Closing is all that frees it.
            self.transport.close()


def protocol_with_header_timeout(seconds: float) -> Any:
    """The class to give ``uvicorn.run(http=...)``: uvicorn instantiates it with its own
    arguments, so the timeout is bound beforehand."""
    return functools.partial(HeaderTimeoutProtocol, header_timeout=seconds)
