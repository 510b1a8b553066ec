"""The store's privacy records (product page, Privacy): people's requests to be forgotten, and the daily retention
run's claim. Times are UTC."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class ErasureRequest(Base):
    """Someone's request to be forgotten (`/kaizen forget me`), or an administrator's `kaizen-bot person forget`.

    Until carried out, `user_id` is the person's Slack user id; carrying it out replaces it, as everywhere else, with
    the pseudonym this row's id gives ("former colleague #<id>"), so the row itself keeps no id. `delete_text`: the
    person also asked for the text of the ideas only they wrote to be removed."""

    __tablename__ = "erasure_requests"
    __table_args__ = (Index("ix_erasure_requests_user", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    delete_text: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_at: Mapped[datetime]
    carried_out_at: Mapped[datetime | None]
    # What carrying it out changed, per table: {"ideas.author_id": 3, …} (counts only, no ids, no text).
    changed: Mapped[dict[str, int] | None] = mapped_column(JSON)


class RetentionRun(Base):
    """One day's retention run (`bot.privacy.retention`), claimed with a lease so that it runs once across processes:
    `day` is the UTC date; `finished_at` is set when it has gone through every idea due."""

    __tablename__ = "retention_runs"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    claim: Mapped[str | None] = mapped_column(String(64))
    claim_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None]
    # What it did: {"ideas": n, "cards": n, "replies": n, "skipped_channels": [...], "inbox": n, "outbox": n}.
    report: Mapped[dict[str, object] | None] = mapped_column(JSON)
