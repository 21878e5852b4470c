"""/api/widget-library and /api/dashboards…: dashboards, their widgets, and widget data."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter

from adapters.inbound.http import dtos, presenters
from adapters.inbound.http.problems import uses
from application.add_widget import AddWidget
from application.configure_widget import ConfigureWidget
from application.create_dashboard import CreateDashboard
from application.delete_dashboard import DeleteDashboard
from application.list_dashboards import ListDashboards
from application.list_widget_library import ListWidgetLibrary
from application.paging import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT, PageRequest
from application.read_dashboard import ReadDashboard
from application.read_widget_history import ReadWidgetHistory
from application.remove_widget import RemoveWidget
from application.rename_dashboard import RenameDashboard
from application.render_widget import RenderWidget
from domain.trend import DEFAULT_HISTORY_DAYS, MAX_HISTORY_DAYS
from domain.workspaces import Member

Actor = NamedDependency[Member]
ONE = "/dashboards/{dashboard_id:str}"
WIDGET = ONE + "/widgets/{widget_id:str}"


class DashboardsController(Controller):
    path = "/"
    tags = ["dashboards"]

    @get("/widget-library", operation_id="listWidgetLibrary", **uses(ListWidgetLibrary))
    async def library(
        self, actor: Actor, list_widget_library: NamedDependency[ListWidgetLibrary]
    ) -> dtos.WidgetLibraryOut:
        entries = await list_widget_library.execute(actor)
        return dtos.WidgetLibraryOut(
            [
                dtos.WidgetSpecOut(
                    e.spec.kind.value, e.spec.name, e.spec.requires, e.spec.description, e.available
                )
                for e in entries
            ]
        )

    @get("/dashboards", operation_id="listDashboards", **uses(ListDashboards))
    async def list_all(
        self,
        actor: Actor,
        list_dashboards: NamedDependency[ListDashboards],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR_LENGTH)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> dtos.DashboardsOut:
        page = await list_dashboards.execute(actor, PageRequest(cursor, limit))
        return dtos.DashboardsOut(
            [presenters.dashboard(d) for d in page.items], next_cursor=page.next_cursor
        )

    @post("/dashboards", operation_id="createDashboard", **uses(CreateDashboard))
    async def create(
        self,
        actor: Actor,
        data: JSONBody[dtos.DashboardIn],
        create_dashboard: NamedDependency[CreateDashboard],
    ) -> dtos.DashboardOut:
        return presenters.dashboard(await create_dashboard.execute(actor, data.name))

    @get(ONE, operation_id="getDashboard", **uses(ReadDashboard))
    async def read(
        self,
        actor: Actor,
        dashboard_id: dtos.PathId,
        read_dashboard: NamedDependency[ReadDashboard],
    ) -> dtos.DashboardOut:
        return presenters.dashboard(await read_dashboard.execute(actor, dashboard_id))

    @patch(ONE, operation_id="renameDashboard", **uses(RenameDashboard))
    async def rename(
        self,
        actor: Actor,
        dashboard_id: dtos.PathId,
        data: JSONBody[dtos.DashboardIn],
        rename_dashboard: NamedDependency[RenameDashboard],
    ) -> dtos.DashboardOut:
        return presenters.dashboard(await rename_dashboard.execute(actor, dashboard_id, data.name))

    @delete(ONE, operation_id="deleteDashboard", **uses(DeleteDashboard))
    async def remove(
        self,
        actor: Actor,
        dashboard_id: dtos.PathId,
        delete_dashboard: NamedDependency[DeleteDashboard],
    ) -> None:
        await delete_dashboard.execute(actor, dashboard_id)

    @post(ONE + "/widgets", operation_id="addWidget", **uses(AddWidget))
    async def add_widget(
        self,
        actor: Actor,
        dashboard_id: dtos.PathId,
        data: JSONBody[dtos.WidgetIn],
        add_widget: NamedDependency[AddWidget],
    ) -> dtos.WidgetOut:
        project_id = data.settings.project_id if data.settings else None
        widget = await add_widget.execute(actor, dashboard_id, data.kind.value, project_id)
        return presenters.widget(widget)

    @patch(WIDGET, operation_id="configureWidget", **uses(ConfigureWidget))
    async def configure_widget(
        self,
        actor: Actor,
        dashboard_id: dtos.PathId,
        widget_id: dtos.PathId,
        data: JSONBody[dtos.WidgetPatchIn],
        configure_widget: NamedDependency[ConfigureWidget],
    ) -> dtos.WidgetOut:
        widget = await configure_widget.execute(
            actor, dashboard_id, widget_id, data.settings.project_id
        )
        return presenters.widget(widget)

    @delete(WIDGET, operation_id="removeWidget", **uses(RemoveWidget))
    async def remove_widget(
        self,
        actor: Actor,
        dashboard_id: dtos.PathId,
        widget_id: dtos.PathId,
        remove_widget: NamedDependency[RemoveWidget],
    ) -> None:
        await remove_widget.execute(actor, dashboard_id, widget_id)

    @get(WIDGET + "/data", operation_id="getWidgetData", **uses(RenderWidget))
    async def widget_data(
        self,
        actor: Actor,
        dashboard_id: dtos.PathId,
        widget_id: dtos.PathId,
        render_widget: NamedDependency[RenderWidget],
        refresh: Annotated[bool, QueryParameter()] = False,  # skip the freshness window
    ) -> dtos.WidgetDataOut:
        return presenters.widget_data(
            await render_widget.execute(actor, dashboard_id, widget_id, refresh=refresh)
        )

    @get(WIDGET + "/history", operation_id="getWidgetHistory", **uses(ReadWidgetHistory))
    async def widget_history(
        self,
        actor: Actor,
        dashboard_id: dtos.PathId,
        widget_id: dtos.PathId,
        read_widget_history: NamedDependency[ReadWidgetHistory],
        days: Annotated[int, QueryParameter(ge=1, le=MAX_HISTORY_DAYS)] = DEFAULT_HISTORY_DAYS,
    ) -> dtos.WidgetHistoryOut:
        """The widget's trend: a point where a render fetched Neon (no background polling),
        hourly for the last 7 days, then daily up to 90 days."""
        history = await read_widget_history.execute(actor, dashboard_id, widget_id, days)
        return presenters.widget_history(history)
