"""Alembic environment: migrations run on a connection handed in by the caller (see migrate.py),
so they work from the command line and from inside a running event loop alike."""

from __future__ import annotations

from alembic import context

from adapters.outbound.sql.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
