"""docs/security.md names, for each RFC 9700 client rule C1–C22, a test that exists or a reason."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
ROW = re.compile(r"^\| (C\d+) \|[^|]*\| (.*) \|$")
NODE = re.compile(r"`(tests/[\w/]+\.py::\w+)`")


def _rows() -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in (ROOT / "docs" / "security.md").read_text().splitlines():
        if match := ROW.match(line):
            assert match[1] not in rows, f"{match[1]} twice"
            rows[match[1]] = match[2]
    return rows


def test_every_rule_has_one_named_test_or_a_reason() -> None:
    rows = _rows()
    assert sorted(rows, key=lambda r: int(r[1:])) == [f"C{n}" for n in range(1, 23)]
    for rule, proof in rows.items():
        named = NODE.findall(proof)
        assert len(named) == 1 or (not named and proof.startswith("Does not apply: ")), rule


def test_every_named_test_collects() -> None:
    named = sorted({node for proof in _rows().values() for node in NODE.findall(proof)})
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-p", "no:cacheprovider", *named],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stdout + collected.stderr
    found = {line.strip().split("[")[0] for line in collected.stdout.splitlines()}  # params
    assert set(named) <= found, set(named) - found
