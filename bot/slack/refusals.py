"""Slack's refusals sorted by what they mean for the message refused: the one place (with the gateway) that knows
Slack's error names. `failure(code)` takes a `SlackError.code` (or a stored one) and says what to do."""

from __future__ import annotations

from enum import StrEnum


class Failure(StrEnum):
    """What a refusal from Slack means for the message (see `failure`)."""

    TEMPORARY = "temporary"  # try again with back-off
    CHANNEL_GONE = "channel_gone"  # the channel takes no posts: pause its team until Kaizen is back
    MESSAGE = "message"  # this message as it stands will never be taken: give it up
    CHANNEL_RULES = "channel_rules"  # Kaizen may not post there until an admin changes a setting: give it up
    ACCESS = "access"  # Kaizen's token or scopes do not allow it (reinstall, grant access): give it up


# Slack's chat.postMessage / chat.postEphemeral errors (its method reference) that trying again cannot change.
# Anything else (rate limits, internal_error, fatal_error, request_timeout, an Enterprise migration under way,
# a name we do not know) is taken as passing.
CHANNEL_GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived", "channel_is_archived"})
MESSAGE_REFUSED = frozenset(
    {
        "msg_too_long", "msg_blocks_too_long", "no_text", "invalid_blocks", "invalid_blocks_format",
        "invalid_attachments", "too_many_attachments", "attachment_payload_limit_exceeded", "too_many_contact_cards",
        "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large", "metadata_must_be_sent_from_app",
        "invalid_arguments", "invalid_arg_name", "invalid_array_arg", "invalid_charset", "invalid_form_data",
        "invalid_post_type", "missing_post_type", "as_user_not_supported", "cannot_reply_to_message",
        "user_not_in_channel", "slack_connect_file_link_sharing_blocked", "slack_connect_canvas_sharing_blocked",
        "slack_connect_lists_sharing_blocked",
    }
)  # fmt: skip
CHANNEL_RULES = frozenset(
    {
        "restricted_action", "restricted_action_read_only_channel", "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel", "no_permission", "ekm_access_denied", "messages_tab_disabled",
        "cannot_dm_bot", "user_not_found", "user_disabled",
    }
)  # fmt: skip
ACCESS_REFUSED = frozenset(
    {
        "access_denied", "account_inactive", "invalid_auth", "not_authed", "token_revoked", "token_expired",
        "not_allowed_token_type", "missing_scope", "team_access_not_granted", "enterprise_is_restricted",
        "two_factor_setup_required",
    }
)  # fmt: skip


def failure(error: str | None) -> Failure:
    """What Slack's error name (`SendResult.error`; None, NO_ANSWER or `http_5xx` are passing) means for the
    message it refused."""
    if error in CHANNEL_GONE:
        return Failure.CHANNEL_GONE
    if error in MESSAGE_REFUSED:
        return Failure.MESSAGE
    if error in CHANNEL_RULES:
        return Failure.CHANNEL_RULES
    if error in ACCESS_REFUSED:
        return Failure.ACCESS
    return Failure.TEMPORARY


# Single names that product code acts on one by one; it compares with these and never spells Slack's names itself.
CHANNEL_NOT_FOUND = "channel_not_found"  # also what a private channel without Kaizen in it looks like
NOT_IN_CHANNEL = "not_in_channel"
ARCHIVED = frozenset({"is_archived", "channel_is_archived"})
MESSAGE_OR_CHANNEL_GONE = frozenset({"message_not_found", "channel_not_found"})
RATE_LIMITED = "ratelimited"
PAID_PLAN_NEEDED = "plan_upgrade_required"  # user groups on a free Slack plan
NO_SUCH_USER_GROUP = "no_such_subteam"
MISSING_SCOPE = "missing_scope"


# auth.test's refusals of a bot token, and what whoever runs Kaizen can do about each (`kaizen-bot check`).
AUTH_HINTS = {
    "invalid_auth": "SLACK_BOT_TOKEN was rejected: copy the Bot User OAuth Token again (OAuth & Permissions)",
    "not_authed": "SLACK_BOT_TOKEN was not sent: set it",
    "account_inactive": "the app was uninstalled or its token revoked: reinstall it to the workspace",
    "token_revoked": "the token was revoked: reinstall the app and copy the new Bot User OAuth Token",
}

# A later page of a paged read whose body was not JSON (an HTML error page): its HTTP status is not known.
NOT_JSON = "http_not_json"


def server_side(code: str | None, status: int = 0) -> bool:
    """Whether Slack's side failed: an HTTP 5xx (`status`, or a stored `code` of `http_5xx`) or a body that was not
    JSON. Slack may have done it anyway, so a post must be looked for before it is tried again. The one rule:
    `SlackError.server_side` asks it too."""
    return status >= 500 or (code or "").startswith("http_5") or code == NOT_JSON
