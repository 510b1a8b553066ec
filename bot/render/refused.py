"""What Kaizen says when Slack refuses a card or a channel for good: to the person whose idea's card cannot go up
(its channel takes no posts: `card_waits_text`; Slack refused the card: `card_refused_text`), and to each leader of
a team paused because its channel takes no posts (`paused_notice_text`)."""

from __future__ import annotations

from bot import limits
from bot.i18n import N_, _
from bot.slack import blockkit as bk
from bot.slack import refusals


def _gone(reason: str) -> str:
    """Why a channel takes no posts (Slack's `reason`), as a key of `_CARD_WAITS` and `_PAUSED`."""
    if reason in refusals.ARCHIVED:
        return "archived"
    if reason == refusals.NOT_IN_CHANNEL:
        return "not_in_channel"
    return "not_found"


# `card_waits_text` by why the channel takes no posts (see `_gone`): {number} the idea's, {channel} the channel's ID.
_CARD_WAITS = {
    "archived": N_(
        "Your idea #{number} is saved, but its card can't be posted: <#{channel}> was archived. Your idea is kept "
        "(it shows in `/kaizen mine`), and its card will be posted there once Kaizen is back. To get things going "
        "again, a team leader can unarchive the channel and, if Kaizen isn't in it any more, invite it back with "
        "`/invite @Kaizen`."
    ),
    "not_in_channel": N_(
        "Your idea #{number} is saved, but its card can't be posted: Kaizen isn't a member of <#{channel}> any more. "
        "Your idea is kept (it shows in `/kaizen mine`), and its card will be posted there once Kaizen is back. To "
        "get things going again, a team leader can invite Kaizen back: type `/invite @Kaizen` in <#{channel}>."
    ),
    "not_found": N_(
        "Your idea #{number} is saved, but its card can't be posted: Slack couldn't find <#{channel}> for Kaizen (it "
        "may have been deleted, or be private without Kaizen in it). Your idea is kept (it shows in `/kaizen mine`), "
        "and its card will be posted there once Kaizen is back. To get things going again, a team leader can invite "
        "Kaizen back with `/invite @Kaizen` if the channel is still there."
    ),
}

# `paused_notice_text` by why the channel takes no posts (see `_gone`): {channel} the channel's ID.
_PAUSED = {
    "archived": N_(
        "Hello! Kaizen can't post for one of your teams any more: <#{channel}> was archived. Nothing is lost: ideas "
        "raised there are kept, and cards still waiting will be posted as soon as Kaizen is back. Until then the "
        "team's huddles and card posts are paused. To carry on, unarchive the channel and, if Kaizen isn't in it any "
        "more, invite it back with `/invite @Kaizen`."
    ),
    "not_in_channel": N_(
        "Hello! Kaizen can't post for one of your teams any more: Kaizen isn't a member of <#{channel}> any more. "
        "Nothing is lost: ideas raised there are kept, and cards still waiting will be posted as soon as Kaizen is "
        "back. Until then the team's huddles and card posts are paused. To carry on, invite Kaizen back: type "
        "`/invite @Kaizen` in <#{channel}>."
    ),
    "not_found": N_(
        "Hello! Kaizen can't post for one of your teams any more: Slack couldn't find <#{channel}> for Kaizen (it may "
        "have been deleted, or be private without Kaizen in it). Nothing is lost: ideas raised there are kept, and "
        "cards still waiting will be posted as soon as Kaizen is back. Until then the team's huddles and card posts "
        "are paused. To carry on, invite Kaizen back with `/invite @Kaizen` if the channel is still there."
    ),
}

# `card_refused_text` by the `bot.slack.refusals.Failure` ("access" for any other): {number} the idea's, {channel}
# the channel's ID, {error} Slack's error name.
_CARD_REFUSED = {
    "message": N_(
        "Your idea #{number} is saved, but Slack wouldn't accept its card in <#{channel}> (it said `{error}`), so I "
        "won't try to post the card again. Your idea is kept: it shows in `/kaizen list` and in the team's huddles, "
        "and a leader can open it with `/kaizen show {number}`."
    ),
    "channel_rules": N_(
        "Your idea #{number} is saved, but Slack doesn't let Kaizen post in <#{channel}> (it said `{error}`), so I "
        "won't try to post the card again. Your idea is kept: it shows in `/kaizen list` and in the team's huddles, "
        "and a leader can open it with `/kaizen show {number}`. A workspace admin can check that apps may post in "
        "that channel."
    ),
    "access": N_(
        "Your idea #{number} is saved, but Kaizen's access to this workspace isn't working (Slack said `{error}`), so "
        "I won't try to post the card again. Your idea is kept: it shows in `/kaizen list` and in the team's "
        "huddles, and a leader can open it with `/kaizen show {number}`. A workspace admin can reinstall Kaizen, or "
        "grant it the access it needs."
    ),
}


def card_waits_text(number: int, channel_id: str, reason: str) -> str:
    """To the person whose idea's card cannot go up because its channel takes no posts (`reason`: Slack's error,
    one of `bot.slack.refusals.CHANNEL_GONE`): the idea is kept, its card goes up once Kaizen is back, what a
    leader can do."""
    return _(_CARD_WAITS[_gone(reason)], number=number, channel=channel_id)


def card_refused_text(number: int, channel_id: str, error: str, failure: str) -> str:
    """To the person whose idea's card Slack refused for good: the idea is kept and where it shows, the card will
    not be tried again, what a leader (or an admin) can do. `error` is Slack's error name (quoted, at most
    `limits.SLACK_ERROR_SHOWN` characters); `failure` the `bot.slack.refusals.Failure` it falls under: "message",
    "channel_rules" or "access"."""
    said = bk.escape_clipped(error, limits.SLACK_ERROR_SHOWN)
    message = _CARD_REFUSED.get(failure, _CARD_REFUSED["access"])
    return _(message, number=number, channel=channel_id, error=said)


def paused_notice_text(channel_id: str, reason: str) -> str:
    """To each leader of a team paused because its channel takes no posts (`reason`: Slack's error name): what
    happened, that nothing is lost, what waits, and how to carry on."""
    return _(_PAUSED[_gone(reason)], channel=channel_id)
