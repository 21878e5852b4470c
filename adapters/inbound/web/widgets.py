"""The Neon Metrics widget on a dashboard page: its partial (loaded by itself with htmx), the
widget library, the widget's settings (the gear), adding and removing. Failures of the render
are states of the widget, answered 200 so that htmx swaps them in (``widget_problems.py``)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from adapters.inbound.web.guard import page, provide_member
from adapters.inbound.web.picker import PickerView, picker_rows
from adapters.inbound.web.trend_chart import trend_chart
from adapters.inbound.web.widget_problems import problem_view
from adapters.inbound.web.widget_view import metrics_view
from application.add_widget import AddWidget
from application.configure_widget import ConfigureWidget
from application.get_integration_status import GetIntegrationStatus
from application.list_projects import ListProjects
from application.list_widget_library import ListWidgetLibrary
from application.permissions import declaration
from application.ports.stores import StoreUnavailable
from application.read_dashboard import ReadDashboard
from application.read_widget_history import ReadWidgetHistory
from application.remove_widget import RemoveWidget
from application.render_widget import RenderWidget
from domain.trend import DEFAULT_HISTORY_DAYS
from domain.workspaces import Member, Role

Actor = NamedDependency[Member]
WIDGET = "/{dashboard_id:str}/widgets/{widget_id:str}"
Search = Annotated[str | None, QueryParameter(max_length=200)]
Cursor = Annotated[str | None, QueryParameter(max_length=2000)]


def _declared(use_case: type) -> tuple[type[Exception], ...]:
    declared = declaration(use_case)
    return declared.raises if declared else ()


# What the widget shows as a state of its own (answered 200, so htmx swaps it in); anything else
# is the page's error handling.
RENDER_FAILURES: tuple[type[Exception], ...] = (*_declared(RenderWidget), StoreUnavailable)
HISTORY_FAILURES: tuple[type[Exception], ...] = (*_declared(ReadWidgetHistory), StoreUnavailable)


def _picker(dashboard_id: str, widget_id: str, current: str | None) -> PickerView:
    here = f"/dashboards/{dashboard_id}/widgets/{widget_id}"
    return PickerView(
        rows_url=f"{here}/projects",
        choose_url=f"{here}/settings",
        target=f"#widget-{widget_id}",
        current_project_id=current,
    )


class WidgetPages(Controller):
    path = "/dashboards"
    dependencies = {"member": Provide(provide_member, sync_to_thread=False)}

    @get("/{dashboard_id:str}/widget-library", **page(ListWidgetLibrary))
    async def library(
        self,
        member: Actor,
        dashboard_id: FromPath[str],
        list_widget_library: NamedDependency[ListWidgetLibrary],
    ) -> Template:
        entries = await list_widget_library.execute(member)
        context = {"library": entries, "dashboard_id": dashboard_id}
        return Template("partials/_widget_library.html", context=context)

    @post("/{dashboard_id:str}/widgets", status_code=303, **page(AddWidget))
    async def add(
        self,
        request: Request[Any, Any, Any],
        member: Actor,
        dashboard_id: FromPath[str],
        add_widget: NamedDependency[AddWidget],
    ) -> Redirect:
        kind = (await request.form()).get("kind")
        await add_widget.execute(member, dashboard_id, kind if isinstance(kind, str) else "", None)
        return Redirect(f"/dashboards/{dashboard_id}?edit=1", status_code=303)

    @get(WIDGET, **page(RenderWidget))
    async def widget(
        self,
        member: Actor,
        dashboard_id: FromPath[str],
        widget_id: FromPath[str],
        render_widget: NamedDependency[RenderWidget],
        read_widget_history: NamedDependency[ReadWidgetHistory],
        edit: Annotated[bool, QueryParameter()] = False,
        refresh: Annotated[bool, QueryParameter()] = False,
    ) -> Template:
        return await _widget_partial(
            member, dashboard_id, widget_id, render_widget, read_widget_history, edit, refresh
        )

    @get(WIDGET + "/settings", **page(ConfigureWidget))
    async def settings(
        self,
        member: Actor,
        dashboard_id: FromPath[str],
        widget_id: FromPath[str],
        read_dashboard: NamedDependency[ReadDashboard],
        get_integration_status: NamedDependency[GetIntegrationStatus],
        edit: Annotated[bool, QueryParameter()] = False,
    ) -> Template:
        board = await read_dashboard.execute(member, dashboard_id)
        own = board.widget(widget_id).settings.project_id
        status = await get_integration_status.execute(member)
        context = {
            "dashboard_id": board.id,
            "widget_id": widget_id,
            "own_project": str(own) if own else None,
            "workspace_project": status.selection,
            "picker": _picker(board.id, widget_id, str(own) if own else None),
            "picker_id": f"widget-{widget_id}-picker",
            "edit": edit,
        }
        return Template("partials/_widget_settings.html", context=context)

    @get(WIDGET + "/projects", **page(ConfigureWidget))
    async def projects(
        self,
        member: Actor,
        dashboard_id: FromPath[str],
        widget_id: FromPath[str],
        list_projects: NamedDependency[ListProjects],
        read_dashboard: NamedDependency[ReadDashboard],
        search: Search = None,
        cursor: Cursor = None,
    ) -> Template:
        board = await read_dashboard.execute(member, dashboard_id)
        own = board.widget(widget_id).settings.project_id
        view = _picker(board.id, widget_id, str(own) if own else None)
        return await picker_rows(list_projects, member, view, search, cursor)

    @post(WIDGET + "/remove", status_code=303, **page(RemoveWidget))
    async def remove(
        self,
        member: Actor,
        dashboard_id: FromPath[str],
        widget_id: FromPath[str],
        remove_widget: NamedDependency[RemoveWidget],
    ) -> Redirect:
        await remove_widget.execute(member, dashboard_id, widget_id)
        return Redirect(f"/dashboards/{dashboard_id}?edit=1", status_code=303)

    @post(WIDGET + "/settings", status_code=303, **page(ConfigureWidget))
    async def configure(
        self,
        request: Request[Any, Any, Any],
        member: Actor,
        dashboard_id: FromPath[str],
        widget_id: FromPath[str],
        configure_widget: NamedDependency[ConfigureWidget],
        render_widget: NamedDependency[RenderWidget],
        read_widget_history: NamedDependency[ReadWidgetHistory],
    ) -> Redirect | Template:
        """From the picker (htmx): the widget, rendered again with its new project, in the mode
        of the page it is on (htmx names the page in HX-Current-URL)."""
        chosen = (await request.form()).get("project_id")
        project_id = chosen if isinstance(chosen, str) and chosen else None  # "": the workspace's
        await configure_widget.execute(member, dashboard_id, widget_id, project_id)
        if request.headers.get("hx-request"):
            page_query = parse_qs(urlsplit(request.headers.get("hx-current-url", "")).query)
            edit = page_query.get("edit") == ["1"]
            return await _widget_partial(
                member, dashboard_id, widget_id, render_widget, read_widget_history, edit, False
            )
        return Redirect(f"/dashboards/{dashboard_id}?edit=1", status_code=303)


async def _widget_partial(
    member: Member,
    dashboard_id: str,
    widget_id: str,
    render_widget: RenderWidget,
    read_widget_history: ReadWidgetHistory,
    edit: bool,
    refresh: bool,
) -> Template:
    can_change = member.role is Role.ADMIN
    context: dict[str, Any] = {
        "dashboard_id": dashboard_id,
        "widget_id": widget_id,
        "edit": edit and can_change,
        "can_change": can_change,
        "view": None,
        "problem": None,
        "chart": None,
    }
    try:
        data = await render_widget.execute(member, dashboard_id, widget_id, refresh=refresh)
    except RENDER_FAILURES as failure:
        context["problem"] = problem_view(failure, can_change=can_change)
        return Template("partials/_widget.html", context=context)
    context["view"] = metrics_view(data)
    try:
        history = await read_widget_history.execute(
            member, dashboard_id, widget_id, DEFAULT_HISTORY_DAYS
        )
    except HISTORY_FAILURES:
        pass  # the figures show; the picture waits for the next render
    else:
        context["chart"] = trend_chart(history.points, history.as_of, history.days)
    return Template("partials/_widget.html", context=context)
