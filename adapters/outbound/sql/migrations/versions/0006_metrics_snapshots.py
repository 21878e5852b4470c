"""The last good data of each project a workspace's connection showed (issue 9).

The connection id is a column, not a foreign key to connections: the use cases delete a
workspace's snapshots in the same transaction that removes or replaces its connection, and a
foreign key would make every snapshot write wait on the connection row's lock.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from adapters.outbound.sql.tables import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metrics_snapshots",
        sa.Column(
            "workspace_id",
            sa.String(36),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
            primary_key=True,
        ),
        sa.Column("connection_id", sa.String(36), nullable=False, primary_key=True),
        sa.Column("project_id", sa.String(60), nullable=False, primary_key=True),
        sa.Column("fetched_at", UtcDateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("metrics_snapshots")
