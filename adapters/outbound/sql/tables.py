"""The schema, as SQLAlchemy Core tables (the migrations create exactly this)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    func,
)
from sqlalchemy.engine import Dialect

metadata = MetaData()


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


UTC_TIME = UtcDateTime()


def _workspace_id(
    *, index: bool = False, unique: bool = False, primary_key: bool = False
) -> Column[str]:
    """The owning workspace; a workspace's rows go with it."""
    return Column(
        "workspace_id",
        String(36),
        ForeignKey("workspaces.id", ondelete="CASCADE"),
        nullable=False,
        index=index or None,
        unique=unique or None,
        primary_key=primary_key,
    )


workspaces = Table(
    "workspaces",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UTC_TIME, nullable=False),
)

members = Table(
    "members",
    metadata,
    Column("id", String(36), primary_key=True),
    _workspace_id(index=True),
    Column("email", String(320), nullable=False),
    Column("role", String(16), nullable=False),
    Column("token_fingerprint", String(64), nullable=False, unique=True),
    Column("created_at", UTC_TIME, nullable=False),
)
# A workspace's members have distinct addresses, compared case-insensitively (migration 0004).
Index(
    "uq_members_workspace_email", members.c.workspace_id, func.lower(members.c.email), unique=True
)

revoked_tokens = Table(  # revoked members' token fingerprints: a restart cannot bring one back
    "revoked_tokens",
    metadata,
    Column("token_fingerprint", String(64), primary_key=True),
    Column("revoked_at", UTC_TIME, nullable=False),
)

connections = Table(
    "connections",
    metadata,
    Column("id", String(36), primary_key=True),
    _workspace_id(unique=True),
    Column("account_id", String(200), nullable=False),
    Column("account_email", String(320), nullable=False),
    Column("account_name", String(200), nullable=False),
    Column("access_token", Text, nullable=False),  # key id + AES-GCM ciphertext
    Column("refresh_token", Text, nullable=True),  # key id + AES-GCM ciphertext
    Column("issued_at", UTC_TIME, nullable=False),
    Column("expires_at", UTC_TIME, nullable=False),
    Column("scopes", Text, nullable=False),
    Column("connected_at", UTC_TIME, nullable=False),
    Column("health", String(32), nullable=False),
    Column("reauthorization_reason", String(32), nullable=True),
    Column("version", BigInteger, nullable=False),
    Column("refresh_blocked_until", UTC_TIME, nullable=True),
    Column("console_rejected_since", UTC_TIME, nullable=True),
    Column("console_rejected_last", UTC_TIME, nullable=True),
)

pending_authorizations = Table(
    "pending_authorizations",
    metadata,
    Column("state_fingerprint", String(64), primary_key=True),
    Column("browser_fingerprint", String(64), nullable=False),
    _workspace_id(),
    Column(  # revoking the admin who started a connect ends it
        "started_by_member_id",
        String(36),
        ForeignKey("members.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("code_verifier", Text, nullable=False),  # encrypted
    Column("redirect_uri", Text, nullable=False),
    Column("created_at", UTC_TIME, nullable=False, index=True),
)

selections = Table(
    "selections",
    metadata,
    _workspace_id(primary_key=True),
    Column("project_id", String(60), nullable=False),
    Column("project_name", String(200), nullable=False),
    Column("selected_at", UTC_TIME, nullable=False),
    Column("selected_by", String(320), nullable=False),
)

dashboards = Table(
    "dashboards",
    metadata,
    Column("id", String(36), primary_key=True),
    _workspace_id(index=True),
    Column("name", String(200), nullable=False),
    Column("position", BigInteger, nullable=False),
)

widgets = Table(
    "widgets",
    metadata,
    Column("id", String(36), primary_key=True),
    Column(
        "dashboard_id",
        String(36),
        ForeignKey("dashboards.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(32), nullable=False),
    Column("project_id", String(60), nullable=True),
    Column("position", Integer, nullable=False),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    _workspace_id(),
    Column("at", UTC_TIME, nullable=False),
    Column("actor", String(320), nullable=False),
    Column("actor_id", String(36), nullable=True),  # the member; kept after they are revoked
    Column("action", String(64), nullable=False),
    Column("detail", JSON, nullable=False),
    Index("ix_audit_events_workspace_at", "workspace_id", "at"),
)

refresh_leases = Table(  # SQLite's cross-process refresh lock (PostgreSQL uses advisory locks)
    "refresh_leases",
    metadata,
    Column("connection_id", String(36), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
)

metrics_snapshots = Table(  # the last good data of each project a connection showed
    "metrics_snapshots",
    metadata,
    _workspace_id(primary_key=True),
    Column("connection_id", String(36), primary_key=True),  # not a foreign key: see 0006
    Column("project_id", String(60), primary_key=True),
    Column("fetched_at", UTC_TIME, nullable=False),
    Column("data", JSON, nullable=False),
)

fetch_leases = Table(  # who fetches a project's data for every instance (issue 9)
    "fetch_leases",
    metadata,
    _workspace_id(primary_key=True),
    Column("connection_id", String(36), primary_key=True),  # not a foreign key: see 0006
    Column("project_id", String(60), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("expires_at", UTC_TIME, nullable=False),
    Column("failure", String(32), nullable=True),
)

neon_budgets = Table(  # the call budget of each Neon account, shared by every instance
    "neon_budgets",
    metadata,
    Column("account_id", String(200), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("refilled_at", UTC_TIME, nullable=False),
    Column("paused_until", UTC_TIME, nullable=True),
)

trend_points = Table(  # the widget's trend: thinned as points arrive (domain/trend.py)
    "trend_points",
    metadata,
    _workspace_id(primary_key=True),
    Column("account_id", String(200), primary_key=True),  # Neon's account: kept on reconnect
    Column("project_id", String(60), primary_key=True),
    Column("at", UTC_TIME, primary_key=True),
    Column("storage_bytes", BigInteger, nullable=True),
    Column("compute_seconds", BigInteger, nullable=True),
    Index("ix_trend_points_workspace_at", "workspace_id", "at"),  # expiry without a scan
)


def _member_id() -> Column[str]:
    """The signed-in member; their sessions and links go with them (migration 0007)."""
    return Column(
        "member_id",
        String(36),
        ForeignKey("members.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


web_sessions = Table(  # signed-in browsers; the cookie holds the secret, this its digest
    "web_sessions",
    metadata,
    Column("digest", String(64), primary_key=True),
    _member_id(),
    _workspace_id(),
    Column("created_at", UTC_TIME, nullable=False),
    Column("expires_at", UTC_TIME, nullable=False, index=True),
)

sign_in_links = Table(  # single-use sign-in links (`serve` prints one in fake mode)
    "sign_in_links",
    metadata,
    Column("digest", String(64), primary_key=True),
    _member_id(),
    _workspace_id(),
    Column("expires_at", UTC_TIME, nullable=False, index=True),
)
