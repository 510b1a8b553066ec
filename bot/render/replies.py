"""What Kaizen says back to one person or a channel, outside the card and the huddle: the `/kaizen` replies (help,
usage, board, mine, show, leaders), notices, the not-now note, the bulb's confirmations, and what it says when
Slack refuses a card or a channel for good."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot import limits
from bot.domain import Board, LeaderList, age_in_days
from bot.grammar import USAGE, Usage
from bot.render.card import card_blocks
from bot.render.ids import ActionId, BlockPrefix
from bot.render.words import GROUP_TITLE, days_text, history_line, linked_number, plain_name, problem_start
from bot.slack import blockkit as bk
from bot.slack import refusals
from storage.models import Idea, IdeaEvent, IdeaStatus

HELP_FOR_EVERYONE = (
    "• `/kaizen` — raise a problem or an idea; a problem without a solution is welcome",
    "• `/kaizen list` — this channel's board; `/kaizen mine` — your ideas; `/kaizen 42` — one idea",
    "• In a thread: react :bulb: on a huddle reply, or use “Raise as Kaizen idea” in a message's ⋮ menu",
)
HELP_FOR_LEADERS = (
    ("/kaizen huddle at 08:30 daily Europe/London", "the daily huddle (`huddle off`, `huddle skip 2026-12-24`)"),
    ("/kaizen leaders add @grace", "who may decide (`leaders` lists them, `leaders remove @grace`)"),
    ("/kaizen stats", "the team's charts, sent to you (`stats share` posts them here)"),
    ("/kaizen stats rebase 2026-03-02 new rota", "new usual ranges after a change (`stats rebase undo`)"),
    ("/kaizen team headcount 42", "the team's size, for participation rates"),
    ("/kaizen export", "the team's ideas as a CSV file, sent to you"),
    ("/kaizen huddle", "post the huddle now (anyone may)"),
)
HELP_TEXT = "Kaizen help: /kaizen raises a problem or an idea; /kaizen list shows this channel's board."


def raise_button(text: str = "Raise a problem") -> bk.ButtonElement:
    """The button that opens the raise form (App Home, help)."""
    return bk.ButtonElement(action_id=ActionId.RAISE, text=text, value="raise", style="primary")


# --- replies to commands -------------------------------------------------------------------------------------


def help_blocks() -> list[bk.Block]:
    """`/kaizen help`: three lines and a button for everyone, then "For leaders" with examples."""
    leaders = [f"• `{example}` — {what}" for example, what in HELP_FOR_LEADERS]
    return [
        bk.section("*Kaizen: small improvements, every day*\n" + "\n".join(HELP_FOR_EVERYONE)),
        bk.ActionsBlock(elements=[raise_button()]),
        bk.DividerBlock(),
        bk.section("*For leaders*\n" + "\n".join(leaders)),
    ]


def status_age(idea: Idea, now: datetime) -> str:
    """Where an idea is and since when, in words: "waiting 15 days", "approved 2 days ago", "in progress 3 days",
    "done 2 days ago", "not now, 1 day ago"."""

    def ago(at: datetime | None) -> str:
        days = age_in_days(at or idea.created_at, now)
        return "today" if days == 0 else f"{days_text(days)} ago"

    match idea.status:
        case IdeaStatus.NEW:
            days = age_in_days(idea.created_at, now)
            return "waiting since today" if days == 0 else f"waiting {days_text(days)}"
        case IdeaStatus.APPROVED:
            return f"approved {ago(idea.decided_at)}"
        case IdeaStatus.IN_PROGRESS:
            days = age_in_days(idea.started_at or idea.created_at, now)
            return "in progress since today" if days == 0 else f"in progress {days_text(days)}"
        case IdeaStatus.DONE:
            return f"done {ago(idea.done_at)}"
        case _:
            return f"not now, {ago(idea.decided_at)}"


def list_line(idea: Idea, now: datetime, link: str | None = None, *, with_channel: bool = False) -> str:
    """One line of a list: the number (linked to the card when `link` is given), the start of the problem, where
    it is and since when ("waiting 15 days", "done 2 days ago"), optionally its channel. Safe mrkdwn."""
    number = linked_number(idea, link, unlinked="`#{number}`")
    parts = [f"{number} {problem_start(idea)}", status_age(idea, now)]
    if with_channel:
        parts.append(f"in <#{idea.team.channel_id}>")
    return " — ".join(parts)


def counts_summary(counts: Mapping[str, int]) -> str:
    """Counts by status as words, "3 waiting, 2 in progress" (statuses with none left out; "nothing open")."""
    words = (
        (IdeaStatus.NEW, "waiting"), (IdeaStatus.APPROVED, "approved"), (IdeaStatus.IN_PROGRESS, "in progress"),
        (IdeaStatus.DONE, "done"), (IdeaStatus.NOT_NOW, "not now"),
    )  # fmt: skip
    said = [f"{counts[status]} {word}" for status, word in words if counts.get(status)]
    return ", ".join(said) or "nothing open"


def board_text(board: Board) -> str:
    """The board's fallback text: "Kaizen board: 3 waiting, 2 in progress"."""
    counts = {status: board.counts.get(status, len(ideas)) for status, ideas in board.groups.items()}
    return f"Kaizen board: {counts_summary(counts)}"


