"""Adding and removing a team's leaders, whichever way it is asked for (`/kaizen leaders add`, the welcome's "Add
leaders" form): the change, and the channel told about its first leaders. Who may ask is
`bot.teams.permissions.Permissions.may_change_leaders`."""

from __future__ import annotations

from collections.abc import Sequence

from bot.delivery.outbox import Outbox
from bot.teams.emojis import ApproveEmojis
from bot.teams.leaders import Leaders, LeadersChange
from storage.models import Team


class Appointments:
    """A team's leaders changed, and the change announced where it should be."""

    def __init__(self, leaders: Leaders, emojis: ApproveEmojis, outbox: Outbox) -> None:
        self._leaders = leaders
        self._emojis = emojis
        self._outbox = outbox

    def add(self, team: Team, user_ids: Sequence[str], by: str) -> LeadersChange:
        """Make `user_ids` leaders of `team` (asked by `by`). A team's first leaders are announced in its channel,
        naming the team's approve emoji; the announcement is sent through the outbox before this returns (Slack's
        refusals are the outbox's to handle)."""
        change = self._leaders.add(team, user_ids, by, self._emojis.for_team(team))
        for message_id in change.message_ids:
            self._outbox.send(message_id)
        return change

    def remove(self, team: Team, user_ids: Sequence[str]) -> LeadersChange:
        """`user_ids` lead `team` no more; `changed` names those who did."""
        return self._leaders.remove(team, user_ids)
