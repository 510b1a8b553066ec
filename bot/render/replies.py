"""What Kaizen says back to one person or a channel, outside the card and the huddle: the `/kaizen` replies (board,
mine, show, leaders), notices, the not-now note and the bulb's confirmations. `/kaizen help` and a command's usage
are `bot.render.help`; what it says when Slack refuses a card or a channel for good is `bot.render.refused`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot import limits
from bot.domain import Board, CardLinks, LeaderList, TeamOffer, age_in_days
from bot.i18n import N_, _, join, n_, number
from bot.privacy.identifiers import describe
from bot.render.card import card_blocks
from bot.render.ids import ActionId, BlockPrefix
from bot.render.words import GROUP_TITLE, history_line, linked_number, mention, plain_name, problem_start
from bot.slack import blockkit as bk
from storage.models import Idea, IdeaEvent, IdeaStatus
from storage.models_spread import SpreadAnswer

# --- replies to commands -------------------------------------------------------------------------------------


def status_age(idea: Idea, now: datetime) -> str:
    """Where an idea is and since when, in words: "waiting 15 days", "approved 2 days ago", "in progress 3 days",
    "done 2 days ago", "not now, 1 day ago"."""

    # Each is the end of one line of a list of ideas, after its problem: "Call bells out of reach — waiting 3 days".
    match idea.status:
        case IdeaStatus.NEW:
            days = age_in_days(idea.created_at, now)
            if days == 0:
                # Translators: at the end of a line of a list of ideas: the idea, raised today, awaits a decision
                return _("waiting since today")
            # Translators: at the end of a line of a list of ideas: how long the idea has awaited a decision
            return n_("waiting {count} day", "waiting {count} days", days)
        case IdeaStatus.APPROVED:
            days = age_in_days(idea.decided_at or idea.created_at, now)
            if days == 0:
                # Translators: at the end of a line of a list of ideas: when a leader approved it
                return _("approved today")
            # Translators: at the end of a line of a list of ideas: when a leader approved it
            return n_("approved {count} day ago", "approved {count} days ago", days)
        case IdeaStatus.IN_PROGRESS:
            days = age_in_days(idea.started_at or idea.created_at, now)
            if days == 0:
                # Translators: at the end of a line of a list of ideas: work on it started today
                return _("in progress since today")
            # Translators: at the end of a line of a list of ideas: how long work on it has been going on
            return n_("in progress {count} day", "in progress {count} days", days)
        case IdeaStatus.DONE:
            days = age_in_days(idea.done_at or idea.created_at, now)
            if days == 0:
                # Translators: at the end of a line of a list of ideas: when it was done
                return _("done today")
            # Translators: at the end of a line of a list of ideas: when it was done
            return n_("done {count} day ago", "done {count} days ago", days)
        case _:
            days = age_in_days(idea.decided_at or idea.created_at, now)
            if days == 0:
                # Translators: at the end of a line of a list of ideas: when a leader decided "not now" on it
                return _("not now, today")
            # Translators: at the end of a line of a list of ideas: when a leader decided "not now" on it
            return n_("not now, {count} day ago", "not now, {count} days ago", days)


def list_line(idea: Idea, now: datetime, link: str | None = None, *, with_channel: bool = False) -> str:
    """One line of a list: the number (linked to the card when `link` is given), the start of the problem, where
    it is and since when ("waiting 15 days", "done 2 days ago"), optionally its channel. Safe mrkdwn."""
    linked = linked_number(idea, link, unlinked="`#{number}`")
    problem, status = problem_start(idea), status_age(idea, now)
    if with_channel:
        # Translators: one line of a list of ideas: its number, the start of its problem, where it is and since
        # when ("waiting 3 days"), and the channel of its team
        return _(
            "{number} {problem} — {status} — in <#{channel}>",
            number=linked,
            problem=problem,
            status=status,
            channel=idea.team.channel_id,
        )
    # Translators: one line of a list of ideas: its number, the start of its problem, where it is and since when
    # ("waiting 3 days")
    return _("{number} {problem} — {status}", number=linked, problem=problem, status=status)


def counts_summary(counts: Mapping[str, int]) -> str:
    """Counts by status as words, "3 waiting, 2 in progress" (statuses with none left out; "nothing open")."""
    order = (IdeaStatus.NEW, IdeaStatus.APPROVED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE, IdeaStatus.NOT_NOW)
    said = [_status_count(status, counts[status]) for status in order if counts.get(status)]
    if not said:
        # Translators: how many ideas there are by status, when there are none: "Kaizen board: nothing open"
        return _("nothing open")
    # Translators: what separates the counts in "3 waiting, 2 in progress, 1 done"
    return _(", ").join(said)


def _status_count(status: str, count: int) -> str:
    """How many ideas have `status`, for `counts_summary`: "3 waiting"."""
    match status:
        case IdeaStatus.NEW:
            # Translators: how many ideas await a decision, in a list of counts: "3 waiting, 2 in progress"
            return n_("{count} waiting", "{count} waiting", count)
        case IdeaStatus.APPROVED:
            # Translators: how many ideas are approved, in a list of counts: "3 waiting, 2 approved"
            return n_("{count} approved", "{count} approved", count)
        case IdeaStatus.IN_PROGRESS:
            # Translators: how many ideas are being worked on, in a list of counts: "3 waiting, 2 in progress"
            return n_("{count} in progress", "{count} in progress", count)
        case IdeaStatus.DONE:
            # Translators: how many ideas are done, in a list of counts: "3 waiting, 1 done"
            return n_("{count} done", "{count} done", count)
        case _:
            # Translators: how many ideas a leader decided "not now" on, in a list of counts: "1 done, 2 not now"
            return n_("{count} not now", "{count} not now", count)


def board_text(board: Board) -> str:
    """The board's fallback text: "Kaizen board: 3 waiting, 2 in progress"."""
    counts = {status: board.counts.get(status, len(ideas)) for status, ideas in board.groups.items()}
    # Translators: the fallback text of `/kaizen list` (notifications); {counts} is e.g. "3 waiting, 2 in progress"
    return _("Kaizen board: {counts}", counts=counts_summary(counts))


