"""The walk-up form's records (product page, Walk-up form): each team's form addresses, what visitors sent that
waits for a leader's Accept, and the store's own secret that signs the form's CSRF tokens (the same in every
process). Times are UTC."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import CREDITED_NAME_CHARS, Base


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
    # `/kaizen form review on`: what visitors send waits for a leader's Accept (a WalkUpSubmission) before it is an
    # idea with a card. A new address keeps the setting of the one it replaces.
    review: Mapped[bool] = mapped_column(Boolean, default=False)


class WalkUpSubmission(Base):
    """What a visitor sent while the form's review was on, waiting for a leader's Accept: the text as it will be
    raised, the visitor's name, whether they said it holds no patient information. Deleted once a leader accepts
    it (it is then an idea) or declines it (nothing is kept); `taken_by` holds it while a leader's Accept is being
    carried out, so that two leaders cannot both raise it."""

    __tablename__ = "walkup_submissions"
    __table_args__ = (Index("ix_walkup_submissions_team", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    problem: Mapped[str] = mapped_column(Text)
    idea: Mapped[str | None] = mapped_column(Text)
    credited_name: Mapped[str | None] = mapped_column(String(CREDITED_NAME_CHARS))
    vouched: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime]
    taken_by: Mapped[str | None] = mapped_column(String(32))


class SpentFormToken(Base):
    """A walk-up form's CSRF token already used to send an idea (its random part): sent again (the back button,
    a double press) it is thanked without a second idea. Kept only as long as such a token is valid."""

    __tablename__ = "walkup_spent_tokens"
    __table_args__ = (Index("ix_walkup_spent_tokens_at", "spent_at"),)

    nonce: Mapped[str] = mapped_column(String(32), primary_key=True)
    spent_at: Mapped[datetime]


class AppSecret(Base):
    """A random secret the bot made for itself, by name (`walkup_csrf`): made once, by whichever process needs it
    first, and shared through the store so that a form served by one process is accepted by another."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
