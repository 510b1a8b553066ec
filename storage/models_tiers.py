"""Escalations (product page, Tiers and escalation): each hop of an idea up the tiers, with its reason, who sent it
and how it ended, and the idea's second card in the upper team's channel. The tier links themselves are columns of
`teams` (`Team.upper_team_id`). Times are UTC."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class HopEnd(StrEnum):
    """How an escalation hop ended: the upper team sent it back, the lower team took it back, or the upper team
    escalated it further (a new hop above this one)."""

    SENT_BACK = "sent_back"
    TAKEN_BACK = "taken_back"
    PASSED_UP = "passed_up"


class Escalation(Base):
    """One hop of an idea from a team to the team one tier up. While a hop is open (`ended_at` None) the upper team
    decides the idea; an idea has at most one open hop (a partial unique index). The hop's own card in the upper
    channel is `card_ts`, kept up to date like the idea's first card (`card_synced_version` against the idea's
    `card_version`)."""

    __tablename__ = "escalations"
    __table_args__ = (
        Index("ix_escalations_idea", "idea_id", "ended_at"),
        Index("ix_escalations_to_team", "to_team_id", "ended_at"),
        Index("ix_escalations_card_ts", "card_ts"),
        Index(
            "uq_escalations_open_hop", "idea_id", unique=True,
            sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL"),
        ),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    from_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    to_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    reason: Mapped[str] = mapped_column(Text)
    escalated_by: Mapped[str] = mapped_column(String(32))
    escalated_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(32))
    ended_how: Mapped[str | None] = mapped_column(String(16))  # a HopEnd
    end_note: Mapped[str | None] = mapped_column(Text)
    card_ts: Mapped[str | None] = mapped_column(String(32))
    card_synced_version: Mapped[int] = mapped_column(Integer, default=0)
