"""Events API: every delivery goes into the inbox before Slack gets its answer; the inbox worker then calls the
functions here. Reactions on cards approve (a leader's approve emoji) and count support (:+1:)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.delivery.inbox import Inbox, Receipt
from bot.huddles.daily import Huddles
from bot.ideas.approvals import Approvals, Reaction
from bot.ideas.home import Home
from bot.slack.installations import Installations
from bot.teams.emojis import emoji_name
from bot.teams.tenancy import Tenancy
from handlers.tenancy import installation_of

log = logging.getLogger(__name__)

REACTION_ADDED = "reaction_added"
REACTION_REMOVED = "reaction_removed"
MEMBER_JOINED = "member_joined_channel"
CHANNEL_UNARCHIVED, GROUP_UNARCHIVED = "channel_unarchive", "group_unarchive"  # public, private channels
HOME_OPENED = "app_home_opened"
UNINSTALLED = "app_uninstalled"
TOKENS_REVOKED = "tokens_revoked"
RATE_LIMITED = "app_rate_limited"  # a request type of its own, not an event: nothing to subscribe to
EVENTS = (REACTION_ADDED, REACTION_REMOVED, MEMBER_JOINED, CHANNEL_UNARCHIVED, GROUP_UNARCHIVED, HOME_OPENED,
          UNINSTALLED, TOKENS_REVOKED)  # fmt: skip


def register(
    app: App,
    *,
    inbox: Inbox,
    tenancy: Tenancy,
    approvals: Approvals,
    home: Home,
    huddles: Huddles,
    installations: Installations | None,
) -> None:
    """Register the event handlers with the inbox, and the middleware that stores every Events API delivery in it
    before Slack gets its answer: 503 when the inbox cannot be written (Slack retries), else 200. Register first:
    events stop there."""
    apply_with(inbox, tenancy=tenancy, approvals=approvals, home=home, huddles=huddles,
               installations=installations)  # fmt: skip

    @app.middleware
    def event_inbox(body: dict[str, Any], context: BoltContext, next: Callable[[], None]) -> BoltResponse | None:
        # Runs after Bolt checked the signature; events stop here (stored, then applied), the rest go on.
        if body.get("type") == "event_callback":
            receipt = inbox.receive(body, installation_of(context).workspace_id)
            return BoltResponse(status=503 if receipt is Receipt.UNAVAILABLE else 200, body="")
        if body.get("type") == RATE_LIMITED:
            _rate_limited(body)
            return BoltResponse(status=200, body="")
        next()
        return None


def _rate_limited(body: dict[str, Any]) -> None:
    """Slack stopped sending this workspace's events for the rest of a minute (more than 30,000 an hour): events
    of that minute are not delivered, and the reactions check finds approvals made meanwhile."""
    minute = body.get("minute_rate_limited")
    when = datetime.fromtimestamp(minute, UTC).strftime("%Y-%m-%d %H:%M UTC") if isinstance(minute, int) else "?"
    log.warning(
        "Slack rate-limited event deliveries to Kaizen (workspace %s) for the minute from %s; events of that minute "
        "are not delivered",
        body.get("team_id") or body.get("enterprise_id") or "?",
        when,
    )


class _Events:
    """What each stored event does, applied by the inbox's workers: `installed` is the workspace key of the
    installation that received it (bot.teams.tenancy)."""

    def __init__(
        self,
        tenancy: Tenancy,
        approvals: Approvals,
        home: Home,
        huddles: Huddles,
        installations: Installations | None,
    ) -> None:
        self._tenancy = tenancy
        self._approvals = approvals
        self._home = home
        self._huddles = huddles
        self._installations = installations

    def matters(self, body: dict[str, Any]) -> bool:
        """Only reactions that could approve or support a card are worth storing; the rest are dropped cheaply."""
        event = body.get("event") or {}
        if (event.get("item") or {}).get("type") != "message" or not event.get("user"):
            return False
        return self._approvals.reaction_matters(emoji_name(str(event.get("reaction") or "")))

    def reaction(self, body: dict[str, Any], installed: str, *, added: bool) -> None:
        """A reaction added or removed on a message, filed under the workspace of its channel."""
        event = body["event"]
        item = event["item"]
        channel_id = str(item.get("channel") or "")
        self._approvals.on_reaction(
            Reaction(
                workspace_id=self._tenancy.workspace_for(installed, channel_id),
                channel_id=channel_id,
                ts=str(item.get("ts") or ""),
                user_id=str(event["user"]),
                name=emoji_name(str(event.get("reaction") or "")),
                added=added,
                event_id=str(body["event_id"]),
            )
        )

    def joined(self, body: dict[str, Any], installed: str) -> None:
        """Kaizen joined a channel: it says hello there (once per event)."""
        channel_id = str(body["event"]["channel"])
        workspace_id = self._tenancy.workspace_for(installed, channel_id)
        self._huddles.pauses.welcome(workspace_id, channel_id, str(body["event_id"]))

    def unarchived(self, body: dict[str, Any], _installed: str) -> None:
        """A channel is live again: if its team was paused because it was archived, Kaizen carries on there."""
        self._huddles.pauses.resume(str(body["event"]["channel"]))

    def home_opened(self, body: dict[str, Any], installed: str) -> None:
        """The person opened Kaizen's Home tab: it is published afresh."""
        self._home.publish(installed, str(body["event"]["user"]))

    def tokens_gone(self, body: dict[str, Any], installed: str) -> None:
        """The installation that received the event lost its tokens: a workspace's, or (an org-level event, with no
        team_id) every install in that Enterprise Grid organisation."""
        workspace_id = installed
        if self._installations is None:
            log.warning("Slack says Kaizen's token for %s is gone (%s): set a new SLACK_BOT_TOKEN", workspace_id,
                        body["event"]["type"])  # fmt: skip
            return
        self._installations.remove(workspace_id)