def mine_text(ideas: Sequence[Idea], total: int) -> str:
    """`/kaizen mine`'s fallback text: "Your ideas: 4 (2 waiting, 1 done)" (the statuses of those shown)."""
    if not total:
        return "You haven't raised any ideas yet."
    counts: dict[str, int] = {}
    for idea in ideas:
        counts[idea.status] = counts.get(idea.status, 0) + 1
    return f"Your ideas: {total} ({counts_summary(counts)})"


def usage_blocks(usage: Usage) -> list[bk.Block]:
    """The usage of the subcommand `usage` names, and, when there was text, a button to raise that text as an idea
    instead (its value: the text, clipped to `limits.BUTTON_VALUE`)."""
    blocks: list[bk.Block] = [
        bk.section(f"That doesn't match `/kaizen {usage.subcommand}`. Try {USAGE[usage.subcommand]}.")
    ]
    if usage.text:
        raise_instead = bk.ButtonElement(
            action_id=ActionId.RAISE_INSTEAD,
            text="Raise this as an idea instead",
            value=bk.clip(usage.text, limits.BUTTON_VALUE),
        )
        blocks.append(bk.ActionsBlock(elements=[raise_instead]))
    return blocks


def board_blocks(
    board: Board, channel_id: str, now: datetime, list_filter: str | None, links: Mapping[int, str] | None = None
) -> list[bk.Block]:
    """`/kaizen list`: the channel's ideas grouped by status, oldest first, each number linked to its card (`links`:
    idea id → permalink), with "waiting 15 days" / "done 2 days ago" and "+N more" where a group has more than shown;
    `list_filter` is the filter asked for (None: the open board). At most MESSAGE_BLOCKS blocks."""
    links = links or {}
    title = f"*Kaizen board for <#{channel_id}>*"
    if board.team is None or not any(board.groups.values()):
        what = "open ideas" if list_filter is None else f"ideas in “{list_filter}”"
        return [bk.section(f"{title}\nNo {what} here yet. Raise one with `/kaizen`.")]
    blocks: list[bk.Block] = [bk.section(title)]
    for status, ideas in board.groups.items():
        if not ideas:
            continue
        total = board.counts.get(status, len(ideas))
        lines = [list_line(idea, now, links.get(idea.id)) for idea in ideas]
        if total > len(ideas):
            lines.append(f"+{total - len(ideas)} more")
        blocks.append(bk.DividerBlock())
        blocks.append(bk.section(f"*{GROUP_TITLE[status]}* ({total})"))
        blocks.extend(bk.line_sections(lines))
    if list_filter is None:
        blocks.append(bk.context("Open ideas, oldest first. `/kaizen list all` shows done and not-now ones too."))
    return bk.fit_blocks(blocks, overflow_note="More than fits here — try `/kaizen list new` and the like.")


def mine_blocks(
    ideas: Sequence[Idea], total: int, now: datetime, links: Mapping[int, str] | None = None
) -> list[bk.Block]:
    """`/kaizen mine`: the person's ideas (newest first, as given), each number linked to its card (`links`), with
    where it is and since when, and its channel; `total` is how many they have in all."""
    if not ideas:
        return [bk.section("You haven't raised any ideas yet. `/kaizen` opens the form.")]
    links = links or {}
    lines = [list_line(idea, now, links.get(idea.id), with_channel=True) for idea in ideas]
    if total > len(ideas):
        lines.append(f"+{total - len(ideas)} older ones")
    return bk.fit_blocks(
        [bk.section(f"*Your ideas* ({total})"), *bk.line_sections(lines)], overflow_note="+ more not shown"
    )


