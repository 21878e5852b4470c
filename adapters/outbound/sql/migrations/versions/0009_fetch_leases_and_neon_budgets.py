"""The fetch lease per (workspace, connection, project) and the call budget per Neon account,
shared by every instance (issue 9, decision 0019).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from adapters.outbound.sql.tables import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fetch_leases",
        sa.Column(
            "workspace_id",
            sa.String(36),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
            primary_key=True,
        ),
        sa.Column("connection_id", sa.String(36), nullable=False, primary_key=True),
        sa.Column("project_id", sa.String(60), nullable=False, primary_key=True),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("failure", sa.String(32), nullable=True),
    )
    op.create_table(
        "neon_budgets",
        sa.Column("account_id", sa.String(200), nullable=False, primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", UtcDateTime(), nullable=False),
        sa.Column("paused_until", UtcDateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("neon_budgets")
    op.drop_table("fetch_leases")
