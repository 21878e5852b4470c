"""/settings/integrations: the Neon card (connect, the outcome, health, reconnect, disconnect)
and its project picker. Each route calls the use case the API's route calls."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from adapters.inbound.http.binding_cookie import WEB_START_COOKIE, binding_cookies, bindings
from adapters.inbound.http.web_settings import WebSettings
from adapters.inbound.web.guard import page, provide_member
from adapters.inbound.web.picker import PAGE_SIZE, PickerView, picker_rows
from adapters.inbound.web.words import (
    DEGRADED,
    OUTCOMES,
    REAUTHORIZATION,
    SELECTION_DROPPED,
    UNKNOWN_OUTCOME,
    scopes_in_words,
)
from application.disconnect import Disconnect
from application.get_integration_status import GetIntegrationStatus, IntegrationStatus
from application.list_projects import MAX_LIMIT, ListProjects
from application.select_project import SelectProject
from application.start_connection import StartConnection
from domain.connection import Health
from domain.errors import InvalidInput, ProjectNotAccessible
from domain.workspaces import Member, Role

SignedIn = NamedDependency[Member]
PAGE = "/settings/integrations"


def neon_picker(member: Member, status: IntegrationStatus) -> PickerView:
    selected = status.selection.project_id if status.selection is not None else None
    return PickerView(
        rows_url=f"{PAGE}/neon/projects",
        choose_url=f"{PAGE}/neon/selection",
        target="#neon-card",
        current_project_id=str(selected) if selected is not None else None,
        may_choose=member.role is Role.ADMIN,
    )


def card_context(
    member: Member, status: IntegrationStatus, notice: tuple[str, str] | None = None
) -> dict[str, Any]:
    return {
        "member": member,
        "is_admin": member.role is Role.ADMIN,
        "status": status,
        "connected": status.health is Health.ACTIVE,
        "needs_reauthorization": status.health is Health.NEEDS_REAUTHORIZATION,
        "reason": REAUTHORIZATION.get(status.reason) if status.reason is not None else None,
        "degraded": DEGRADED if status.degraded else None,
        "scopes": scopes_in_words(status.scopes),
        "picker": neon_picker(member, status),
        "notice": notice,
    }


def _outcome(request: Request[Any, Any, Any]) -> tuple[str, str] | None:
    """What the callback's redirect (``?neon=…``) or a disconnect (``?disconnected=…``) said."""
    query = request.query_params
    if query.get("neon") == "connected":
        message = OUTCOMES["connected"]
        if query.get("selection") == "not_accessible":
            message += SELECTION_DROPPED
        return ("success", message)
    if query.get("neon") == "error":
        return ("error", OUTCOMES.get(query.get("reason", ""), UNKNOWN_OUTCOME))
    if query.get("disconnected") == "revoked":
        return ("success", "Neon is disconnected, and Produl's access was revoked on Neon.")
    if query.get("disconnected") == "kept":
        return (
            "warn",
            "Neon is disconnected here, but Neon could not be reached to revoke Produl's "
            "access. Remove Produl from your Neon account's authorized apps to finish.",
        )
    return None


class IntegrationsPages(Controller):
    path = PAGE
    dependencies = {"member": Provide(provide_member, sync_to_thread=False)}

    @get("/", **page(GetIntegrationStatus))
    async def integrations(
        self,
        request: Request[Any, Any, Any],
        member: SignedIn,
        get_integration_status: NamedDependency[GetIntegrationStatus],
    ) -> Template:
        status = await get_integration_status.execute(member)
        context = card_context(member, status, _outcome(request))
        context["section"] = "integrations"
        return Template("integrations.html", context=context)

    @post("/neon/connect", status_code=303, **page(StartConnection))
    async def connect(
        self,
        request: Request[Any, Any, Any],
        member: SignedIn,
        start_connection: NamedDependency[StartConnection],
        web_settings: NamedDependency[WebSettings],
    ) -> Redirect:
        """Connect Neon (and Reconnect): the same start as the API's, the same binding cookie,
        and the browser goes straight to Neon's consent page."""
        started = await start_connection.execute(member)
        kept = (*bindings(request.cookies.get(WEB_START_COOKIE)), started.browser_binding.reveal())
        cookies = binding_cookies(kept, secure=web_settings.secure_cookies)
        return Redirect(started.authorization_url, status_code=303, cookies=cookies)

    @get("/neon/disconnect", **page(Disconnect))
    async def confirm_disconnect(
        self, member: SignedIn, get_integration_status: NamedDependency[GetIntegrationStatus]
    ) -> Template:
        status = await get_integration_status.execute(member)
        context = {"member": member, "section": "integrations", "status": status}
        return Template("disconnect.html", context=context)

    @post("/neon/disconnect", status_code=303, **page(Disconnect))
    async def disconnect(
        self, member: SignedIn, disconnect: NamedDependency[Disconnect]
    ) -> Redirect:
        result = await disconnect.execute(member)
        outcome = "revoked" if result.revoked else "kept"
        return Redirect(f"{PAGE}?{urlencode({'disconnected': outcome})}", status_code=303)

    @get("/neon/projects", **page(ListProjects))
    async def projects(
        self,
        member: SignedIn,
        list_projects: NamedDependency[ListProjects],
        get_integration_status: NamedDependency[GetIntegrationStatus],
        search: Annotated[str | None, QueryParameter()] = None,
        cursor: Annotated[str | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = PAGE_SIZE,
    ) -> Template:
        status = await get_integration_status.execute(member)
        view = neon_picker(member, status)
        return await picker_rows(list_projects, member, view, search, cursor, limit)

    @post("/neon/selection", **page(SelectProject))
    async def select(
        self,
        request: Request[Any, Any, Any],
        member: SignedIn,
        select_project: NamedDependency[SelectProject],
        get_integration_status: NamedDependency[GetIntegrationStatus],
    ) -> Response[Any]:
        """Answers with the whole card again, the new selection marked (htmx swaps it in)."""
        form = await request.form()
        try:
            chosen = await select_project.execute(member, str(form.get("project_id", "")))
            notice = ("success", f"Widgets now show {chosen.project_name} by default.")
        except (ProjectNotAccessible, InvalidInput):
            notice = ("error", "Neon does not show that project to this account; pick another.")
        status = await get_integration_status.execute(member)
        return Template("partials/_neon_card.html", context=card_context(member, status, notice))
