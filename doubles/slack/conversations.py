"""conversations.*: reading a channel's history and threads, what channels there are and who is in them, DMs.

Paged reads answer with Slack's cursors (`response_metadata.next_cursor`, empty on the last page) and never more
than `limit`, 1,000, or the double's `page_cap` items a page.
"""

from __future__ import annotations

import base64
from typing import Any

from doubles.slack.state import Method, SlackState
from doubles.slack.wire import JSON, err, truthy


def _readable(s: SlackState, channel: Any) -> tuple[str, JSON | str]:
    """(channel id, the channel) when the bot may read it, else (channel id, Slack's error)."""
    cid, info = s._channel_for(channel)
    if info is None:
        return cid, "channel_not_found"
    if not info["is_member"]:
        return cid, "not_in_channel"
    return cid, info


def _window(messages: list[JSON], args: JSON) -> list[JSON]:
    """The messages between `oldest` and `latest` (exclusive unless `inclusive`)."""
    inclusive = truthy(args.get("inclusive"))
    oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")

    def keep(m: JSON) -> bool:
        ts = float(m["ts"])
        return (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)

    return [m for m in messages if keep(m)]


def history(s: SlackState, args: JSON) -> JSON:
    """Top-level messages (and broadcast replies), newest first, within the window, a page at a time."""
    cid, info = _readable(s, args.get("channel"))
    if isinstance(info, str):
        return err(info)
    top = [
        m
        for m in s._messages.get(cid, [])
        if not m.get("thread_ts") or m["thread_ts"] == m["ts"] or m.get("subtype") == "thread_broadcast"
    ]
    found = sorted(_window(top, args), key=lambda m: float(m["ts"]), reverse=True)
    page = _page(s, found, args, default=100)
    if page is None:
        return err("invalid_cursor")
    items, next_cursor = page
    metadata = truthy(args.get("include_all_metadata"))
    return {
        "ok": True,
        "messages": [s._render(cid, m, metadata=metadata) for m in items],
        "has_more": bool(next_cursor),
        "pin_count": 0,
        "channel_actions_ts": None,
        "channel_actions_count": 0,
        "response_metadata": {"next_cursor": next_cursor},
    }


def replies(s: SlackState, args: JSON) -> JSON:
    """Like Slack: `ts` may be any message of the thread; the parent comes first on the first page whatever
    the window (`oldest`/`latest` filter the replies only) and counts against `limit`."""
    cid, info = _readable(s, args.get("channel"))
    if isinstance(info, str):
        return err(info)
    given = s._find(cid, args.get("ts"))
    if given is None:
        return err("thread_not_found")
    root = given.get("thread_ts") or given["ts"]
    parent = s._find(cid, root)
    answers = [m for m in s._messages[cid] if m.get("thread_ts") == root and m["ts"] != root]
    thread = sorted(_window(answers, args), key=lambda m: float(m["ts"]))
    if parent is not None:
        thread.insert(0, parent)
    page = _page(s, thread, args, default=1000)
    if page is None:
        return err("invalid_cursor")
    items, next_cursor = page
    metadata = truthy(args.get("include_all_metadata"))
    rendered = [s._render(cid, m, metadata=metadata) for m in items]
    for m in rendered:
        m.setdefault("thread_ts", root)
    return {
        "ok": True,
        "messages": rendered,
        "has_more": bool(next_cursor),
        "response_metadata": {"next_cursor": next_cursor},
    }


def channel_object(s: SlackState, info: JSON, *, num_members: bool = False) -> JSON:
    """A channel (or DM) in the shape conversations.* answers with."""
    if info["is_im"]:
        return {
            "id": info["id"],
            "created": info["created"],
            "is_im": True,
            "is_channel": False,
            "is_private": True,
            "is_member": True,
            "is_archived": False,
            "is_org_shared": False,
            "user": info["user"],
        }
    out = {
        "id": info["id"],
        "name": info["name"],
        "name_normalized": info["name"],
        "is_channel": not info["is_private"],
        "is_group": info["is_private"],
        "is_im": False,
        "is_mpim": False,
        "is_private": info["is_private"],
        "is_member": info["is_member"],
        "is_archived": info["is_archived"],
        "is_general": False,
        "is_shared": False,
        "is_ext_shared": False,
        "is_org_shared": False,
        "created": info["created"],
        "creator": "",
        "context_team_id": s.team_id,
    }
    if num_members:
        out["num_members"] = len(info["members"])
    return out


