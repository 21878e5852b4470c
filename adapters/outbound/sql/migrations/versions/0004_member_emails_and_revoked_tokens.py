"""A workspace's members have distinct addresses (case-insensitively); revoked tokens are kept.

The unique index is on (workspace_id, lower(email)), an expression index both SQLite and
PostgreSQL enforce. Duplicates the service made itself (several operator admins called
admin@localhost, one per bootstrap token ever set) are given addresses of their own first;
duplicates people made are not merged silently: the upgrade stops and lists them, and an
operator revokes or renames the extra ones before upgrading again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from adapters.outbound.sql.migrate import MigrationStopped
from adapters.outbound.sql.tables import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OPERATOR_EMAIL = "admin@localhost"  # what bootstrap admins were called before this revision


def upgrade() -> None:
    bind = op.get_bind()
    operators = bind.execute(
        sa.text(
            "SELECT id, workspace_id FROM members WHERE email = :email ORDER BY created_at, id"
        ),
        {"email": OPERATOR_EMAIL},
    ).all()
    seen: set[str] = set()
    for member_id, workspace_id in operators:
        if workspace_id in seen:  # the first keeps the old address; the others get their own
            bind.execute(
                sa.text("UPDATE members SET email = :email WHERE id = :id"),
                {"email": f"admin-{member_id[:8]}@localhost", "id": member_id},
            )
        seen.add(workspace_id)
    duplicates = bind.execute(
        sa.text(
            "SELECT workspace_id, lower(email) FROM members GROUP BY workspace_id, lower(email)"
            " HAVING count(*) > 1 ORDER BY workspace_id, lower(email)"
        )
    ).all()
    if duplicates:
        listed = "; ".join(f"workspace {ws}: {email}" for ws, email in duplicates)
        raise MigrationStopped(
            "Members share an email address (compared case-insensitively) within a workspace, "
            f"which this version no longer allows: {listed}. Revoke the extra members "
            "with the version running now (DELETE /api/members/{id}), then upgrade again."
        )
    op.create_index(
        "uq_members_workspace_email",
        "members",
        ["workspace_id", sa.text("lower(email)")],
        unique=True,
    )
    op.create_table(
        "revoked_tokens",
        sa.Column("token_fingerprint", sa.String(64), primary_key=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("revoked_tokens")
    op.drop_index("uq_members_workspace_email", table_name="members")
