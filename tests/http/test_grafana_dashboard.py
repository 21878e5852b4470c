"""docs/grafana-dashboard.json queries only what /metrics exposes, and shows all of it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.http.client import ADMIN, Api

DASHBOARD = Path(__file__).parents[2] / "docs" / "grafana-dashboard.json"
METRIC = re.compile(r"\bprodul_neon_[a-z_]+\b")
HISTOGRAM_PARTS = ("_bucket", "_sum", "_count")


def _queried() -> set[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert all(p["targets"] for p in dashboard["panels"])
    return {name for expr in exprs for name in METRIC.findall(expr)}


def _exposed(exposition: str) -> tuple[set[str], set[str]]:
    """The series names /metrics answers with, and its histograms' family names."""
    names, histograms = set(), set()
    for line in exposition.splitlines():
        if line.startswith("# TYPE "):
            _, _, family, kind = line.split(" ", 3)
            names.add(family)  # a counter's family is named with its _total here
            if kind == "histogram":
                histograms.add(family)
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names, histograms


async def test_every_metric_the_dashboard_queries_exists_and_every_metric_is_shown(
    api: Api,
) -> None:
    await api.connect()
    board, widget = await api.board_with_widget("aged-salad-46255801")
    await api.client.get(f"/api/dashboards/{board}/widgets/{widget}/data", headers=ADMIN)
    await api.client.get("/readyz")
    names, histograms = _exposed((await api.client.get("/metrics")).text)
    queried = _queried()
    missing = {
        name
        for name in queried
        if name not in names
        and not any(name == h + part for h in histograms for part in HISTOGRAM_PARTS)
    }
    assert not missing, f"the dashboard queries metrics /metrics does not have: {missing}"

    def family(name: str) -> str:
        for part in HISTOGRAM_PARTS:
            if name.removesuffix(part) in histograms:
                return name.removesuffix(part)
        return name

    ours = {family(n) for n in names if n.startswith("produl_neon_")}
    ours -= {n for n in ours if n.endswith("_created")}  # the client's own creation stamps
    unshown = ours - {family(q) for q in queried}
    assert not unshown, f"metrics without a panel: {unshown}; add them to the dashboard"
