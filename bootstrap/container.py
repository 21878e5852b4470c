"""The dependency-injector container: which adapter plays each port, and every use case."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.outbound.neon_http.console import HttpxNeonConsole
from adapters.outbound.neon_http.oauth import AuthlibNeonOAuth
from adapters.outbound.prometheus_telemetry import PrometheusTelemetry
from adapters.outbound.sql.connections import SqlConnectionStore
from adapters.outbound.sql.dashboards import SqlDashboardStore
from adapters.outbound.sql.database import Database
from adapters.outbound.sql.migrate import SqlStoreProbe
from adapters.outbound.sql.stores import (
    SqlAuditLog,
    SqlAuthorizationStore,
    SqlMemberStore,
    SqlSelectionStore,
    SqlWorkspaceStore,
)
from adapters.outbound.staging_fakes.console import StagingNeonConsole
from adapters.outbound.staging_fakes.memory_connections import (
    MemoryConnectionStore,
    MemoryRefreshLock,
)
from adapters.outbound.staging_fakes.memory_stores import (
    MemoryAuditLog,
    MemoryAuthorizationStore,
    MemoryDashboardStore,
    MemoryMemberStore,
    MemorySelectionStore,
    MemoryStoreProbe,
    MemoryWorkspaceStore,
)
from adapters.outbound.staging_fakes.oauth import StagingNeonOAuth
from adapters.outbound.system import SystemClock
from application.add_member import AddMember
from application.add_widget import AddWidget
from application.authenticate_member import AuthenticateMember
from application.complete_connection import CompleteConnection
from application.configure_widget import ConfigureWidget
from application.create_dashboard import CreateDashboard
from application.create_workspace import CreateWorkspace
from application.delete_dashboard import DeleteDashboard
from application.disconnect import Disconnect
from application.ensure_bootstrap_admin import EnsureBootstrapAdmin
from application.fresh_access_token import FreshAccessToken
from application.integration_status import GetIntegrationStatus
from application.list_integrations import ListIntegrations
from application.list_members import ListMembers
from application.list_projects import ListProjects
from application.neon_call import NeonCall
from application.read_audit_log import ReadAuditLog
from application.read_dashboards import ReadDashboards
from application.refresh_idle_connections import RefreshIdleConnections
from application.remove_widget import RemoveWidget
from application.rename_dashboard import RenameDashboard
from application.render_widget import RenderWidget
from application.revoke_member import RevokeMember
from application.rotate_keys import RotateKeys
from application.select_project import SelectProject
from application.start_connection import StartConnection
from application.widget_library import ListWidgetLibrary
from bootstrap import neon_wiring, storage
from bootstrap.settings import Settings


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    telemetry = providers.Singleton(PrometheusTelemetry)

    # Storage: SQL (SQLite or PostgreSQL) by default; in memory for fast use-case tests.
    database = providers.Singleton(Database, settings.provided.database_url)
    keyring = providers.Singleton(storage.keyring, settings)
    connections = providers.Selector(
        settings.provided.stores,
        sql=providers.Singleton(SqlConnectionStore, database, keyring),
        memory=providers.Singleton(MemoryConnectionStore),
    )
    refresh_lock = providers.Selector(
        settings.provided.stores,
        sql=providers.Singleton(storage.refresh_lock, database),
        memory=providers.Singleton(MemoryRefreshLock),
    )
    authorizations = providers.Selector(
        settings.provided.stores,
        sql=providers.Singleton(SqlAuthorizationStore, database, keyring),
        memory=providers.Singleton(MemoryAuthorizationStore),
    )
    selections = providers.Selector(
        settings.provided.stores,
        sql=providers.Singleton(SqlSelectionStore, database),
        memory=providers.Singleton(MemorySelectionStore),
    )
    dashboards = providers.Selector(
        settings.provided.stores,
        sql=providers.Singleton(SqlDashboardStore, database),
        memory=providers.Singleton(MemoryDashboardStore),
    )
    workspaces = providers.Selector(
        settings.provided.stores,
        sql=providers.Singleton(SqlWorkspaceStore, database),
        memory=providers.Singleton(MemoryWorkspaceStore),
    )
    members = providers.Selector(
        settings.provided.stores,
        sql=providers.Singleton(SqlMemberStore, database),
        memory=providers.Singleton(MemoryMemberStore),
    )
    audit_log = providers.Selector(
        settings.provided.stores,
        sql=providers.Singleton(SqlAuditLog, database),
        memory=providers.Singleton(MemoryAuditLog),
    )
    store_probe = providers.Selector(
        settings.provided.stores,
        sql=providers.Singleton(SqlStoreProbe, database),
        memory=providers.Singleton(MemoryStoreProbe),
    )

    # Neon: the stand-in plays it in fake mode; the real adapters talk to it (or to Neon).
    standin = providers.Singleton(neon_wiring.standin, settings, clock)
    fake_catalog = providers.Callable(lambda s: s.catalog, standin)
    fake_auth_server = providers.Callable(lambda s: s.oauth, standin)
    neon_transport = providers.Singleton(neon_wiring.transport, settings, standin)
    neon_http_client = providers.Singleton(neon_wiring.console_client, neon_transport)
    http_neon_console = providers.Singleton(
        HttpxNeonConsole,
        providers.Singleton(neon_wiring.console_calls, settings, neon_http_client, telemetry),
    )
    http_neon_oauth = providers.Singleton(
        AuthlibNeonOAuth,
        providers.Callable(neon_wiring.oauth_settings, settings),
        clock,
        neon_transport,
    )
    neon_console = providers.Selector(
        settings.provided.neon_adapters,
        http=http_neon_console,
        memory=providers.Singleton(StagingNeonConsole, fake_catalog, fake_auth_server),
    )
    neon_oauth = providers.Selector(
        settings.provided.neon_adapters,
        http=http_neon_oauth,
        memory=providers.Singleton(
            StagingNeonOAuth,
            fake_auth_server,
            clock,
            issuer=settings.provided.oauth_issuer,
            scopes=settings.provided.scopes,
        ),
    )

    fresh_access_token = providers.Singleton(
        FreshAccessToken, connections, refresh_lock, neon_oauth, clock, telemetry
    )
    neon_call = providers.Singleton(NeonCall, fresh_access_token, connections)

    # Use cases, named as the HTTP handlers ask for them.
    authenticate_member = providers.Singleton(AuthenticateMember, members)
    ensure_bootstrap_admin = providers.Singleton(EnsureBootstrapAdmin, workspaces, members, clock)
    list_integrations = providers.Singleton(ListIntegrations, connections)
    get_integration_status = providers.Singleton(GetIntegrationStatus, connections, selections)
    start_connection = providers.Singleton(
        StartConnection, authorizations, neon_oauth, clock, settings.provided.redirect_uri
    )
    complete_connection = providers.Singleton(
        CompleteConnection,
        authorizations,
        connections,
        refresh_lock,
        selections,
        neon_oauth,
        neon_console,
        audit_log,
        clock,
    )
    disconnect = providers.Singleton(
        Disconnect, connections, refresh_lock, neon_oauth, audit_log, clock
    )
    list_projects = providers.Singleton(ListProjects, neon_call, neon_console, connections)
    select_project = providers.Singleton(
        SelectProject, neon_call, neon_console, selections, audit_log, clock
    )
    list_widget_library = providers.Singleton(ListWidgetLibrary)
    read_dashboards = providers.Singleton(ReadDashboards, dashboards)
    create_dashboard = providers.Singleton(CreateDashboard, dashboards)
    rename_dashboard = providers.Singleton(RenameDashboard, dashboards)
    delete_dashboard = providers.Singleton(DeleteDashboard, dashboards)
    add_widget = providers.Singleton(AddWidget, dashboards)
    configure_widget = providers.Singleton(ConfigureWidget, dashboards)
    remove_widget = providers.Singleton(RemoveWidget, dashboards)
    render_widget = providers.Singleton(
        RenderWidget, dashboards, selections, neon_call, neon_console, clock, telemetry
    )
    add_member = providers.Singleton(AddMember, members, audit_log, clock)
    list_members = providers.Singleton(ListMembers, members)
    revoke_member = providers.Singleton(RevokeMember, members, audit_log, clock)
    read_audit_log = providers.Singleton(ReadAuditLog, audit_log)
    create_workspace = providers.Singleton(CreateWorkspace, workspaces, members, clock)
    rotate_keys = providers.Singleton(RotateKeys, connections, refresh_lock)
    refresh_idle_connections = providers.Singleton(
        RefreshIdleConnections, connections, fresh_access_token, clock
    )


HANDLER_DEPENDENCIES = (
    "list_integrations",
    "get_integration_status",
    "start_connection",
    "complete_connection",
    "disconnect",
    "list_projects",
    "select_project",
    "list_widget_library",
    "read_dashboards",
    "create_dashboard",
    "rename_dashboard",
    "delete_dashboard",
    "add_widget",
    "configure_widget",
    "remove_widget",
    "render_widget",
    "add_member",
    "list_members",
    "revoke_member",
    "read_audit_log",
    "store_probe",
)