def mine_text(ideas: Sequence[Idea], total: int) -> str:
    """`/kaizen mine`'s fallback text: "Your ideas: 4 (2 waiting, 1 done)" (the statuses of those shown)."""
    if not total:
        return _("You haven't raised any ideas yet.")
    counts: dict[str, int] = {}
    for idea in ideas:
        counts[idea.status] = counts.get(idea.status, 0) + 1
    # Translators: the fallback text of `/kaizen mine`: how many ideas the person raised, and {counts} by status,
    # e.g. "Your ideas: 4 (2 waiting, 1 done)"
    return _("Your ideas: {total} ({counts})", total=number(total), counts=counts_summary(counts))


def board_blocks(
    board: Board, channel_id: str, now: datetime, list_filter: str | None, links: Mapping[int, str] | None = None
) -> list[bk.Block]:
    """`/kaizen list`: the channel's ideas grouped by status, oldest first, each number linked to its card (`links`:
    idea id → permalink), with "waiting 15 days" / "done 2 days ago" and "+N more" where a group has more than shown;
    `list_filter` is the filter asked for (None: the open board). At most MESSAGE_BLOCKS blocks."""
    links = links or {}
    # Translators: the heading of `/kaizen list`: {channel} is the team's channel
    title = _("*Kaizen board for <#{channel}>*", channel=channel_id)
    if board.team is None or not any(board.groups.values()):
        if list_filter is None:
            empty = _("No open ideas here yet. Raise one with `/kaizen`.")
        else:
            # Translators: {filter} is the filter of `/kaizen list` as typed (a command word: "done", "not-now")
            empty = _("No ideas in “{filter}” here yet. Raise one with `/kaizen`.", filter=list_filter)
        return [bk.section(f"{title}\n{empty}")]
    blocks: list[bk.Block] = [bk.section(title)]
    for status, ideas in board.groups.items():
        if not ideas:
            continue
        total = board.counts.get(status, len(ideas))
        lines = [list_line(idea, now, links.get(idea.id)) for idea in ideas]
        if total > len(ideas):
            # Translators: the last line of a group of ideas on the board: how many more there are than shown
            lines.append(n_("+{count} more", "+{count} more", total - len(ideas)))
        blocks.append(bk.DividerBlock())
        # Translators: the heading of a group of ideas on the board: its status, and how many ideas have it
        blocks.append(bk.section(_("*{group}* ({count})", group=_(GROUP_TITLE[status]), count=number(total))))
        blocks.extend(bk.line_sections(lines))
    if list_filter is None:
        blocks.append(bk.context(_("Open ideas, oldest first. `/kaizen list all` shows done and not-now ones too.")))
    return bk.fit_blocks(blocks, overflow_note=_("More than fits here — try `/kaizen list new` and the like."))


