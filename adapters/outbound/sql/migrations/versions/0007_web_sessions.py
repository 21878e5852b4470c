"""Signed-in browsers (issue 10): server-side sessions and single-use sign-in links.

Rows hold the digest of the secret the browser or the link carries, never the secret. Both go
with their member (ON DELETE CASCADE): revoking a member ends their sessions in the same
transaction, in every instance at once.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from adapters.outbound.sql.tables import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _owners() -> list[sa.Column[str]]:
    return [
        sa.Column(
            "member_id",
            sa.String(36),
            sa.ForeignKey("members.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "workspace_id",
            sa.String(36),
            sa.ForeignKey("workspaces.id", ondelete="CASCADE"),
            nullable=False,
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("digest", sa.String(64), primary_key=True),
        *_owners(),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False, index=True),
    )
    op.create_table(
        "sign_in_links",
        sa.Column("digest", sa.String(64), primary_key=True),
        *_owners(),
        sa.Column("expires_at", UtcDateTime(), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("sign_in_links")
    op.drop_table("web_sessions")
