"""Neon's published OpenAPI document, read from ../shared/neon-openapi/ at test time."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis.strategies import SearchStrategy
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


def _drive_many_the_old_way() -> None:
    """hypothesis-jsonschema 0.23.1 (its latest) drives Hypothesis's private `many` helper with
    `.more()`, which Hypothesis 6.1xx replaced by iterating inside a with-block; without this,
    every object schema fails with "'many' object has no attribute 'more'". Remove it once
    hypothesis-jsonschema follows."""
    from hypothesis.internal.conjecture import utils as conjecture
    from hypothesis_jsonschema import _from_schema

    class Many:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self._many = conjecture.many(*args, **kwargs)
            self._many.__enter__()
            self._steps = iter(self._many)

        def more(self) -> bool:
            if next(self._steps, StopIteration) is StopIteration:
                self._many.__exit__(None)
                return False
            return True

        def reject(self, why: str | None = None) -> None:
            self._many.reject(why)

    class Utils:
        many = Many

    _from_schema.cu = Utils  # type: ignore[assignment,attr-defined]


def response_bodies(path: str, method: str = "get", status: int = 200) -> SearchStrategy[Any]:
    """Bodies Neon may answer ``path`` with, generated from the published schema ($refs are
    resolved by hypothesis-jsonschema within the document). Strings are those UTF-8 can carry:
    Neon's JSON is UTF-8, so a lone surrogate is not something it can send."""
    from hypothesis_jsonschema import from_schema

    _drive_many_the_old_way()
    spec = neon_spec()
    schema = spec["paths"][path][method]["responses"][str(status)]["content"]["application/json"]
    root = {**_json_schema(schema["schema"]), "components": _json_schema(spec["components"])}
    return from_schema(root, codec="utf-8")
