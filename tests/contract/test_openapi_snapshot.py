"""Our own HTTP API is pinned: an unreviewed change to the OpenAPI document fails here.

After a deliberate change, regenerate with:
    PRODUL_UPDATE_SNAPSHOT=1 .venv/bin/pytest tests/contract/test_openapi_snapshot.py
and review the diff of tests/contract/openapi.snapshot.json in the commit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from bootstrap.app import create_app
from tests.support import make_container

SNAPSHOT = Path(__file__).with_name("openapi.snapshot.json")


def _current() -> str:
    schema = create_app(make_container()).openapi_schema.to_schema()
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def test_the_openapi_document_matches_the_reviewed_snapshot() -> None:
    current = _current()
    if os.environ.get("PRODUL_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(current)
    assert SNAPSHOT.exists(), "no snapshot: run with PRODUL_UPDATE_SNAPSHOT=1 and review it"
    assert current == SNAPSHOT.read_text(), (
        "The HTTP API changed. If intended, regenerate the snapshot (see this module's docstring)."
    )


def test_every_operation_has_an_explicit_id() -> None:
    schema = json.loads(_current())
    ids = [op["operationId"] for item in schema["paths"].values() for op in item.values()
           if isinstance(op, dict) and "operationId" in op]  # fmt: skip
    operations = [op for item in schema["paths"].values() for op in item.values()
                  if isinstance(op, dict) and "responses" in op]  # fmt: skip
    assert len(ids) == len(operations) == len(set(ids))
    assert all(not i.startswith("Api") for i in ids)  # not Litestar's generated names
