"""reactions.*: the reactions on a message, and the bot's own reactions (add, remove)."""

from __future__ import annotations

from doubles.slack.state import Method, SlackState
from doubles.slack.wire import JSON, err


def get(s: SlackState, args: JSON) -> JSON:
    """The message with everyone's reactions (those a test added with add_reaction included)."""
    cid, info = s._channel_for(args.get("channel"))
    if info is None:
        return err("channel_not_found")
    ts = args.get("timestamp")
    msg = s._find(cid, ts)
    if msg is None:
        if not s._reactions.get((cid, str(ts))):
            return err("message_not_found")
        msg = {"type": "message", "ts": ts, "text": ""}  # reactions set by the test on a message we never saw
    rendered = s._render(cid, msg, metadata=False)
    return {"ok": True, "type": "message", "channel": cid, "message": {**rendered, "permalink": s._permalink(cid, ts)}}


def add(s: SlackState, args: JSON) -> JSON:
    """The bot reacts; Slack refuses a second identical reaction (already_reacted)."""
    cid, info = s._channel_for(args.get("channel"))
    if info is None:
        return err("channel_not_found")
    ts, name = str(args.get("timestamp") or ""), str(args.get("name") or "")
    if s._find(cid, ts) is None:
        return err("message_not_found")
    if s.bot_user_id in s._reactions.get((cid, ts), {}).get(name, []):
        return err("already_reacted")
    s.add_reaction(cid, ts, name, s.bot_user_id)
    return {"ok": True}


def remove(s: SlackState, args: JSON) -> JSON:
    """The bot takes its reaction off; no_reaction when it had none."""
    cid, info = s._channel_for(args.get("channel"))
    if info is None:
        return err("channel_not_found")
    ts, name = str(args.get("timestamp") or ""), str(args.get("name") or "")
    if s.bot_user_id not in s._reactions.get((cid, ts), {}).get(name, []):
        return err("no_reaction")
    s.remove_reaction(cid, ts, name, s.bot_user_id)
    return {"ok": True}


METHODS: dict[str, Method] = {"reactions.get": get, "reactions.add": add, "reactions.remove": remove}
