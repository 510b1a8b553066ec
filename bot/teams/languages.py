"""Who reads which language (product page, Languages): a team's channel posts in the team's language (its own
setting, else KAIZEN_LANGUAGE, else English); what one person reads alone (private replies, modals, DMs, the App
Home) in the language of their Slack, learned with `users.info` and remembered (`bot.delivery.names`), else the
team's. A request that cannot wait for Slack (a modal's 3-second trigger) uses what is known and learns the rest
after."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from bot.delivery.names import Names
from bot.i18n import LANGUAGES, language_of, match_language, reading
from bot.settings import Settings
from bot.slack.gateway import SlackGateway
from storage import queries
from storage.db import Database
from storage.models import Team

log = logging.getLogger(__name__)


class Languages:
    """The language (a code of `bot.i18n.LANGUAGES`) each reader reads."""

    def __init__(self, db: Database, settings: Settings, gateway: SlackGateway, names: Names) -> None:
        self._db = db
        self._default = settings.kaizen_language
        self._gateway = gateway
        self._names = names

    @property
    def default(self) -> str:
        """The bot's language (KAIZEN_LANGUAGE): teams that chose none, and people outside any team."""
        return self._default

    def of_team(self, team: Team | None) -> str:
        """The language the team's channel posts are written in."""
        return match_language(team.language if team is not None else None, self._default)

    def of_channel(self, channel_id: str | None) -> str:
        """The language of the team whose channel `channel_id` is; the bot's for any other place (one read)."""
        if not channel_id:
            return self._default
        with self._db.read() as session:
            return self.of_team(queries.team_of_channel(session, channel_id))

    def of_person(
        self, workspace_id: str, user_id: str, *, team: Team | None = None, channel_id: str | None = None,
        wait: bool = True,
    ) -> str:  # fmt: skip
        """The language the person reads: their Slack's, else that of `team` (or of the team of `channel_id`).
        `wait=False` never asks Slack (a trigger is ticking): a person not yet known reads the team's language,
        and `learn` should follow once the answer is sent. Never raises for Slack's faults."""
        person = self._names.known(workspace_id, user_id)
        if person is None and wait:
            try:
                person = self._names.person(self._gateway.workspace(workspace_id), workspace_id, user_id)
            except Exception:  # no client for that workspace: they read the team's language
                log.warning("Could not learn the language of %s", user_id, exc_info=True)
        spoken = language_of(person.locale) if person is not None else None
        if spoken in LANGUAGES:
            return spoken  # known: no need to read the team (one read less on every request of someone known)
        return self.of_team(team) if team is not None else self.of_channel(channel_id)

    def for_each(
        self, workspace_id: str, user_ids: Sequence[str], team: Team | None, render: Callable[[], str]
    ) -> dict[str, str]:
        """`render()` once per language the people of `user_ids` read (their own, else `team`'s), as a text per
        person: for DMs to several people, worked out before a transaction queues them."""
        by_language: dict[str, str] = {}
        texts: dict[str, str] = {}
        for user_id in user_ids:
            language = self.of_person(workspace_id, user_id, team=team)
            if language not in by_language:
                with reading(language):
                    by_language[language] = render()
            texts[user_id] = by_language[language]
        return texts

    def learn(self, workspace_id: str, user_id: str) -> None:
        """Ask Slack for the person's name and language now, for next time (after an answer that could not
        wait). Never raises."""
        try:
            self._names.person(self._gateway.workspace(workspace_id), workspace_id, user_id)
        except Exception:
            log.warning("Could not learn about %s", user_id, exc_info=True)

    def set_team(self, team: Team, language: str | None) -> None:
        """The team's channel posts from now on in `language` (one of LANGUAGES), or the bot's (None)."""
        with self._db.write() as session:
            row = session.get(Team, team.id)
            assert row is not None
            row.language = language