def mine_blocks(
    ideas: Sequence[Idea], total: int, now: datetime, links: Mapping[int, str] | None = None
) -> list[bk.Block]:
    """`/kaizen mine`: the person's ideas (newest first, as given), each number linked to its card (`links`), with
    where it is and since when, and its channel; `total` is how many they have in all."""
    if not ideas:
        return [bk.section(_("You haven't raised any ideas yet. `/kaizen` opens the form."))]
    links = links or {}
    lines = [list_line(idea, now, links.get(idea.id), with_channel=True) for idea in ideas]
    if total > len(ideas):
        # Translators: the last line of `/kaizen mine`: how many older ideas of the person's are not shown
        lines.append(n_("+{count} older ones", "+{count} older ones", total - len(ideas)))
    # Translators: the heading of the person's own ideas, with how many they have raised
    heading = _("*Your ideas* ({count})", count=number(total))
    # Translators: the last line of a list cut short: more ideas than fit one message
    return bk.fit_blocks([bk.section(heading), *bk.line_sections(lines)], overflow_note=_("+ more not shown"))


def show_blocks(
    idea: Idea, events: Sequence[IdeaEvent], links: CardLinks | None = None, offers: Sequence[TeamOffer] = ()
) -> list[bk.Block]:
    """`/kaizen show N`: the idea's card (with `links`: where it was tried from, and the teams that tried it), the
    teams it was offered to and where each stands (`offers`), and its history, oldest first; what does not fit
    one message is cut, with a note."""
    history = [history_line(event, idea) for event in events]
    copies = tuple((o.copy_number, o.channel_id) for o in offers if o.copy_number is not None)
    shown = CardLinks(links.copied_from if links else None, copies)
    # Translators: the heading of an idea's history (what happened to it, when, by whom) in `/kaizen show`
    heading = _("*History*")
    blocks = [*card_blocks(idea, links=shown), *_offer_blocks(offers)]
    blocks += [bk.DividerBlock(), bk.section(heading), *bk.line_sections(history)]
    return bk.fit_blocks(blocks, overflow_note=_("Older history not shown."))


def _offer_blocks(offers: Sequence[TeamOffer]) -> list[bk.Block]:
    """`/kaizen show`'s part on the teams a done idea was offered to: one line each, where it stands there."""
    if not offers:
        return []
    lines: list[str] = []
    for offer in offers:
        if offer.copy_number is not None:
            status = _(GROUP_TITLE[offer.copy_status]) if offer.copy_status in GROUP_TITLE else offer.copy_status
            # Translators: in `/kaizen show`: a team tried the idea as its idea #{number}, which is now {status}
            lines.append(_("<#{channel}>: tried as #{number} · {status}", channel=offer.channel_id,
                           number=offer.copy_number, status=status))  # fmt: skip
        elif offer.answer == SpreadAnswer.NOT_FOR_US:
            # Translators: in `/kaizen show`: a team it was offered to said it is not for them
            lines.append(_("<#{channel}>: not for them, for now", channel=offer.channel_id))
        else:
            # Translators: in `/kaizen show`: a team it was offered to has not answered yet
            lines.append(_("<#{channel}>: offered, no answer yet", channel=offer.channel_id))
    # Translators: the heading, in `/kaizen show`, of the teams a done idea was offered to
    return [bk.DividerBlock(), bk.section(_("*Where else it could help*")), *bk.line_sections(lines)]


def first_leaders_text(by: str, leaders: Sequence[str], approve_emoji: str) -> str:
    """The channel message when `by` sets up the team's first leaders (`leaders`, user IDs): who they are, and how
    they approve (`approve_emoji`, a name without colons). The new leaders are mentioned (they are asked to decide
    from now on); `by` is a plain name, also in the list: nobody is pinged about their own action."""
    names = join([plain_name(user) if user == by else mention(user) for user in leaders])
    # Translators: {by} is who set them up, {names} the new leaders, {emoji} the name of the approve emoji
    return _(
        "{by} set up Kaizen leaders for this channel: {names}. Leaders say yes to ideas with :{emoji}: on the card "
        "— most ideas deserve a quick yes.",
        by=plain_name(by),
        names=names,
        emoji=approve_emoji,
    )


