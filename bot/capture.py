""":bulb: on a reply in a huddle thread turns that reply into an idea (author = who wrote it), once however many
react; the thread is told, and the writer is told privately with Undo and Make anonymous."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from sqlalchemy import delete, select

from bot import render
from bot.lifecycle import NotAllowed
from bot.outbox import new_message
from bot.services import Services
from bot.text import decode_slack_text
from bot.workflow import InvalidIdea, NewIdea, raise_idea
from storage import huddles as store
from storage import queries
from storage.models import Idea, IdeaEvent, IdeaStatus, OutboxKind, OutboxMessage, Source, Supporter

log = logging.getLogger(__name__)

BULB = "bulb"


@dataclass(frozen=True)
class Captured:
    idea: Idea
    message_ids: list[int]


def capture_reply(services: Services, workspace_id: str, channel_id: str, ts: str) -> Captured | None:
    """Turn the reply at (channel, ts) into an idea if it is a reply in one of our huddle threads."""
    team = _team(services, workspace_id, channel_id)
    if team is None:
        return None
    message = _reply(services, workspace_id, channel_id, ts)
    if message is None or not message.get("thread_ts") or message.get("thread_ts") == ts:
        return None  # not a reply in a thread
    with services.db.read() as session:
        if store.huddle_post_by_message(session, team.id, str(message["thread_ts"])) is None:
            return None  # a thread, but not a huddle's
    author = message.get("user")
    text = decode_slack_text(str(message.get("text") or "")).strip()
    if not author or message.get("bot_id") or not text:
        return None
    new = NewIdea(
        workspace_id=workspace_id, channel_id=channel_id, channel_name=team.name, author_id=str(author),
        problem=text[:2000], source=Source.BULB, source_message=(channel_id, ts),
    )  # fmt: skip
    try:
        raised = raise_idea(services.db, services.clock, new)
    except InvalidIdea:
        return None
    except Exception:
        # The unique source message: someone else's :bulb: got there first. Anything else is a real failure.
        with services.db.read() as session:
            if queries.idea_by_source(session, workspace_id, channel_id, ts) is not None:
                return None
        raise
    idea, now = raised.idea, services.clock.now()
    ids = [raised.card_message_id]
    with services.db.write() as session:
        for message_row in (
            new_message(
                kind=OutboxKind.CHANNEL, dedupe_key=f"bulb-confirm:{idea.id}", workspace_id=workspace_id,
                idea_id=idea.id, channel_id=channel_id, thread_ts=str(message["thread_ts"]), now=now,
                text=render.bulb_confirmation(idea),
            ),
            new_message(
                kind=OutboxKind.EPHEMERAL, dedupe_key=f"bulb-private:{idea.id}", workspace_id=workspace_id,
                idea_id=idea.id, channel_id=channel_id, user_id=idea.author_id, now=now,
                text=render.bulb_private_text(idea), blocks=render.to_dicts(render.bulb_private_blocks(idea)),
            ),
        ):  # fmt: skip
            message_id = queries.add_outbox(session, message_row)
            if message_id is not None:
                ids.append(message_id)
    for message_id in ids:
        services.outbox.send(message_id)
    return Captured(idea, ids)


def _team(services: Services, workspace_id: str, channel_id: str):
    with services.db.read() as session:
        return queries.get_team(session, workspace_id, channel_id)


def _reply(services: Services, workspace_id: str, channel_id: str, ts: str) -> dict | None:
    try:
        response = services.web(workspace_id).conversations_replies(
            channel=channel_id, ts=ts, latest=ts, oldest=ts, inclusive=True, limit=1
        )
    except SlackApiError as error:
        log.warning("Could not read the reply %s/%s: %s", channel_id, ts, error.response.get("error"))
        return None
    for message in response.get("messages", []):
        if message.get("ts") == ts:
            return dict(message)
    return None


def _own_captured_idea(services: Services, idea_id: int, user_id: str) -> Idea:
    with services.db.read() as session:
        idea = queries.idea_by_id(session, idea_id)
    if idea is None:
        raise NotAllowed("That idea is already gone.")
    if idea.author_id != user_id or idea.source_ts is None:
        raise NotAllowed("Only the person who wrote the reply can do this.")
    return idea


def undo(services: Services, idea_id: int, user_id: str) -> None:
    """Take a captured reply back: the idea, its card and the thread's confirmation go; its number is not reused."""
    idea = _own_captured_idea(services, idea_id, user_id)
    if idea.status != IdeaStatus.NEW:
        raise NotAllowed("This idea has moved on already, so it can't be undone — a leader can help.")
    client = services.web(idea.workspace_id)
    with services.db.write() as session:
        posted = list(
            session.execute(
                select(OutboxMessage.channel_id, OutboxMessage.kind, OutboxMessage.sent_ts).where(
                    OutboxMessage.idea_id == idea.id, OutboxMessage.sent_ts.is_not(None)
                )
            )
        )
        for model in (OutboxMessage, IdeaEvent, Supporter):
            session.execute(delete(model).where(model.idea_id == idea.id))
        session.execute(delete(Idea).where(Idea.id == idea.id))
    for channel, kind, ts in posted:
        if kind in (OutboxKind.CARD, OutboxKind.CHANNEL) and ts:
            try:
                client.chat_delete(channel=channel or idea.team.channel_id, ts=ts)
            except SlackApiError as error:
                log.warning(
                    "Could not delete message %s of undone idea %s: %s", ts, idea.id, error.response.get("error")
                )


def make_anonymous(services: Services, idea_id: int, user_id: str) -> None:
    """The writer chose to take their name off the idea: card and confirmation no longer show it."""
    idea = _own_captured_idea(services, idea_id, user_id)
    with services.db.write() as session:
        row = queries.idea_by_id(session, idea.id)
        assert row is not None
        row.anonymous, row.owner_id = True, None
        queries.bump_card(session, idea.id)
        confirmations = list(
            session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.idea_id == idea.id, OutboxMessage.dedupe_key == f"bulb-confirm:{idea.id}"
                )
            )
        )
        session.flush()
        session.refresh(row)
        text = render.bulb_confirmation(row)
        for confirmation in confirmations:
            confirmation.text = text
    services.outbox.sync_card(idea.id)
    client = services.web(idea.workspace_id)
    for confirmation in confirmations:
        if confirmation.sent_ts:
            try:
                client.chat_update(channel=confirmation.channel_id or "", ts=confirmation.sent_ts, text=text)
            except SlackApiError as error:
                log.warning("Could not update the confirmation of idea %s: %s", idea.id, error.response.get("error"))