def _bot_user_id(body: dict[str, Any]) -> str | None:
    for authorization in body.get("authorizations") or []:
        if authorization.get("is_bot") and authorization.get("user_id"):
            return str(authorization["user_id"])
    return None


def _is_kaizen_joining(body: dict[str, Any]) -> bool:
    """Only Kaizen itself joining a channel matters (it says hello); other people joining are not stored."""
    user = (body.get("event") or {}).get("user")
    return bool(user) and user == _bot_user_id(body)


def _names_a_channel(body: dict[str, Any]) -> bool:
    return isinstance((body.get("event") or {}).get("channel"), str)


def _is_home_tab(body: dict[str, Any]) -> bool:
    return (body.get("event") or {}).get("tab") == "home"


def _bot_token_revoked(body: dict[str, Any]) -> bool:
    return bool(((body.get("event") or {}).get("tokens") or {}).get("bot"))


def apply_with(
    inbox: Inbox,
    *,
    tenancy: Tenancy,
    approvals: Approvals,
    home: Home,
    huddles: Huddles,
    installations: Installations | None,
) -> _Events:
    """Give the inbox its handler for each event type, for the process that applies stored events (a worker
    applies them without serving Slack); returns the handlers."""
    events = _Events(tenancy, approvals, home, huddles, installations)
    inbox.on(REACTION_ADDED, lambda body, ws: events.reaction(body, ws, added=True), wanted=events.matters)
    inbox.on(REACTION_REMOVED, lambda body, ws: events.reaction(body, ws, added=False), wanted=events.matters)
    inbox.on(MEMBER_JOINED, events.joined, wanted=_is_kaizen_joining)
    for unarchived in (CHANNEL_UNARCHIVED, GROUP_UNARCHIVED):
        inbox.on(unarchived, events.unarchived, wanted=_names_a_channel)
    inbox.on(HOME_OPENED, events.home_opened, wanted=_is_home_tab)
    inbox.on(UNINSTALLED, events.tokens_gone)
    inbox.on(TOKENS_REVOKED, events.tokens_gone, wanted=_bot_token_revoked)
    return events
