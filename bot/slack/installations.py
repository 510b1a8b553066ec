"""Installs in several workspaces (OAuth), with slack_sdk's SQLAlchemy installation and state stores on our
database. Tokens are looked up per workspace, also by scheduled work (which has no incoming request to carry
one); `app_uninstalled` and `tokens_revoked` remove them.

Installs are stored by Bolt's OAuth flow under the keys Slack's answer names: the Enterprise Grid organisation
(enterprise_id), the workspace (team_id, none for an org-wide install) and the org-wide flag. The store's workspace
key is the workspace's id, or the organisation's for an org-wide install (bot.teams.tenancy.Installation)."""

from __future__ import annotations

import logging

from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import ColumnElement, Table, and_, delete, desc, or_, select

from bot.settings import Settings
from bot.slack.manifest import BOT_SCOPES, INSTALL_PATH, REDIRECT_PATH
from storage.db import Database

log = logging.getLogger(__name__)

STATE_EXPIRY_SECONDS = 600


class NotInstalled(LookupError):
    """Kaizen has no token for this workspace (never installed, uninstalled, or its token revoked)."""


class Installations:
    """The OAuth installations of Kaizen (multi-workspace mode), in slack_sdk's tables in the store: their bot tokens,
    and Bolt's OAuth settings. Raises SettingsError when SLACK_CLIENT_ID is not set."""

    def __init__(self, settings: Settings, db: Database) -> None:
        client_id = settings.require("slack_client_id")
        self.installation_store = SQLAlchemyInstallationStore(client_id=client_id, engine=db.engine)
        self._client_id = client_id
        self._engine = db.engine
        self.state_store = SQLAlchemyOAuthStateStore(expiration_seconds=STATE_EXPIRY_SECONDS, engine=db.engine)
        self._settings = settings

    def _of(self, table: Table, workspace_id: str) -> ColumnElement[bool]:
        """Rows of `table` (slack_sdk's bots or installations) that install Kaizen for the store's `workspace_id`:
        a workspace's install (inside an Enterprise Grid organisation or not), or, for an organisation's id, every
        install in that organisation (the org-wide one included)."""
        c = table.c
        return and_(
            c.client_id == self._client_id,
            or_(c.team_id == workspace_id, and_(c.enterprise_id == workspace_id, c.enterprise_id.is_not(None))),
        )

    def bot_token(self, workspace_id: str | None) -> str:
        """The newest bot token installed for `workspace_id` (a workspace's T… id, or an organisation's E… id for an
        org-wide install). Raises NotInstalled when there is none."""
        bots = self.installation_store.bots
        query = (
            select(bots.c.bot_token)
            .where(self._of(bots, workspace_id or ""), bots.c.bot_token.is_not(None))
            # A workspace's own install before its organisation's, then the newest.
            .order_by(bots.c.is_enterprise_install, desc(bots.c.installed_at))
            .limit(1)
        )
        with self._engine.connect() as connection:
            token = connection.execute(query).scalar()
        if not token:
            raise NotInstalled(f"Kaizen is not installed in workspace {workspace_id}")
        return str(token)

    def remove(self, workspace_id: str) -> int:
        """Remove every install of `workspace_id` (all of an organisation's, for an E… id); returns how many
        installs (bot rows) were removed."""
        store = self.installation_store
        with self._engine.begin() as connection:
            connection.execute(delete(store.installations).where(self._of(store.installations, workspace_id)))
            removed = connection.execute(delete(store.bots).where(self._of(store.bots, workspace_id))).rowcount
        log.info("Removed the tokens of workspace %s (%s installs)", workspace_id, removed)
        return int(removed)

    def oauth_settings(self) -> OAuthSettings:
        """Bolt's OAuth settings: the install and redirect paths, the bot scopes, and the stores in the database. Raises
        SettingsError when the client id or secret is missing."""
        return OAuthSettings(
            client_id=self._settings.require("slack_client_id"),
            client_secret=self._settings.require("slack_client_secret"),
            scopes=list(BOT_SCOPES),
            installation_store=self.installation_store,
            state_store=self.state_store,
            install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH,
        )
