"""/api/integrations…: the Neon card, connecting, disconnecting, the picker and the selection."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from adapters.inbound.http import dtos, presenters
from adapters.inbound.http.binding_cookie import START_COOKIE, binding_cookies, bindings
from adapters.inbound.http.problems import uses
from adapters.inbound.http.web_settings import WebSettings
from application.disconnect import Disconnect
from application.get_integration_status import GetIntegrationStatus
from application.list_integrations import ListIntegrations
from application.list_projects import MAX_LIMIT, MAX_SEARCH_LENGTH, ListProjects, ProjectQuery
from application.neon_access.picker_cursor import MAX_CURSOR_LENGTH
from application.select_project import SelectProject
from application.start_connection import StartConnection
from domain.ids import NEON_ID_MAX_LENGTH, NEON_ID_PATTERN
from domain.workspaces import Member

Actor = NamedDependency[Member]


class IntegrationsController(Controller):
    path = "/integrations"
    tags = ["integrations"]

    @get("/", operation_id="listIntegrations", **uses(ListIntegrations))
    async def list_integrations(
        self, actor: Actor, list_integrations: NamedDependency[ListIntegrations]
    ) -> dtos.IntegrationsOut:
        entries = await list_integrations.execute(actor)
        return dtos.IntegrationsOut(
            [dtos.IntegrationOut(e.kind, e.name, e.connected) for e in entries]
        )

    @get("/neon", operation_id="getNeonIntegration", **uses(GetIntegrationStatus))
    async def neon_status(
        self, actor: Actor, get_integration_status: NamedDependency[GetIntegrationStatus]
    ) -> dtos.NeonStatusOut:
        return presenters.neon_status(await get_integration_status.execute(actor))

    @post("/neon/authorizations", operation_id="startNeonAuthorization", **uses(StartConnection))
    async def start(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        start_connection: NamedDependency[StartConnection],
        web_settings: NamedDependency[WebSettings],
    ) -> Response[dtos.AuthorizationOut]:
        started = await start_connection.execute(actor)
        # this browser's other connects in progress stay possible: their bindings are kept
        kept = (*bindings(request.cookies.get(START_COOKIE)), started.browser_binding.reveal())
        cookies = binding_cookies(kept, secure=web_settings.secure_cookies)
        return Response(
            dtos.AuthorizationOut(started.authorization_url),
            status_code=201,
            cookies=cookies,
            headers={"Cache-Control": "no-store"},
        )

    @delete("/neon", operation_id="disconnectNeon", status_code=200, **uses(Disconnect))
    async def disconnect(
        self, actor: Actor, disconnect: NamedDependency[Disconnect]
    ) -> dtos.DisconnectOut:
        result = await disconnect.execute(actor)
        return dtos.DisconnectOut(result.revoked, result.reason)

    @get("/neon/projects", operation_id="listNeonProjects", **uses(ListProjects))
    async def projects(
        self,
        actor: Actor,
        list_projects: NamedDependency[ListProjects],
        search: Annotated[str | None, QueryParameter(max_length=MAX_SEARCH_LENGTH)] = None,
        org_id: Annotated[
            str | None, QueryParameter(max_length=NEON_ID_MAX_LENGTH, pattern=NEON_ID_PATTERN)
        ] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR_LENGTH)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 20,
    ) -> dtos.ProjectsOut:
        page = await list_projects.execute(actor, ProjectQuery(search, org_id, cursor, limit))
        org_names = {str(o.id): o.name for o in page.organizations}
        return dtos.ProjectsOut(
            projects=[
                dtos.ProjectOut(
                    str(p.id),
                    p.name,
                    str(p.org_id) if p.org_id else None,
                    org_names.get(str(p.org_id)) if p.org_id else None,
                )
                for p in page.projects
            ],
            organizations=[dtos.OrganizationOut(str(o.id), o.name) for o in page.organizations],
            next_cursor=page.next_cursor,
            warnings=[dtos.WarningOut(w.code, w.message, w.org_id) for w in page.warnings],
        )

    @put("/neon/selection", operation_id="selectNeonProject", **uses(SelectProject))
    async def select(
        self,
        actor: Actor,
        data: JSONBody[dtos.SelectionIn],
        select_project: NamedDependency[SelectProject],
    ) -> dtos.SelectionOut:
        selection = await select_project.execute(actor, data.project_id)
        return dtos.SelectionOut(str(selection.project_id), selection.project_name)
