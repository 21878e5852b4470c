"""The widget's trend (issue 10): points kept per (workspace, Neon account, project), thinned to
one per hour for 7 days and one per day to 90 days as they arrive (decision 0017).

The account id is a column, not a reference to the connection: a reconnect to the same account
replaces the connection row and keeps the trend.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from adapters.outbound.sql.tables import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "trend_points",
        sa.Column(
            "workspace_id",
            sa.String(36),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
            primary_key=True,
        ),
        sa.Column("account_id", sa.String(200), nullable=False, primary_key=True),
        sa.Column("project_id", sa.String(60), nullable=False, primary_key=True),
        sa.Column("at", UtcDateTime(), nullable=False, primary_key=True),
        sa.Column("storage_bytes", sa.BigInteger(), nullable=True),
        sa.Column("compute_seconds", sa.BigInteger(), nullable=True),
    )
    op.create_index("ix_trend_points_workspace_at", "trend_points", ["workspace_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_trend_points_workspace_at", table_name="trend_points")
    op.drop_table("trend_points")
