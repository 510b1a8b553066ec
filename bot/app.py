"""The Bolt app, built by a factory so that nothing talks to Slack at import time."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk.webhook import WebhookClient

from bot.services import Services
from bot.settings import SettingsError

log = logging.getLogger(__name__)

# Bolt runs every listener on this pool and answers Slack once the listener acks; a pool as small as Bolt's
# default (5) makes acks queue behind other requests' post-ack work (posting cards, opening modals).
LISTENER_THREADS = 64

SORRY = "Sorry, something went wrong on our side and it has been logged. Please try again in a moment."


def build_app(services: Services, *, socket_mode: bool = False) -> App:
    settings = services.settings
    installations = services.installations
    if installations is not None and socket_mode:
        raise SettingsError(
            "Setting SLACK_CLIENT_ID is set: installing in several workspaces needs HTTP mode (`kaizen-bot serve`); "
            "unset SLACK_CLIENT_ID/SLACK_CLIENT_SECRET to run in Socket Mode."
        )
    # One workspace: its bot token. Several: Bolt's OAuth flow installs, and authorizes each request's token.
    token = None if installations is not None else settings.bot_token()
    app = App(
        client=services.clients.web(token),
        oauth_settings=installations.oauth_settings() if installations is not None else None,
        installation_store=installations.installation_store if installations is not None else None,
        signing_secret="" if socket_mode else settings.require("slack_signing_secret"),
        request_verification_enabled=not socket_mode,
        token_verification_enabled=False,
        ignoring_self_events_enabled=True,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="kaizen-listener"),
        logger=logging.getLogger("kaizen.bolt"),
    )

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse | None:
        # The one place an unexpected failure lands: the traceback in the log, plain words to the person.
        log.error("Unhandled error for a %s request", body.get("type") or body.get("command"), exc_info=error)
        response_url = body.get("response_url") or next(iter(body.get("response_urls") or []), {}).get("response_url")
        if response_url:
            try:
                WebhookClient(response_url, timeout=5).send(text=SORRY, response_type="ephemeral")
            except Exception:
                log.warning("Could not tell the person about the error", exc_info=True)
        return None

    from handlers import register_all

    register_all(app, services)
    return app
