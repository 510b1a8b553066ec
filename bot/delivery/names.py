"""People as the bot shows and speaks to them: their display name, for showing who did something without pinging
them (a <@mention> notifies), and the language their Slack is in. One `users.info` (with `include_locale`) learns
both; they are remembered NAME_TTL."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot import cache, credit
from bot.clock import Clock
from bot.i18n import N_, _
from bot.privacy import pseudonyms
from bot.render.words import NAME_MARK, fill_names
from bot.slack.gateway import WorkspaceSlack

log = logging.getLogger(__name__)

NAME_TTL = timedelta(hours=6)
NAMES_CACHED = 10_000  # people remembered at once, across workspaces (least recently shown out)
# Translators: stands for a person's name when Slack cannot say who it was ("Raised by a colleague")
UNKNOWN = N_("a colleague")


@dataclass(frozen=True)
class Person:
    """What Slack says of someone: `name` (display name, else real name, else user name) and `locale` (the tag of
    the language their Slack is in, e.g. "ja-JP"; None when Slack did not say)."""

    name: str
    locale: str | None


class Names:
    """People's display names and Slack languages, cached NAME_TTL per (workspace, user)."""

    def __init__(self, clock: Clock) -> None:
        self._people: cache.Cached[tuple[str, str], Person] = cache.timed(clock, NAME_TTL, NAMES_CACHED)

    def person(self, slack: WorkspaceSlack, workspace_id: str, user_id: str) -> Person | None:
        """What Slack says of the person (one users.info on a cache miss); None when Slack cannot say (logged)."""
        if pseudonyms.is_pseudonym(user_id) or credit.not_on_slack(user_id):
            return None  # forgotten, or a walk-up visitor: Slack knows no such person (`name` says who)
        cached = self._people.get((workspace_id, user_id))
        if cached is not None:
            return cached
        try:
            user = slack.user(user_id, include_locale=True)
            profile = user.get("profile") or {}
            name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user["name"]
        except Exception:
            log.warning("Could not look up %s", user_id, exc_info=True)
            return None
        locale = user.get("locale")
        person = Person(name=str(name), locale=str(locale) if locale else None)
        self._people.put((workspace_id, user_id), person)
        return person

    def known(self, workspace_id: str, user_id: str) -> Person | None:
        """The person if they are remembered; never asks Slack (for a request that cannot wait on users.info)."""
        return self._people.get((workspace_id, user_id))

    def name(self, slack: WorkspaceSlack, workspace_id: str, user_id: str) -> str:
        """The person's display name; UNKNOWN (in the reader's language) when Slack cannot say."""
        if pseudonyms.is_pseudonym(user_id):
            return pseudonyms.label(user_id)
        if credit.not_on_slack(user_id):
            return credit.label(user_id)
        person = self.person(slack, workspace_id, user_id)
        return person.name if person is not None else _(UNKNOWN)

    def fill(self, slack: WorkspaceSlack, workspace_id: str, value: Any) -> Any:
        """`value` (a text, or blocks as JSON-ready dicts and lists) with each plain name filled in."""
        if isinstance(value, str):
            if NAME_MARK not in value:  # most texts name nobody: no pattern to run
                return value
            return fill_names(value, lambda user_id: self.name(slack, workspace_id, user_id))
        if isinstance(value, list):
            return [self.fill(slack, workspace_id, item) for item in value]
        if isinstance(value, dict):
            return {key: self.fill(slack, workspace_id, item) for key, item in value.items()}
        return value
