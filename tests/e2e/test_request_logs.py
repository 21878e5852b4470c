"""`produl-neon serve` writes one JSON line per request: the template, never the query."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.standin_process import spawned_serve


def test_serve_logs_each_request_as_json_with_its_request_id(tmp_path: Path) -> None:
    with spawned_serve(tmp_path, PRODUL_LOG_FORMAT="json") as served:
        callback = httpx.get(
            f"{served.base}/integrations/neon/callback?code=CANARY-CODE&state=CANARY-STATE",
            headers={"X-Request-ID": "lb-e2e-1"},
        )
        assert callback.status_code == 303 and callback.headers["x-request-id"] == "lb-e2e-1"
        token = served.demo_token()
        listed = httpx.get(f"{served.base}/api/dashboards",
                           headers={"Authorization": f"Bearer {token}"})  # fmt: skip
        assert listed.status_code == 200
    printed = served.printed()  # once stopped: a request's line follows its answer
    lines = [json.loads(line) for line in printed.splitlines() if line.startswith("{")]
    requests = {
        line["request_id"]: line for line in lines if line["logger"] == "produl_neon.requests"
    }
    first = requests["lb-e2e-1"]
    assert (first["route"], first["status"], first["method"]) == (
        "/integrations/neon/callback",
        303,
        "GET",
    )
    listing = requests[listed.headers["x-request-id"]]
    assert listing["route"] == "/api/dashboards" and listing["workspace_id"]
    assert any(line["logger"].startswith("uvicorn") for line in lines)  # its lines are JSON too
    assert "CANARY" not in printed and printed.count(token) == 1  # the banner that prints it
