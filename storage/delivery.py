"""Queries of the delivery workers: claiming inbox and outbox rows with a lease, storing an inbox event, what is
due, what a paused team's channel holds back, and rewriting what quoted a redacted idea. Plain functions taking a
Session; the caller owns the transaction. Queuing a message is `storage.queries.add_outbox`, called in the
transaction of the change it tells of."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.db import changed_rows
from storage.models import ERROR_CHARS, Idea, InboxEvent, OutboxKind, OutboxMessage, Team

# --- claims: the inbox and the outbox share one way of taking work with a lease ------------------------------

Claimable = type[InboxEvent] | type[OutboxMessage]


def claim(session: Session, model: Claimable, row_id: int, token: str, now: datetime, until: datetime) -> bool:
    """Take a row to work on; false when it is done or another worker's lease still runs."""
    result = session.execute(
        update(model)
        .where(
            model.id == row_id,
            model.done_at.is_(None),
            or_(model.claim_until.is_(None), model.claim_until < now),
        )
        .values(claim=token, claim_until=until, attempts=model.attempts + 1)
    )
    return changed_rows(result) == 1


def finish(session: Session, model: Claimable, row_id: int, token: str, now: datetime, **values: Any) -> bool:
    """Mark a claimed row done at `now` with `values` (columns of the row); false when `token` no longer holds the
    claim or it is done already."""
    result = session.execute(
        update(model)
        .where(model.id == row_id, model.claim == token, model.done_at.is_(None))
        .values(done_at=now, claim=None, claim_until=None, **values)
    )
    return changed_rows(result) == 1


def unclaim(session: Session, model: Claimable, row_id: int, token: str) -> None:
    """Give a claim back as if it had not been taken (the attempt it counted is taken back too)."""
    session.execute(
        update(model)
        .where(model.id == row_id, model.claim == token)
        .values(claim=None, claim_until=None, attempts=model.attempts - 1)
    )


def release(session: Session, model: Claimable, row_id: int, token: str, next_attempt_at: datetime, error: str) -> None:
    """Give a claim back so the row is tried again at `next_attempt_at`."""
    session.execute(
        update(model)
        .where(model.id == row_id, model.claim == token)
        .values(claim=None, claim_until=None, next_attempt_at=next_attempt_at, error=error[:ERROR_CHARS])
    )


def _due(model: Claimable, now: datetime) -> list[ColumnElement[bool]]:
    """The conditions of a row to work on at `now`: not done, due, and not held by a live lease."""
    return [
        model.done_at.is_(None),
        model.next_attempt_at <= now,
        or_(model.claim_until.is_(None), model.claim_until < now),
    ]


def pending(session: Session, model: Claimable, now: datetime, limit: int) -> list[int]:
    """Rows not done, due, and not held by a live lease, oldest first."""
    return list(session.scalars(select(model.id).where(*_due(model, now)).order_by(model.id).limit(limit)))


def add_inbox_event(
    session: Session, event_id: str, workspace_id: str, event_type: str, payload: dict[str, Any], now: datetime
) -> int | None:
    """Store a delivery; None when this event_id is already stored (a retry or a duplicate)."""
    try:
        with session.begin_nested():
            row = InboxEvent(
                event_id=event_id,
                workspace_id=workspace_id,
                event_type=event_type,
                payload=payload,
                received_at=now,
                next_attempt_at=now,
            )
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row.id


def replace_outbox_texts(
    session: Session, idea_id: int, kinds: Sequence[str], key_suffixes: Sequence[str], text: str
) -> list[OutboxMessage]:
    """Give an idea's messages of `kinds` whose dedupe key ends in one of `key_suffixes` a new text (sent or not);
    returns them."""
    messages = list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.idea_id == idea_id,
                OutboxMessage.kind.in_(list(kinds)),
                or_(*(OutboxMessage.dedupe_key.endswith(suffix, autoescape=True) for suffix in key_suffixes)),
            )
            .order_by(OutboxMessage.id)
        )
    )
    for message in messages:
        message.text, message.blocks = text, None
    session.flush()
    return messages


# --- paused teams: their channel's posts wait ------------------------------------------------------------------

# Outbox kinds posted in the channel of the idea's team, and kinds posted in the channel the row names. DMs go to a
# person and are never held by a pause.
_IN_IDEA_CHANNEL = (OutboxKind.CARD, OutboxKind.THREAD)
_IN_NAMED_CHANNEL = (OutboxKind.CHANNEL, OutboxKind.EPHEMERAL)


def _posts_in(ideas: Select[int], channels: Select[str]) -> ColumnElement[bool]:
    """Outbox rows posted in a channel of `channels` or, for cards and their thread replies, for an idea of
    `ideas` (both subqueries). Never NULL, so that it can be negated."""
    return or_(
        and_(OutboxMessage.kind.in_(_IN_IDEA_CHANNEL), func.coalesce(OutboxMessage.idea_id, 0).in_(ideas)),
        and_(OutboxMessage.kind.in_(_IN_NAMED_CHANNEL), func.coalesce(OutboxMessage.channel_id, "").in_(channels)),
    )


def pending_outbox(session: Session, now: datetime, limit: int) -> list[int]:
    """Outbox rows to send now, oldest first: not done, due, not held by a live lease, and not posting in the
    channel of a paused team (those wait, untouched, until the team is un-paused)."""
    paused_ideas = select(Idea.id).join(Team, Idea.team_id == Team.id).where(Team.paused_at.is_not(None))
    paused_channels = select(Team.channel_id).where(Team.paused_at.is_not(None))
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .where(*_due(OutboxMessage, now), ~_posts_in(paused_ideas, paused_channels))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def release_held(session: Session, team: Team, now: datetime) -> list[int]:
    """Make every unsent post in `team`'s channel due at `now` (the team was just un-paused): returns their ids,
    oldest first, so cards go up in the order they were raised."""
    where = (
        OutboxMessage.done_at.is_(None),
        _posts_in(select(Idea.id).where(Idea.team_id == team.id), select(Team.channel_id).where(Team.id == team.id)),
    )
    ids = list(session.scalars(select(OutboxMessage.id).where(*where).order_by(OutboxMessage.id)))
    session.execute(update(OutboxMessage).where(*where).values(next_attempt_at=now))
    return ids


def outbox_key_taken(session: Session, prefix: str) -> bool:
    """Whether any outbox message's dedupe key starts with `prefix` (something was already queued for it)."""
    found = session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.dedupe_key.startswith(prefix, autoescape=True)).limit(1)
    ).first()
    return found is not None


def card_refused(session: Session, idea_id: int) -> str | None:
    """The error its card was given up with, when Slack refused an idea's card for good; else None."""
    return session.scalars(
        select(OutboxMessage.error).where(
            OutboxMessage.idea_id == idea_id,
            OutboxMessage.kind == OutboxKind.CARD,
            OutboxMessage.done_at.is_not(None),
            OutboxMessage.sent_ts.is_(None),
        )
    ).first()
