"""Slow clients against a spawned `produl-neon serve` (issue 8 item 11, decision 0013): sockets
that send half a request head are closed after the header-read timeout, and a normal request is
answered promptly while they hang on."""

from __future__ import annotations

import contextlib
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.standin_process import spawned_serve

CLI = Path(sys.executable).with_name("produl-neon")
TIMEOUT = 2.0  # PRODUL_HEADER_READ_TIMEOUT for this server
HALF_A_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    cwd = tmp_path_factory.mktemp("slow-clients")
    with spawned_serve(cwd, PRODUL_HEADER_READ_TIMEOUT=str(TIMEOUT)) as served:
        yield served.base, served.port


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """True when the server closes the socket (EOF or reset) within ``within`` seconds; what it
    still sends before closing (the rest of an answer) is read and set aside."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if sock.recv(4096) == b"":
                return True
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
    return False


def test_half_open_heads_are_closed_while_normal_requests_are_answered(
    service: tuple[str, int],
) -> None:
    base, port = service
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(50)]
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]  # not one byte
    try:
        opened = time.monotonic()
        for sock in slow:
            sock.sendall(HALF_A_HEAD)
        started = time.monotonic()
        answer = httpx.get(f"{base}/healthz", timeout=5)
        assert answer.status_code == 200
        assert time.monotonic() - started < 1.0
        for sock in slow + silent:
            left = max(0.1, opened + TIMEOUT + 2.0 - time.monotonic())
            assert _closed_by_server(sock, within=left)
        assert time.monotonic() - opened < TIMEOUT + 2.5
    finally:
        for sock in slow + silent:
            sock.close()


def test_a_trickling_head_is_closed_though_every_byte_restarts_no_clock(
    service: tuple[str, int],
) -> None:
    _, port = service
    with socket.create_connection(("127.0.0.1", port)) as sock:
        opened = time.monotonic()
        closed = False
        for byte in HALF_A_HEAD * 4:  # one byte every 0.2 s: longer than the timeout in all
            try:
                sock.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if _closed_by_server(sock, within=0.2):
                closed = True
                break
        assert closed
        assert time.monotonic() - opened < TIMEOUT + 1.0


def test_a_head_in_pieces_within_the_timeout_is_answered_and_kept_alive(
    service: tuple[str, int],
) -> None:
    _, port = service
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for _ in range(2):  # the second request on the same connection gets its own clock
            sock.sendall(HALF_A_HEAD)
            time.sleep(TIMEOUT / 2)
            sock.sendall(b"1\r\n\r\n")
            sock.settimeout(2)
            answer = b""
            while b"alive" not in answer:  # the head and the body may come in two segments
                chunk = sock.recv(4096)
                assert chunk, answer
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200"), answer


def test_pipelined_requests_are_answered_and_a_half_head_behind_them_is_closed(
    service: tuple[str, int],
) -> None:
    """httptools parses ahead of the request being answered: the queued request is not the
    client's delay, and a half head after it still gets the timeout."""
    _, port = service
    whole = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port)) as sock:
        opened = time.monotonic()
        sock.sendall(whole * 2 + HALF_A_HEAD)
        sock.settimeout(2)
        answers = b""
        while answers.count(b"HTTP/1.1 200") < 2:
            chunk = sock.recv(4096)
            assert chunk, answers
            answers += chunk
        assert _closed_by_server(sock, within=max(0.1, opened + TIMEOUT + 2 - time.monotonic()))
        assert time.monotonic() - opened < TIMEOUT + 2.5


def _head_announcing_a_body(length: int, path: bytes = b"/api/dashboards") -> bytes:
    return (
        b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: " + str(length).encode() + b"\r\n\r\n"
    )


TOKEN_ENDPOINT = b"/fake-neon/oauth2/token"  # reads its (form) body before it answers


def test_a_body_that_never_comes_is_closed(service: tuple[str, int]) -> None:
    """A whole head announcing a body, then silence or a trickle: the body has its own clock."""
    _, port = service
    with (
        socket.create_connection(("127.0.0.1", port)) as silent,
        socket.create_connection(("127.0.0.1", port)) as trickling,
    ):
        opened = time.monotonic()
        silent.sendall(_head_announcing_a_body(100, TOKEN_ENDPOINT))
        trickling.sendall(_head_announcing_a_body(100, TOKEN_ENDPOINT) + b"g")
        closed = False
        for _ in range(int(TIMEOUT * 5) + 5):  # a byte every 0.2 s, past the timeout
            try:
                trickling.sendall(b" ")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if _closed_by_server(trickling, within=0.2):
                closed = True
                break
        assert closed
        assert _closed_by_server(silent, within=max(0.1, opened + TIMEOUT + 2 - time.monotonic()))
        assert time.monotonic() - opened < TIMEOUT + 2.5


def test_a_body_still_coming_after_the_answer_is_cut(service: tuple[str, int]) -> None:
    """Refused before its body was read (no token: 401), the rest of the body is not waited for,
    and one more byte does not keep the connection open."""
    _, port = service
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(_head_announcing_a_body(100_000))
        sock.settimeout(2)
        answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 401"), answer
        with contextlib.suppress(OSError):
            sock.sendall(b"x")
        assert _closed_by_server(sock, within=2.0)