def channel_info(s: SlackState, args: JSON) -> JSON:
    """One channel (num_members with include_num_members)."""
    _, info = s._channel_for(args.get("channel"))
    if info is None:
        return err("channel_not_found")
    return {"ok": True, "channel": channel_object(s, info, num_members=truthy(args.get("include_num_members")))}


def list_channels(s: SlackState, args: JSON) -> JSON:
    """The channels of the asked `types` (private ones only when the bot is in them), a page at a time."""
    types = str(args.get("types") or "public_channel").split(",")
    chosen = [
        info
        for info in s._channels.values()
        if (info["is_im"] and "im" in types)
        or (not info["is_im"] and info["is_private"] and "private_channel" in types and info["is_member"])
        or (not info["is_im"] and not info["is_private"] and "public_channel" in types)
    ]
    if truthy(args.get("exclude_archived")):
        chosen = [c for c in chosen if not c["is_archived"]]
    page = _page(s, chosen, args, default=100)
    if page is None:
        return err("invalid_cursor")
    items, next_cursor = page
    return {
        "ok": True,
        "channels": [channel_object(s, c) for c in items],
        "response_metadata": {"next_cursor": next_cursor},
    }


def members(s: SlackState, args: JSON) -> JSON:
    """The member ids of a channel, a page at a time."""
    _, info = s._channel_for(args.get("channel"))
    if info is None:
        return err("channel_not_found")
    page = _page(s, info["members"], args, default=100)
    if page is None:
        return err("invalid_cursor")
    items, next_cursor = page
    return {"ok": True, "members": list(items), "response_metadata": {"next_cursor": next_cursor}}


def open_dm(s: SlackState, args: JSON) -> JSON:
    """The bot's DM with one person (opened when new; no_op/already_open when it existed)."""
    users = [u for u in str(args.get("users") or "").split(",") if u]
    if args.get("channel"):
        target = str(args["channel"])
    elif len(users) == 1:
        target = users[0]
    elif not users:
        return err("users_list_not_supplied")
    else:
        return err("not_supported", detail="the double supports one-to-one DMs only")
    existed = s._canon(target) in s._channels
    cid, info = s._channel_for(target)
    if info is None:
        return err("channel_not_found")
    channel = channel_object(s, info) if truthy(args.get("return_im")) else {"id": cid}
    return {"ok": True, "no_op": existed, "already_open": existed, "channel": channel}


def _page(s: SlackState, items: list[Any], args: JSON, *, default: int) -> tuple[list[Any], str] | None:
    """(this page's items, the next cursor or "") for the call's `cursor` and `limit`; None: a bad cursor."""
    start = _offset(args.get("cursor"))
    if start is None:
        return None
    try:
        limit = int(args.get("limit") or default)
    except ValueError:
        limit = default
    limit = max(1, min(limit, 1000, s.page_cap))
    end = start + limit
    return items[start:end], (_cursor(end) if end < len(items) else "")


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: Any) -> int | None:
    """Where a cursor points (0 for none), or None for a cursor the double did not hand out."""
    if not cursor:
        return 0
    try:
        kind, _, n = base64.b64decode(str(cursor)).decode().partition(":")
        return int(n) if kind == "offset" else None
    except ValueError:
        return None


METHODS: dict[str, Method] = {
    "conversations.history": history,
    "conversations.replies": replies,
    "conversations.info": channel_info,
    "conversations.list": list_channels,
    "conversations.members": members,
    "conversations.open": open_dm,
}
