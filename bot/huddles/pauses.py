"""Kaizen in a team's channel: pausing the team when Slack says the channel takes no posts, telling its leaders,
resuming it when Kaizen is back, and the hello when Kaizen is added to a channel.

A team whose channel Slack says takes no posts (archived, deleted, Kaizen removed) is paused: its huddle slots are
not due (nothing is claimed, so a slot still inside its grace window posts once the pause ends), its channel posts
wait in the outbox, its leaders are told once per pause, and Kaizen joining the channel or the channel being
unarchived ends the pause (`resume`). Should those events be missed (the bot was down), the huddle tick asks Slack
every PAUSE_CHECK whether Kaizen is back (`check_paused`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.delivery.outbox import Outbox, new_message
from bot.i18n import _, reading
from bot.render.refused import paused_notice_text
from bot.render.welcome import WELCOME_TEXT, welcome_blocks
from bot.render.words import to_dicts
from bot.slack.gateway import SlackError, SlackGateway
from bot.teams.emojis import ApproveEmojis
from bot.teams.languages import Languages
from bot.teams.leaders import Leaders
from storage import delivery, queries
from storage import huddles as store
from storage.db import Database
from storage.models import OutboxKind, Team

log = logging.getLogger(__name__)

# How often a paused team's channel is looked at (conversations.info), in case the event that ends the pause was
# missed: Slack retries an event only for about an hour, and not at all to a bot that was down.
PAUSE_CHECK = timedelta(minutes=15)


class Pauses:
    """Pausing a team whose channel takes no posts (`pause`), telling its leaders (`tell_paused`), and ending the
    pause when Kaizen is back (`resume`, `check_paused`, `welcome`)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        gateway: SlackGateway,
        outbox: Outbox,
        leaders: Leaders,
        emojis: ApproveEmojis,
        languages: Languages,
    ) -> None:
        self._languages = languages
        self._db = db
        self._clock = clock
        self._gateway = gateway
        self._outbox = outbox
        self._leaders = leaders
        self._emojis = emojis
        self._nobody_told: set[str] = set()  # pauses of teams without leaders, logged once
        self._checked: dict[tuple[int, datetime], datetime] = {}  # (team, pause) → when its channel was looked at

    # --- pausing -------------------------------------------------------------------------------------------

    def pause(self, team: Team, reason: str) -> bool:
        """Pause a team because Slack answered `reason` (one of `bot.slack.refusals.CHANNEL_GONE`) to a post in its
        channel: no huddles, no channel posts until `resume`. True for the one caller, in any process, that paused
        it."""
        with self._db.write() as session:
            paused = queries.pause_team(session, team.id, reason, self._clock.now())
        if paused:
            log.warning("Slack answered %s to a post in %s: team %s paused (no huddles, no card posts) until Kaizen "
                        "is back in a live channel", reason, team.channel_id, team.id)  # fmt: skip
        return paused

    def tell_paused(self) -> int:
        """Tell each leader of every paused team, by DM, once per pause (across processes: the DMs' dedupe keys
        name the pause), what happened and how to carry on. Returns how many DMs were queued now."""
        with self._db.read() as session:
            teams = store.paused_teams(session)
        queued = 0
        for team in teams:
            try:
                queued += self._tell_pause(team)
            except Exception:
                log.exception("Could not tell the leaders of paused team %s (%s)", team.id, team.channel_id)
        return queued

    def _tell_pause(self, team: Team) -> int:
        assert team.paused_at is not None
        prefix = f"paused:{team.id}:{team.paused_at:%Y%m%dT%H%M%S%f}:"
        with self._db.read() as session:
            if delivery.outbox_key_taken(session, prefix):
                return 0  # told already (here or in another process)
        leaders = self._leaders.everyone_leading(team.workspace_id, team)
        if not leaders:
            if prefix not in self._nobody_told:
                self._nobody_told.add(prefix)
                log.warning("Team %s (%s) is paused (%s) and has no leaders to tell", team.id, team.channel_id,
                            team.paused_reason)  # fmt: skip
            return 0
        now = self._clock.now()
        texts = self._languages.for_each(
            team.workspace_id, leaders, team, lambda: paused_notice_text(team.channel_id, team.paused_reason or "")
        )
        with self._db.write() as session:
            current = session.get(Team, team.id)
            if current is None or current.paused_at != team.paused_at:
                return 0  # the pause ended (or began again) since it was read: nothing to tell about this one
            ids = queue_dms(session, team, leaders, texts.__getitem__, lambda leader: prefix + leader, now)
        for message_id in ids:
            self._outbox.send(message_id)
        return len(ids)

    # --- resuming ------------------------------------------------------------------------------------------

    def check_paused(self) -> int:
        """Ask Slack about the channel of each team paused for longer than PAUSE_CHECK since it was last looked at,
        and end the pause where Kaizen is a member of a live channel again. Returns how many pauses ended."""
        now = self._clock.now()
        with self._db.read() as session:
            teams = store.paused_teams(session)
        current = {(team.id, team.paused_at) for team in teams}
        self._checked = {key: at for key, at in self._checked.items() if key in current}  # ended pauses go
        ended = 0
        for team in teams:
            assert team.paused_at is not None
            key = (team.id, team.paused_at)
            if self._checked.get(key, team.paused_at) + PAUSE_CHECK > now:
                continue
            self._checked[key] = now
            try:
                back = self._gateway.workspace(team.workspace_id).can_post(team.channel_id)
            except SlackError as error:
                log.info("Team %s stays paused: Slack answers %s about %s", team.id, error.code,
                         team.channel_id)  # fmt: skip
                continue
            if back:
                log.info("Kaizen is a member of %s again (an event saying so was missed)", team.channel_id)
                ended += self.resume(team.channel_id)
        return ended

    def _unpause(self, channel_id: str) -> list[int] | None:
        """End the pause of the channel's team; the ids of its posts that waited (now due), or None if not paused."""
        with self._db.write() as session:
            team = queries.team_of_channel(session, channel_id)
            if team is None or not queries.unpause_team(session, team.id):
                return None
            waiting = delivery.release_held(session, team, self._clock.now())
        log.info("Kaizen is back in %s: team %s un-paused; %s waiting posts go up", channel_id, team.id, len(waiting))
        return waiting

    def resume(self, channel_id: str) -> bool:
        """Kaizen is back in a live channel (it joined it, the channel was unarchived, or a post there went through):
        end its team's pause and post what waited, oldest first. True when a pause ended; a team not paused, or a
        channel that is no team, is left as it is."""
        waiting = self._unpause(channel_id)
        for message_id in waiting or ():
            self._outbox.send(message_id)
        return waiting is not None

    def welcome(self, workspace_id: str, channel_id: str, event_id: str) -> None:
        """Kaizen was added to a channel: say hello once (per `event_id`), with buttons to set up the huddle and add
        leaders. A team paused there is un-paused first (the hello and the cards that waited go up)."""
        waiting = self._unpause(channel_id)
        team = None
        with self._db.read() as session:
            team = queries.team_of_channel(session, channel_id)
        emoji = self._emojis.for_team(team)
        with reading(self._languages.of_team(team)):  # the channel's language (the bot's, for a new team)
            text, blocks = _(WELCOME_TEXT), to_dicts(welcome_blocks(emoji))
        message = new_message(
            kind=OutboxKind.CHANNEL, dedupe_key=f"welcome:{channel_id}:{event_id}", workspace_id=workspace_id,
            channel_id=channel_id, now=self._clock.now(), text=text, blocks=blocks,
        )  # fmt: skip
        with self._db.write() as session:
            message_id = queries.add_outbox(session, message)
        if message_id is not None:
            self._outbox.send(message_id)
        for waited in waiting or ():
            self._outbox.send(waited)


def queue_dms(
    session: Session,
    team: Team,
    user_ids: Sequence[str],
    text: Callable[[str], str],
    key: Callable[[str], str],
    now: datetime,
) -> list[int]:
    """Queue one DM to each of `user_ids` in the outbox, once each: `text(user_id)` in their words, `key(user_id)`
    its dedupe key; returns the ids of the messages queued now (the caller sends them)."""
    ids = []
    for user_id in user_ids:
        message = new_message(
            kind=OutboxKind.DM, dedupe_key=key(user_id), workspace_id=team.workspace_id, user_id=user_id,
            text=text(user_id), now=now,
        )  # fmt: skip
        message_id = queries.add_outbox(session, message)
        if message_id is not None:
            ids.append(message_id)
    return ids
