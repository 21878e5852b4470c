"""Vendored files are the ones recorded: each VENDORED.md row's sha256 matches the file."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
RECORDS = [ROOT / "adapters/inbound/web/static/VENDORED.md", ROOT / "tests/browser/VENDORED.md"]
ROW = re.compile(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", re.MULTILINE)


@pytest.mark.parametrize("record", RECORDS, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_vendored_file_matches_its_recorded_checksum(record: Path) -> None:
    rows = ROW.findall(record.read_text())
    assert rows, f"{record} records no file"
    for name, digest in rows:
        assert hashlib.sha256((record.parent / name).read_bytes()).hexdigest() == digest, name
