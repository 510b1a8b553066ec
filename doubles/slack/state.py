"""What Slack keeps for the double's workspace, and how a test sets it up.

`SlackState` holds the workspace (channels, messages, users, user groups, reactions), the views and Home tabs,
trigger ids, response URLs and uploads, installs in other workspaces, and the record of the bot's calls. Its
public methods seed that state (`add_channel`, `add_user`, `add_message`, `add_install`, ...); its underscored
attributes and helpers are the double's own, for the Web API method modules (chat, conversations, ...), which
read and change them with `_lock` held. Tests read the state through SlackDouble's inspection methods.
"""

from __future__ import annotations

import copy
import itertools
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from doubles.slack.wire import JSON


@dataclass
class Call:
    """One Web API call the double received, in the order it arrived."""

    method: str  # e.g. "chat.postMessage"
    args: dict[str, Any]  # form fields, JSON body and query params merged; JSON-looking fields decoded
    headers: dict[str, str]
    token: str | None  # from Authorization: Bearer, or the token form field
    result: dict[str, Any] | None = None  # what the double answered, once it has (faults answer nothing here)


class SlackState:
    """The state of one Slack workspace as the double keeps it. Thread-safe: everything under `_lock`."""

    def __init__(
        self,
        *,
        bot_token: str,
        team_id: str,
        bot_user_id: str,
        bot_id: str,
        app_id: str,
        team_domain: str,
    ) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.team_domain = team_domain
        self.socket_mode_url: str | None = None
        # Installs in other workspaces (OAuth): their bot tokens are accepted too, and oauth.v2.access hands them
        # out for the codes registered with add_install.
        self.other_tokens: dict[str, str] = {}
        self._token_keys: dict[str, tuple[str | None, bool]] = {}  # token -> (enterprise_id, org-wide)
        self._caller: str | None = None  # the token of the call being answered
        self._install_codes: dict[str, JSON] = {}
        self.rejections: list[tuple[str, str]] = []
        # Slack's trigger_ids expire after 3 s; None turns the check off (only ids from new_trigger_id() expire).
        self.trigger_ttl: float | None = 3.0
        # Message timestamps follow this clock (wall time by default) so `oldest`/`latest` filters behave.
        self.clock: Callable[[], float] = time.time
        self.url = ""
        self.api_url = ""
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._last_ts_us = 0
        self._calls: list[Call] = []
        self._channels: dict[str, JSON] = {}
        self._messages: dict[str, list[JSON]] = {}
        self._ephemerals: list[JSON] = []
        self._users: dict[str, JSON] = {}
        self._usergroups: dict[str, list[str]] = {}
        self._reactions: dict[tuple[str, str], dict[str, list[str]]] = {}
        self._views: dict[str, JSON] = {}
        self._view_history: list[JSON] = []
        self._home_views: dict[str, str] = {}
        self._stack_depth: dict[str, int] = {}
        self._last_modal: str | None = None
        self._triggers: dict[str, float] = {}
        self._used_triggers: set[str] = set()
        self._response_targets: dict[str, tuple[str | None, str | None]] = {}
        self._responses: list[tuple[str, JSON]] = []
        self._uploads: dict[str, JSON] = {}
        self._uploaded: list[JSON] = []
        # Slack may answer a paged read with fewer items than asked for (its docs: "fewer than the limit"); a
        # test sets this to make every page that short.
        self.page_cap = 1000
        self.add_user(bot_user_id, "kaizen", is_bot=True)

    # --- set-up by a test --------------------------------------------------------------------------------------------

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        members: Sequence[str] = (),
        is_member: bool = True,
        is_private: bool = False,
        is_archived: bool = False,
    ) -> None:
        """A channel Slack knows. `members` empty: membership is not checked (chat.postEphemeral takes any user);
        `is_member=False`: the bot is not in it (posting is refused with not_in_channel)."""
        with self._lock:
            self._new_channel(
                channel_id, name, members, is_member=is_member, is_private=is_private, is_archived=is_archived
            )

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        tz: str | None = "Europe/London",
        is_admin: bool = False,
        is_bot: bool = False,
        real_name: str | None = None,
        is_owner: bool = False,
        deleted: bool = False,
        locale: str = "en-US",
    ) -> None:
        """A user users.info knows. `tz=None`: a profile without a time zone (no `tz`, `tz_label`, `tz_offset`);
        `deleted=True`: a deactivated account, in the shape Slack gives one (no zone, no admin or owner flags);
        `locale`: the tag of their Slack's language ("ja-JP", "es-LA"), shown when asked with `include_locale`."""
        with self._lock:
            self._users[user_id] = {
                "id": user_id,
                "name": name,
                "real_name": real_name or name,
                "tz": tz,
                "is_admin": is_admin,
                "is_owner": is_owner,
                "is_bot": is_bot,
                "deleted": deleted,
                "locale": locale,
            }

    def set_usergroup(self, group_id: str, users: Iterable[str]) -> None:
        """The members usergroups.users.list answers for `group_id`."""
        with self._lock:
            self._usergroups[group_id] = list(users)

    def add_reaction(self, channel: str, ts: str, name: str, user: str) -> None:
        """`user` reacted with :name: to the message `ts` (reactions.get shows it; no event is sent)."""
        with self._lock:
            users = self._reactions.setdefault((self._canon(channel), ts), {}).setdefault(name, [])
            if user not in users:
                users.append(user)

    def remove_reaction(self, channel: str, ts: str, name: str, user: str) -> None:
        """`user` took the :name: reaction off the message `ts`, if it was there."""
        with self._lock:
            by_name = self._reactions.get((self._canon(channel), ts), {})
            if user in by_name.get(name, []):
                by_name[name].remove(user)
                if not by_name[name]:
                    del by_name[name]

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str,
        ts: str | None = None,
        thread_ts: str | None = None,
        blocks: list[JSON] | None = None,
    ) -> str:
        """Seeds a message someone else posted (so history, replies and reactions.get can see it)."""
        with self._lock:
            cid = self._canon(channel)
            ts = ts or self._next_ts()
            msg: JSON = {"type": "message", "user": user, "text": text, "ts": ts, "team": self.team_id}
            if blocks is not None:
                msg["blocks"] = copy.deepcopy(blocks)
            if thread_ts:
                msg["thread_ts"] = thread_ts
            self._messages.setdefault(cid, []).append(msg)
            self._messages[cid].sort(key=lambda m: float(m["ts"]))
            return ts

    def new_response_url(self, *, channel_id: str | None = None, message_ts: str | None = None) -> str:
        """A response URL on the double; channel_id/message_ts say what in_channel/replace_original act on."""
        self._require_started()
        with self._lock:
            url = f"{self.url}/response/{next(self._ids)}"
            self._response_targets[url] = (self._canon(channel_id) if channel_id else None, message_ts)
            return url

    def new_trigger_id(self) -> str:
        """A trigger_id as Slack would put in an interaction; it expires after trigger_ttl seconds."""
        with self._lock:
            trigger = f"{next(self._ids)}.{int(self.clock())}.{secrets.token_hex(16)}"
            self._triggers[trigger] = time.monotonic()
            return trigger

    def add_install(
        self,
        code: str,
        *,
        team_id: str | None,
        bot_token: str,
        bot_user_id: str = "UBOT2",
        enterprise_id: str | None = None,
        org_wide: bool = False,
    ) -> None:
        """Let oauth.v2.access exchange `code` for an install with `bot_token`: in workspace `team_id`, inside the
        Enterprise Grid organisation `enterprise_id` when given; `org_wide` installs in the whole organisation
        (Slack's answer then names no workspace: `team` is null)."""
        with self._lock:
            self.other_tokens[bot_token] = "" if org_wide else str(team_id)
            self._token_keys[bot_token] = (enterprise_id, org_wide)
            self._install_codes[code] = {
                "ok": True,
                "app_id": self.app_id,
                "authed_user": {"id": "U_INSTALLER"},
                "scope": "commands,chat:write",
                "token_type": "bot",
                "access_token": bot_token,
                "bot_user_id": bot_user_id,
                "team": None if org_wide else {"id": team_id, "name": f"Workspace {team_id}"},
                "enterprise": {"id": enterprise_id, "name": f"Org {enterprise_id}"} if enterprise_id else None,
                "is_enterprise_install": org_wide,
            }

    # --- helpers over state (call with the lock held) ----------------------------------------------------------------

    def _require_started(self) -> None:
        if not self.url:
            raise RuntimeError("SlackDouble.start() must be called first")

    def _next_ts(self) -> str:
        now_us = int(self.clock() * 1_000_000) // 100 * 100
        self._last_ts_us = max(now_us, self._last_ts_us + 100)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    def _canon(self, channel: str) -> str:
        """Posting to a user ID lands in the bot's DM with that user, which we name "D" + user id."""
        if channel.startswith(("U", "W")):
            return "D" + channel
        if channel.startswith("#"):
            return next((c for c, info in self._channels.items() if info["name"] == channel[1:]), channel)
        return channel

    def _channel_for(self, channel: Any) -> tuple[str, JSON | None]:
        if not isinstance(channel, str) or not channel:
            return "", None
        cid = self._canon(channel)
        if cid.startswith("D") and cid not in self._channels:
            user = cid[1:]  # the bot's DM with a person opens when first used
            self._new_channel(cid, cid, [user, self.bot_user_id], is_member=True, is_private=True, dm_with=user)
        return cid, self._channels.get(cid)

    def _new_channel(
        self,
        cid: str,
        name: str,
        members: Sequence[str],
        *,
        is_member: bool,
        is_private: bool,
        is_archived: bool = False,
        dm_with: str | None = None,
    ) -> None:
        """Records a channel (a DM with `dm_with`, when given), with no messages yet unless it had some."""
        self._channels[cid] = {
            "id": cid,
            "name": name,
            "members": list(members),
            "is_member": is_member,
            "is_private": is_private,
            "is_archived": is_archived,
            "is_im": dm_with is not None,
            "created": int(self.clock()),
        }
        if dm_with is not None:
            self._channels[cid]["user"] = dm_with
        self._messages.setdefault(cid, [])

    def _postable(self, channel: Any) -> tuple[str, str | None]:
        cid, info = self._channel_for(channel)
        if info is None:
            return cid, "channel_not_found"
        if info["is_archived"]:
            return cid, "is_archived"
        if not info["is_member"]:
            return cid, "not_in_channel"
        return cid, None

    def _find(self, cid: str, ts: Any) -> JSON | None:
        return next((m for m in self._messages.get(cid, []) if m["ts"] == ts), None)

    def _permalink(self, cid: str, ts: Any) -> str:
        return f"https://{self.team_domain}.slack.com/archives/{cid}/p{str(ts).replace('.', '')}"

    def _assign_ids(self, blocks: Any) -> Any:
        """Slack gives every block a block_id and every interactive element an action_id."""
        if not isinstance(blocks, list):
            return blocks
        blocks = copy.deepcopy(blocks)
        for block in blocks:
            if not isinstance(block, dict) or block.get("type") in ("rich_text", "markdown", "table"):
                continue
            block.setdefault("block_id", secrets.token_urlsafe(4))
            elements = [block.get("accessory"), block.get("element"), *(block.get("elements") or [])]
            for el in elements:
                if isinstance(el, dict) and el.get("type") not in (None, "image", "plain_text", "mrkdwn"):
                    el.setdefault("action_id", secrets.token_urlsafe(4))
        return blocks

    def _bot_profile(self) -> JSON:
        return {
            "id": self.bot_id,
            "app_id": self.app_id,
            "name": "kaizen",
            "deleted": False,
            "team_id": self.team_id,
            "icons": {"image_48": "https://example.invalid/bot_48.png"},
            "updated": 1_700_000_000,
        }

    def _render(self, cid: str, m: JSON, *, metadata: bool, thread_info: bool = True) -> JSON:
        """A stored message in Slack's wire shape."""
        out = {k: copy.deepcopy(v) for k, v in m.items() if not k.startswith("_") and v is not None}
        if not metadata:
            out.pop("metadata", None)
        if m.get("_bot"):
            out["bot_profile"] = self._bot_profile()
        reactions = self._reactions.get((cid, m["ts"]), {})
        if reactions:
            out["reactions"] = [{"name": n, "users": list(u), "count": len(u)} for n, u in reactions.items()]
        if thread_info:
            replies = [r for r in self._messages.get(cid, []) if r.get("thread_ts") == m["ts"] and r is not m]
            if replies:
                out["thread_ts"] = m["ts"]
                out["reply_count"] = len(replies)
                out["reply_users"] = list(dict.fromkeys(r.get("user", "") for r in replies))
                out["reply_users_count"] = len(out["reply_users"])
                out["latest_reply"] = replies[-1]["ts"]
                out["is_locked"] = False
        return out


Method = Callable[[SlackState, JSON], JSON]  # a Web API method: (the state, the call's arguments) -> the answer
