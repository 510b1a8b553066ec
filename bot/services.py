"""What every part of the running bot shares: settings, the store, the clock, the Slack clients, and the parts
of the product built on them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from bot.teams.access import ChannelAccess
from bot.clock import Clock, SystemClock
from bot.slack.inbox import Inbox
from bot.slack.installations import Installations
from bot.teams.leaders import Leaders
from bot.ideas.lifecycle import Change, Lifecycle
from bot.delivery.outbox import Outbox
from bot.settings import Settings
from bot.slack.clients import SlackClients
from bot.teams.tenancy import Tenancy
from storage import migrate, queries
from storage.db import Database
from storage.models import Team, Workspace

if TYPE_CHECKING:
    from bot.huddles.daily import Huddles
    from bot.measures.stats import HumanMembers

EMOJI_CACHE_TTL = timedelta(seconds=30)


def emoji_name(reaction: str) -> str:
    """`white_check_mark::skin-tone-3` → `white_check_mark`."""
    return reaction.split("::", 1)[0]


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    clients: SlackClients
    outbox: Outbox = field(init=False)
    access: ChannelAccess = field(init=False)
    leaders: Leaders = field(init=False)
    lifecycle: Lifecycle = field(init=False)
    inbox: Inbox = field(init=False)
    tenancy: Tenancy = field(init=False)
    installations: Installations | None = field(init=False)
    _emoji_cache: tuple[datetime, frozenset[str]] | None = field(init=False, default=None)
    _huddles: Huddles | None = field(init=False, default=None)
    _members: HumanMembers | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.installations = Installations(self.settings, self.db) if self.settings.oauth_enabled else None
        self.outbox = Outbox(self.db, self.clock, self.web)
        self.access = ChannelAccess(self.clock)
        self.leaders = Leaders(self.db, self.clock, self.settings, self.web)
        self.lifecycle = Lifecycle(self.db, self.clock)
        self.inbox = Inbox(self.db, self.clock)
        self.tenancy = Tenancy(self.db)

    def token_for(self, workspace_id: str | None) -> str:
        """One workspace: the bot token; installs in several (OAuth): that workspace's, from the store."""
        if self.installations is not None:
            return self.installations.bot_token(workspace_id)
        return self.settings.bot_token()

    def web(self, workspace_id: str | None) -> WebClient:
        return self.clients.web(self.token_for(workspace_id))

    def quick(self, workspace_id: str | None, timeout: int | None = None) -> WebClient:
        token = self.token_for(workspace_id)
        return self.clients.quick(token) if timeout is None else self.clients.quick(token, timeout)

    def approve_emoji(self, team: Team | None) -> str:
        """The team's own approve emoji, else its workspace's, else KAIZEN_APPROVE_EMOJI."""
        if team is not None and team.approve_emoji:
            return team.approve_emoji
        if team is not None:
            with self.db.read() as session:
                workspace = session.get(Workspace, team.workspace_id)
            if workspace is not None and workspace.approve_emoji:
                return workspace.approve_emoji
        return self.settings.kaizen_approve_emoji

    def approve_emojis(self) -> frozenset[str]:
        """Every approve emoji in use: the default and teams' own (cached briefly; reactions are frequent)."""
        now = self.clock.now()
        if self._emoji_cache is None or self._emoji_cache[0] <= now:
            with self.db.read() as session:
                own = queries.team_approve_emojis(session)
            self._emoji_cache = (now + EMOJI_CACHE_TTL, frozenset({self.settings.kaizen_approve_emoji, *own}))
        return self._emoji_cache[1]

    @property
    def members(self) -> HumanMembers:
        if self._members is None:
            from bot.measures.stats import HumanMembers  # it builds on Services; imported here to avoid a cycle

            self._members = HumanMembers(self)
        return self._members

    @property
    def huddles(self) -> Huddles:
        if self._huddles is None:
            from bot.huddles.daily import Huddles  # it builds on Services; imported here to avoid a cycle

            self._huddles = Huddles(self)
        return self._huddles

    def deliver(self, change: Change) -> None:
        """Send what a change owes people, then bring its card up to date."""
        from bot.ideas import home  # the Home tab builds on Services; imported here to avoid a cycle

        for message_id in change.message_ids:
            self.outbox.send(message_id)
        self.outbox.sync_card(change.idea.id)
        home.publish(self, change.idea.workspace_id, change.idea.author_id)

    def close(self) -> None:
        self.inbox.close()
        self.db.dispose()


def build_services(settings: Settings, *, clock: Clock | None = None, upgrade_db: bool = True) -> Services:
    db = Database(settings.database_url)
    if upgrade_db:
        migrate.upgrade(db)
    clients = SlackClients(settings.slack_api_url)
    return Services(settings=settings, db=db, clock=clock or SystemClock(), clients=clients)
