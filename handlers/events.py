"""Events API: every delivery goes into the inbox before Slack gets its answer; the inbox worker then calls the
functions here. Reactions on cards approve (a leader's approve emoji) and count support (:+1:)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot import approvals, home, huddles
from bot.approvals import Reaction
from bot.services import Services, emoji_name

log = logging.getLogger(__name__)

REACTION_ADDED = "reaction_added"
REACTION_REMOVED = "reaction_removed"
MEMBER_JOINED = "member_joined_channel"
HOME_OPENED = "app_home_opened"
UNINSTALLED = "app_uninstalled"
TOKENS_REVOKED = "tokens_revoked"
EVENTS = (REACTION_ADDED, REACTION_REMOVED, MEMBER_JOINED, HOME_OPENED, UNINSTALLED, TOKENS_REVOKED)


def register(app: App, services: Services) -> None:
    services.inbox.on(REACTION_ADDED, lambda body: _reaction(services, body, added=True), wanted=_matters(services))
    services.inbox.on(REACTION_REMOVED, lambda body: _reaction(services, body, added=False), wanted=_matters(services))
    services.inbox.on(MEMBER_JOINED, lambda body: _joined(services, body), wanted=_is_kaizen_joining)
    services.inbox.on(HOME_OPENED, lambda body: _home(services, body), wanted=_is_home_tab)
    services.inbox.on(UNINSTALLED, lambda body: _tokens_gone(services, body))
    services.inbox.on(TOKENS_REVOKED, lambda body: _tokens_gone(services, body), wanted=_bot_token_revoked)

    @app.middleware
    def event_inbox(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        # Runs after Bolt checked the signature; events stop here (stored, then applied), the rest go on.
        if body.get("type") == "event_callback":
            return services.inbox.receive(body)
        next()
        return None


def _matters(services: Services) -> Callable[[dict[str, Any]], bool]:
    """Only reactions that could approve or support a card are worth storing; the rest are dropped cheaply."""

    def wanted(body: dict[str, Any]) -> bool:
        event = body.get("event") or {}
        if (event.get("item") or {}).get("type") != "message" or not event.get("user"):
            return False
        name = emoji_name(str(event.get("reaction") or ""))
        return approvals.reaction_matters(services, name)

    return wanted


def _reaction(services: Services, body: dict[str, Any], *, added: bool) -> None:
    event = body["event"]
    item = event["item"]
    approvals.on_reaction(
        services,
        Reaction(
            workspace_id=str(body.get("team_id") or ""),
            channel_id=str(item.get("channel") or ""),
            ts=str(item.get("ts") or ""),
            user_id=str(event["user"]),
            name=emoji_name(str(event.get("reaction") or "")),
            added=added,
            event_id=str(body["event_id"]),
        ),
    )


def _bot_user_id(body: dict[str, Any]) -> str | None:
    for authorization in body.get("authorizations") or []:
        if authorization.get("is_bot") and authorization.get("user_id"):
            return str(authorization["user_id"])
    return None


def _is_kaizen_joining(body: dict[str, Any]) -> bool:
    """Only Kaizen itself joining a channel matters (it says hello); other people joining are not stored."""
    user = (body.get("event") or {}).get("user")
    return bool(user) and user == _bot_user_id(body)


def _joined(services: Services, body: dict[str, Any]) -> None:
    event = body["event"]
    huddles.welcome(services, str(body.get("team_id") or ""), str(event["channel"]), str(body["event_id"]))


def _is_home_tab(body: dict[str, Any]) -> bool:
    return (body.get("event") or {}).get("tab") == "home"


def _home(services: Services, body: dict[str, Any]) -> None:
    home.publish(services, str(body.get("team_id") or ""), str(body["event"]["user"]))


def _bot_token_revoked(body: dict[str, Any]) -> bool:
    return bool(((body.get("event") or {}).get("tokens") or {}).get("bot"))


def _tokens_gone(services: Services, body: dict[str, Any]) -> None:
    workspace_id = str(body.get("team_id") or "")
    if services.installations is None:
        log.warning("Slack says Kaizen's token for %s is gone (%s): set a new SLACK_BOT_TOKEN", workspace_id,
                    body["event"]["type"])  # fmt: skip
        return
    services.installations.remove(workspace_id)
