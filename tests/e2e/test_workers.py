"""`serve --workers 2`, in fake mode and in live mode against a stand-in process: the README's
whole journey works, /metrics counts the renders of both workers, and revoking a member takes
effect on their very next request, whichever worker answers it."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_readme_journey import _journey_script
from tests.standin_process import free_port, live_env, running_standin, spawned_serve

pytestmark = pytest.mark.slow
ADMIN_TOKEN = "workers-admin-token-0123456789"
RENDERS = 24


@pytest.fixture(params=["fake", "live"])
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    if request.param == "fake":
        with spawned_serve(tmp_path, workers=2) as served:
            yield served.base, served.demo_token()
        return
    port = free_port()
    callback = f"http://127.0.0.1:{port}/integrations/neon/callback"
    with running_standin("--redirect-uri", callback) as issuer:
        env = live_env(issuer) | {
            "PRODUL_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "PRODUL_BOOTSTRAP_ADMIN_TOKEN": ADMIN_TOKEN,
            "PRODUL_SECRET_KEYS": "k1:" + "B" * 43,
            "PRODUL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'produl.db'}",
        }
        with spawned_serve(tmp_path, port=port, workers=2, **env) as served:
            yield served.base, ADMIN_TOKEN


def _fresh(base: str, token: str) -> httpx.Client:
    # A new connection per request: the kernel hands each to whichever worker accepts it
    return httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"},
        limits=httpx.Limits(max_keepalive_connections=0), timeout=30,
    )  # fmt: skip


def _renders_counted(base: str) -> float:
    text = httpx.get(f"{base}/metrics", headers={"Connection": "close"}).text
    # every outcome (fresh, window hit, coalesced, stale, a problem): each render counts once
    found = re.findall(r'^produl_neon_widget_renders_total\{outcome="[a-z_]+"\} (\S+)$', text, re.M)
    return sum(float(value) for value in found)


def test_the_journey_metrics_and_revocation_with_two_workers(
    service: tuple[str, str],
) -> None:
    base, token = service
    journey = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", _journey_script()],
        env={**os.environ, "BASE": base, "TOKEN": token}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert journey.returncode == 0, journey.stdout + journey.stderr
    assert '"name": "analytics"' in journey.stdout

    with _fresh(base, token) as admin:
        board = admin.get("/api/dashboards").json()["dashboards"][0]
        data = f"/api/dashboards/{board['id']}/widgets/{board['widgets'][0]['id']}/data"
        for _ in range(RENDERS - 1):  # the journey rendered once
            assert admin.get(data).status_code == 200
        added = admin.post("/api/members", json={"email": "viewer@example.com", "role": "member"})
        member_id, member_token = added.json()["id"], added.json()["token"]
    # Whichever worker answers /metrics, it counts both workers' renders
    assert {_renders_counted(base) for _ in range(8)} == {float(RENDERS)}

    with _fresh(base, member_token) as member, _fresh(base, token) as admin:
        assert all(member.get("/api/dashboards").status_code == 200 for _ in range(6))
        assert admin.delete(f"/api/members/{member_id}").status_code in (200, 204)
        assert {member.get("/api/dashboards").status_code for _ in range(12)} == {401}
