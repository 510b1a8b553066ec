"""SQLAlchemy models, queries and Alembic migrations. Knows nothing of Slack."""
