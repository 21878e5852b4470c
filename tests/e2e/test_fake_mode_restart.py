"""Fake mode remembers Neon: a connected workspace still renders after `serve` restarts on the same
./var/, because the in-process stand-in keeps its grants in ./var/fake-neon.sqlite3."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.standin_process import free_port, spawned_serve

CLI = Path(sys.executable).with_name("produl-neon")

pytestmark = pytest.mark.slow


@contextmanager
def serving(cwd: Path, port: int) -> Iterator[httpx.Client]:
    """`produl-neon serve` in fake mode, run from ``cwd``; yields a client with the demo token."""
    with (
        spawned_serve(cwd, port) as served,
        httpx.Client(
            base_url=served.base, headers={"Authorization": f"Bearer {served.demo_token()}"}
        ) as api,
    ):
        yield api


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
