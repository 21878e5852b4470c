"""/dashboards and /dashboards/{id}: the list (create, rename, delete for admins) and one
dashboard, which appears at once while each widget loads its own data (``widgets.py``).
"Edit" is a query flag (``?edit=1``), so edit mode is a link, and a reload keeps it."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from adapters.inbound.web.guard import page, provide_member
from application.create_dashboard import CreateDashboard
from application.delete_dashboard import DeleteDashboard
from application.list_dashboards import ListDashboards
from application.list_widget_library import ListWidgetLibrary
from application.paging import MAX_CURSOR_LENGTH, PageRequest
from application.read_dashboard import ReadDashboard
from application.rename_dashboard import RenameDashboard
from domain.errors import InvalidInput, LimitReached
from domain.workspaces import Member, Role

Actor = NamedDependency[Member]


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


class DashboardPages(Controller):
    path = "/dashboards"
    dependencies = {"member": Provide(provide_member, sync_to_thread=False)}

    @get("/", **page(ListDashboards))
    async def list_page(
        self,
        member: Actor,
        list_dashboards: NamedDependency[ListDashboards],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR_LENGTH)] = None,
    ) -> Template:
        return await self._list(member, list_dashboards, cursor)

    async def _list(
        self,
        member: Member,
        list_dashboards: ListDashboards,
        cursor: str | None = None,
        error: str | None = None,
        status: int = 200,
    ) -> Template:
        listed = await list_dashboards.execute(member, PageRequest(cursor))
        context = {
            "member": member,
            "section": "dashboards",
            "can_change": member.role is Role.ADMIN,
            "dashboards": listed.items,
            "next_cursor": listed.next_cursor,
            "error": error,
        }
        return Template("dashboards.html", context=context, status_code=status)

    @post("/", status_code=303, **page(CreateDashboard))
    async def create(
        self,
        request: Request[Any, Any, Any],
        member: Actor,
        create_dashboard: NamedDependency[CreateDashboard],
        list_dashboards: NamedDependency[ListDashboards],
    ) -> Redirect | Template:
        name = _form_text(await request.form(), "name")
        try:
            board = await create_dashboard.execute(member, name)
        except (InvalidInput, LimitReached) as refused:
            status = 422 if isinstance(refused, InvalidInput) else 409
            return await self._list(member, list_dashboards, error=refused.message, status=status)
        return Redirect(f"/dashboards/{board.id}", status_code=303)

    @post("/{dashboard_id:str}/rename", status_code=303, **page(RenameDashboard))
    async def rename(
        self,
        request: Request[Any, Any, Any],
        member: Actor,
        dashboard_id: FromPath[str],
        rename_dashboard: NamedDependency[RenameDashboard],
        list_dashboards: NamedDependency[ListDashboards],
    ) -> Redirect | Template:
        name = _form_text(await request.form(), "name")
        try:
            await rename_dashboard.execute(member, dashboard_id, name)
        except InvalidInput as refused:
            return await self._list(member, list_dashboards, error=refused.message, status=422)
        return Redirect("/dashboards", status_code=303)

    @post("/{dashboard_id:str}/delete", status_code=303, **page(DeleteDashboard))
    async def delete_one(
        self,
        member: Actor,
        dashboard_id: FromPath[str],
        delete_dashboard: NamedDependency[DeleteDashboard],
    ) -> Redirect:
        await delete_dashboard.execute(member, dashboard_id)
        return Redirect("/dashboards", status_code=303)

    @get("/{dashboard_id:str}", **page(ReadDashboard))
    async def one(
        self,
        member: Actor,
        dashboard_id: FromPath[str],
        read_dashboard: NamedDependency[ReadDashboard],
        list_widget_library: NamedDependency[ListWidgetLibrary],
        edit: Annotated[bool, QueryParameter()] = False,
        library: Annotated[bool, QueryParameter()] = False,  # the library open, without htmx
    ) -> Template:
        board = await read_dashboard.execute(member, dashboard_id)
        can_change = member.role is Role.ADMIN
        editing = edit and can_change  # a member asking for edit mode sees the dashboard
        entries = await list_widget_library.execute(member) if editing and library else ()
        context = {
            "member": member,
            "section": "dashboards",
            "dashboard": board,
            "can_change": can_change,
            "edit": editing,
            "library": entries,
            "dashboard_id": board.id,
        }
        return Template("dashboard.html", context=context)
