"""Tiers: a team's leaders name the team one tier up (ward → department → executive), where they escalate what
they cannot solve. The link works at once; the upper channel is told with a Refuse button for its leaders; a
refusal takes the link away and tells the lower channel. Cycles are refused; tiers nest to any depth.

Who may change a link is `bot.teams.permissions`; the rows are `storage.tiers`; the words are `bot.render.tiers`.
Notes to channels go through the outbox, queued in the transaction that made the change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.delivery.outbox import Outbox, new_message
from bot.i18n import reading
from bot.render import tiers as words
from storage import queries, tiers
from storage.db import Database
from storage.models import OutboxKind, Team

# What a refused link says, given the channel that was named.
_REFUSALS: dict[tiers.LinkRefused, Callable[[str], str]] = {
    tiers.LinkRefused.SELF: lambda _channel: words.self_text(),
    tiers.LinkRefused.CYCLE: words.cycle_text,
    tiers.LinkRefused.OTHER_WORKSPACE: words.other_workspace_text,
}


@dataclass(frozen=True)
class Chain:
    """What `/kaizen tier` shows: the team's channel, the channels above it (nearest first), the channels one tier
    below it, and how many teams are further below those."""

    channel_id: str
    above: tuple[str, ...]
    below: tuple[str, ...]
    deeper: int


class Tiers:
    """Tier links made, refused and taken away, each change told where it should be (see the module's
    docstring). `bot_is_member(workspace_id, channel_id)` says whether Kaizen is in a channel (True, False, or
    None when Slack could not say in time): a team can only escalate to a channel Kaizen can post in."""

    def __init__(
        self, db: Database, clock: Clock, outbox: Outbox, bot_is_member: Callable[[str, str], bool | None]
    ) -> None:
        self._db = db
        self._clock = clock
        self._outbox = outbox
        self._bot_is_member = bot_is_member

    def link_up(self, team: Team, upper_channel_id: str, upper_name: str, by: str) -> str:
        """Make the team of `upper_channel_id` (set up as a team, named `upper_name`, if it is none yet) `team`'s
        tier up, asked by `by` (whom the caller checked may). Returns the answer for `by` (mrkdwn we wrote): done,
        already so, or why not (Kaizen not in that channel, the team itself, a cycle, another organisation)."""
        if upper_channel_id == team.channel_id:
            return words.self_text()
        if self._bot_is_member(team.workspace_id, upper_channel_id) is not True:
            return words.invite_first_text(upper_channel_id)
        now = self._clock.now()
        with self._db.write() as session:
            tiers.lock_workspace(session, team.workspace_id)  # first: see its docstring
            upper = queries.ensure_team(session, team.workspace_id, upper_channel_id, upper_name, now)
            session.flush()
            outcome = tiers.link(session, team, upper, by, now)
            if isinstance(outcome, tiers.LinkRefused):
                return _REFUSALS[outcome](upper_channel_id)
            previous = session.get(Team, outcome.previous_upper_id) if outcome.previous_upper_id else None
            message_ids: list[int | None] = []
            if outcome.changed:
                tiers.redraw_open_cards(session, team.id)  # their menus offer Escalate… from now
                message_ids.append(self._tell_upper(session, team, upper, by, now))
                if previous is not None:
                    message_ids.append(self._tell_unlinked(session, team, previous, now))
        self._send(message_ids)
        if not outcome.changed:
            return words.already_linked_text(upper_channel_id)
        return words.linked_text(upper_channel_id, previous.channel_id if previous is not None else None)

    def unlink(self, team: Team) -> str:
        """`/kaizen tier off`: take away `team`'s tier up (the caller checked who may); the upper channel is told.
        Returns the answer for the person who asked."""
        now = self._clock.now()
        with self._db.write() as session:
            previous_id = tiers.unlink(session, team.id)
            if previous_id is not None:
                tiers.redraw_open_cards(session, team.id)  # no Escalate… any more
            previous = session.get(Team, previous_id) if previous_id is not None else None
            message_id = self._tell_unlinked(session, team, previous, now) if previous is not None else None
        if previous is None:
            return words.no_upper_text()
        self._send([message_id])
        return words.unlinked_text(previous.channel_id)

    def refuse(self, lower_team_id: int, upper: Team, by: str) -> Team | None:
        """A leader of `upper` (the caller checked) refuses the link from team `lower_team_id`: it goes, and the
        lower channel is told. Returns the lower team, or None when that link is gone already (refused, taken away
        or pointed elsewhere since)."""
        now = self._clock.now()
        with self._db.write() as session:
            if tiers.unlink(session, lower_team_id, only_from=upper.id) is None:
                return None
            tiers.redraw_open_cards(session, lower_team_id)
            lower = session.get(Team, lower_team_id)
            assert lower is not None
            key = f"tier-refused:{lower.id}:{upper.id}:{now.isoformat()}"
            message_id = self._tell(session, lower, lambda: words.told_refused_text(upper.channel_id), key, now)
        self._send([message_id])
        return lower

    def chain(self, team: Team) -> Chain:
        """The chain above `team` and the teams below it (see `Chain`)."""
        with self._db.read() as session:
            above = tuple(t.channel_id for t in tiers.chain_above(session, team.id))
            below = tiers.teams_below(session, team.id)
            everyone_below = len(tiers.subtree_ids(session, team.id)) - 1
        return Chain(team.channel_id, above, tuple(t.channel_id for t in below), everyone_below - len(below))

    def team_of_channel(self, channel_id: str) -> Team | None:
        """The team `channel_id` is, or None."""
        with self._db.read() as session:
            return queries.team_of_channel(session, channel_id)

    def team(self, team_id: int) -> Team | None:
        """The team with id `team_id`, or None."""
        with self._db.read() as session:
            return session.get(Team, team_id)

    # --- notes to channels ---------------------------------------------------------------------------------

    def _tell_upper(self, session: Session, team: Team, upper: Team, by: str, now: datetime) -> int | None:
        """Queue the note in `upper`'s channel that `team` now escalates there, with Refuse."""
        with reading(self._outbox.team_language(upper)):
            text = words.upper_note_text(team.channel_id, by)
            blocks = words.upper_note_blocks(team.channel_id, by, team.id, upper.id)
        return self._queue(session, upper, text, blocks, f"tier-up:{team.id}:{upper.id}:{now.isoformat()}", now)

    def _tell_unlinked(self, session: Session, team: Team, previous: Team, now: datetime) -> int | None:
        """Queue the note in `previous`'s channel that `team` no longer escalates there."""
        key = f"tier-off:{team.id}:{previous.id}:{now.isoformat()}"
        return self._tell(session, previous, lambda: words.told_unlinked_text(team.channel_id), key, now)

    def _tell(self, session: Session, team: Team, text: Callable[[], str], key: str, now: datetime) -> int | None:
        """Queue a one-line note in `team`'s channel, worded (`text`) in that team's language, keyed `key`."""
        with reading(self._outbox.team_language(team)):
            said = text()
        return self._queue(session, team, said, None, key, now)

    @staticmethod
    def _queue(
        session: Session, team: Team, text: str, blocks: list[dict[str, Any]] | None, key: str, now: datetime
    ) -> int | None:
        message = new_message(
            kind=OutboxKind.CHANNEL, dedupe_key=key, workspace_id=team.workspace_id, channel_id=team.channel_id,
            now=now, text=text, blocks=blocks,
        )  # fmt: skip
        return queries.add_outbox(session, message)

    def _send(self, message_ids: list[int | None]) -> None:
        """Send what was queued now (the sweep sends what Slack did not take)."""
        for message_id in message_ids:
            if message_id is not None:
                self._outbox.send(message_id)
