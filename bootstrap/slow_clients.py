"""uvicorn's HTTP/1.1 protocol with a header-read timeout (docs/decisions/0013-slow-clients.md).

uvicorn 0.54 closes a connection idle *between* requests (``timeout_keep_alive``), but a client
that opens a connection, or starts a request, and then sends its headers a byte at a time (or not
at all) is waited for forever: a few hundred such sockets hold file descriptors and memory until
the process runs out. Here every request's head must arrive within ``header_timeout`` seconds of
its first byte (or of the connection opening), and the body it announces within as long again;
otherwise the connection is closed. Responses are untouched.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class HeaderTimeoutProtocol(H11Protocol):
    """H11Protocol plus one timer: armed while the peer owes us a request head (h11 says the
    client's side is IDLE), and again while it owes us the body it announced (SEND_BODY); each
    phase gets ``header_timeout`` seconds from its start, however the bytes trickle in. Once our
    answer is complete, a client still sending a body is disconnected: nobody reads the rest."""

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self.header_timer: asyncio.TimerHandle | None = None
        self.timed_phase: type[h11.IDLE] | type[h11.SEND_BODY] | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_request()

    def data_received(self, data: bytes) -> None:
        # The parent cancels the keep-alive timer on any byte, however few: from here on, only
        # this timer stands between a trickling client and a connection held forever.
        super().data_received(data)
        self._watch_request()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.conn.their_state is h11.SEND_BODY and not self.transport.is_closing():
            # Answered before the body was read (a 401, a 415): h11 cannot start the next
            # request on this connection anyway, and waiting for the rest would wait forever.
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def _watch_request(self) -> None:
        # Both sides IDLE: no request head parsed yet, on a fresh connection or in the next
        # cycle of a kept-alive one. Idle *between* requests stays the keep-alive timer's
        # business: the head's clock starts with the connection or the next request's first byte.
        theirs = self.conn.their_state
        if theirs is h11.IDLE and self.conn.our_state is h11.IDLE:
            owed: type[h11.IDLE] | type[h11.SEND_BODY] | None = h11.IDLE
        elif theirs is h11.SEND_BODY:
            owed = h11.SEND_BODY
        else:
            owed = None
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
        if self.conn.their_state is phase and not self.transport.is_closing():
            # No answer: the client has not finished asking. Closing is all that frees it.
            self.transport.close()


def protocol_with_header_timeout(seconds: float) -> Any:
    """The class to give ``uvicorn.run(http=...)``: uvicorn instantiates it with its own
    arguments, so the timeout is bound beforehand."""
    return functools.partial(HeaderTimeoutProtocol, header_timeout=seconds)
