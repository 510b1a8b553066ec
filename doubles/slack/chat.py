"""chat.*: the bot posts, updates, deletes messages, posts ephemeral ones and asks for permalinks.

A message is checked as Slack checks it (doubles.slack.validator) after the channel is: Slack answers
channel_not_found / not_in_channel / is_archived before it looks at the blocks.
"""

from __future__ import annotations

import copy

from doubles.slack.state import Method, SlackState
from doubles.slack.validator import rejected, validate_message
from doubles.slack.wire import JSON, err, truthy


def _store_fields(s: SlackState, msg: JSON, args: JSON) -> None:
    for key in ("text", "attachments", "metadata"):
        if key in args:
            msg[key] = copy.deepcopy(args[key])
    if "blocks" in args:
        msg["blocks"] = s._assign_ids(args["blocks"])
    msg.setdefault("text", "")


def post_message(s: SlackState, args: JSON) -> JSON:
    """Posts in a channel (a user id: the DM with that user); thread_ts and reply_broadcast as Slack takes them."""
    cid, error = s._postable(args.get("channel"))
    if error:
        return err(error)
    problem = validate_message(args)
    if problem:
        return rejected(problem)
    msg = post(s, cid, args)
    return {"ok": True, "channel": cid, "ts": msg["ts"], "message": s._render(cid, msg, metadata=True)}


def post(s: SlackState, cid: str, args: JSON) -> JSON:
    """Stores a message of the bot's in `cid` (checked already) and returns it as stored."""
    msg: JSON = {
        "type": "message",
        "user": s.bot_user_id,
        "bot_id": s.bot_id,
        "app_id": s.app_id,
        "ts": s._next_ts(),
        "team": s.team_id,
        "_bot": True,
    }
    _store_fields(s, msg, args)
    if args.get("thread_ts"):
        msg["thread_ts"] = str(args["thread_ts"])
        parent = s._find(cid, msg["thread_ts"])
        if parent is not None:
            msg["parent_user_id"] = parent.get("user")
        if truthy(args.get("reply_broadcast")):
            msg["subtype"] = "thread_broadcast"
    s._messages.setdefault(cid, []).append(msg)
    return msg


def record_ephemeral(s: SlackState, cid: str, user: str | None, body: JSON) -> str:
    """Keeps an ephemeral message for `user` (None: a response-URL reply only its caller sees); its ts."""
    ts = s._next_ts()
    s._ephemerals.append(
        {
            "channel": cid,
            "user": user,
            "ts": ts,
            "text": body.get("text", ""),
            "blocks": copy.deepcopy(body.get("blocks")),
            "thread_ts": body.get("thread_ts"),
        }
    )
    return ts


def _own_message(s: SlackState, args: JSON, not_ours: str) -> tuple[str, JSON] | str:
    """(channel id, the bot's message `ts` in `channel`), or Slack's error (`not_ours`: someone else's message)."""
    cid, info = s._channel_for(args.get("channel"))
    if info is None:
        return "channel_not_found"
    msg = s._find(cid, args.get("ts"))
    if msg is None:
        return "message_not_found"
    if not msg.get("_bot"):
        return not_ours
    return cid, msg


def update(s: SlackState, args: JSON) -> JSON:
    """Edits a message of the bot's (text, blocks, attachments, metadata given replace the old ones)."""
    found = _own_message(s, args, "cant_update_message")
    if isinstance(found, str):
        return err(found)
    cid, msg = found
    problem = validate_message(args)
    if problem:
        return rejected(problem)
    _store_fields(s, msg, args)
    msg["edited"] = {"user": s.bot_user_id, "ts": s._next_ts()}
    rendered = s._render(cid, msg, metadata=True)
    return {"ok": True, "channel": cid, "ts": msg["ts"], "text": msg.get("text", ""), "message": rendered}


def delete(s: SlackState, args: JSON) -> JSON:
    """Deletes a message of the bot's."""
    found = _own_message(s, args, "cant_delete_message")
    if isinstance(found, str):
        return err(found)
    cid, msg = found
    s._messages[cid].remove(msg)
    return {"ok": True, "channel": cid, "ts": msg["ts"]}


def post_ephemeral(s: SlackState, args: JSON) -> JSON:
    """A message only `user` sees; user_not_in_channel when the test declared members and `user` is not one."""
    cid, error = s._postable(args.get("channel"))
    if error:
        return err(error)
    user = args.get("user")
    if not user:
        return err("user_not_found")
    members = s._channels[cid]["members"]
    if members and user not in members:  # only checked when the test declared the members
        return err("user_not_in_channel")
    problem = validate_message(args)
    if problem:
        return rejected(problem)
    return {"ok": True, "message_ts": record_ephemeral(s, cid, user, args)}


def get_permalink(s: SlackState, args: JSON) -> JSON:
    """The message's link; a reply's link names its thread."""
    cid, info = s._channel_for(args.get("channel"))
    if info is None:
        return err("channel_not_found")
    ts = args.get("message_ts")
    if not ts:
        return err("message_not_found")
    link = s._permalink(cid, ts)
    msg = s._find(cid, ts)
    if msg and msg.get("thread_ts") and msg["thread_ts"] != ts:
        link += f"?thread_ts={msg['thread_ts']}&cid={cid}"
    return {"ok": True, "channel": cid, "permalink": link}


METHODS: dict[str, Method] = {
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.delete": delete,
    "chat.postEphemeral": post_ephemeral,
    "chat.getPermalink": get_permalink,
}
