"""Queries of the delivery workers: claiming inbox and outbox rows with a lease, storing an inbox event, what is
due, what a paused team's channel holds back, and rewriting what quoted a redacted idea. Plain functions taking a
Session; the caller owns the transaction. Queuing a message is `storage.queries.add_outbox`, called in the
transaction of the change it tells of."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Select,
    Update,
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from storage.core import insert_skipping_taken, run
from storage.models import ERROR_CHARS, Idea, InboxEvent, OutboxKind, OutboxMessage, Team

# --- claims: the inbox and the outbox share one way of taking work with a lease ------------------------------
#
# These run on every request the bot answers (an event stored before its 200, a card posted after an ack): Core
# statements built once (`storage.core`). They change rows no ORM object in the session holds (the callers load a
# row after claiming it, if at all).

Claimable = type[InboxEvent] | type[OutboxMessage]


@functools.cache
def _claim_statement(model: Claimable) -> Update:
    return (
        update(model)
        .where(
            model.id == bindparam("row_id"),
            model.done_at.is_(None),
            or_(model.claim_until.is_(None), model.claim_until < bindparam("now")),
        )
        .values(claim=bindparam("token"), claim_until=bindparam("until"), attempts=model.attempts + 1)
    )


@functools.cache
def _finish_statement(model: Claimable, columns: tuple[str, ...]) -> Update:
    # One statement per set of columns given: a column not given keeps its value (an error from an earlier try).
    given: dict[str, Any] = {column: bindparam(f"v_{column}") for column in columns}
    return (
        update(model)
        .where(model.id == bindparam("row_id"), model.claim == bindparam("token"), model.done_at.is_(None))
        .values(done_at=bindparam("now"), claim=None, claim_until=None, **given)
    )


@functools.cache
def _unclaim_statement(model: Claimable) -> Update:
    return (
        update(model)
        .where(model.id == bindparam("row_id"), model.claim == bindparam("token"))
        .values(claim=None, claim_until=None, attempts=model.attempts - 1)
    )


@functools.cache
def _release_statement(model: Claimable) -> Update:
    return (
        update(model)
        .where(model.id == bindparam("row_id"), model.claim == bindparam("token"))
        .values(claim=None, claim_until=None, next_attempt_at=bindparam("next_at"), error=bindparam("message"))
    )


@functools.cache
def _renew_statement(model: Claimable) -> Update:
    return (
        update(model)
        .where(model.id == bindparam("row_id"), model.claim == bindparam("token"), model.done_at.is_(None))
        .values(claim_until=bindparam("until"))
    )


def renew(session: Session, model: Claimable, row_id: int, token: str, until: datetime) -> bool:
    """Extend a claim `token` still holds to `until` (even one whose lease ran out, if nobody took it over since);
    false when another worker holds the row now or it is done."""
    return run(session, _renew_statement(model), {"row_id": row_id, "token": token, "until": until}).rowcount == 1


def claim(session: Session, model: Claimable, row_id: int, token: str, now: datetime, until: datetime) -> bool:
    """Take a row to work on; false when it is done or another worker's lease still runs."""
    params = {"row_id": row_id, "now": now, "token": token, "until": until}
    return run(session, _claim_statement(model), params).rowcount == 1


def finish(session: Session, model: Claimable, row_id: int, token: str, now: datetime, **values: Any) -> bool:
    """Mark a claimed row done at `now` with `values` (columns of the row); false when `token` no longer holds the
    claim or it is done already."""
    params = {"row_id": row_id, "token": token, "now": now} | {f"v_{k}": v for k, v in values.items()}
    return run(session, _finish_statement(model, tuple(sorted(values))), params).rowcount == 1


def unclaim(session: Session, model: Claimable, row_id: int, token: str) -> None:
    """Give a claim back as if it had not been taken (the attempt it counted is taken back too)."""
    run(session, _unclaim_statement(model), {"row_id": row_id, "token": token})


def release(session: Session, model: Claimable, row_id: int, token: str, next_attempt_at: datetime, error: str) -> None:
    """Give a claim back so the row is tried again at `next_attempt_at`."""
    params = {"row_id": row_id, "token": token, "next_at": next_attempt_at, "message": error[:ERROR_CHARS]}
    run(session, _release_statement(model), params)


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


@functools.cache
def _add_inbox_event(dialect: str) -> Insert:
    return insert_skipping_taken(dialect, InboxEvent).returning(InboxEvent.id)


def add_inbox_event(
    session: Session,
    event_id: str,
    workspace_id: str,
    event_type: str,
    payload: dict[str, Any],
    now: datetime,
    *,
    claim: tuple[str, datetime] | None = None,
) -> int | None:
    """Store a delivery; None when this event_id is already stored (a retry or a duplicate). With `claim`, a
    (token, lease end) pair, it is stored claimed by that token (its first attempt counted), for the caller to
    apply without claiming it again; the sweep takes it over once the lease has run out."""
    row: dict[str, Any] = {
        "event_id": event_id, "workspace_id": workspace_id, "event_type": event_type, "payload": payload,
        "received_at": now, "next_attempt_at": now, "attempts": 0,
    }  # fmt: skip
    if claim is not None:
        row |= {"claim": claim[0], "claim_until": claim[1], "attempts": 1}
    # Its event_id taken (a retry, a duplicate): no row inserted and none returned. No savepoint needed.
    stored = run(session, _add_inbox_event(session.connection().dialect.name), row).scalar_one_or_none()
    return None if stored is None else int(stored)


def replace_outbox_texts(
    session: Session, idea_id: int, kinds: Sequence[str], key_suffixes: Sequence[str], text: str, now: datetime
) -> list[OutboxMessage]:
    """Give an idea's messages of `kinds` whose dedupe key ends in one of `key_suffixes` a new text (sent or not);
    returns them. Those already sent are marked stale since `now` (see `stale_replies`) until `mark_updated`."""
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
        # A thread reply is in Slack with the old words until updated (a DM's channel was not kept: it stays).
        if message.sent_ts and message.kind == OutboxKind.THREAD:
            message.stale_since = message.stale_since or now
    session.flush()
    return messages


def stale_replies(session: Session, limit: int) -> list[OutboxMessage]:
    """Up to `limit` sent thread replies whose text was replaced in the store but not yet in Slack, oldest
    first, leaving out those whose team is paused (their channel takes no posts)."""
    paused = select(Idea.id).join(Team, Team.id == Idea.team_id).where(Team.paused_at.is_not(None))
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.stale_since.is_not(None),
                OutboxMessage.sent_ts.is_not(None),
                or_(OutboxMessage.idea_id.is_(None), OutboxMessage.idea_id.not_in(paused)),
            )
            .order_by(OutboxMessage.stale_since, OutboxMessage.id)
            .limit(limit)
        )
    )


def count_stale(session: Session) -> int:
    """How many sent thread replies still show, in Slack, words the store has replaced."""
    return int(session.scalar(select(func.count()).where(OutboxMessage.stale_since.is_not(None))) or 0)


def mark_updated(session: Session, message_id: int, text: str | None) -> None:
    """Slack now shows message `message_id` as stored: no longer stale, unless its text changed again meanwhile
    (`text`: the text that was sent)."""
    session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.text == text).values(stale_since=None)
    )


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