def leaders_blocks(listing: LeaderList, approve_emoji: str) -> list[bk.Block]:
    """`/kaizen leaders`: who decides for this team, and how to change it."""
    # Translators: the heading of `/kaizen leaders`, above the names of the team's leaders
    lines = [_("*Leaders of this team*")]
    # Translators: in `/kaizen leaders`: the team has no leaders
    lines.append(join([mention(u) for u in listing.team]) if listing.team else _("None yet."))
    if listing.everywhere:
        # Translators: KAIZEN_LEADERS is the name of a setting; {names} the people it names
        everywhere = join([mention(u) for u in listing.everywhere])
        lines.append(_("*Leaders of every team* (KAIZEN_LEADERS): {names}", names=everywhere))
    if listing.group_id:
        if listing.group_problem:
            lines.append(f":warning: {bk.escape_clipped(listing.group_problem, limits.LEADER_GROUP_PROBLEM)}")
        else:
            # Translators: {group} is the ID of a Slack user group whose members also lead the team
            lines.append(_("*Also:* members of the leader user group ({group})", group=listing.group_id))
    lines.append(_("Leaders approve with :{emoji}: on a card.", emoji=approve_emoji))
    return [
        bk.section("\n".join(lines)),
        # Translators: two commands; only "name" (someone's Slack name, after @) may be translated
        bk.context(_("`/kaizen leaders add @name` · `/kaizen leaders remove @name`")),
    ]


def leaders_text(listing: LeaderList) -> str:
    """`/kaizen leaders`' fallback text: "Leaders of this team: 2 (and 1 of every team)", or "none yet"."""
    key = (bool(listing.team), bool(listing.everywhere), bool(listing.group_id and not listing.group_problem))
    return _(_LEADERS_TEXT[key], count=number(len(listing.team)), everywhere=number(len(listing.everywhere)))


# `leaders_text` by (the team has leaders, KAIZEN_LEADERS names some, the leader user group counts): {count} the
# team's own leaders, {everywhere} the leaders of every team.
_LEADERS_TEXT: dict[tuple[bool, bool, bool], str] = {
    # Translators: the fallback text of `/kaizen leaders`: how many leaders the team has
    (True, False, False): N_("Leaders of this team: {count}"),
    # Translators: the fallback text of `/kaizen leaders`: the team has no leaders yet
    (False, False, False): N_("Leaders of this team: none yet"),
    # Translators: the fallback text of `/kaizen leaders`: the team's leaders, and the leaders of every team
    (True, True, False): N_("Leaders of this team: {count} (and {everywhere} of every team)"),
    # Translators: the fallback text of `/kaizen leaders`: none of its own, and the leaders of every team
    (False, True, False): N_("Leaders of this team: none yet (and {everywhere} of every team)"),
    # Translators: the fallback text of `/kaizen leaders`: the team's leaders, and a Slack user group's members
    (True, False, True): N_("Leaders of this team: {count} and the leader user group"),
    # Translators: the fallback text of `/kaizen leaders`: none of its own, but a Slack user group's members
    (False, False, True): N_("Leaders of this team: none yet and the leader user group"),
    # Translators: the fallback text of `/kaizen leaders`: the team's leaders, the leaders of every team, and a
    # Slack user group's members
    (True, True, True): N_("Leaders of this team: {count} (and {everywhere} of every team) and the leader user group"),
    # Translators: the fallback text of `/kaizen leaders`: none of its own, the leaders of every team, and a Slack
    # user group's members
    (False, True, True): N_(
        "Leaders of this team: none yet (and {everywhere} of every team) and the leader user group"
    ),
}


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
    # Translators: a private message to an idea's author; {leader} is who decided, {reason} their reason quoted on
    # its own lines (keep the line breaks around it)
    return _(
        "About your idea #{number}: {leader} decided *not now*, for this reason:\n{reason}\n"
        "Thank you for raising it — it is kept, and it can be reopened any time. Keep the ideas coming.",
        number=idea.number,
        leader=plain_name(leader_id),
        reason=quoted,
    )


