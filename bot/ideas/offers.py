"""What a Done owes other teams, written in the Done's own transaction (`Lifecycle.done`): a suggestion for each team
named on "Where else could this help?" (`storage.spreads.offer`, a SUGGESTION message each through the outbox), and,
when the idea done is a copy another team tried, thanks in the original card's thread (`bot.notices.CopyDone`); and
what an edit or a redaction owes the copies still quoting an idea (`follow_text`, in that change's transaction)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.delivery.outbox import new_message
from bot.notices import CopyDone, Notice
from storage import queries, spreads
from storage.models import EventKind, Idea, IdeaStatus, OutboxKind, Source, Team

# Queues notices about an idea in the outbox: `Lifecycle.queue_notices` (session, idea, now, key, notices → ids).
QueueNotices = Callable[[Session, Idea, datetime, str, Sequence[Notice]], list[int]]


def queue_offers(session: Session, idea: Idea, teams: Sequence[Team], by: str, now: datetime) -> list[int]:
    """Offer `idea` to `teams` (each once: its own team and teams offered it before are skipped), each offer an
    event in its history and a suggestion queued for that team's channel; the ids of the messages queued."""
    channels = {team.id: team.channel_id for team in teams}
    ids: list[int] = []
    for spread in spreads.offer(session, idea, list(channels), by, now, suggested=True):
        channel = channels[spread.team_id]
        queries.add_event(session, idea, at=now, kind=EventKind.OFFERED, source=Source.BUTTON, actor_id=by,
                          note=channel)  # fmt: skip
        message = new_message(
            kind=OutboxKind.SUGGESTION, dedupe_key=f"spread:{spread.id}:post", workspace_id=idea.workspace_id,
            idea_id=idea.id, channel_id=channel, now=now,
        )  # fmt: skip
        queued = queries.add_outbox(session, message)
        if queued is not None:
            ids.append(queued)
    return ids


def thank_for_copy(session: Session, copy: Idea, by: str, now: datetime, key: str, queue: QueueNotices) -> list[int]:
    """`copy`, an idea another team tried from an original, is done (by `by`): thanks in the original card's thread,
    queued with `queue` once per copy ever (`key`, the Done's, is not used); the ids queued (none for an idea that is
    no copy, whose original is gone, or thanked before)."""
    if copy.copied_from_id is None:
        return []
    original = queries.idea_by_id(session, copy.copied_from_id)
    if original is None:
        return []
    # Keyed by the copy, not the Done: a copy reopened and done again thanks no one twice.
    return queue(session, original, now, f"copy:{copy.id}", [CopyDone(original, copy, copy.team.channel_id, by)])


# The history note of a copy's text changed with its original's (English, as data: `bot.render.words.SYSTEM_NOTES`).
FOLLOWED_NOTE = "as the idea it was tried from"

# The texts a copy starts with: those of its original (its outcome and what was learned are its own team's).
COPIED_TEXTS = ("problem", "idea", "benefit")


def follow_text(session: Session, original: Idea, values: dict[str, Any], now: datetime, kind: str) -> None:
    """The original's text changed (`values`, as `Lifecycle` writes them; `kind` EDITED or REDACTED): every copy of
    it whose copied texts still read as the original's did follows, so that an edit or a redaction made for
    privacy reaches every card that shows those words. A copy its team has since reworded keeps its own, and so do
    a copy's own notes and outcome (its team's words)."""
    if original.spread_at is None:
        return
    before = {name: getattr(original, name) for name in COPIED_TEXTS}
    after = {name: values[name] for name in COPIED_TEXTS if name in values}
    if kind == EventKind.REDACTED:
        after["redacted"] = True
    for copy_id in spreads.copies_with_text(session, original.id, before):
        queries.change_idea(session, copy_id, list(IdeaStatus), after)
        copy = queries.idea_by_id(session, copy_id)
        assert copy is not None
        # Said as Kaizen's doing in the copy's history: whoever changed the original may be its anonymous author.
        queries.add_event(session, copy, at=now, kind=EventKind(kind), source=Source.BUTTON, actor_id=None,
                          note=FOLLOWED_NOTE)  # fmt: skip
