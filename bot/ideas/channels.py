"""Which channels are teams: a channel becomes one the first time someone sets something up there (leaders, a
huddle), and only with Kaizen in it, since Kaizen posts there."""

from __future__ import annotations

from bot.ideas.raising import Raising
from bot.ideas.workflow import Workflow
from storage.models import Team


class TeamChannels:
    """Team channels set up on first use (`set_up`)."""

    def __init__(self, workflow: Workflow, raising: Raising) -> None:
        self._workflow = workflow
        self._raising = raising

    def find(self, channel_id: str) -> Team | None:
        """The team of `channel_id`, if it is one already (no Slack look-up)."""
        return self._workflow.find_team(channel_id)

    def member(self, workspace_id: str, channel_id: str) -> bool | None:
        """Whether Kaizen is in `channel_id` (`Raising.bot_is_member`: one quick look-up; None when Slack could not
        say in time)."""
        return self._raising.bot_is_member(workspace_id, channel_id)

    def ensure(self, workspace_id: str, channel_id: str) -> Team:
        """The team of `channel_id`, set up (filed under `workspace_id`) if it is none yet: for a channel Kaizen was
        just found to be in (`member`)."""
        return self._workflow.ensure_team(workspace_id, channel_id)

    def set_up(self, workspace_id: str, channel_id: str, name: str = "") -> Team | None:
        """The team of `channel_id`, set up (filed under `workspace_id`, named `name`) if it is none yet and
        Kaizen is a member there; None when it is not, or Slack could not say in time (a quick look-up:
        conversations.info, one second)."""
        team = self._workflow.find_team(channel_id)
        if team is not None:
            return team
        if self._raising.bot_is_member(workspace_id, channel_id) is not True:
            return None
        return self._workflow.ensure_team(workspace_id, channel_id, name)
