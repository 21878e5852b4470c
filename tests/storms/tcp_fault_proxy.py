"""A small TCP proxy between the service and PostgreSQL that can drop and stall connections.

It runs its own event loop in a thread, so the test's loop (the viewers) and the service's
process are unaffected by its work. Modes: ``pass`` forwards; ``stall`` holds every byte in both
directions, and new connections are accepted but not forwarded (a network partition: nothing
is refused, nothing arrives); ``refuse`` closes new connections at once (the server is down).
``drop_all()`` aborts every open connection (a server crash, a load balancer's reset).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine
from typing import Any, Literal, TypeVar

Mode = Literal["pass", "stall", "refuse"]
CHUNK = 65536
T = TypeVar("T")


class TcpFaultProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode: Mode = "pass"
        self.connections = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._flowing: asyncio.Event | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self.port = 0

    def __enter__(self) -> TcpFaultProxy:
        self._thread.start()
        self._call(self._listen())
        return self

    def __exit__(self, *_: object) -> None:
        self._call(self._close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def set_mode(self, mode: Mode) -> None:
        async def change() -> None:
            assert self._flowing is not None
            self.mode = mode
            if mode == "stall":
                self._flowing.clear()
            else:
                self._flowing.set()

        self._call(change())

    def drop_all(self) -> int:
        async def drop() -> int:
            dropped = len(self._open)
            for writer in list(self._open):
                writer.transport.abort()
            return dropped

        return self._call(drop())

    def _call(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(10)

    async def _listen(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._accepted, "127.0.0.1", 0)
        sock: socket.socket = self._server.sockets[0]
        self.port = int(sock.getsockname()[1])

    async def _close(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()
        if self._server is not None:
            self._server.close()

    async def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        self.connections += 1
        if self.mode == "refuse":
            writer.transport.abort()
            return
        self._open.add(writer)
        try:
            await self._flowing.wait()
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            self._open.discard(writer)
            writer.transport.abort()
            return
        self._open.add(up_writer)
        try:
            await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))
        finally:
            for end in (writer, up_writer):
                self._open.discard(end)
                end.transport.abort()

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        try:
            while chunk := await source.read(CHUNK):
                await self._flowing.wait()  # a stall holds the bytes already read
                sink.write(chunk)
                await sink.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            sink.transport.abort()  # one side gone: the other goes too
