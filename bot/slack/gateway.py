"""The one gateway to Slack's Web API. Product code asks for what it needs (post, update, members, user, …); only
this module knows slack_sdk's clients, Slack's pagination and how Slack says no.

Every method raises `SlackError` when Slack answers `ok: false` or an HTTP error status (its `code` is Slack's
error name, e.g. `channel_not_found`, or `http_503` when Slack named none) and `SlackUnreachable` when no answer
came (connection refused or reset, time-out): the caller decides what each means for its work.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.web import SlackResponse
from slack_sdk.webhook import WebhookClient

from bot.slack.clients import SlackClients
from bot.slack.refusals import NOT_JSON, server_side

Message = dict[str, Any]
Blocks = Sequence[Block | dict[str, Any]]
# A thread or channel is paged through at most this many pages; callers look for something posted recently.
DEFAULT_PAGES = 10
PAGE_SIZE = 200
MEMBERS_PAGE_SIZE = 1000
MEMBERS_MAX_PAGES = 50  # a bound on calls however short Slack's pages are
RESPONSE_URL_TIMEOUT_SECONDS = 5


def is_direct_message(channel_id: str) -> bool:
    """Whether a conversation id is a direct message (Slack's ids for DMs start with D)."""
    return channel_id.startswith("D")


def is_user_id(conversation_id: str) -> bool:
    """Whether an id names a person (U…, or W… for Enterprise Grid) rather than a conversation."""
    return conversation_id.startswith(("U", "W"))


class SlackError(Exception):
    """Slack answered, and said no. `code`: Slack's error name, or `http_<status>` when it named none;
    `status`: the HTTP status (200 for an `ok: false` answer)."""

    def __init__(self, method: str, code: str, status: int) -> None:
        super().__init__(f"{method}: {code}")
        self.method = method
        self.code = code
        self.status = status

    @property
    def server_side(self) -> bool:
        """True when Slack's side failed (a 5xx, a body that is not JSON): Slack may have done it anyway, so a
        post must be looked for before it is tried again (`bot.slack.refusals.server_side`)."""
        return server_side(self.code, self.status)


class SlackUnreachable(Exception):
    """No answer from Slack (connection refused or reset, time-out): the call may or may not have happened."""


# What Slack's error names look like; anything else in `error` (slack_sdk puts its own sentence there for a body
# that is not JSON, e.g. an HTML 502 page) is not a name anyone can act on.
_ERROR_NAME = re.compile(r"^[a-z0-9_.]{1,64}$")


@contextmanager
def _answers(method: str) -> Iterator[None]:
    """Slack's answers in our terms: SlackApiError → SlackError (Slack's error name, else `http_<status>`); a later
    page whose body is not JSON → SlackError NOT_JSON (status unknown: slack_sdk's pagination parses it before
    looking); no answer or half of one (urllib and socket errors, a body cut short, slack_sdk's request errors) →
    SlackUnreachable. A bug of ours (e.g. slack_sdk refusing to build a Block Kit object) is not Slack's answer
    and goes up unchanged."""
    try:
        yield
    except SlackApiError as error:
        status = int(getattr(error.response, "status_code", 200) or 200)
        name = str(error.response.get("error") or "")
        code = name if _ERROR_NAME.match(name) else f"http_{status}"
        raise SlackError(method, code, status) from error
    except json.JSONDecodeError as error:  # from slack_sdk's pagination, the only JSON parsed unguarded
        raise SlackError(method, NOT_JSON, 0) from error
    except (SlackRequestError, OSError, http.client.HTTPException) as error:
        # URLError, socket errors and time-outs are OSErrors; a body cut short (IncompleteRead) is not.
        raise SlackUnreachable(f"{method}: {error!r}") from error


def _pages(first: SlackResponse, limit: int) -> Iterator[SlackResponse]:
    """slack_sdk's own cursor iteration (`SlackResponse.__iter__` follows `response_metadata.next_cursor`),
    bounded to `limit` pages."""
    return itertools.islice(iter(first), limit)


class WorkspaceSlack:
    """Slack's Web API with one workspace's bot token. Methods raise `SlackError` / `SlackUnreachable`."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    # --- messages ------------------------------------------------------------------------------------------------

    def post(
        self,
        channel: str,
        text: str,
        blocks: Blocks | None = None,
        *,
        thread_ts: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        unfurl: bool = False,
    ) -> str:
        """chat.postMessage in a channel, a thread (`thread_ts`) or a DM (a user id as `channel`); returns the ts."""
        with _answers("chat.postMessage"):
            response = self._client.chat_postMessage(
                channel=channel, text=text, blocks=blocks, thread_ts=thread_ts,
                metadata=dict(metadata) if metadata is not None else None,
                unfurl_links=unfurl, unfurl_media=unfurl,
            )  # fmt: skip
        return str(response["ts"])

    def post_ephemeral(self, channel: str, user: str, text: str, blocks: Blocks | None = None) -> str:
        """chat.postEphemeral: seen by `user` only, in `channel`; returns the message_ts ("" when none)."""
        with _answers("chat.postEphemeral"):
            response = self._client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
        return str(response.get("message_ts") or "")

    def update(self, channel: str, ts: str, text: str, blocks: Blocks | None = None) -> None:
        """chat.update of a message the bot posted."""
        with _answers("chat.update"):
            self._client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)

    def delete(self, channel: str, ts: str) -> None:
        """chat.delete of a message the bot posted."""
        with _answers("chat.delete"):
            self._client.chat_delete(channel=channel, ts=ts)

    def permalink(self, channel: str, ts: str) -> str:
        """chat.getPermalink: a link to the message."""
        with _answers("chat.getPermalink"):
            return str(self._client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])

    def history_find(
        self,
        channel: str,
        matches: Callable[[Message], bool],
        *,
        oldest: str,
        thread_ts: str | None = None,
        pages: int = DEFAULT_PAGES,
    ) -> Message | None:
        """The first message since `oldest` (a Slack ts) in the channel (or the thread of `thread_ts`) for which
        `matches` is true, read with its metadata; None when none is found within `pages` pages."""
        method = "conversations.history" if thread_ts is None else "conversations.replies"
        with _answers(method):
            if thread_ts is None:
                first = self._client.conversations_history(
                    channel=channel, oldest=oldest, include_all_metadata=True, limit=PAGE_SIZE
                )
            else:
                first = self._client.conversations_replies(
                    channel=channel, ts=thread_ts, oldest=oldest, include_all_metadata=True, limit=PAGE_SIZE
                )
            for page in _pages(first, pages):
                messages: list[Message] = page.get("messages", [])
                for message in messages:
                    if matches(message):
                        return dict(message)
        return None

    def message(
        self, channel: str, ts: str, *, pages: int = DEFAULT_PAGES, page_size: int = PAGE_SIZE
    ) -> Message | None:
        """One message, a thread reply included, by its ts (conversations.replies bounded to that ts); None when
        Slack has no such message within `pages` pages."""
        with _answers("conversations.replies"):
            first = self._client.conversations_replies(
                channel=channel, ts=ts, oldest=ts, latest=ts, inclusive=True, limit=page_size
            )
            for page in _pages(first, pages):
                replies: list[Message] = page.get("messages", [])
                for message in replies:
                    if message.get("ts") == ts:
                        return dict(message)
        return None

    def reactions(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """reactions.get (full): the message's reactions as Slack gives them, `[{name, users, count}, …]`."""
        with _answers("reactions.get"):
            response = self._client.reactions_get(channel=channel, timestamp=ts, full=True)
        return list((response.get("message") or {}).get("reactions") or [])

    # --- conversations and people ----------------------------------------------------------------------------

    def conversation(self, channel: str) -> dict[str, Any]:
        """conversations.info: the channel object."""
        with _answers("conversations.info"):
            return dict(self._client.conversations_info(channel=channel)["channel"])

    def can_post(self, channel: str) -> bool:
        """conversations.info: whether Kaizen's posts would be taken there (it is a member and the channel is not
        archived)."""
        conversation = self.conversation(channel)
        return bool(conversation.get("is_member")) and not conversation.get("is_archived")

    def members(self, channel: str, *, limit: int, pages: int = MEMBERS_MAX_PAGES) -> list[str]:
        """conversations.members: user ids in the channel, read page by page (1,000 asked for each; Slack may send
        fewer) until at least `limit` are read, the channel ends, or `pages` pages were read."""
        members: list[str] = []
        with _answers("conversations.members"):
            first = self._client.conversations_members(channel=channel, limit=MEMBERS_PAGE_SIZE)
            for page in _pages(first, pages):
                members += page.get("members", [])
                if len(members) >= limit:
                    break
        return members

    def user(self, user_id: str, *, include_locale: bool = False) -> dict[str, Any]:
        """users.info: the user object; with `include_locale`, its `locale` is the tag of the language the person
        reads Slack in ("ja-JP", "es-LA")."""
        with _answers("users.info"):
            if include_locale:
                return dict(self._client.users_info(user=user_id, include_locale=True)["user"])
            return dict(self._client.users_info(user=user_id)["user"])

    def usergroup_members(self, usergroup: str) -> list[str]:
        """usergroups.users.list: the user ids in a user group."""
        with _answers("usergroups.users.list"):
            return list(self._client.usergroups_users_list(usergroup=usergroup).get("users", []))

    def open_dm(self, user_id: str) -> str:
        """conversations.open: the id of the DM channel with the person."""
        with _answers("conversations.open"):
            return str(self._client.conversations_open(users=user_id)["channel"]["id"])

    def auth_test(self) -> dict[str, Any]:
        """auth.test: who the token is (`user_id`, `team_id`, `bot_id`, …)."""
        with _answers("auth.test"):
            return dict(self._client.auth_test().data)  # type: ignore[arg-type]

    # --- files and views ---------------------------------------------------------------------------------------

    def upload(
        self,
        channel: str,
        content: bytes | str,
        filename: str,
        title: str,
        comment: str,
        *,
        thread_ts: str | None = None,
    ) -> None:
        """files.getUploadURLExternal + files.completeUploadExternal (slack_sdk's files_upload_v2), shared in
        `channel` (or its thread) with `comment` as the message."""
        with _answers("files.upload_v2"):
            self._client.files_upload_v2(
                channel=channel, thread_ts=thread_ts, content=content, filename=filename, title=title,
                initial_comment=comment,
            )  # fmt: skip

    def open_view(self, trigger_id: str, view: dict[str, Any] | View) -> str:
        """views.open: a modal for the trigger (which dies 3 s after the person acted); returns the view id."""
        with _answers("views.open"):
            response = self._client.views_open(trigger_id=trigger_id, view=view)
        return str((response.get("view") or {}).get("id") or "")

    def publish_home(self, user_id: str, view: dict[str, Any] | View) -> None:
        """views.publish: the person's Home tab."""
        with _answers("views.publish"):
            self._client.views_publish(user_id=user_id, view=view)

    # --- response_url ------------------------------------------------------------------------------------------

    @staticmethod
    def respond(
        response_url: str, text: str, blocks: Blocks | None = None, *, replace_original: bool | None = None,
        timeout: int = RESPONSE_URL_TIMEOUT_SECONDS,
    ) -> None:  # fmt: skip
        """Post `text` (and `blocks`) privately (ephemeral) to a request's `response_url` (a slash command's, a
        modal's or a button's), within `timeout` seconds. Needs no token, so no workspace: call it on the class.
        Raises SlackError (`http_<status>`) when the URL answers a status of 300 or more, SlackUnreachable when it
        does not answer."""
        with _answers("response_url"):
            response = WebhookClient(response_url, timeout=timeout).send(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=replace_original
            )
        if response.status_code >= 300:
            raise SlackError("response_url", f"http_{response.status_code}", response.status_code)


# Clients kept per token and kind: one per installation, not one per call (each costs a logger, headers and a retry
# handler). Past this many (tokens of installations since removed), all are let go and made again as needed.
CLIENTS_KEPT = 1000


class SlackGateway:
    """Hands out `WorkspaceSlack`s with the right token: the bot token, or (installed in several workspaces)
    the installation's, found by `token_for(workspace_id)`. One client per token (and kind) is made and kept:
    slack_sdk's WebClient keeps no state between calls (each opens its own connection), so threads share it."""

    def __init__(self, clients: SlackClients, token_for: Callable[[str | None], str]) -> None:
        self._clients = clients
        self._token_for = token_for
        self._kept: dict[tuple[str, int | None, str], WorkspaceSlack] = {}
        self._kept_lock = threading.Lock()

    def _kept_client(self, key: tuple[str, int | None, str], make: Callable[[], WebClient]) -> WorkspaceSlack:
        """The client kept for `key` (kind, time-out, token), made by `make` the first time."""
        slack = self._kept.get(key)
        if slack is None:
            with self._kept_lock:
                if len(self._kept) >= CLIENTS_KEPT:
                    self._kept.clear()
                slack = self._kept.setdefault(key, WorkspaceSlack(make()))
        return slack

    def workspace(self, workspace_id: str | None) -> WorkspaceSlack:
        """For posting and reading: waits out rate limits; never retries a post blindly."""
        token = self._token_for(workspace_id)
        return self._kept_client(("web", None, token), lambda: self._clients.web(token))

    def quick(self, workspace_id: str | None, timeout: int | None = None) -> WorkspaceSlack:
        """For calls made while a trigger_id ticks (views.open, a look-up first): no retries, a short time-out
        (`timeout` seconds, else the clients' default)."""
        token = self._token_for(workspace_id)
        return self._kept_client(
            ("quick", timeout, token),
            lambda: self._clients.quick(token) if timeout is None else self._clients.quick(token, timeout),
        )

    def bolt_client(self, token: str | None) -> WebClient:
        """The client Bolt's App is built with (it passes it to listeners' `client`)."""
        return self._clients.web(token)
