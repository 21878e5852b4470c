"""/api/widget-library and /api/dashboards…: dashboards, their widgets, and widget data."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from adapters.inbound.http import dtos, presenters
from adapters.inbound.http.auth import ADMIN, MEMBER, provide_actor
from adapters.inbound.http.problems import documented
from application.add_widget import AddWidget
from application.configure_widget import ConfigureWidget
from application.create_dashboard import CreateDashboard
from application.delete_dashboard import DeleteDashboard
from application.read_dashboards import ReadDashboards
from application.remove_widget import RemoveWidget
from application.rename_dashboard import RenameDashboard
from application.render_widget import RenderWidget
from application.widget_library import ListWidgetLibrary
from domain.workspaces import Member

Actor = NamedDependency[Member]
ONE = "/dashboards/{dashboard_id:str}"
WIDGET = ONE + "/widgets/{widget_id:str}"


class DashboardsController(Controller):
    path = "/"
    tags = ["dashboards"]
    dependencies = {"actor": Provide(provide_actor, sync_to_thread=False)}

    @get("/widget-library", operation_id="listWidgetLibrary", opt=MEMBER, responses=documented(401))
    async def library(
        self, actor: Actor, list_widget_library: NamedDependency[ListWidgetLibrary]
    ) -> dtos.WidgetLibraryOut:
        specs = await list_widget_library.execute(actor)
        return dtos.WidgetLibraryOut(
            [dtos.WidgetSpecOut(s.kind.value, s.name, s.requires) for s in specs]
        )

    @get("/dashboards", operation_id="listDashboards", opt=MEMBER, responses=documented(401))
    async def list_all(
        self, actor: Actor, read_dashboards: NamedDependency[ReadDashboards]
    ) -> dtos.DashboardsOut:
        return dtos.DashboardsOut(
            [presenters.dashboard(d) for d in await read_dashboards.all(actor)]
        )

    @post(
        "/dashboards",
        operation_id="createDashboard",
        opt=ADMIN,
        responses=documented(401, 403, 422),
    )
    async def create(
        self,
        actor: Actor,
        data: JSONBody[dtos.DashboardIn],
        create_dashboard: NamedDependency[CreateDashboard],
    ) -> dtos.DashboardOut:
        return presenters.dashboard(await create_dashboard.execute(actor, data.name))

    @get(ONE, operation_id="getDashboard", opt=MEMBER, responses=documented(401, 404, 422))
    async def read(
        self,
        actor: Actor,
        dashboard_id: FromPath[str],
        read_dashboards: NamedDependency[ReadDashboards],
    ) -> dtos.DashboardOut:
        return presenters.dashboard(await read_dashboards.one(actor, dashboard_id))

    @patch(ONE, operation_id="renameDashboard", opt=ADMIN, responses=documented(401, 403, 404, 422))
    async def rename(
        self,
        actor: Actor,
        dashboard_id: FromPath[str],
        data: JSONBody[dtos.DashboardIn],
        rename_dashboard: NamedDependency[RenameDashboard],
    ) -> dtos.DashboardOut:
        return presenters.dashboard(await rename_dashboard.execute(actor, dashboard_id, data.name))

    @delete(
        ONE, operation_id="deleteDashboard", opt=ADMIN, responses=documented(401, 403, 404, 422)
    )
    async def remove(
        self,
        actor: Actor,
        dashboard_id: FromPath[str],
        delete_dashboard: NamedDependency[DeleteDashboard],
    ) -> None:
        await delete_dashboard.execute(actor, dashboard_id)

    @post(
        ONE + "/widgets",
        operation_id="addWidget",
        opt=ADMIN,
        responses=documented(401, 403, 404, 422),
    )
    async def add_widget(
        self,
        actor: Actor,
        dashboard_id: FromPath[str],
        data: JSONBody[dtos.WidgetIn],
        add_widget: NamedDependency[AddWidget],
    ) -> dtos.WidgetOut:
        project_id = data.settings.project_id if data.settings else None
        widget = await add_widget.execute(actor, dashboard_id, data.kind, project_id)
        return presenters.widget(widget)

    @patch(
        WIDGET, operation_id="configureWidget", opt=ADMIN, responses=documented(401, 403, 404, 422)
    )
    async def configure_widget(
        self,
        actor: Actor,
        dashboard_id: FromPath[str],
        widget_id: FromPath[str],
        data: JSONBody[dtos.WidgetPatchIn],
        configure_widget: NamedDependency[ConfigureWidget],
    ) -> dtos.WidgetOut:
        widget = await configure_widget.execute(
            actor, dashboard_id, widget_id, data.settings.project_id
        )
        return presenters.widget(widget)

    @delete(
        WIDGET, operation_id="removeWidget", opt=ADMIN, responses=documented(401, 403, 404, 422)
    )
    async def remove_widget(
        self,
        actor: Actor,
        dashboard_id: FromPath[str],
        widget_id: FromPath[str],
        remove_widget: NamedDependency[RemoveWidget],
    ) -> None:
        await remove_widget.execute(actor, dashboard_id, widget_id)

    @get(
        WIDGET + "/data",
        operation_id="getWidgetData",
        opt=MEMBER,
        responses=documented(401, 404, 422, 409, 503),
    )
    async def widget_data(
        self,
        actor: Actor,
        dashboard_id: FromPath[str],
        widget_id: FromPath[str],
        render_widget: NamedDependency[RenderWidget],
    ) -> dtos.WidgetDataOut:
        return presenters.widget_data(await render_widget.execute(actor, dashboard_id, widget_id))