def show_blocks(idea: Idea, events: Sequence[IdeaEvent]) -> list[bk.Block]:
    """`/kaizen show N`: the idea's card and its history, oldest first; what does not fit one message is cut,
    with a note."""
    history = [history_line(event, idea) for event in events]
    blocks = [*card_blocks(idea), bk.DividerBlock(), bk.section("*History*"), *bk.line_sections(history)]
    return bk.fit_blocks(blocks, overflow_note="Older history not shown.")


def first_leaders_text(by: str, leaders: Sequence[str], approve_emoji: str) -> str:
    """The channel message when `by` sets up the team's first leaders (`leaders`, user IDs): who they are, and how
    they approve (`approve_emoji`, a name without colons). The new leaders are mentioned (they are asked to decide
    from now on); `by` is a plain name, also in the list: nobody is pinged about their own action."""
    names = ", ".join(plain_name(user) if user == by else f"<@{user}>" for user in leaders)
    return (
        f"{plain_name(by)} set up Kaizen leaders for this channel: {names}. Leaders say yes to ideas with "
        f":{approve_emoji}: on the card — most ideas deserve a quick yes."
    )


def leaders_blocks(listing: LeaderList, approve_emoji: str) -> list[bk.Block]:
    """`/kaizen leaders`: who decides for this team, and how to change it."""
    lines = ["*Leaders of this team*"]
    lines.append(", ".join(f"<@{u}>" for u in listing.team) if listing.team else "None yet.")
    if listing.everywhere:
        lines.append("*Leaders of every team* (KAIZEN_LEADERS): " + ", ".join(f"<@{u}>" for u in listing.everywhere))
    if listing.group_id:
        if listing.group_problem:
            lines.append(f":warning: {bk.escape_clipped(listing.group_problem, limits.LEADER_GROUP_PROBLEM)}")
        else:
            lines.append(f"*Also:* members of the leader user group ({listing.group_id})")
    lines.append(f"Leaders approve with :{approve_emoji}: on a card.")
    return [
        bk.section("\n".join(lines)),
        bk.context("`/kaizen leaders add @name` · `/kaizen leaders remove @name`"),
    ]


def leaders_text(listing: LeaderList) -> str:
    """`/kaizen leaders`' fallback text: "Leaders of this team: 2 (and 1 of every team)", or "none yet"."""
    own = f"{len(listing.team)}" if listing.team else "none yet"
    everywhere = f" (and {len(listing.everywhere)} of every team)" if listing.everywhere else ""
    group = " and the leader user group" if listing.group_id and not listing.group_problem else ""
    return f"Leaders of this team: {own}{everywhere}{group}"


def notice_blocks(text: str) -> list[bk.Block]:
    """A one-paragraph reply made of text we wrote (safe mrkdwn)."""
    return [bk.section(text)]


def lines_blocks(text: str) -> list[bk.Block]:
    """A reply of several lines we wrote (safe mrkdwn), packed into as few sections as fit."""
    return [*bk.line_sections(text.split("\n"))]


# --- the not-now note ----------------------------------------------------------------------------------------


def not_now_dm_text(idea: Idea, leader_id: str, reason: str) -> str:
    """The private note to an idea's author that a leader decided "not now" (its reason quoted, escaped, at most
    `limits.REASON_QUOTE` characters)."""
    quoted = "\n".join(f">{line}" for line in bk.escape_clipped(reason, limits.REASON_QUOTE).splitlines())
    return (
        f"About your idea #{idea.number}: {plain_name(leader_id)} decided *not now*, for this reason:\n{quoted}\n"
        "Thank you for raising it — it is kept, and it can be reopened any time. Keep the ideas coming."
    )


def not_now_dm_blocks(idea: Idea, leader_id: str, reason: str) -> list[bk.Block]:
    """The not-now note with a button for the author to share the reason in the card's thread (their choice)."""
    share = bk.ButtonElement(
        action_id=ActionId.SHARE_REASON, text="Share this reason in the thread", value=str(idea.id)
    )
    return [
        bk.section(not_now_dm_text(idea, leader_id, reason)),
        bk.context("Only you can see this. Sharing the reason helps others learn what's possible now and what's not."),
        bk.ActionsBlock(block_id=f"{BlockPrefix.SHARE}{idea.id}", elements=[share]),
    ]


# --- a huddle reply that became an idea by :bulb: ----------------------------------------------------------------


