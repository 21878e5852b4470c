"""Several `produl-neon serve` processes on one PostgreSQL database, in live mode against one
stand-in process in strict Hydra mode: the set-up of the refresh race."""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from adapters.outbound.sql.token_cipher import Keyring
from tests.postgres import fresh_database
from tests.standin_process import CLI, free_port, live_env, running_standin


@dataclass(frozen=True)
class Cluster:
    issuer: str
    instances: tuple[str, ...]
    admin: dict[str, str]
    widget_data: str  # path of the widget's data route
    access_ttl: float


@dataclass(frozen=True)
class Trial:
    renders: int
    failures: int
    refreshes: int
    reuse_detections: int
    statuses: dict[int, int]


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"serve did not become ready:\n{log.read_text()}")


@contextmanager
def running_cluster(
    postgres_server: str, instances: int = 4, access_ttl: int = 3, **settings: str
) -> Iterator[Cluster]:
    """``settings``: PRODUL_* variables beyond the defaults (the window is 0 unless given)."""
    workdir = Path(tempfile.mkdtemp(prefix="produl-cluster-"))
    with ExitStack() as stack:
        issuer = stack.enter_context(running_standin("--access-ttl", str(access_ttl)))
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRODUL_")}
        env.update(live_env(issuer))
        env["PRODUL_DATABASE_URL"] = asyncio.run(fresh_database(postgres_server))
        env["PRODUL_SECRET_KEYS"] = Keyring.generate_entry("k1")
        env["PRODUL_METRICS_MAX_AGE"] = "0"  # every render reaches Neon, and races the refresh
        env.update(settings)
        subprocess.run([str(CLI), "migrate"], env=env, check=True, capture_output=True)
        created = subprocess.run([str(CLI), "workspace", "create", "Race"], env=env, check=True,
                                 capture_output=True, text=True)  # fmt: skip
        admin = {"Authorization": f"Bearer {created.stdout.strip().splitlines()[-1]}"}
        bases = []
        for index in range(instances):
            port = free_port()
            log = workdir / f"serve-{index}.log"
            out = stack.enter_context(log.open("wb"))
            command = [str(CLI), "serve", "--port", str(port), "--workers", "1"]
            process = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=workdir
            )
            stack.callback(process.wait, 15)
            stack.callback(process.terminate)
            bases.append(f"http://127.0.0.1:{port}")
            _wait_healthy(bases[-1], process, log)
        yield Cluster(issuer, tuple(bases), admin, _connect(bases[0], admin), access_ttl)


def _connect(base: str, admin: dict[str, str]) -> str:
    with httpx.Client(base_url=base, headers=admin) as api, httpx.Client() as browser:
        start = api.post("/api/integrations/neon/authorizations")
        consent = browser.get(start.json()["authorization_url"] + "&decision=approve")
        callback = urlsplit(consent.headers["location"])  # to the public URL: send it to `base`
        done = api.get(f"{callback.path}?{callback.query}")  # the client kept the binding cookie
        assert done.headers["location"].endswith("neon=connected"), done.headers
        api.put("/api/integrations/neon/selection", json={"project_id": "old-violet-32930710"})
        board = api.post("/api/dashboards", json={"name": "Race"}).json()["id"]
        widget = api.post(f"/api/dashboards/{board}/widgets", json={"kind": "neon_metrics"})
        return f"/api/dashboards/{board}/widgets/{widget.json()['id']}/data"


async def stats(issuer: str) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        stats: dict[str, Any] = (await client.get(f"{issuer}_standin/stats")).json()
        return stats


async def race(cluster: Cluster, renders_per_instance: int = 50) -> Trial:
    """Wait for the access token to expire, then render from every instance at once."""
    await asyncio.sleep(cluster.access_ttl + 0.3)
    before = await stats(cluster.issuer)
    limits = httpx.Limits(max_connections=renders_per_instance * len(cluster.instances))
    async with httpx.AsyncClient(timeout=60, limits=limits, headers=cluster.admin) as client:
        responses = await asyncio.gather(*(
            client.get(base + cluster.widget_data)
            for base in cluster.instances for _ in range(renders_per_instance)
        ))  # fmt: skip
    after = await stats(cluster.issuer)
    statuses: dict[int, int] = {}
    for response in responses:
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    return Trial(
        renders=len(responses),
        failures=sum(1 for r in responses if r.status_code != 200),
        refreshes=after["refreshes"] - before["refreshes"],
        reuse_detections=after["reuse_detections"] - before["reuse_detections"],
        statuses=statuses,
    )
