"""Who is a person, and how many people are in a channel: from Slack's users.info and conversations.members,
cached per user for an hour."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from bot import cache
from bot.clock import Clock
from bot.slack.gateway import SlackError, SlackGateway, WorkspaceSlack

log = logging.getLogger(__name__)

MEMBERS_TTL = timedelta(hours=1)
# People remembered at once, across workspaces: ten channels of MAX_MEMBERS_CHECKED each (least recently asked out).
ACCOUNTS_CACHED = 20_000
MAX_MEMBERS_CHECKED = 2000
SLACKBOT = "USLACKBOT"


@dataclass(frozen=True)
class _Account:
    bot: bool  # a bot or an app (users.info `is_bot`), or Slackbot
    deleted: bool  # deactivated


class HumanMembers:
    """Who is a person: the one place that decides it (`is_person`), from users.info, cached per user for an hour.
    Also how many people (not bots, not deactivated) are in a channel: the denominator of participation.

    Slack errors on users.info are logged and answered generously (see each method); `SlackUnreachable` (no
    answer) propagates."""

    def __init__(self, gateway: SlackGateway, clock: Clock) -> None:
        self._gateway = gateway
        self._accounts: cache.Cached[tuple[str, str], _Account] = cache.timed(clock, MEMBERS_TTL, ACCOUNTS_CACHED)

    def is_person(self, workspace_id: str, user_id: str) -> bool:
        """False when `user_id` (a U… or W… id) is a bot or an app: users.info says `is_bot` (other apps' bots
        react and write with ordinary user ids), or it is Slackbot. A deactivated person is still a person (what
        they did stands). When Slack cannot say (an error, an unknown user) the answer is True, uncached: a
        person is never ignored because of a passing fault. At most one users.info call per user an hour."""
        account = self._account(workspace_id, user_id)
        return account is None or not account.bot

    def count(self, workspace_id: str, channel_id: str) -> int | None:
        """People in the channel now: members (the first MAX_MEMBERS_CHECKED or so) that are neither bots nor
        deactivated; None if Slack can't say (it answered an error to conversations.members)."""
        slack = self._gateway.workspace(workspace_id)
        try:
            members = slack.members(channel_id, limit=MAX_MEMBERS_CHECKED)
        except SlackError as error:
            log.warning("Could not count the members of %s: %s", channel_id, error.code)
            return None
        return sum(self._is_human(slack, workspace_id, user) for user in members)

    def _is_human(self, slack: WorkspaceSlack, workspace_id: str, user_id: str) -> bool:
        account = self._account(workspace_id, user_id, slack)
        return account is None or not (account.bot or account.deleted)  # unknown: count them, not flatter the rate

    def _account(self, workspace_id: str, user_id: str, slack: WorkspaceSlack | None = None) -> _Account | None:
        if user_id == SLACKBOT:
            return _Account(bot=True, deleted=False)
        cached = self._accounts.get((workspace_id, user_id))
        if cached is not None:
            return cached
        try:
            user = (slack or self._gateway.workspace(workspace_id)).user(user_id)
        except SlackError as error:
            log.warning("users.info for %s failed: %s", user_id, error.code)
            return None
        account = _Account(bot=bool(user.get("is_bot")), deleted=bool(user.get("deleted")))
        self._accounts.put((workspace_id, user_id), account)
        return account
