"""Which installation received a Slack request, read from Bolt's context, and so which workspace the request is
filed under (the rule itself is `bot.teams.tenancy`)."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.services import Services
from bot.teams.tenancy import Installation


def installation_of(context: BoltContext) -> Installation:
    """The installation that received the request: the one Bolt authorized it for (in one workspace, the bot
    token's own workspace from auth.test), else the keys the request carried (org-level events, which Bolt does not
    authorize). Never the user's own workspace: in a Slack Connect channel that is the partner's."""
    authorized = context.authorize_result
    team_id = authorized.team_id if authorized is not None and authorized.team_id else context.team_id
    enterprise_id = (authorized.enterprise_id if authorized is not None else None) or context.enterprise_id
    return Installation(
        team_id=team_id or None,
        enterprise_id=enterprise_id or None,
        is_enterprise_install=bool(context.is_enterprise_install),
    )


def workspace_of(services: Services, context: BoltContext, channel_id: Any) -> str:
    """The workspace a request about `channel_id` (any value; not a channel id when not a non-empty str) is filed
    under."""
    channel = channel_id if isinstance(channel_id, str) else None
    return services.tenancy.workspace_for(installation_of(context).workspace_id, channel)


def channel_of(body: dict[str, Any]) -> str | None:
    """The channel an interaction happened in, as Slack names it: `channel.id` or `container.channel_id`; None for
    views and the App Home."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    return channel if isinstance(channel, str) and channel else None
