"""Who asked, where, and through which installation, read from Bolt's context; and so which workspace the request
is filed under (the rule itself is `bot.teams.tenancy`) and which language the person reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import BoltContext

from bot.i18n import Words, reading
from bot.teams.languages import Languages
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


@contextmanager
def person_reading(
    languages: Languages, tenancy: Tenancy, context: BoltContext, body: dict[str, Any], *, wait: bool
) -> Iterator[Words]:
    """`with person_reading(…):` renders what the person who acted reads alone (private replies, forms) in their
    language (`bot.teams.languages`). `wait=False` for a request whose trigger is ticking (it may open a form): no
    `users.info` before it, someone not known yet reads the team's language, and their language is learned after
    the block, for next time. In a request that names no user or workspace, the bot's language."""
    channel_id = channel_of(context, body)
    try:
        user_id = user_of(context)
        workspace_id = workspace_of(tenancy, context, channel_id)
    except LookupError:
        with reading(languages.of_channel(channel_id)) as words:
            yield words
        return
    with reading(languages.of_person(workspace_id, user_id, channel_id=channel_id, wait=wait)) as words:
        yield words
    if not wait:
        languages.learn(workspace_id, user_id)


def body_language(languages: Languages, body: dict[str, Any]) -> str:
    """The language of the person a raw request names (for words said after its listener failed, outside any
    `person_reading`): theirs if it is known, else their channel's team's, else the bot's. Never asks Slack."""
    user = body.get("user_id") or (body.get("user") or {}).get("id")
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    channel = body.get("channel_id") or (body.get("channel") or {}).get("id")
    if not isinstance(user, str) or not isinstance(team, str):
        return languages.of_channel(channel if isinstance(channel, str) else None)
    return languages.of_person(team, user, channel_id=channel if isinstance(channel, str) else None, wait=False)
