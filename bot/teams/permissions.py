"""Who may do what to a team, whichever way they ask (a `/kaizen` command, a form, a button): each rule is written
here once. Whether someone leads a team is `bot.teams.leaders.Leaders.is_leader`'s to decide; this says which
changes need a leader. The words for a refusal are the asking surface's own."""

from __future__ import annotations

from bot.domain import Actor
from bot.teams.leaders import Leaders
from storage import escalations
from storage.db import Database
from storage.models import Idea, Team


class Permissions:
    """The rules for changing a team's leaders, its huddle and taking its ideas out; who a person is to an idea."""

    def __init__(self, leaders: Leaders, db: Database) -> None:
        self._leaders = leaders
        self._db = db

    def may_change_leaders(self, workspace_id: str, team: Team, user_id: str) -> bool:
        """Whether `user_id` may add or remove `team`'s leaders: anyone while it has none, else its leaders and
        workspace admins (users.info; an admin Slack cannot confirm is refused)."""
        return self._leaders.may_manage(workspace_id, team, user_id)

    def may_change_huddle(self, workspace_id: str, team: Team, user_id: str) -> bool:
        """Whether `user_id` may set, skip or turn off `team`'s daily huddle: its leaders only."""
        return self._leaders.is_leader(workspace_id, team, user_id)

    def may_change_language(self, workspace_id: str, team: Team, user_id: str) -> bool:
        """Whether `user_id` may choose the language of `team`'s channel posts: its leaders only."""
        return self._leaders.is_leader(workspace_id, team, user_id)

    def may_manage_form(self, workspace_id: str, team: Team, user_id: str) -> bool:
        """Whether `user_id` may give `team`'s walk-up form a new address or turn it off: its leaders only."""
        return self._leaders.is_leader(workspace_id, team, user_id)

    def may_raise_for_others(self, workspace_id: str, team: Team, user_id: str) -> bool:
        """Whether `user_id` may raise an idea in `team` credited to someone else: its leaders only."""
        return self._leaders.is_leader(workspace_id, team, user_id)

    def may_export(self, workspace_id: str, team: Team, user_id: str) -> bool:
        """Whether `user_id` may take `team`'s ideas out as a file: its leaders only."""
        return self._leaders.is_leader(workspace_id, team, user_id)

    def may_change_tier(self, workspace_id: str, team: Team, user_id: str) -> bool:
        """Whether `user_id` may name or take away `team`'s tier up: its leaders only."""
        return self._leaders.is_leader(workspace_id, team, user_id)

    def may_refuse_tier(self, workspace_id: str, upper: Team, user_id: str) -> bool:
        """Whether `user_id` may refuse a team's link to `upper`, its tier up: `upper`'s leaders only."""
        return self._leaders.is_leader(workspace_id, upper, user_id)

    def deciding_team(self, idea: Idea) -> Team:
        """The team that decides `idea` now: the team one tier up it is escalated to, else its own."""
        if idea.escalated_at is None:  # never escalated: no look-up
            return idea.team
        with self._db.read() as session:
            return escalations.deciding_team(session, idea)

    def actor(self, workspace_id: str, idea: Idea, user_id: str) -> Actor:
        """`user_id` as the idea's lifecycle sees them: whether they lead the team that decides it now
        (`deciding_team`), and, for a leader of its own team while a team above holds it, that team's channel
        (`bot.ideas.rules.may` then decides, per change, what they may do: that table sits above this layer)."""
        deciding = self.deciding_team(idea)
        leads_deciding = self._leaders.is_leader(workspace_id, deciding, user_id)
        if deciding.id == idea.team_id:
            return Actor(user_id, is_leader=leads_deciding)
        leads_home = self._leaders.is_leader(workspace_id, idea.team, user_id)
        held_by = deciding.channel_id if leads_home and not leads_deciding else None
        return Actor(user_id, is_leader=leads_deciding, held_by=held_by, leads_home=leads_home,
                     deciding_channel=deciding.channel_id)  # fmt: skip
