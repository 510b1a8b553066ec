"""Response URLs: where the bot answers a slash command or an interaction (not a Web API method).

SlackDouble.new_response_url hands one out, saying which channel (and message) it answers in. A body is checked
like a message; then, as Slack does, `delete_original` / `replace_original` act on that message,
`response_type: in_channel` posts in the channel, and anything else is an ephemeral reply to the person.
"""

from __future__ import annotations

import copy
import json
import urllib.parse

from doubles.slack.chat import post, record_ephemeral
from doubles.slack.server import HttpReply, json_reply, text_reply
from doubles.slack.state import SlackState
from doubles.slack.validator import describe, rejected, validate_message
from doubles.slack.wire import JSON, truthy


def receive(s: SlackState, url: str, body: bytes) -> HttpReply:
    """A POST to response URL `url` (a JSON body, or a form with a `payload` field): checked like a message, kept
    (SlackDouble.responses) and applied."""
    with s._lock:
        if url not in s._response_targets:
            return text_reply(404, b"no_such_url")
        channel, message_ts = s._response_targets[url]
    try:
        payload = json.loads(body)
    except ValueError:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        try:
            payload = json.loads(form["payload"][-1])
        except (KeyError, ValueError):
            return text_reply(400, b"invalid_payload")
    if not isinstance(payload, dict):
        return text_reply(400, b"invalid_payload")
    problem = validate_message(payload, allow_delete=True)
    with s._lock:
        if problem:
            s.rejections.append(("response_url", describe(*problem)))
            return json_reply(rejected(problem))
        s._responses.append((url, copy.deepcopy(payload)))
        _apply(s, payload, channel, message_ts)
    return json_reply({"ok": True})


def _apply(s: SlackState, payload: JSON, channel: str | None, message_ts: str | None) -> None:
    """What Slack does with a response-URL body: delete/replace the source message, or post a new one."""
    original = s._find(channel, message_ts) if channel and message_ts else None
    if truthy(payload.get("delete_original")):
        if original is not None:
            s._messages[channel].remove(original)  # type: ignore[index]
    elif truthy(payload.get("replace_original")) and original is not None:
        original["text"] = payload.get("text", "")
        original["blocks"] = s._assign_ids(payload.get("blocks", []))
        original["edited"] = {"user": s.bot_user_id, "ts": s._next_ts()}
    elif payload.get("response_type") == "in_channel" and channel:
        post(s, channel, payload)  # works without membership, like a slash command's in_channel reply
    elif channel:
        record_ephemeral(s, channel, None, payload)
