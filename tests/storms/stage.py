"""A storm's stage: the stand-in for Neon and `produl-neon serve` as separate processes (live
mode, real sockets), one connected workspace with widgets on a dashboard, and the knobs."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from adapters.outbound.sql.token_cipher import Keyring
from application.render_widget import FAILURE_PAUSE
from tests.standin_process import CLI, free_port, live_env, running_standin

# Rendered before a storm, so Neon's failures can answer with their last good data.
WARM_PROJECTS = ("aged-salad-46255801", "old-violet-32930710", "shiny-wind-028834")
# Never rendered successfully while Neon misbehaves: nothing to fall back on.
COLD_PROJECTS = ("calm-moss-77123045", "tiny-frog-11002233", "bold-dawn-90210417")


@dataclass
class ServeProcess:
    """One `produl-neon serve`, started and stopped on demand (a restart keeps env and port)."""

    env: dict[str, str]
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.workdir / f"serve-{self.port}-{self.starts}.log"

    def start(self) -> None:
        self.starts += 1
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [str(CLI), "serve", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"serve did not become ready:\n{self.log.read_text()}")

    def signal(self, sig: signal.Signals = signal.SIGTERM) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    def wait(self, timeout: float = 60) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def printed(self) -> str:
        return "".join(p.read_text(errors="replace") for p in sorted(self.workdir.glob("*.log")))


@dataclass
class Stage:
    issuer: str
    serve: ServeProcess
    admin: dict[str, str]
    warm: tuple[str, ...] = ()  # widget data paths, one per project
    cold: tuple[str, ...] = ()
    calm_since: float = 0.0  # when the last storm on this stage ended (time.monotonic)

    def settle(self) -> None:
        """Wait out the pause the service keeps after Neon failed a project (5 s,
        application/render_widget.py), so one storm does not leak into the next."""
        time.sleep(
            max(0.0, self.calm_since + FAILURE_PAUSE.total_seconds() + 0.5 - time.monotonic())
        )

    @property
    def base(self) -> str:
        return self.serve.base

    def knobs(self, **faults: Any) -> None:
        """Every knob back to calm, then ``faults``."""
        calm = {
            "latency_ms": 0,
            "token_latency_ms": 0,
            "error_rate": 0,
            "error_status": 503,
            "rate_limit_burst": 0,
            "retry_after": 7,
            "drop_rate": 0,
            "oauth_down": False,
            "stall_rate": 0,
            "stall_after_bytes": 16,
            "seed": 11,
        }
        knobs = httpx.put(f"{self.issuer}_standin/faults", json=calm | faults, timeout=30)
        knobs.raise_for_status()

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = httpx.get(f"{self.issuer}_standin/stats", timeout=30).json()
        return stats

    def render(self, path: str, refresh: bool = False) -> httpx.Response:
        query = "?refresh=true" if refresh else ""
        return httpx.get(self.base + path + query, headers=self.admin, timeout=60)

    def warm_up(self) -> None:
        """A fresh render of every warm widget (after a storm, once the service asks Neon again:
        it pauses a project for 5 s after Neon failed it, and the whole Neon account for 30 s
        after a 429 without Retry-After)."""
        for path in self.warm:
            for _ in range(80):
                response = self.render(path, refresh=True)
                if response.status_code == 200 and not response.json()["stale"]:
                    break
                time.sleep(0.5)
            assert response.status_code == 200 and not response.json()["stale"], response.text


@contextmanager
def stage(
    *, database_url: str | None = None, access_ttl: int = 3600, **env: str
) -> Iterator[Stage]:
    """The stand-in and one serve process in live mode, on SQLite unless ``database_url``
    names another database (migrated here); the workspace connected, widgets added."""
    workdir = Path(tempfile.mkdtemp(prefix="produl-storm-"))
    with ExitStack() as stack:
        issuer = stack.enter_context(running_standin("--access-ttl", str(access_ttl)))
        environment = {k: v for k, v in os.environ.items() if not k.startswith("PRODUL_")}
        environment.update(live_env(issuer))
        environment["PRODUL_DATABASE_URL"] = (
            database_url or f"sqlite+aiosqlite:///{workdir / 'produl.db'}"
        )
        environment["PRODUL_SECRET_KEYS"] = Keyring.generate_entry("k1")
        # 50 viewers rendering every quarter second would spend the account's Neon budget (600
        # calls a minute) within seconds, and every render would then answer from the last good
        # data without asking Neon or refreshing a token: the storms are about Neon's and the
        # database's failures, so the budget is set out of their way (its own tests cover it).
        environment["PRODUL_NEON_BUDGET_PER_MINUTE"] = "100000"
        environment.update(env)
        subprocess.run([str(CLI), "migrate"], env=environment, check=True, capture_output=True)
        created = subprocess.run(
            [str(CLI), "workspace", "create", "Storm"],
            env=environment,
            check=True,
            capture_output=True,
            text=True,
        )
        admin = {"Authorization": f"Bearer {created.stdout.strip().splitlines()[-1]}"}
        serve = ServeProcess(environment, workdir)
        stack.callback(serve.stop)
        serve.start()
        warm, cold = _connect(serve.base, admin)
        yield Stage(issuer, serve, admin, warm, cold)


def _connect(base: str, admin: dict[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    with httpx.Client(base_url=base, headers=admin, timeout=30) as api, httpx.Client() as browser:
        start = api.post("/api/integrations/neon/authorizations")
        consent = browser.get(start.json()["authorization_url"] + "&decision=approve")
        callback = urlsplit(consent.headers["location"])  # to the public URL: send it to `base`
        done = api.get(f"{callback.path}?{callback.query}")  # the client kept the binding cookie
        assert done.headers["location"].endswith("neon=connected"), done.headers
        api.put("/api/integrations/neon/selection", json={"project_id": WARM_PROJECTS[0]})
        board = api.post("/api/dashboards", json={"name": "Storm"}).json()["id"]

        def widget(project: str) -> str:
            added = api.post(
                f"/api/dashboards/{board}/widgets",
                json={"kind": "neon_metrics", "settings": {"project_id": project}},
            )
            assert added.status_code == 201, added.text
            return f"/api/dashboards/{board}/widgets/{added.json()['id']}/data"

        return tuple(map(widget, WARM_PROJECTS)), tuple(map(widget, COLD_PROJECTS))
