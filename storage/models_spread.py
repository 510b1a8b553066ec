"""Spreading what works (yokoten; product page, Spreading what works): a done idea offered to another team, and
what that team made of it. The copy a team tries is an idea of its own (`Idea.copied_from_id` names the
original). Times are UTC."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class SpreadAnswer(StrEnum):
    """What the team offered an idea said: someone there tried it (a copy), or it is not for them."""

    TRIED = "tried"
    NOT_FOR_US = "not_for_us"


class Spread(Base):
    """An idea (`idea_id`, the original) offered to a team (`team_id`), once per team: named on the Done form's
    "Where else could this help?" (`suggested`: a suggestion with Try it here and Not for us is posted in that
    team's channel, `card_ts` once posted, redrawn like a card while `card_synced_version` lags the idea's
    `card_version`), or tried there straight from a done card ("Try it in my team", no suggestion posted). Its
    answer is written once, conditionally: two people pressing at once make one copy."""

    __tablename__ = "spreads"
    __table_args__ = (
        UniqueConstraint("idea_id", "team_id", name="uq_spreads_idea_team"),
        Index("ix_spreads_copy", "copy_id"),
        Index("ix_spreads_card_ts", "card_ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    offered_by: Mapped[str] = mapped_column(String(32))
    offered_at: Mapped[datetime]
    suggested: Mapped[bool]
    card_ts: Mapped[str | None] = mapped_column(String(32))
    card_synced_version: Mapped[int] = mapped_column(Integer, default=0)
    answer: Mapped[str | None] = mapped_column(String(16))  # a SpreadAnswer
    answered_by: Mapped[str | None] = mapped_column(String(32))
    answered_at: Mapped[datetime | None]
    copy_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