def bulb_confirmation(idea: Idea) -> str:
    """The thread reply when a huddle reply becomes an idea by :bulb:; thanks the author by plain name (they are
    told privately, and may have reacted themselves) unless the idea is anonymous."""
    who = "" if idea.anonymous else f" Thank you {plain_name(idea.author_id)}!"
    return f":bulb: This reply is now Kaizen idea #{idea.number}.{who}"


def bulb_private_text(idea: Idea) -> str:
    """To the person whose reply became an idea: which idea, and that they can undo it or take their name off it."""
    return f"Your reply became Kaizen idea #{idea.number}. Not what you meant? Undo it, or take your name off it."


def bulb_private_blocks(idea: Idea) -> list[bk.Block]:
    """`bulb_private_text` with its Undo and Make anonymous buttons (each button's value is the idea's id)."""
    return [
        bk.section(bulb_private_text(idea)),
        bk.ActionsBlock(
            elements=[
                bk.ButtonElement(action_id=ActionId.BULB_UNDO, text="Undo", value=str(idea.id)),
                bk.ButtonElement(action_id=ActionId.BULB_ANONYMOUS, text="Make anonymous", value=str(idea.id)),
            ]
        ),
    ]


# --- posts Slack refused for good ------------------------------------------------------------------------------


def _gone(reason: str, channel_id: str) -> tuple[str, str]:
    """Why a channel takes no posts (Slack's `reason`), and what a leader can do, as Kaizen says it."""
    if reason in refusals.ARCHIVED:
        return (
            f"<#{channel_id}> was archived",
            "unarchive the channel and, if Kaizen isn't in it any more, invite it back with `/invite @Kaizen`",
        )
    if reason == refusals.NOT_IN_CHANNEL:
        return (
            f"Kaizen isn't a member of <#{channel_id}> any more",
            f"invite Kaizen back: type `/invite @Kaizen` in <#{channel_id}>",
        )
    return (
        f"Slack couldn't find <#{channel_id}> for Kaizen (it may have been deleted, or be private without Kaizen "
        "in it)",
        "invite Kaizen back with `/invite @Kaizen` if the channel is still there",
    )


def card_waits_text(number: int, channel_id: str, reason: str) -> str:
    """To the person whose idea's card cannot go up because its channel takes no posts (`reason`: Slack's error,
    one of `bot.slack.refusals.CHANNEL_GONE`): the idea is kept, its card goes up once Kaizen is back, what a
    leader can do."""
    why, fix = _gone(reason, channel_id)
    return (
        f"Your idea #{number} is saved, but its card can't be posted: {why}. Your idea is kept (it shows in "
        "`/kaizen mine`), and its card will be posted there once Kaizen is back. "
        f"To get things going again, a team leader can {fix}."
    )


def card_refused_text(number: int, channel_id: str, error: str, failure: str) -> str:
    """To the person whose idea's card Slack refused for good: the idea is kept and where it shows, the card will
    not be tried again, what a leader (or an admin) can do. `error` is Slack's error name (quoted, at most
    `limits.SLACK_ERROR_SHOWN` characters); `failure` the `bot.slack.refusals.Failure` it falls under: "message",
    "channel_rules" or "access"."""
    said = f"`{bk.escape_clipped(error, limits.SLACK_ERROR_SHOWN)}`"
    why, fix = {
        "message": (f"Slack wouldn't accept its card in <#{channel_id}> (it said {said})", ""),
        "channel_rules": (
            f"Slack doesn't let Kaizen post in <#{channel_id}> (it said {said})",
            " A workspace admin can check that apps may post in that channel.",
        ),
    }.get(
        failure,
        (
            f"Kaizen's access to this workspace isn't working (Slack said {said})",
            " A workspace admin can reinstall Kaizen, or grant it the access it needs.",
        ),
    )
    return (
        f"Your idea #{number} is saved, but {why}, so I won't try to post the card again. Your idea is kept: it "
        f"shows in `/kaizen list` and in the team's huddles, and a leader can open it with `/kaizen show {number}`."
        + fix
    )


def paused_notice_text(channel_id: str, reason: str) -> str:
    """To each leader of a team paused because its channel takes no posts (`reason`: Slack's error name): what
    happened, that nothing is lost, what waits, and how to carry on."""
    why, fix = _gone(reason, channel_id)
    return (
        f"Hello! Kaizen can't post for one of your teams any more: {why}. Nothing is lost: ideas raised there "
        "are kept, and cards still waiting will be posted as soon as Kaizen is back. Until then the team's huddles "
        f"and card posts are paused. To carry on, {fix}."
    )
