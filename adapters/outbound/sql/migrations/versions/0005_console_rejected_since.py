"""When the Console API started, and last went on, refusing fresh tokens (decision 0002).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from adapters.outbound.sql.tables import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("connections") as table:
        table.add_column(sa.Column("console_rejected_since", UtcDateTime(), nullable=True))
        table.add_column(sa.Column("console_rejected_last", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("connections") as table:
        table.drop_column("console_rejected_last")
        table.drop_column("console_rejected_since")
