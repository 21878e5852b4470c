"""uvicorn's HTTP/1.1 protocol with a header-read timeout (docs/decisions/0013-slow-clients.md).

uvicorn 0.54 closes a connection idle *between* requests (``timeout_keep_alive``), but a client
that opens a connection, or starts a request, and then sends its headers a byte at a time (or not
at all) is waited for forever: a few hundred such sockets hold file descriptors and memory until
the process runs out. Here every request's head must arrive within ``header_timeout`` seconds of
its first byte (or of the connection opening); if it does not, the connection is closed. Bodies
and responses are untouched; a request whose head is complete is never cut short.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class HeaderTimeoutProtocol(H11Protocol):
    """H11Protocol plus one timer: armed while the peer owes us a request head (h11 says the
    client's side is IDLE), cancelled as soon as the head has been parsed."""

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self.header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        # The parent cancels the keep-alive timer on any byte, however few: from here on, only
        # the header timer stands between a trickling client and a connection held forever.
        super().data_received(data)
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_timer()
        super().connection_lost(exc)

    def _watch_head(self) -> None:
        # Both sides IDLE: no request head parsed yet, on a fresh connection or in the next
        # cycle of a kept-alive one. Idle *between* requests stays the keep-alive timer's
        # business: this one starts with the connection or with the next request's first byte.
        owed = self.conn.their_state is h11.IDLE and self.conn.our_state is h11.IDLE
        if owed and self.header_timer is None and not self.transport.is_closing():
            self.header_timer = self.loop.call_later(self.header_timeout, self._too_slow)
        elif not owed:
            self._stop_timer()

    def _stop_timer(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _too_slow(self) -> None:
        self.header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            # No answer: the client has not finished asking. Closing is all that frees it.
            self.transport.close()


def protocol_with_header_timeout(seconds: float) -> Any:
    """The class to give ``uvicorn.run(http=...)``: uvicorn instantiates it with its own
    arguments, so the timeout is bound beforehand."""
    return functools.partial(HeaderTimeoutProtocol, header_timeout=seconds)
