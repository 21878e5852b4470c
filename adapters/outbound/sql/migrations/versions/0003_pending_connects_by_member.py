"""Pending connects and audit events name their starter by member id.

A pending connect now belongs to the admin who started it (revoking the admin ends it); rows
written before are matched to their member by email, and the few that match nobody (their
admin is already gone) are dropped: a connect lives ten minutes anyway.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pending_authorizations") as table:
        table.add_column(sa.Column("started_by_member_id", sa.String(36), nullable=True))
    op.execute(
        "UPDATE pending_authorizations SET started_by_member_id = ("
        " SELECT members.id FROM members"
        " WHERE members.workspace_id = pending_authorizations.workspace_id"
        " AND members.email = pending_authorizations.started_by"
        " AND members.role = 'admin'"
        " ORDER BY members.created_at, members.id LIMIT 1)"
    )
    op.execute("DELETE FROM pending_authorizations WHERE started_by_member_id IS NULL")
    with op.batch_alter_table("pending_authorizations") as table:
        table.alter_column("started_by_member_id", existing_type=sa.String(36), nullable=False)
        table.drop_column("started_by")
        table.create_foreign_key(
            "fk_pending_authorizations_started_by_member_id_members",
            "members",
            ["started_by_member_id"],
            ["id"],
            ondelete="CASCADE",
        )
        table.create_index(
            "ix_pending_authorizations_started_by_member_id", ["started_by_member_id"]
        )
    with op.batch_alter_table("audit_events") as table:
        table.add_column(sa.Column("actor_id", sa.String(36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_events") as table:
        table.drop_column("actor_id")
    with op.batch_alter_table("pending_authorizations") as table:
        table.add_column(sa.Column("started_by", sa.String(320), nullable=True))
    op.execute(
        "UPDATE pending_authorizations SET started_by = ("
        " SELECT members.email FROM members"
        " WHERE members.id = pending_authorizations.started_by_member_id)"
    )
    with op.batch_alter_table("pending_authorizations") as table:
        table.alter_column("started_by", existing_type=sa.String(320), nullable=False)
        table.drop_index("ix_pending_authorizations_started_by_member_id")
        table.drop_constraint(
            "fk_pending_authorizations_started_by_member_id_members", type_="foreignkey"
        )
        table.drop_column("started_by_member_id")