def not_now_dm_blocks(idea: Idea, leader_id: str, reason: str) -> list[bk.Block]:
    """The not-now note with a button for the author to share the reason in the card's thread (their choice)."""
    # Translators: a button under the not-now note: the author shares the leader's reason in the idea's thread
    label = _("Share this reason in the thread")
    share = bk.ButtonElement(action_id=ActionId.SHARE_REASON, text=label, value=str(idea.id))
    return [
        bk.section(not_now_dm_text(idea, leader_id, reason)),
        bk.context(
            _("Only you can see this. Sharing the reason helps others learn what's possible now and what's not.")
        ),
        bk.ActionsBlock(block_id=f"{BlockPrefix.SHARE}{idea.id}", elements=[share]),
    ]


# --- a huddle reply that became an idea by :bulb: ----------------------------------------------------------------


def bulb_confirmation(idea: Idea) -> str:
    """The thread reply when a huddle reply becomes an idea by :bulb:; thanks the author by plain name (they are
    told privately, and may have reacted themselves) unless the idea is anonymous."""
    if idea.anonymous:
        return _(":bulb: This reply is now Kaizen idea #{number}.", number=idea.number)
    # Translators: {name} is the person whose reply became the idea
    return _(
        ":bulb: This reply is now Kaizen idea #{number}. Thank you {name}!",
        number=idea.number,
        name=plain_name(idea.author_id),
    )


def bulb_private_text(idea: Idea) -> str:
    """To the person whose reply became an idea: which idea, and that they can undo it or take their name off it."""
    return _(
        "Your reply became Kaizen idea #{number}. Not what you meant? Undo it, or take your name off it.",
        number=idea.number,
    )


def bulb_private_blocks(idea: Idea) -> list[bk.Block]:
    """`bulb_private_text` with its Undo and Make anonymous buttons (each button's value is the idea's id)."""
    return [
        bk.section(bulb_private_text(idea)),
        bk.ActionsBlock(
            elements=[
                # Translators: a button: the reply that became an idea by :bulb: is no idea any more
                bk.ButtonElement(action_id=ActionId.BULB_UNDO, text=_("Undo"), value=str(idea.id)),
                # Translators: a button: the idea raised from the person's reply no longer shows their name
                bk.ButtonElement(action_id=ActionId.BULB_ANONYMOUS, text=_("Make anonymous"), value=str(idea.id)),
            ]
        ),
    ]


def bulb_held_text(kinds: Sequence[str]) -> str:
    """What a :bulb: reply's writer alone reads when the reply looked like it held a patient identifier (`kinds`,
    see `bot.privacy.identifiers`) and so did not become an idea. Names the kinds only, not the text."""
    what = join([describe(kind) for kind in kinds])
    # Translators: told privately to whoever wrote a huddle-thread reply that got a :bulb:; {what} is e.g. "an NHS
    # number". Slack lets only its writer edit or delete a message.
    return _(
        "Someone put :bulb: on your reply in the huddle thread, but it looks like it holds {what}, so Kaizen hasn't "
        "made it an idea. Please edit or delete your message: only you can. If it isn't patient information, "
        "raise it as it is.",
        what=what,
    )


def bulb_held_blocks(kinds: Sequence[str], reply_ts: str) -> list[bk.Block]:
    """`bulb_held_text` with its button, which raises the reply after all (its value: the reply's ts)."""
    return [
        bk.section(bulb_held_text(kinds)),
        bk.ActionsBlock(
            elements=[
                bk.ButtonElement(
                    action_id=ActionId.BULB_NOT_PATIENT_INFO,
                    # Translators: a button: the writer says their reply holds no patient information: raise it
                    text=_("It isn't patient information: raise it"),
                    value=reply_ts,
                )
            ]
        ),
    ]


def shortcut_held_text(kinds: Sequence[str]) -> str:
    """What a message's writer alone reads when someone raised it with the message shortcut and it looked like it
    held a patient identifier (`kinds`): no card was made. Names the kinds only, not the text."""
    what = join([describe(kind) for kind in kinds])
    # Translators: told privately to whoever wrote a message someone tried to raise as an idea; {what} is e.g. "an
    # NHS number". "Raise as Kaizen idea" is the message shortcut's name (in the message's ⋮ menu).
    return _(
        "Someone wanted to raise your message as a Kaizen idea, but it looks like it holds {what}, so Kaizen "
        "hasn't. Please edit or delete your message: only you can. If it isn't patient information, raise it "
        "yourself with “Raise as Kaizen idea” in the message's menu.",
        what=what,
    )
