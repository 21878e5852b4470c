"""Durable storage: SQLAlchemy 2 (async) stores on SQLite or PostgreSQL, Alembic migrations, and
AES-256-GCM encryption of every token at rest."""
