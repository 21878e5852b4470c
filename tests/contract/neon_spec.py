"""Neon's published OpenAPI document, read from ../shared/neon-openapi/ at test time."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SPEC = Path(__file__).resolve().parents[2].parent / "shared/neon-openapi/neon-api-v2.2026-06.json"


@cache
def neon_spec() -> dict[str, Any]:
    assert SPEC.exists(), f"Neon's OpenAPI document is expected at {SPEC}"
    loaded: dict[str, Any] = json.loads(SPEC.read_text())
    return loaded
