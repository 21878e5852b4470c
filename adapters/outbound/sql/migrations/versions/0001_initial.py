"""The initial schema: workspaces, members, connections, pending authorizations, selections,
dashboards, widgets, the audit log and SQLite's refresh leases.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from adapters.outbound.sql.tables import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _ws_fk() -> sa.Column[str]:
    return sa.Column(
        "workspace_id",
        sa.String(36),
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.String(36), primary_key=True),
        _ws_fk(),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_fingerprint", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_members_workspace_id", "members", ["workspace_id"])
    op.create_table(
        "connections",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "workspace_id",
            sa.String(36),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        ),
        sa.Column("account_id", sa.String(200), nullable=False),
        sa.Column("account_email", sa.String(320), nullable=False),
        sa.Column("account_name", sa.String(200), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=True),
        sa.Column("issued_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("connected_at", UtcDateTime(), nullable=False),
        sa.Column("health", sa.String(32), nullable=False),
        sa.Column("reauthorization_reason", sa.String(32), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "pending_authorizations",
        sa.Column("state_fingerprint", sa.String(64), primary_key=True),
        sa.Column("browser_fingerprint", sa.String(64), nullable=False),
        _ws_fk(),
        sa.Column("started_by", sa.String(320), nullable=False),
        sa.Column("code_verifier", sa.Text(), nullable=False),
        sa.Column("redirect_uri", sa.Text(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
    )
    op.create_index(
        "ix_pending_authorizations_created_at", "pending_authorizations", ["created_at"]
    )
    op.create_table(
        "selections",
        sa.Column(
            "workspace_id",
            sa.String(36),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("project_id", sa.String(60), nullable=False),
        sa.Column("project_name", sa.String(200), nullable=False),
        sa.Column("selected_at", UtcDateTime(), nullable=False),
        sa.Column("selected_by", sa.String(320), nullable=False),
    )
    op.create_table(
        "dashboards",
        sa.Column("id", sa.String(36), primary_key=True),
        _ws_fk(),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_dashboards_workspace_id", "dashboards", ["workspace_id"])
    op.create_table(
        "widgets",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "dashboard_id",
            sa.String(36),
            sa.ForeignKey("dashboards.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("project_id", sa.String(60), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_widgets_dashboard_id", "widgets", ["dashboard_id"])
    op.create_table(
        "audit_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        _ws_fk(),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_events_workspace_at", "audit_events", ["workspace_id", "at"])
    op.create_table(
        "refresh_leases",
        sa.Column("connection_id", sa.String(36), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "refresh_leases",
        "audit_events",
        "widgets",
        "dashboards",
        "selections",
        "pending_authorizations",
        "connections",
        "members",
        "workspaces",
    ):
        op.drop_table(table)
