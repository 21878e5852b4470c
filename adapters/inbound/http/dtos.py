"""Request and response bodies (msgspec): strict on what we accept, explicit in what we send."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from litestar.params import PathParameter

from domain.dashboards import MAX_NAME_LENGTH, WidgetKind
from domain.ids import NEON_ID_MAX_LENGTH, NEON_ID_PATTERN
from domain.text import SHOWN_TEXT_PATTERN
from domain.workspaces import EMAIL_PATTERN, MAX_EMAIL_LENGTH

# The domain's own rules, declared so the OpenAPI document says what is accepted; the domain
# checks them again (the patterns are the very strings it searches with).
Name = Annotated[str, msgspec.Meta(max_length=MAX_NAME_LENGTH, pattern=SHOWN_TEXT_PATTERN)]
Id = Annotated[
    str,
    msgspec.Meta(
        max_length=NEON_ID_MAX_LENGTH, pattern=NEON_ID_PATTERN, examples=["aged-salad-46255801"]
    ),
]
Email = Annotated[str, msgspec.Meta(max_length=MAX_EMAIL_LENGTH, pattern=EMAIL_PATTERN)]
# Our own ids (dashboards, widgets, members) are UUIDs in their hyphenated form.
PathId = Annotated[str, PathParameter(format="uuid")]
OurId = Annotated[str, msgspec.Meta(extra_json_schema={"extra": {"format": "uuid"}})]


class Request(msgspec.Struct, forbid_unknown_fields=True):
    """An unknown field is refused (422), and the document says so: additionalProperties false."""


class SelectionIn(Request):
    project_id: Id


class DashboardIn(Request):
    name: Name


class WidgetSettingsIn(Request):
    project_id: Id | None = None


class WidgetIn(Request):
    kind: WidgetKind
    settings: WidgetSettingsIn | None = None


class WidgetPatchIn(Request):
    settings: WidgetSettingsIn


class MemberIn(Request):
    email: Email
    role: Literal["admin", "member"] = "member"


class Out(msgspec.Struct):
    pass


class IntegrationOut(Out):
    kind: str
    name: str
    connected: bool


class IntegrationsOut(Out):
    integrations: list[IntegrationOut]


class AccountOut(Out):
    id: str
    email: str
    name: str


class SelectedProjectOut(Out):
    id: str
    name: str


class NeonStatusOut(Out):
    status: Literal["connected", "needs_reauthorization", "disconnected"]
    health: Literal["ok", "degraded", "failing"] | None  # degraded: see `reason`
    account: AccountOut | None
    scopes: list[str]
    selected_project: SelectedProjectOut | None
    reason: str | None = None


class AuthorizationOut(Out):
    authorization_url: str


class DisconnectOut(Out):
    revoked: bool
    reason: str | None = None


class ProjectOut(Out):
    id: str
    name: str
    org_id: str | None
    org_name: str | None


class OrganizationOut(Out):
    id: str
    name: str


class WarningOut(Out):
    code: str
    message: str
    org_id: str | None = None


class ProjectsOut(Out):
    projects: list[ProjectOut]
    organizations: list[OrganizationOut]
    next_cursor: str | None
    warnings: list[WarningOut]


class SelectionOut(Out):
    project_id: str
    project_name: str


class WidgetSpecOut(Out):
    kind: str
    name: str
    requires: str
    description: str
    available: bool  # false while the integration it requires is not connected


class WidgetLibraryOut(Out):
    widgets: list[WidgetSpecOut]


class WidgetSettingsOut(Out):
    project_id: str | None


class WidgetOut(Out):
    id: OurId
    kind: str
    settings: WidgetSettingsOut


class DashboardOut(Out):
    id: OurId
    name: str
    widgets: list[WidgetOut]


class DashboardsOut(Out):
    dashboards: list[DashboardOut]
    next_cursor: str | None  # null on the last page


class MemberOut(Out):
    id: OurId
    email: str
    role: str
    created_at: str


class NewMemberOut(Out):
    id: OurId
    email: str
    role: str
    created_at: str
    token: str


class MembersOut(Out):
    members: list[MemberOut]
    next_cursor: str | None  # null on the last page


class AuditEventOut(Out):
    at: str
    actor: str
    action: str
    detail: dict[str, str | None]


class AuditLogOut(Out):
    events: list[AuditEventOut]
    next_cursor: str | None  # null on the last page


class StorageOut(Out):
    bytes: int | None
    display: str | None


class ComputeOut(Out):
    seconds: int | None  # null when Neon does not say, or says something it cannot mean
    hours: float | None
    period_start: str | None
    period_end: str | None


class BranchOut(Out):
    name: str
    primary: bool


class BranchesOut(Out):
    shown: list[BranchOut]
    total: int


class WidgetDataOut(Out):
    project: SelectedProjectOut
    storage: StorageOut
    compute: ComputeOut
    branches: BranchesOut
    fetched_at: str  # when this data came from Neon
    stale: bool  # Neon failed or rate-limited just now: this is the last good data
    stale_reason: Literal["neon_unavailable", "neon_rate_limited"] | None
    age_seconds: int


class TrendPointOut(Out):
    at: str  # when a render fetched these figures from Neon
    storage_bytes: int | None  # null when Neon did not say
    compute_hours: float | None  # this billing period's, as of ``at``


class WidgetHistoryOut(Out):
    project_id: str
    days: int
    points: list[TrendPointOut]  # oldest first: hourly for 7 days, then daily
