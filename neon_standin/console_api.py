"""The Console API v2's read operations, answering in the published document's shapes."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response, get
from litestar.params import FromPath

from neon_standin.catalog import FakeBranch, FakeOrganization, FakeProject
from neon_standin.quirks import (
    BRANCH_SORT_ORDER,
    GO_ZERO_TIME,
    ORG_ID_REQUIRED,
)
from neon_standin.standin import StandIn

CREATED = "2025-03-04T10:00:00Z"
Json = Response[dict[str, Any]]


def _instant(moment: datetime) -> str:
    if moment.year <= 1:
        return GO_ZERO_TIME
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def error(status: int, message: str, request: Request[Any, Any, Any], code: str = "") -> Json:
    body: dict[str, Any] = {"code": code, "message": message}
    if request_id := request.headers.get("x-request-id"):
        body["request_id"] = request_id
    return Response(body, status_code=status)


def _account(standin: StandIn, request: Request[Any, Any, Any]) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return standin.oauth.account_for(token) if scheme.lower() == "bearer" else None


def _int(request: Request[Any, Any, Any], name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    value = int(raw) if raw is not None and raw.isdigit() else default
    if raw is not None and (not raw.isdigit() or not low <= value <= high):
        raise ValueError(name)
    return value


def _project_common(p: FakeProject, standin: StandIn) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": p.id, "platform_id": "aws", "region_id": "aws-us-east-2", "name": p.name,
        "provisioner": "k8s-neonvm", "pg_version": 17, "proxy_host": "us-east-2.aws.neon.tech",
        "branch_logical_size_limit": 0, "branch_logical_size_limit_bytes": -1,
        "store_passwords": True, "cpu_used_sec": 0, "creation_source": "console",
        "created_at": CREATED, "updated_at": _instant(standin.clock.now()),
        "owner_id": p.owner_id or "user-org-owner", "history_retention_seconds": 86400,
    }  # fmt: skip
    if p.synthetic_storage_size is not None:  # quirk: absent on brand-new projects
        item["synthetic_storage_size"] = p.synthetic_storage_size
    if p.org_id is not None:
        item["org_id"] = p.org_id
    return item


def _list_item(p: FakeProject, standin: StandIn) -> dict[str, Any]:
    item = _project_common(p, standin)
    item["active_time"] = 0
    if p.org_id is not None:
        item["org_name"] = standin.catalog.organizations[p.org_id].name
    return item


def _project(p: FakeProject, standin: StandIn) -> dict[str, Any]:
    item = _project_common(p, standin)
    item.update(
        consumption_period_start=_instant(p.period_start),
        consumption_period_end=_instant(p.period_end),
        active_time_seconds=p.compute_time_seconds * 3, compute_time_seconds=p.compute_time_seconds,
        written_data_bytes=0, data_transfer_bytes=0, data_storage_bytes_hour=0,
    )  # fmt: skip
    return item


def _branch(b: FakeBranch, index: int, project_id: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": b.id, "project_id": project_id, "name": b.name, "current_state": "ready",
        "state_changed_at": CREATED, "creation_source": "console", "created_at": CREATED,
        "updated_at": _instant(b.updated_at), "default": b.default, "primary": b.default,
        "protected": False, "cpu_used_sec": 0, "active_time_seconds": b.compute_time_seconds,
        "compute_time_seconds": b.compute_time_seconds, "written_data_bytes": 0,
        "data_transfer_bytes": 0, "logical_size": 30_000_000,
    }  # fmt: skip
    if index % 10 == 9:  # quirk: some real branches lack these "required" fields
        del item["protected"], item["cpu_used_sec"], item["logical_size"]
    return item


def _org(o: FakeOrganization) -> dict[str, Any]:
    return {"id": o.id, "name": o.name, "handle": o.id.removeprefix("org-"), "plan": "scale",
            "created_at": CREATED, "updated_at": CREATED, "managed_by": "console"}  # fmt: skip


def console_handlers(standin: StandIn) -> list[Any]:
    def guarded(request: Request[Any, Any, Any]) -> str | Json:
        account = _account(standin, request)
        return account if account else error(401, "authentication required", request)

    @get("/users/me", sync_to_thread=False)
    def me(request: Request[Any, Any, Any]) -> Json:
        account_id = guarded(request)
        if isinstance(account_id, Response):
            return account_id
        a = standin.catalog.accounts[account_id]
        first, _, last = a.name.partition(" ")
        return Response({
            "id": a.id, "email": a.email, "login": a.email.split("@")[0], "name": first,
            "last_name": last, "image": "", "active_seconds_limit": 360000, "projects_limit": 100,
            "branches_limit": 5000, "max_autoscaling_limit": 8, "plan": "launch",
            "auth_accounts": [{"provider": "github", "email": a.email, "name": a.name,
                               "login": a.email.split("@")[0], "image": ""}],
        })  # fmt: skip

    @get("/users/me/organizations", sync_to_thread=False)
    def organizations(request: Request[Any, Any, Any]) -> Json:
        account_id = guarded(request)
        if isinstance(account_id, Response):
            return account_id
        orgs = standin.catalog.organizations_of(account_id)
        return Response({"organizations": [_org(o) for o in orgs]})

    def listing(request: Request[Any, Any, Any], shared: bool) -> Json:
        account_id = guarded(request)
        if isinstance(account_id, Response):
            return account_id
        try:
            limit = _int(request, "limit", 10, 1, 400)
        except ValueError:
            return error(400, "limit must be between 1 and 400", request)
        org_id = None if shared else request.query_params.get("org_id")
        account = standin.catalog.accounts[account_id]
        if not shared and org_id is None and not account.has_personal_projects:
            return error(400, ORG_ID_REQUIRED, request)
        if org_id is not None and org_id not in {
            o.id for o in standin.catalog.organizations_of(account_id)
        }:
            return error(404, "organization not found", request)
        rows = standin.catalog.listing(
            account_id, org_id, shared, request.query_params.get("search")
        )
        cursor = request.query_params.get("cursor")
        page = [p for p in rows if cursor is None or p.id > cursor][:limit]
        body: dict[str, Any] = {"projects": [_list_item(p, standin) for p in page]}
        if page:  # quirk: an empty list comes back without pagination
            body["pagination"] = {"cursor": page[-1].id}
        if not shared:
            body.update(applications={}, integrations={})
        return Response(body)

    @get("/projects", sync_to_thread=False)
    def projects(request: Request[Any, Any, Any]) -> Json:
        return listing(request, shared=False)

    @get("/projects/shared", sync_to_thread=False)
    def shared_projects(request: Request[Any, Any, Any]) -> Json:
        return listing(request, shared=True)

    def visible(request: Request[Any, Any, Any], project_id: str) -> FakeProject | Json:
        account_id = guarded(request)
        if isinstance(account_id, Response):
            return account_id
        project = standin.catalog.projects.get(project_id)
        if project is None or not standin.catalog.can_see(account_id, project):
            return error(404, "project not found", request)
        return project

    @get("/projects/{project_id:str}", sync_to_thread=False)
    def project(request: Request[Any, Any, Any], project_id: FromPath[str]) -> Json:
        found = visible(request, project_id)
        return (
            found
            if isinstance(found, Response)
            else Response({"project": _project(found, standin)})
        )

    @get("/projects/{project_id:str}/branches", sync_to_thread=False)
    def branches(request: Request[Any, Any, Any], project_id: FromPath[str]) -> Json:
        found = visible(request, project_id)
        if isinstance(found, Response):
            return found
        ordered = sorted(found.branches, key=lambda b: b.updated_at, reverse=True)
        try:
            limit = _int(request, "limit", len(ordered) or 1, 1, 10000)
            offset = _decode_cursor(request.query_params.get("cursor"))
        except ValueError:
            return error(400, "invalid pagination parameters", request)
        page = ordered[offset : offset + limit]
        position = {b.id: index for index, b in enumerate(found.branches)}
        indexed = [_branch(b, position[b.id], found.id) for b in page]
        pagination: dict[str, Any] = {"sort_by": "updated_at", "sort_order": BRANCH_SORT_ORDER}
        if page:  # like Neon, a cursor comes back even when the next page will be empty
            pagination["next"] = _encode_cursor(offset + len(page))
        return Response({"branches": indexed, "annotations": {}, "pagination": pagination})

    return [me, organizations, projects, shared_projects, project, branches]


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(cursor.encode()))["offset"]
    except (ValueError, KeyError, TypeError) as bad:
        raise ValueError("cursor") from bad
    if not isinstance(offset, int) or offset < 0:
        raise ValueError("cursor")
    return offset
