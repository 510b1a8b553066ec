"""Alembic environment: run with the connection `storage.migrate.upgrade` hands over (inside its lock)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from storage.models import Base
from storage.models_measures import MeasurePeriods, MeasureStep, TeamHeadcount
from storage.models_privacy import ErasureRequest, RetentionRun
from storage.models_spread import Spread
from storage.models_tiers import Escalation
from storage.models_walkup import AppSecret, SpentFormToken, WalkUpForm, WalkUpSubmission

# Every table is in Base.metadata once its model is imported (the measures', privacy, escalation, spreading and
# walk-up tables live in modules of their own).
assert {
    model.__tablename__
    for model in (
        MeasurePeriods,
        MeasureStep,
        TeamHeadcount,
        ErasureRequest,
        RetentionRun,
        AppSecret,
        SpentFormToken,
        Escalation,
        Spread,
        WalkUpForm,
        WalkUpSubmission,
    )
} <= set(Base.metadata.tables)

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    # `alembic revision --autogenerate` from a developer's shell: a throwaway engine on sqlalchemy.url.
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///kaizen.db")
    with engine.begin() as own_connection:
        context.configure(connection=own_connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
