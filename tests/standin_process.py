"""`produl-neon fake-neon` as a separate process on a free port: Neon over real sockets."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

CLI = Path(sys.executable).with_name("produl-neon")
SERVICE_CALLBACK = "http://127.0.0.1:8000/integrations/neon/callback"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_standin(*options: str) -> Iterator[str]:
    """Yields the stand-in's issuer URL (with its trailing slash)."""
    port = free_port()
    # A file, not a pipe nobody reads: a pipe's buffer fills (a dropped connection logs a
    # traceback) and the stand-in then blocks on its next write, answering nothing.
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [str(CLI), "fake-neon", "--port", str(port), "--redirect-uri", SERVICE_CALLBACK,
             *options],
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        issuer = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{issuer}.well-known/openid-configuration", timeout=1).is_success:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError("the stand-in did not start") from None
                    time.sleep(0.1)
            yield issuer
        finally:
            process.terminate()
            process.wait(timeout=10)


def live_env(issuer: str) -> dict[str, str]:
    """Settings for the service in live mode, pointed at a stand-in process."""
    return {
        "PRODUL_NEON_MODE": "live",
        "PRODUL_NEON_OAUTH_ISSUER": issuer,
        "PRODUL_NEON_API_URL": f"{issuer}api/v2",
        "PRODUL_NEON_CLIENT_ID": "produl-staging",
        "PRODUL_NEON_CLIENT_SECRET": "staging-secret-known-to-everyone",
        "PRODUL_PUBLIC_URL": "http://127.0.0.1:8000",
    }


@dataclass(frozen=True)
class Served:
    base: str
    port: int
    log: Path

    def printed(self) -> str:
        return self.log.read_text()

    def demo_token(self) -> str:
        found = re.search(r"Demo admin token:\s+(\S+)", self.printed())
        assert found, self.printed()
        return found[1]


@contextmanager
def spawned_serve(
    cwd: Path, port: int | None = None, workers: int = 1, **env: str
) -> Iterator[Served]:
    """`produl-neon serve --workers N` (fake mode unless ``env`` says otherwise; one worker
    unless asked, whatever the mode) run from ``cwd``, up and answering /healthz; stopped
    afterwards, and its output must hold no traceback."""
    port = port or free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PRODUL_")}
    log_path = cwd / f"serve-{time.monotonic_ns()}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(CLI), "serve", "--port", str(port), "--workers", str(workers)],
            stdout=log, stderr=subprocess.STDOUT, env={**clean, **env}, cwd=cwd,
        )  # fmt: skip
    served = Served(f"http://127.0.0.1:{port}", port, log_path)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{served.base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError("serve did not come up:\n" + served.printed()) from None
                time.sleep(0.1)
        yield served
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert "Traceback" not in served.printed(), served.printed()
