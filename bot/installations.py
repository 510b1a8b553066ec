"""Installs in several workspaces (OAuth), with slack_sdk's SQLAlchemy installation and state stores on our
database. Tokens are looked up per workspace, also by scheduled work (which has no incoming request to carry
one); `app_uninstalled` and `tokens_revoked` remove them."""

from __future__ import annotations

import logging

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.manifest import BOT_SCOPES, INSTALL_PATH, REDIRECT_PATH
from bot.settings import Settings
from storage.db import Database

log = logging.getLogger(__name__)

STATE_EXPIRY_SECONDS = 600


class NotInstalled(LookupError):
    """Kaizen has no token for this workspace (never installed, uninstalled, or its token revoked)."""


class Installations:
    def __init__(self, settings: Settings, db: Database) -> None:
        client_id = settings.require("slack_client_id")
        self.installation_store = SQLAlchemyInstallationStore(client_id=client_id, engine=db.engine)
        self.state_store = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRY_SECONDS, engine=db.engine)
        self._settings = settings

    def bot_token(self, workspace_id: str | None) -> str:
        bot = self.installation_store.find_bot(enterprise_id=None, team_id=workspace_id)
        if bot is None or not bot.bot_token:
            raise NotInstalled(f"Kaizen is not installed in workspace {workspace_id}")
        return bot.bot_token

    def remove(self, workspace_id: str) -> None:
        self.installation_store.delete_installation(enterprise_id=None, team_id=workspace_id)
        self.installation_store.delete_bot(enterprise_id=None, team_id=workspace_id)
        log.info("Removed the tokens of workspace %s", workspace_id)

    def oauth_settings(self) -> OAuthSettings:
        return OAuthSettings(
            client_id=self._settings.require("slack_client_id"),
            client_secret=self._settings.require("slack_client_secret"),
            scopes=list(BOT_SCOPES),
            installation_store=self.installation_store,
            state_store=self.state_store,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
        )
