"""The composition root: which adapter plays each port, and every use case, registered once.

A use case is one line in the "Use cases" section; the HTTP app (``bootstrap/app.py``) and the
command line find it here by name. Tests swap in the staging fakes by overriding ``storage``
and ``neon``; production settings cannot select them.
"""

from __future__ import annotations

from typing import Any

from dependency_injector import containers, providers

from adapters.outbound.prometheus_telemetry import PrometheusTelemetry
from adapters.outbound.system import SystemClock
from application.add_member import AddMember
from application.add_widget import AddWidget
from application.authenticate_member import AuthenticateMember
from application.authenticate_session import AuthenticateSession
from application.complete_connection import CompleteConnection
from application.configure_widget import ConfigureWidget
from application.create_admin import CreateAdmin
from application.create_dashboard import CreateDashboard
from application.create_workspace import CreateWorkspace
from application.delete_dashboard import DeleteDashboard
from application.disconnect import Disconnect
from application.ensure_bootstrap_admin import EnsureBootstrapAdmin
from application.get_integration_status import GetIntegrationStatus
from application.issue_sign_in_link import IssueSignInLink
from application.list_dashboards import ListDashboards
from application.list_integrations import ListIntegrations
from application.list_members import ListMembers
from application.list_projects import ListProjects
from application.list_widget_library import ListWidgetLibrary
from application.neon_access.access_tokens import AccessTokens
from application.neon_access.account_budget import AccountBudgets
from application.neon_access.authorized_calls import AuthorizedCalls
from application.neon_access.shared_fetch import SharedFetches
from application.permissions import declaration
from application.read_audit_log import ReadAuditLog
from application.read_dashboard import ReadDashboard
from application.read_widget_history import ReadWidgetHistory
from application.redeem_sign_in_link import RedeemSignInLink
from application.refresh_idle_connections import RefreshIdleConnections
from application.remove_widget import RemoveWidget
from application.rename_dashboard import RenameDashboard
from application.render_widget import RenderWidget
from application.revoke_member import RevokeMember
from application.rotate_keys import RotateKeys
from application.select_project import SelectProject
from application.sign_in import SignIn
from application.sign_out import SignOut
from application.start_connection import StartConnection
from bootstrap import neon_wiring
from bootstrap.settings import Settings
from bootstrap.storage import sql_storage


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)
    telemetry = providers.Singleton(PrometheusTelemetry)

    # Storage, one family: SQL (SQLite or PostgreSQL) unless a test overrides it.
    storage = providers.Singleton(sql_storage, settings, telemetry)
    uow = storage.provided.uow
    refresh_lock = storage.provided.refresh_lock
    store_probe = storage.provided.probe

    # Neon: the real adapters, talking to Neon (live) or to the stand-in in process (fake mode).
    standin = providers.Singleton(neon_wiring.standin, settings, clock)
    neon_transport = providers.Singleton(neon_wiring.transport, settings, standin)  # read-only
    neon = providers.Singleton(
        neon_wiring.http_adapters, settings, neon_transport, clock, telemetry
    )
    neon_console = neon.provided.console
    neon_oauth = neon.provided.oauth
    neon_probe = neon.provided.probe
    access_tokens = providers.Singleton(
        AccessTokens, uow, refresh_lock, neon_oauth, clock, telemetry
    )
    account_budgets = providers.Singleton(
        AccountBudgets,
        uow,
        clock,
        settings.provided.neon_budget_per_minute,
        telemetry=telemetry,
    )
    authorized_calls = providers.Singleton(AuthorizedCalls, access_tokens, account_budgets)
    shared_fetches = providers.Singleton(
        SharedFetches,
        uow,
        clock,
        settings.provided.neon_budget_per_minute,
        telemetry=telemetry,
    )

    # Use cases.
    authenticate_member = providers.Singleton(AuthenticateMember, uow)
    sign_in = providers.Singleton(SignIn, uow, clock)
    sign_out = providers.Singleton(SignOut, uow)
    authenticate_session = providers.Singleton(AuthenticateSession, uow, clock)
    issue_sign_in_link = providers.Singleton(IssueSignInLink, uow, clock)
    redeem_sign_in_link = providers.Singleton(RedeemSignInLink, uow, clock)
    ensure_bootstrap_admin = providers.Singleton(EnsureBootstrapAdmin, uow, clock)
    create_workspace = providers.Singleton(CreateWorkspace, uow, clock)
    create_admin = providers.Singleton(CreateAdmin, uow, clock)
    list_integrations = providers.Singleton(ListIntegrations, uow)
    get_integration_status = providers.Singleton(GetIntegrationStatus, uow)
    start_connection = providers.Singleton(
        StartConnection, uow, neon_oauth, clock, settings.provided.redirect_uri
    )
    complete_connection = providers.Singleton(
        CompleteConnection, uow, refresh_lock, neon_oauth, neon_console, clock, account_budgets
    )
    disconnect = providers.Singleton(Disconnect, uow, refresh_lock, neon_oauth, clock)
    list_projects = providers.Singleton(ListProjects, access_tokens, authorized_calls, neon_console)
    select_project = providers.Singleton(
        SelectProject, access_tokens, authorized_calls, neon_console, uow, clock
    )
    list_widget_library = providers.Singleton(ListWidgetLibrary, uow)
    list_dashboards = providers.Singleton(ListDashboards, uow)
    read_dashboard = providers.Singleton(ReadDashboard, uow)
    create_dashboard = providers.Singleton(CreateDashboard, uow, clock)
    rename_dashboard = providers.Singleton(RenameDashboard, uow, clock)
    delete_dashboard = providers.Singleton(DeleteDashboard, uow, clock)
    add_widget = providers.Singleton(AddWidget, uow, clock)
    configure_widget = providers.Singleton(ConfigureWidget, uow, clock)
    remove_widget = providers.Singleton(RemoveWidget, uow, clock)
    render_widget = providers.Singleton(
        RenderWidget,
        uow,
        authorized_calls,
        neon_console,
        clock,
        telemetry,
        shared_fetches,
        settings.provided.metrics_max_age_seconds,
        settings.provided.refresh_floor_seconds,
    )
    read_widget_history = providers.Singleton(ReadWidgetHistory, uow, clock, shared_fetches)
    add_member = providers.Singleton(AddMember, uow, clock)
    list_members = providers.Singleton(ListMembers, uow)
    revoke_member = providers.Singleton(RevokeMember, uow, clock)
    read_audit_log = providers.Singleton(ReadAuditLog, uow)
    rotate_keys = providers.Singleton(RotateKeys, uow, refresh_lock)
    refresh_idle_connections = providers.Singleton(
        RefreshIdleConnections, uow, access_tokens, clock
    )


def use_cases(container: Container) -> dict[str, providers.Singleton[Any]]:
    """Every registered use case by its provider name (what handlers name as a dependency)."""
    return {
        name: provider
        for name, provider in container.providers.items()
        if isinstance(provider, providers.Singleton)
        and isinstance(provider.provides, type)
        and declaration(provider.provides)
    }
