"""Neon's published OpenAPI document, read from ../shared/neon-openapi/ at test time."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft4Validator

SPEC = Path(__file__).resolve().parents[2].parent / "shared/neon-openapi/neon-api-v2.2026-06.json"


@cache
def neon_spec() -> dict[str, Any]:
    assert SPEC.exists(), f"Neon's OpenAPI document is expected at {SPEC}"
    loaded: dict[str, Any] = json.loads(SPEC.read_text())
    return loaded


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects to JSON Schema (draft 4): `nullable` becomes a null branch."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {k: _json_schema(v) for k, v in node.items() if k not in {"nullable", "example"}}
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def response_validator(path: str, method: str, status: int) -> Draft4Validator:
    """Validates a response body against the operation's schema for ``status`` (or `default`)."""
    spec = neon_spec()
    responses = spec["paths"][path][method]["responses"]
    response = responses.get(str(status)) or responses["default"]
    if "$ref" in response:
        response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    root = {**_json_schema(schema), "components": _json_schema(spec["components"])}
    return Draft4Validator(root)
