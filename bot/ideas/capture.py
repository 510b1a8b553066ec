""":bulb: on a reply in a huddle thread turns that reply into an idea (author = who wrote it), once however many
react; the thread is told, and the writer is told privately with Undo and Make anonymous.

A reply that looks like it holds a patient identifier (`bot.privacy.screening`) is not turned into an idea: its
writer alone is asked, privately, to edit or delete it (Slack lets only them), with a button to say it isn't
patient information. Pressed by them, the reply is read again and raised (the history records that they said
so); by anyone else, nothing happens."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from bot import limits
from bot.clock import Clock
from bot.delivery.outbox import Outbox, new_message
from bot.i18n import _, reading
from bot.ideas.lifecycle import NotAllowed
from bot.ideas.workflow import InvalidIdea, NewIdea, raise_idea
from bot.privacy.identifiers import PatientIdGuard
from bot.privacy.screening import PatientDetails, screen
from bot.render import replies
from bot.render.words import to_dicts
from bot.slack.gateway import Message, SlackError, SlackGateway
from bot.teams.languages import Languages
from bot.teams.members import HumanMembers
from bot.text import decode_slack_text, is_blank
from storage import huddles as store
from storage import queries
from storage.db import Database
from storage.models import Idea, IdeaEvent, IdeaStatus, OutboxKind, OutboxMessage, Source, Supporter, Team

log = logging.getLogger(__name__)

BULB = "bulb"
THREAD_WINDOW = 10  # messages asked for when reading one reply: Slack puts the thread's parent first
THREAD_PAGES = 3  # a few pages at most, should Slack page the window anyway


@dataclass(frozen=True)
class Captured:
    """A reply turned into an idea, and the outbox messages queued for it (card, thread note, private note)."""

    idea: Idea
    message_ids: list[int]


class Capture:
    """Turns replies in huddle threads into ideas (`capture_reply`), and lets their writers take that back
    (`undo`) or take their name off (`make_anonymous`)."""

    def __init__(
        self, db: Database, clock: Clock, gateway: SlackGateway, outbox: Outbox, members: HumanMembers,
        languages: Languages, guard: PatientIdGuard | None = None,
    ) -> None:  # fmt: skip
        """`guard` screens the replies for patient identifiers (the default kinds without one)."""
        self._guard = guard or PatientIdGuard()
        self._languages = languages
        self._db = db
        self._clock = clock
        self._gateway = gateway
        self._outbox = outbox
        self._members = members

    def capture_reply(
        self, workspace_id: str, channel_id: str, ts: str, *, vouched_by: str | None = None
    ) -> Captured | None:
        """Turn the reply at (channel, ts) into an idea if it is a reply in one of our huddle threads.

        A reply that looks like it holds a patient identifier is held (None; its writer asked privately, once)
        unless `vouched_by` is its writer, who said it isn't patient information; NotAllowed when `vouched_by` is
        someone else.

        `ts` is the reply's own (a reaction event names only the message reacted to); the thread it belongs to is
        read from the reply itself. Nothing is captured, and None returned, for a top-level message, a thread that
        is not a huddle's, a reply by a bot or an app, or a reply whose text shows nothing. Slack's errors while
        reading are logged and give None (no answer at all, `SlackUnreachable`, propagates); the idea, once
        raised, is the same however many people react."""
        team = self._team(channel_id)
        if team is None:
            return None
        message = self._reply(workspace_id, channel_id, ts)
        if message is None or not message.get("thread_ts") or message.get("thread_ts") == ts:
            return None  # not a reply in a thread
        with self._db.read() as session:
            if store.huddle_post_by_message(session, team.id, str(message["thread_ts"])) is None:
                return None  # a thread, but not a huddle's
        author = message.get("user")
        text = decode_slack_text(str(message.get("text") or ""))
        if not author or message.get("bot_id") or message.get("subtype") == "bot_message" or is_blank(text):
            return None
        if not self._members.is_person(workspace_id, str(author)):
            return None  # another app's bot wrote it: only people's replies become ideas
        text = text.strip()
        if vouched_by is not None and vouched_by != author:
            raise NotAllowed(_("Only the person who wrote it can say that."))
        try:
            kinds = screen(self._guard, {"problem": text}, vouched=vouched_by == author)
        except PatientDetails as found:
            self._hold(workspace_id, channel_id, ts, str(message["thread_ts"]), str(author), team, found)
            return None
        new = NewIdea(
            workspace_id=workspace_id, channel_id=channel_id, channel_name=team.name, author_id=str(author),
            problem=text[: limits.PROBLEM_MAX], source=Source.BULB, source_message=(channel_id, ts),
        )  # fmt: skip
        try:
            raised = raise_idea(self._db, self._clock, new, vouched_kinds=kinds)
        except InvalidIdea:
            return None
        except Exception:
            # The unique source message: someone else's :bulb: got there first. Anything else is a real failure.
            with self._db.read() as session:
                if queries.idea_by_source(session, workspace_id, channel_id, ts) is not None:
                    return None
            raise
        idea, now = raised.idea, self._clock.now()
        ids = [raised.card_message_id]
        # The thread hears it in the team's language; the writer alone, in theirs.
        with reading(self._languages.of_team(team)):
            confirmation = replies.bulb_confirmation(idea)
        with reading(self._languages.of_person(workspace_id, idea.author_id, team=team)):
            private_text, private_blocks = replies.bulb_private_text(idea), to_dicts(replies.bulb_private_blocks(idea))
        with self._db.write() as session:
            for message_row in (
                new_message(
                    kind=OutboxKind.CHANNEL, dedupe_key=f"bulb-confirm:{idea.id}", workspace_id=workspace_id,
                    idea_id=idea.id, channel_id=channel_id, thread_ts=str(message["thread_ts"]), now=now,
                    text=confirmation,
                ),
                new_message(
                    kind=OutboxKind.EPHEMERAL, dedupe_key=f"bulb-private:{idea.id}", workspace_id=workspace_id,
                    idea_id=idea.id, channel_id=channel_id, user_id=idea.author_id, now=now,
                    text=private_text, blocks=private_blocks,
                ),
            ):  # fmt: skip
                message_id = queries.add_outbox(session, message_row)
                if message_id is not None:
                    ids.append(message_id)
        for message_id in ids:
            self._outbox.send(message_id)
        return Captured(idea, ids)

    def _hold(
        self, workspace_id: str, channel_id: str, ts: str, thread_ts: str, author: str, team: Team,
        found: PatientDetails,
    ) -> None:  # fmt: skip
        """Ask the reply's writer alone to edit or delete it (or raise it as it is), once however many react."""
        log.info("Held the :bulb: reply %s/%s: it looks like it holds %s", channel_id, ts, ", ".join(found.kinds))
        with reading(self._languages.of_person(workspace_id, author, team=team)):
            text, blocks = replies.bulb_held_text(found.kinds), replies.bulb_held_blocks(found.kinds, ts)
        self._tell_writer(workspace_id, channel_id, ts, thread_ts, author, text, to_dicts(blocks))

    def ask_writer(self, workspace_id: str, channel_id: str, ts: str, found: PatientDetails) -> None:
        """Someone raised the message at (channel, ts) with the message shortcut, and it looks like it holds
        patient identifiers (`found`, whose `writer` wrote it): ask its writer alone, once, to edit or delete it,
        or to raise it themselves. Nothing when the writer is no person (an app's message: nobody to ask)."""
        if found.writer is None or not found.writer.startswith(("U", "W")):
            return
        team = self._team(channel_id)
        log.info("Asked the writer of %s/%s to look at it: it looks like it holds %s", channel_id, ts,
                 ", ".join(found.kinds))  # fmt: skip
        with reading(self._languages.of_person(workspace_id, found.writer, team=team, channel_id=channel_id)):
            text = replies.shortcut_held_text(found.kinds)
        self._tell_writer(workspace_id, channel_id, ts, None, found.writer, text, None)

    def _tell_writer(
        self, workspace_id: str, channel_id: str, ts: str, thread_ts: str | None, writer: str, text: str,
        blocks: list[dict[str, Any]] | None,
    ) -> None:  # fmt: skip
        # Queued once per message (a dedupe key of its own), naming the kinds found and never the text: the outbox
        # keeps nothing of it that Slack does not already hold.
        with self._db.write() as session:
            message_id = queries.add_outbox(session, new_message(
                kind=OutboxKind.EPHEMERAL, dedupe_key=f"held:{channel_id}:{ts}", workspace_id=workspace_id,
                channel_id=channel_id, thread_ts=thread_ts, user_id=writer, now=self._clock.now(), text=text,
                blocks=blocks,
            ))  # fmt: skip
        if message_id is not None:
            self._outbox.send(message_id)

    def _team(self, channel_id: str) -> Team | None:
        with self._db.read() as session:
            return queries.team_of_channel(session, channel_id)

    def _reply(self, workspace_id: str, channel_id: str, ts: str) -> Message | None:
        """The message at `ts` as conversations.replies gives it (with its `thread_ts` when it is in a thread).

        Slack's first page of a thread carries the parent first, whatever `ts` of the thread is asked for, so a
        window of one would hold only the parent: ask for a window starting at the reply and pick it by its `ts`."""
        slack = self._gateway.workspace(workspace_id)
        try:
            return slack.message(channel_id, ts, pages=THREAD_PAGES, page_size=THREAD_WINDOW)
        except SlackError as error:
            log.warning("Could not read the reply %s/%s: %s", channel_id, ts, error.code)
        return None

    def _own_captured_idea(self, idea_id: int, user_id: str) -> Idea:
        with self._db.read() as session:
            idea = queries.idea_by_id(session, idea_id)
        if idea is None:
            raise NotAllowed(_("That idea is already gone."))
        if idea.author_id != user_id or idea.source_ts is None:
            raise NotAllowed(_("Only the person who wrote the reply can do this."))
        return idea

    def undo(self, idea_id: int, user_id: str) -> None:
        """Take a captured reply back: the idea, its card and the thread's confirmation go; its number is not
        reused. Raises NotAllowed (its words are for the person) when the idea is gone, is not `user_id`'s
        captured reply, or has moved on from "new" or up the tiers (escalated: its cards and history are beyond the
        thread). Slack's refusals to delete are logged."""
        idea = self._own_captured_idea(idea_id, user_id)
        if idea.status != IdeaStatus.NEW or idea.escalated_at is not None:
            raise NotAllowed(_("This idea has moved on already, so it can't be undone — a leader can help."))
        slack = self._gateway.workspace(idea.workspace_id)
        with self._db.write() as session:
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
                    slack.delete(channel or idea.team.channel_id, ts)
                except SlackError as error:
                    log.warning("Could not delete message %s of undone idea %s: %s", ts, idea.id, error.code)

    def make_anonymous(self, idea_id: int, user_id: str) -> None:
        """The writer chose to take their name off the idea: card and confirmation no longer show it. Raises
        NotAllowed as `undo` does; Slack's refusals to update the confirmation are logged."""
        idea = self._own_captured_idea(idea_id, user_id)
        with self._db.write() as session:
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
            with reading(self._languages.of_team(row.team)):  # the thread's words, not the writer's
                text = replies.bulb_confirmation(row)
            for confirmation in confirmations:
                confirmation.text = text
        self._outbox.sync_card(idea.id)
        slack = self._gateway.workspace(idea.workspace_id)
        for confirmation in confirmations:
            if confirmation.sent_ts:
                try:
                    slack.update(confirmation.channel_id or "", confirmation.sent_ts, text)
                except SlackError as error:
                    log.warning("Could not update the confirmation of idea %s: %s", idea.id, error.code)
