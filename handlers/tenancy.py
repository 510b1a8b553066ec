"""Who asked, where, and through which installation, read from Bolt's context; and so which workspace the request
is filed under (the rule itself is `bot.teams.tenancy`)."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.teams.tenancy import Installation, Tenancy


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


def workspace_of(tenancy: Tenancy, context: BoltContext, channel_id: str | None) -> str:
    """The workspace a request about `channel_id` (None or "" when it names none) is filed under."""
    return tenancy.workspace_for(installation_of(context).workspace_id, channel_id or None)


def user_of(context: BoltContext) -> str:
    """The person who acted: Bolt's `context.user_id` (a command's `user_id`, an interaction's `user.id`). Raises
    LookupError for a request that names nobody (`bot.slack.request_shapes` turns those away before Bolt)."""
    user_id = context.user_id
    if not isinstance(user_id, str) or not user_id:
        raise LookupError("the request names no user")
    return user_id


def channel_of(context: BoltContext, body: dict[str, Any]) -> str | None:
    """The channel a request came from: Bolt's `context.channel_id` (a command's `channel_id`, an interaction's
    `channel.id`), else the `container.channel_id` of a message's button; None for views and the App Home."""
    channel = context.channel_id or (body.get("container") or {}).get("channel_id")
    return channel if isinstance(channel, str) and channel else None
