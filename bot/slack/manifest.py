"""The Slack app manifest, built from what the code handles (the handlers' `Wiring`, passed in by the composition
root). manifest.yml (Socket Mode) is kept equal to `bot.composition.manifest(None)` by a test;
`kaizen-bot manifest --http https://host` prints the HTTP/OAuth variant."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from bot.slack.server import EVENTS_PATH

# Each scope and why it is needed (the same words stand beside them in manifest.yml).
BOT_SCOPES: dict[str, str] = {
    "commands": "/kaizen",
    "chat:write": "cards, replies, notes to the person",
    "channels:read": "is Kaizen in this channel; who is in it (who may see an idea); channel_unarchive",
    "groups:read": "the same for private channels (group_unarchive)",
    "channels:history": "find a post Slack took but did not confirm; read a reply turned into an idea",
    "groups:history": "the same for private channels",
    "reactions:read": "emoji approvals and support on cards (reaction_added/removed, reactions.get)",
    "users:read": "admins, time zones and display names",
    "usergroups:read": "members of KAIZEN_LEADER_GROUP",
    "files:write": "charts (/kaizen stats) and CSV exports",
    "im:write": "open a direct message to send someone their charts or export",
}
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


class Wiring(Protocol):
    """What the handlers handle: the slash command(s), shortcut callback ids and Events API event types."""

    @property
    def commands(self) -> Sequence[str]: ...

    @property
    def shortcuts(self) -> Sequence[str]: ...

    @property
    def events(self) -> Sequence[str]: ...


def manifest(wiring: Wiring, http_base: str | None = None) -> dict[str, Any]:
    """The app's manifest (a dict in Slack's manifest schema) for what `wiring` handles: Socket Mode when
    `http_base` is None, else HTTP with OAuth at that base URL."""
    command: dict[str, Any] = {
        "command": wiring.commands[0],
        "description": "Raise a problem or an idea, or see the team's board",
        "usage_hint": "[what's wrong] | list | mine | show 42 | help",
        "should_escape": True,
    }
    events: dict[str, Any] = {"bot_events": list(wiring.events)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    oauth: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if http_base is not None:
        base = http_base.rstrip("/")
        command["url"] = base + EVENTS_PATH
        events["request_url"] = base + EVENTS_PATH
        interactivity["request_url"] = base + EVENTS_PATH
        oauth["redirect_urls"] = [base + REDIRECT_PATH]
    return {
        "display_information": {
            "name": "Kaizen",
            "description": "Raise problems and ideas in seconds; leaders say yes with one emoji.",
            "background_color": "#2f5d50",
        },
        "features": {
            "bot_user": {"display_name": "Kaizen", "always_online": True},
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "slash_commands": [command],
            "shortcuts": [
                {
                    "name": "Raise as Kaizen idea",
                    "type": "message",
                    "callback_id": wiring.shortcuts[0],
                    "description": "Turn this message into a Kaizen idea for the team",
                }
            ],
        },
        "oauth_config": oauth,
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": http_base is None,
            "token_rotation_enabled": False,
        },
    }
