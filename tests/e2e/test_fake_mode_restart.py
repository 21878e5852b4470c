"""Fake mode remembers Neon: a connected workspace still renders after `serve` restarts on the same
./var/, because the in-process stand-in keeps its grants in ./var/fake-neon.sqlite3."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.standin_process import free_port

CLI = Path(sys.executable).with_name("produl-neon")

pytestmark = pytest.mark.slow


@contextmanager
def serving(cwd: Path, port: int) -> Iterator[httpx.Client]:
    """`produl-neon serve` in fake mode, run from ``cwd``; yields a client with the demo token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRODUL_")}
    log_path = cwd / f"serve-{time.monotonic_ns()}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [str(CLI), "serve", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
            env=env, cwd=cwd,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("serve did not come up:\n" + log_path.read_text())
                time.sleep(0.1)
        token = re.search(r"Demo admin token:\s+(\S+)", log_path.read_text())
        assert token, log_path.read_text()
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token[1]}"}) as api:
            yield api
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert "Traceback" not in log_path.read_text(), log_path.read_text()


def _connect_and_add_a_widget(api: httpx.Client) -> str:
    start = api.post("/api/integrations/neon/authorizations")
    with httpx.Client() as browser:
        consent = browser.get(start.json()["authorization_url"] + "&decision=approve")
    callback = urlsplit(consent.headers["location"])
    done = api.get(f"{callback.path}?{callback.query}")  # the client kept the binding cookie
    assert done.headers["location"].endswith("neon=connected"), done.headers
    selected = api.put(
        "/api/integrations/neon/selection", json={"project_id": "aged-salad-46255801"}
    )
    assert selected.status_code == 200, selected.text
    board = api.post("/api/dashboards", json={"name": "Ops"}).json()["id"]
    widget = api.post(f"/api/dashboards/{board}/widgets", json={"kind": "neon_metrics"})
    return f"/api/dashboards/{board}/widgets/{widget.json()['id']}/data"


def _rendered(api: httpx.Client, data: str) -> dict[str, object]:
    answer = api.get(data)
    assert answer.status_code == 200, answer.text
    widget: dict[str, object] = answer.json()
    assert widget["project"] == {"id": "aged-salad-46255801", "name": "analytics"}
    assert widget["storage"] == {"bytes": 52_428_800, "display": "50 MB"}
    return widget


def test_a_connected_workspace_still_renders_after_serve_restarts(tmp_path: Path) -> None:
    port = free_port()
    with serving(tmp_path, port) as api:
        data = _connect_and_add_a_widget(api)
        _rendered(api, data)
    with serving(tmp_path, port) as api:  # the same ./var/: the newcomer's second day
        _rendered(api, data)
        assert api.get("/api/integrations/neon").json()["status"] == "connected"
    state = tmp_path / "var" / "fake-neon.sqlite3"
    with closing(sqlite3.connect(state)) as db:
        counted = dict(db.execute("SELECT name, value FROM counters").fetchall())
    assert counted.get("reuse_detections", 0) == 0
    assert counted["code_exchanges"] == 1  # no reconnect was needed
