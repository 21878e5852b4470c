"""Every answer the stand-in's Console API gives validates against the operation's schema in
Neon's published document (read from ../shared/neon-openapi/ now, not copied), except where a
quirk listed in neon_standin/quirks.py says real Neon differs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from jsonschema import ValidationError

from neon_standin.quirks import BRANCH_FIELDS_SOMETIMES_ABSENT, BRANCH_SORT_ORDER, QUIRKS
from neon_standin.seed import ACME, ADA, GRACE
from tests.contract.console_fixtures import API, asgi_transport, new_standin, token_for
from tests.contract.neon_spec import response_validator

# (template in the document, concrete path, query, account, expected status)
CASES = [
    ("/users/me", "/users/me", {}, ADA, 200),
    ("/users/me/organizations", "/users/me/organizations", {}, ADA, 200),
    ("/projects", "/projects", {"limit": "2"}, ADA, 200),
    ("/projects", "/projects", {"org_id": ACME, "limit": "400"}, ADA, 200),
    ("/projects", "/projects", {"search": "nothing-matches"}, ADA, 200),  # no pagination
    ("/projects", "/projects", {}, GRACE, 400),  # org_id is required
    ("/projects", "/projects", {"org_id": "org-not-hers-1"}, GRACE, 404),
    ("/projects/shared", "/projects/shared", {"limit": "5"}, ADA, 200),
    ("/projects/{project_id}", "/projects/aged-salad-46255801", {}, ADA, 200),
    ("/projects/{project_id}", "/projects/bold-dawn-90210417", {}, ADA, 200),  # brand new
    ("/projects/{project_id}", "/projects/aged-salad-46255801", {}, GRACE, 404),
    ("/projects/{project_id}/branches", "/projects/old-violet-32930710/branches",
     {"limit": "100"}, ADA, 200),
    ("/projects/{project_id}/branches", "/projects/aged-salad-46255801/branches", {}, ADA, 200),
    ("/users/me", "/users/me", {}, None, 401),
]  # fmt: skip


def _explained_by_a_quirk(error: ValidationError) -> bool:
    where = list(error.absolute_path)
    if error.validator == "enum" and where[-1:] == ["sort_order"]:
        return bool(error.instance == BRANCH_SORT_ORDER)  # quirk: branch_sort_order_uppercase
    if error.validator == "required" and "branches" in where:
        missing = {str(m).split("'")[1] for m in [error.message]}
        return missing <= BRANCH_FIELDS_SOMETIMES_ABSENT  # quirk: branch_without_protected…
    return False


@pytest.mark.parametrize(("template", "path", "query", "account", "status"), CASES,
                         ids=[f"{c[1]}?{c[2]}-{c[4]}" for c in CASES])  # fmt: skip
async def test_the_answer_matches_the_published_schema(
    template: str, path: str, query: dict[str, str], account: str | None, status: int
) -> None:
    standin = new_standin()
    headers = {"X-Request-ID": "req-123"}
    if account is not None:
        headers["Authorization"] = f"Bearer {token_for(standin, account).reveal()}"
    async with httpx.AsyncClient(transport=asgi_transport(standin)) as client:
        response = await client.get(API + path, params=query, headers=headers)
    assert response.status_code == status, response.text
    body: Any = response.json()
    errors = list(response_validator(template, "get", status).iter_errors(body))
    unexplained = [e for e in errors if not _explained_by_a_quirk(e)]
    assert unexplained == [], [f"{list(e.absolute_path)}: {e.message}" for e in unexplained]
    if status >= 400:
        assert body["request_id"] == "req-123"


async def test_the_quirks_really_show() -> None:
    standin = new_standin()
    token = token_for(standin, ADA).reveal()
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=asgi_transport(standin), headers=auth) as client:
        empty = (await client.get(f"{API}/projects", params={"search": "zzz"})).json()
        branches = (await client.get(f"{API}/projects/old-violet-32930710/branches")).json()
        new = (await client.get(f"{API}/projects/bold-dawn-90210417")).json()["project"]
    assert "pagination" not in empty
    assert branches["pagination"]["sort_order"] == "DESC"
    assert all(b["primary"] == b["default"] for b in branches["branches"])
    assert any("protected" not in b for b in branches["branches"])
    assert "synthetic_storage_size" not in new
    assert new["consumption_period_start"] == "0001-01-01T00:00:00Z"
    assert {q.name for q in QUIRKS} >= {"org_id_required", "refresh_reuse_revokes_grant"}


def test_the_validator_has_teeth() -> None:
    validator = response_validator("/projects/{project_id}", "get", 200)
    assert list(validator.iter_errors({"project": {"id": 5}}))
    assert not list(validator.iter_errors({"project": _minimal_project()}))
    branches = response_validator("/projects/{project_id}/branches", "get", 200)
    errors = list(branches.iter_errors(
        {"branches": [{"id": "br-x"}], "annotations": {}, "pagination": {"sort_order": "DESC"}}
    ))  # fmt: skip
    assert errors and not all(_explained_by_a_quirk(e) for e in errors)


def _minimal_project() -> dict[str, Any]:
    return {
        "consumption_period_end": "2026-12-01T00:00:00Z",
        "consumption_period_start": "2026-11-01T00:00:00Z", "active_time_seconds": 0,
        "compute_time_seconds": 0, "written_data_bytes": 0, "data_transfer_bytes": 0,
        "data_storage_bytes_hour": 0, "id": "p-1", "platform_id": "aws", "region_id": "r",
        "name": "n", "pg_version": 17, "proxy_host": "h", "branch_logical_size_limit": 0,
        "branch_logical_size_limit_bytes": 0, "store_passwords": True, "cpu_used_sec": 0,
        "provisioner": "k8s-neonvm", "creation_source": "console",
        "history_retention_seconds": 0, "created_at": "2026-11-01T00:00:00Z",
        "updated_at": "2026-11-01T00:00:00Z", "owner_id": "u",
    }  # fmt: skip
