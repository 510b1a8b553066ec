"""`/kaizen tier [up #channel|off]`, and Refuse on the note an upper channel gets when a team names it as its tier
up. The rules (who may, what a change does) are `bot.teams.permissions` and `bot.teams.tiers`."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.grammar import Tier, TierOff, TierUp
from bot.i18n import reading
from bot.ideas.channels import TeamChannels
from bot.render import replies
from bot.render import tiers as words
from bot.render.ids import ActionId
from bot.teams.languages import Languages
from bot.teams.permissions import Permissions
from bot.teams.tenancy import Tenancy
from bot.teams.tiers import Tiers
from handlers.tenancy import person_reading, user_of

log = logging.getLogger(__name__)


def _link_of(value: str) -> tuple[int, int] | None:
    """The button's value "<lower team id>:<upper team id>" as ids; None for anything else."""
    lower, _, upper = value.partition(":")
    return (int(lower), int(upper)) if lower.isdigit() and upper.isdigit() else None


class TierCommands:
    """Answers `/kaizen tier …` (parsed by `bot.grammar`): anyone sees the chain; a team's leaders change its link."""

    def __init__(self, tiers: Tiers, team_channels: TeamChannels, permissions: Permissions) -> None:
        self._tiers = tiers
        self._team_channels = team_channels
        self._permissions = permissions

    def answer(
        self, parsed: Tier | TierUp | TierOff, workspace_id: str, channel_id: str, channel_name: str, user_id: str,
        respond: Respond,
    ) -> None:  # fmt: skip
        """Answer one `/kaizen tier …` typed by `user_id` in `channel_id`, privately, in the reader's language."""
        if isinstance(parsed, TierUp):  # a team naming its tier up is set up as a team, as `leaders add` does
            team = self._team_channels.set_up(workspace_id, channel_id, channel_name)
        else:
            team = self._tiers.team_of_channel(channel_id)
        if team is None:
            _private(respond, words.not_a_team_here_text())
            return
        if isinstance(parsed, Tier):
            chain = self._tiers.chain(team)
            text = words.chain_text(chain.channel_id, chain.above, chain.below, chain.deeper)
            respond(text=text, blocks=replies.lines_blocks(text), response_type="ephemeral", replace_original=False)
            return
        if not self._permissions.may_change_tier(workspace_id, team, user_id):
            _private(respond, words.not_leader_text())
            return
        if isinstance(parsed, TierUp):
            _private(respond, self._tiers.link_up(team, parsed.channel_id, parsed.channel_name, user_id))
        else:
            _private(respond, self._tiers.unlink(team))


def register(app: App, *, tenancy: Tenancy, tiers: Tiers, permissions: Permissions, languages: Languages) -> None:
    """Refuse: a leader of the upper team takes the link away; the note then says so, in the upper team's language,
    for everyone in the channel. A press by anyone else, or on a link gone since, is answered privately."""

    @app.action(ActionId.TIER_REFUSE)
    def refuse(ack: Ack, body: dict[str, Any], action: dict[str, Any], context: BoltContext, respond: Respond) -> None:
        ack()
        user = user_of(context)
        with person_reading(languages, tenancy, context, body, wait=True):
            link = _link_of(str(action.get("value") or ""))
            upper = tiers.team(link[1]) if link is not None else None
            if link is None or upper is None:
                log.warning("A Refuse button without a tier link: %r", action.get("value"))
                _private(respond, words.link_gone_text())
                return
            if not permissions.may_refuse_tier(upper.workspace_id, upper, user):
                _private(respond, words.not_upper_leader_text())
                return
            lower = tiers.refuse(link[0], upper, user)
            if lower is None:
                _private(respond, words.link_gone_text())
                return
        log.info("Team %s refused the tier link from team %s", upper.id, lower.id)
        with reading(languages.of_team(upper)):
            text = words.refused_here_text(lower.channel_id)
        respond(text=text, blocks=replies.notice_blocks(text), replace_original=True)


def _private(respond: Respond, text: str) -> None:
    respond(text=text, blocks=replies.notice_blocks(text), response_type="ephemeral", replace_original=False)
