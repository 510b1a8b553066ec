"""What every part of the running bot shares: settings, the store, the clock and the Slack clients."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk import WebClient

from bot.access import ChannelAccess
from bot.clock import Clock, SystemClock
from bot.outbox import Outbox
from bot.settings import Settings
from bot.slack_api import SlackClients
from storage import migrate
from storage.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    clients: SlackClients
    outbox: Outbox = field(init=False)
    access: ChannelAccess = field(init=False)

    def __post_init__(self) -> None:
        self.outbox = Outbox(self.db, self.clock, self.web)
        self.access = ChannelAccess(self.clock)

    def token_for(self, workspace_id: str | None) -> str:
        # One workspace, one bot token; multi-workspace installs look it up per workspace.
        return self.settings.bot_token()

    def web(self, workspace_id: str | None) -> WebClient:
        return self.clients.web(self.token_for(workspace_id))

    def quick(self, workspace_id: str | None, timeout: int | None = None) -> WebClient:
        token = self.token_for(workspace_id)
        return self.clients.quick(token) if timeout is None else self.clients.quick(token, timeout)

    def close(self) -> None:
        self.db.dispose()


def build_services(settings: Settings, *, clock: Clock | None = None, upgrade_db: bool = True) -> Services:
    db = Database(settings.database_url)
    if upgrade_db:
        migrate.upgrade(db)
    return Services(
        settings=settings, db=db, clock=clock or SystemClock(), clients=SlackClients(settings.slack_api_url)
    )
