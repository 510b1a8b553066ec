"""The walk-up form's records (product page, Walk-up form): each team's form addresses, and the store's own secret
that signs the form's CSRF tokens (the same in every process). Times are UTC."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class WalkUpForm(Base):
    """One address of a team's walk-up form, `/raise/<token>`. Only the token's SHA-256 (hex) is kept: the token is
    shown once, to the leader who asked for it, and lives in the address and on the poster. A team has at most one
    open address: `revoked_at` is set when a new one replaces it (`closed` False: the old address says the form has
    moved) or when the form is turned off (`closed` True)."""

    __tablename__ = "walkup_forms"
    __table_args__ = (Index("ix_walkup_forms_team", "team_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(32))
    revoked_at: Mapped[datetime | None]
    closed: Mapped[bool] = mapped_column(Boolean, default=False)


class AppSecret(Base):
    """A random secret the bot made for itself, by name (`walkup_csrf`): made once, by whichever process needs it
    first, and shared through the store so that a form served by one process is accepted by another."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
