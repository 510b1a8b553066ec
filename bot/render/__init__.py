"""Block Kit rendering: one function per surface, returning `slack_sdk.models` objects (layout lives here only).

Everything a person typed goes through `escape_clipped`; mentions and dates we build ourselves are Slack markup
on purpose (`<@U123>` shows a name, `<!date^…>` shows a date in the reader's own time zone).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConversationFilter,
    ConversationSelectElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.domain import BENEFIT_MAX, IDEA_MAX, INPUT_FROM_MAX, PROBLEM_MAX, Board, LeaderList, age_in_days
from bot.grammar import USAGE, Usage
from bot.measures.figures import Headline
from bot.measures.words import headline_text
from bot.slack import blockkit as bk
from bot.slack import refusals
from bot.text import one_line
from storage.huddles import HuddleContent
from storage.models import Category, EventKind, Idea, IdeaEvent, IdeaStatus, Team

RAISE_CALLBACK = "raise_idea"
RAISE_INSTEAD_ACTION = "raise_instead"


class Field:
    """Block and action IDs of the raise modal (one ID for both keeps lookups simple)."""

    TEAM = "team"
    PROBLEM = "problem"
    IDEA = "idea"
    BENEFIT = "benefit"
    CATEGORY = "category"
    INPUT_FROM = "input_from"
    ANONYMOUS = "anonymous"
    ALREADY_DONE = "already_done"


STATUS_LABEL: dict[str, str] = {
    IdeaStatus.NEW: ":new: New — waiting for a decision",
    IdeaStatus.APPROVED: ":white_check_mark: Approved — go ahead",
    IdeaStatus.IN_PROGRESS: ":hammer_and_wrench: In progress",
    IdeaStatus.DONE: ":tada: Done",
    IdeaStatus.NOT_NOW: ":double_vertical_bar: Not now",
}

GROUP_TITLE: dict[str, str] = {
    IdeaStatus.NEW: "Waiting for a decision",
    IdeaStatus.APPROVED: "Approved, not started yet",
    IdeaStatus.IN_PROGRESS: "In progress",
    IdeaStatus.DONE: "Done",
    IdeaStatus.NOT_NOW: "Not now",
}

CATEGORY_LABEL: dict[str, str] = {
    Category.SAFETY: "Safety",
    Category.QUALITY: "Quality",
    Category.CUSTOMER_EXPERIENCE: "Patient/customer experience",
    Category.STAFF_EXPERIENCE: "Staff experience",
    Category.FLOW: "Flow/time",
    Category.COST: "Cost",
    Category.OTHER: "Other",
}

# The raise modal's checkbox option values, as Slack sends them back in the view's state.
ALREADY_DONE_VALUE = "done"
ANONYMOUS_VALUE = "anonymous"

PATIENT_HINT = ":lock: Please leave out patient names and anything else that could identify a patient."
ANONYMOUS_HINT = (
    "Your name will not be shown to anyone in Slack: not on the card, in threads, huddles or lists. "
    "Whoever runs the bot and its database can still see who raised it."
)

_SAFE_LINK = re.compile(r"^https://[^\s<>|]+$")
LINE_TEXT = 140  # how much of a problem a list line shows


def to_dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """Blocks as JSON-ready dicts (validated by slack_sdk on the way), for storing in the outbox."""
    return [block.to_dict() for block in blocks]


# --- small pieces --------------------------------------------------------------------------------------------


def date_markup(when: datetime, style: str = "{date_short_pretty}") -> str:
    """A date Slack renders in the reader's time zone, with an ISO fallback."""
    return f"<!date^{int(when.timestamp())}^{style}|{when:%Y-%m-%d %H:%M} UTC>"


def days_text(days: int) -> str:
    """An age in whole days as words: "today", "1 day", "N days"."""
    return "today" if days == 0 else ("1 day" if days == 1 else f"{days} days")


def person(idea: Idea, user_id: str) -> str:
    """Someone who acted on an idea, as others see them: never the author of an anonymous idea by name."""
    return "the person who raised it" if idea.anonymous and user_id == idea.author_id else f"<@{user_id}>"


def thanked(idea: Idea) -> str:
    """Who a done idea thanks by name: its author and owner, but never an anonymous author."""
    people = sorted({p for p in (idea.author_id, idea.owner_id) if p and not (idea.anonymous and p == idea.author_id)})
    return " and ".join(f"<@{p}>" for p in people) or "everyone who helped"


def author_text(idea: Idea) -> str:
    """Who raised an idea, as others see them: a mention, or words that name no one for an anonymous idea."""
    return "someone who chose not to give their name" if idea.anonymous else f"<@{idea.author_id}>"


def idea_line(idea: Idea, now: datetime, *, with_status: bool = False, with_channel: bool = False) -> str:
    """One list line: the idea's number, the start of its problem (escaped, at most LINE_TEXT characters), optionally
    its status and channel, and its age. Safe mrkdwn."""
    problem = bk.escape_clipped(one_line(idea.problem), LINE_TEXT)
    parts = [f"`#{idea.number}` {problem}"]
    if with_status:
        parts.append(GROUP_TITLE[idea.status].lower())
    if with_channel:
        parts.append(f"in <#{idea.team.channel_id}>")
    parts.append(days_text(age_in_days(idea.created_at, now)))
    return " — ".join(parts)


def _labelled(label: str, text: str | None, limit: int) -> str | None:
    if not text:
        return None
    return f"*{label}*\n{bk.escape_clipped(text, limit - len(label) - 4)}"


# --- the card ------------------------------------------------------------------------------------------------


def card_text(idea: Idea) -> str:
    """The notification text of a card (what a phone shows)."""
    return f"Kaizen #{idea.number}: {bk.escape_clipped(one_line(idea.problem), bk.FALLBACK_TEXT)}"


class CardAction:
    """Action IDs of the card's buttons; each button's value is the idea's id."""

    APPROVE = "idea_approve"
    NOT_NOW = "idea_not_now"
    START = "idea_start"
    DONE = "idea_done"
    REOPEN = "idea_reopen"
    EDIT = "idea_edit"
    REDACT = "idea_redact"


CARD_BUTTONS: dict[str, tuple[tuple[str, str, str | None], ...]] = {
    # status → (action id, button text, style); who may press which is decided on the server, per press.
    IdeaStatus.NEW: (
        (CardAction.APPROVE, "Approve", "primary"),
        (CardAction.NOT_NOW, "Not now…", None),
        (CardAction.START, "Start", None),
        (CardAction.EDIT, "Edit", None),
        (CardAction.REDACT, "Redact", "danger"),
    ),
    IdeaStatus.APPROVED: (
        (CardAction.START, "Start", "primary"),
        (CardAction.DONE, "Done…", None),
        (CardAction.NOT_NOW, "Not now…", None),
        (CardAction.EDIT, "Edit", None),
        (CardAction.REDACT, "Redact", "danger"),
    ),
    IdeaStatus.IN_PROGRESS: (
        (CardAction.DONE, "Done…", "primary"),
        (CardAction.EDIT, "Edit", None),
        (CardAction.REDACT, "Redact", "danger"),
    ),
    IdeaStatus.DONE: ((CardAction.REOPEN, "Reopen", None), (CardAction.REDACT, "Redact", "danger")),
    IdeaStatus.NOT_NOW: ((CardAction.REOPEN, "Reopen", None), (CardAction.REDACT, "Redact", "danger")),
}

OUTCOME_LABEL = {"worked": "It worked", "did_not_work": "It didn't work — and we learned from it"}


def status_text(idea: Idea) -> str:
    """The card's status label, with who approved it once it is approved (or later)."""
    label = STATUS_LABEL[idea.status]
    if idea.status in (IdeaStatus.APPROVED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE) and idea.decided_by:
        label += f" · approved by <@{idea.decided_by}>"
    return label


def card_blocks(idea: Idea, *, supporters: int = 0) -> list[Block]:
    """The idea's card in its team channel: its status, its texts (each clipped to its share of the message), the
    facts (who raised it and when, owner, category, input needed, supporters, the message it came from) and the
    buttons its status allows. `supporters` is how many people back it."""
    blocks: list[Block] = [bk.section(f"*Kaizen #{idea.number}* · {status_text(idea)}")]
    # Each text has its own share of the card: a message's blocks fail as a whole past about 13,200 characters,
    # even when every section is under its own 3,000 (see bk.MESSAGE_BLOCKS_TEXT).
    texts: list[tuple[str, str | None, int]] = [
        ("Problem", idea.problem, 2500),
        ("Idea", idea.idea, 2000),
        ("Expected benefit", idea.benefit, 1000),
    ]
    if idea.status == IdeaStatus.DONE:
        texts += [
            (OUTCOME_LABEL.get(idea.outcome or "", "Outcome"), idea.result, 2000),
            ("What we learned", idea.learned, 2000),
            ("Effect", idea.effect, 1000),
        ]
    for label, text, share in texts:
        labelled = _labelled(label, text, share)
        if labelled:
            blocks.append(bk.section(labelled))
    facts = [f"Raised by {author_text(idea)} on {date_markup(idea.created_at)}"]
    if idea.owner_id and idea.owner_id != idea.author_id:
        facts.append(f"Owner: {person(idea, idea.owner_id)}")
    if idea.category:
        facts.append(f"Category: {CATEGORY_LABEL.get(idea.category, idea.category)}")
    if idea.input_from:
        facts.append("Input needed from " + ", ".join(f"<@{user}>" for user in idea.input_from))
    if supporters:
        facts.append(f":+1: {supporters} {'person supports' if supporters == 1 else 'people support'} this")
    if idea.source_link and _SAFE_LINK.match(idea.source_link):
        facts.append(f"<{idea.source_link}|Original message>")
    blocks.append(bk.context(" · ".join(facts)))
    buttons = [
        ButtonElement(action_id=action, text=text, value=str(idea.id), style=style or None)
        for action, text, style in CARD_BUTTONS[idea.status]
    ]
    blocks.append(ActionsBlock(block_id=f"card_{idea.id}", elements=buttons))
    return blocks


# --- the raise modal -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RaiseContext:
    """What the raise modal carries through `private_metadata`: where it was opened and how to reach the person."""

    channel_id: str | None
    response_url: str | None
    source: str
    source_channel: str | None = None  # the message a shortcut was used on, linked from the card
    source_ts: str | None = None

    def encode(self) -> str:
        """This context as compact JSON for `private_metadata` (well under its 3,000 characters)."""
        data = {
            "c": self.channel_id,
            "r": self.response_url,
            "s": self.source,
            "sc": self.source_channel,
            "st": self.source_ts,
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def decode(cls, text: str | None) -> RaiseContext:
        """The context `encode` wrote; text that is not that JSON (None, tampered, old) gives an empty context,
        source "modal". Never raises."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}

        def text_or_none(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) and value else None

        return cls(
            text_or_none("c"), text_or_none("r"), text_or_none("s") or "modal", text_or_none("sc"), text_or_none("st")
        )


def _checkbox(block_id: str, label: str, value: str, text: str, description: str) -> InputBlock:
    """An optional input with one tick box (its block and action share the id)."""
    option = Option(value=value, text=PlainTextObject(text=text), description=PlainTextObject(text=description))
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        element=CheckboxesElement(action_id=block_id, options=[option]),
    )


def raise_modal(*, prefill: str, context: RaiseContext, pick_team: bool, anonymous_allowed: bool) -> View:
    """The raise form: the problem (`prefill`), idea, benefit, category, people whose input is needed, "already
    done", and, when `anonymous_allowed`, posting without a name; `pick_team` adds a team channel picker, starting at
    `context.channel_id`."""
    blocks: list[Block] = []
    if pick_team:
        blocks.append(
            InputBlock(
                block_id=Field.TEAM,
                label="Team channel",
                hint="The channel whose team should see this. Kaizen needs to be a member of it.",
                element=ConversationSelectElement(
                    action_id=Field.TEAM,
                    placeholder="Pick the team's channel",
                    filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
                    initial_conversation=context.channel_id or None,
                ),
            )
        )
    blocks.append(
        _text_input(
            Field.PROBLEM, "What's the problem?", max_length=PROBLEM_MAX, initial=prefill,
            hint="What happened, or what gets in the way? A problem without a solution is welcome.",
            placeholder="e.g. We walk to the other ward for the bladder scanner several times a shift",
        )
    )  # fmt: skip
    blocks.append(bk.context(PATIENT_HINT))
    blocks.append(_text_input(Field.IDEA, "Your idea (optional)", max_length=IDEA_MAX, optional=True))
    blocks.append(_text_input(Field.BENEFIT, "Expected benefit (optional)", max_length=BENEFIT_MAX, optional=True))
    blocks.append(
        InputBlock(
            block_id=Field.CATEGORY,
            label="Category (optional)",
            optional=True,
            element=StaticSelectElement(
                action_id=Field.CATEGORY,
                placeholder="Pick one",
                options=[Option(value=value, label=label) for value, label in CATEGORY_LABEL.items()],
            ),
        )
    )
    blocks.append(
        InputBlock(
            block_id=Field.INPUT_FROM,
            label="Input needed from (optional)",
            optional=True,
            element=UserMultiSelectElement(
                action_id=Field.INPUT_FROM, placeholder="People who can help", max_selected_items=INPUT_FROM_MAX
            ),
        )
    )
    blocks.append(
        _checkbox(
            Field.ALREADY_DONE, "Already done?", ALREADY_DONE_VALUE, "I already did it (“just did it”)",
            "Recorded as done, so the team can learn from it",
        )
    )  # fmt: skip
    if anonymous_allowed:
        blocks.append(
            _checkbox(
                Field.ANONYMOUS,
                "Name",
                ANONYMOUS_VALUE,
                "Post without my name",
                bk.clip(ANONYMOUS_HINT, bk.OPTION_TEXT),
            )
        )
        blocks.append(bk.context(bk.escape_clipped(ANONYMOUS_HINT, bk.SECTION_TEXT)))
    return View(
        type="modal",
        callback_id=RAISE_CALLBACK,
        title="Raise a Kaizen idea",
        submit="Raise it",
        close="Cancel",
        private_metadata=context.encode(),
        blocks=blocks,
    )


# --- replies to commands -------------------------------------------------------------------------------------


HELP_LINES = (
    ("/kaizen", "raise a problem or an idea (a form opens)"),
    ("/kaizen what's wrong", "the same, with the problem filled in"),
    ("/kaizen list [new|approved|in-progress|done|not-now|all]", "this channel's board, with ages"),
    ("/kaizen mine", "the ideas you raised or own"),
    ("/kaizen show 42", "one idea and its history (also `/kaizen 42`)"),
    ("/kaizen leaders", "who leads this team (`leaders add @a @b`, `leaders remove @a`)"),
    ("/kaizen huddle", "post the team's huddle thread now"),
    (
        "/kaizen huddle at 08:30[,14:00] [mon-fri|daily|mon,wed,fri] [Europe/London]",
        "leaders: the daily huddle (also `huddle off`, `huddle skip 2026-12-24`, `huddle holidays GB|off`)",
    ),
    ("/kaizen stats [weeks] [share]", "the team's charts, sent to you (`share` posts them here)"),
    (
        "/kaizen stats rebase 2026-03-02 what changed",
        "leaders: new limits after a change (`stats rebase undo` takes back the latest; `stats rebase` lists them)",
    ),
    ("/kaizen team headcount 42 [from 2026-12-01]", "leaders: the team's headcount, for participation rates"),
    ("/kaizen export", "leaders: the team's ideas as a CSV file, sent to you"),
    ("/kaizen help", "this help"),
)


def help_blocks() -> list[Block]:
    """`/kaizen help`: what Kaizen is for and every command, one line each."""
    lines = [f"• `{command}` — {what}" for command, what in HELP_LINES]
    return [
        bk.section(
            "*Kaizen: small improvements, every day*\nRaise a problem the moment you notice it. "
            "A problem without a solution is welcome."
        ),
        bk.section("\n".join(lines)),
        bk.context(
            "Slash commands don't work in threads: there, react :bulb: on a huddle reply, or use the message "
            "shortcut “Raise as Kaizen idea” (the ⋮ menu on a message)."
        ),
    ]


def usage_blocks(usage: Usage) -> list[Block]:
    """The usage of the subcommand `usage` names, and, when there was text, a button to raise that text as an idea
    instead."""
    blocks: list[Block] = [
        bk.section(f"That doesn't match `/kaizen {usage.subcommand}`. Try {USAGE[usage.subcommand]}.")
    ]
    if usage.text:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        action_id=RAISE_INSTEAD_ACTION,
                        text="Raise this as an idea instead",
                        value=bk.clip(usage.text, bk.BUTTON_VALUE),
                    )
                ]
            )
        )
    return blocks


def board_blocks(board: Board, channel_id: str, now: datetime, list_filter: str | None) -> list[Block]:
    """`/kaizen list`: the channel's ideas grouped by status, oldest first, with ages and "+N more" where a group has
    more than shown; `list_filter` is the filter asked for (None: the open board). At most MESSAGE_BLOCKS blocks."""
    title = f"*Kaizen board for <#{channel_id}>*"
    if board.team is None or not any(board.groups.values()):
        what = "open ideas" if list_filter is None else f"ideas in “{list_filter}”"
        return [bk.section(f"{title}\nNo {what} here yet. Raise one with `/kaizen`.")]
    blocks: list[Block] = [bk.section(title)]
    for status, ideas in board.groups.items():
        if not ideas:
            continue
        total = board.counts.get(status, len(ideas))
        lines = [idea_line(idea, now) for idea in ideas]
        if total > len(ideas):
            lines.append(f"+{total - len(ideas)} more")
        blocks.append(DividerBlock())
        blocks.append(bk.section(f"*{GROUP_TITLE[status]}* ({total})"))
        blocks.extend(bk.line_sections(lines))
    if list_filter is None:
        blocks.append(bk.context("Open ideas, oldest first. `/kaizen list all` shows done and not-now ones too."))
    return bk.fit_blocks(blocks, overflow_note="More than fits here — try `/kaizen list new` and the like.")


def mine_blocks(ideas: Sequence[Idea], total: int, now: datetime) -> list[Block]:
    """`/kaizen mine`: the person's ideas (newest first, as given) with status and channel; `total` is how many they
    have in all."""
    if not ideas:
        return [bk.section("You haven't raised any ideas yet. `/kaizen` opens the form.")]
    lines = [idea_line(idea, now, with_status=True, with_channel=True) for idea in ideas]
    if total > len(ideas):
        lines.append(f"+{total - len(ideas)} older ones")
    return bk.fit_blocks(
        [bk.section(f"*Your ideas* ({total})"), *bk.line_sections(lines)], overflow_note="+ more not shown"
    )


EVENT_TEXT: dict[str, str] = {
    EventKind.CREATED: "raised",
    EventKind.EDITED: "edited",
    EventKind.REDACTED: "redacted",
}


def history_line(event: IdeaEvent, idea: Idea) -> str:
    """One line of an idea's history: when (in the reader's time zone), what changed, by whom (never an anonymous
    author by name), and the note, if any."""
    if idea.anonymous and event.actor_id == idea.author_id:
        who = "the author"
    else:
        who = f"<@{event.actor_id}>" if event.actor_id else "Kaizen"
    if event.kind == EventKind.STATUS:
        before = GROUP_TITLE.get(event.from_status or "", event.from_status)
        after = GROUP_TITLE.get(event.to_status or "", event.to_status)
        what = f"{before} → {after}"
    else:
        what = EVENT_TEXT.get(event.kind, event.kind)
    line = f"{date_markup(event.at, '{date_short_pretty} {time}')} — {what} by {who}"
    if event.note:
        line += f": {bk.escape_clipped(one_line(event.note), 300)}"
    return line


def show_blocks(idea: Idea, events: Sequence[IdeaEvent]) -> list[Block]:
    """`/kaizen show N`: the idea's card and its history, oldest first; what does not fit one message is cut,
    with a note."""
    history = [history_line(event, idea) for event in events]
    blocks = [*card_blocks(idea), DividerBlock(), bk.section("*History*"), *bk.line_sections(history)]
    return bk.fit_blocks(blocks, overflow_note="Older history not shown.")


def first_leaders_text(by: str, leaders: Sequence[str], approve_emoji: str) -> str:
    """The channel message when `by` sets up the team's first leaders (`leaders`, user IDs): who they are, and how
    they approve (`approve_emoji`, a name without colons)."""
    names = ", ".join(f"<@{user}>" for user in leaders)
    return (
        f"<@{by}> set up Kaizen leaders for this channel: {names}. Leaders say yes to ideas with "
        f":{approve_emoji}: on the card — most ideas deserve a quick yes."
    )


def leaders_blocks(listing: LeaderList, approve_emoji: str) -> list[Block]:
    """`/kaizen leaders`: who decides for this team, and how to change it."""
    lines = ["*Leaders of this team*"]
    lines.append(", ".join(f"<@{u}>" for u in listing.team) if listing.team else "None yet.")
    if listing.everywhere:
        lines.append("*Leaders of every team* (KAIZEN_LEADERS): " + ", ".join(f"<@{u}>" for u in listing.everywhere))
    if listing.group_id:
        if listing.group_problem:
            lines.append(f":warning: {bk.escape_clipped(listing.group_problem, 500)}")
        else:
            lines.append(f"*Also:* members of the leader user group ({listing.group_id})")
    lines.append(f"Leaders approve with :{approve_emoji}: on a card.")
    return [
        bk.section("\n".join(lines)),
        bk.context("`/kaizen leaders add @name` · `/kaizen leaders remove @name`"),
    ]


def notice_blocks(text: str) -> list[Block]:
    """A one-paragraph reply made of text we wrote (safe mrkdwn)."""
    return [bk.section(text)]


# --- lifecycle modals ----------------------------------------------------------------------------------------

NOT_NOW_CALLBACK = "idea_not_now"
DONE_CALLBACK = "idea_done"
EDIT_CALLBACK = "idea_edit"
REDACT_CALLBACK = "idea_redact"
SHARE_REASON_ACTION = "idea_share_reason"
REDACT_NOTE_MAX = 300  # the history keeps this much of a redaction's note
REASON_QUOTE = 2000  # a quoted reason, escaped: the rest of the note fits one section


class LifecycleField:
    """Block and action IDs of the Not now, Done and Redact modals (Edit uses the raise modal's `Field`s)."""

    REASON = "reason"
    OUTCOME = "outcome"
    RESULT = "result"
    LEARNED = "learned"
    EFFECT = "effect"
    NOTE = "note"


@dataclass(frozen=True)
class IdeaModalContext:
    """What a lifecycle modal carries through `private_metadata`: its idea, and the channel it was opened from
    (to reach the person privately after the modal has closed)."""

    idea_id: int | None
    channel_id: str | None

    def encode(self) -> str:
        """This context as compact JSON for `private_metadata`."""
        return json.dumps({"i": self.idea_id, "c": self.channel_id}, separators=(",", ":"))

    @classmethod
    def decode(cls, text: str | None) -> IdeaModalContext:
        """The context `encode` wrote; anything else gives None for what it cannot read. Never raises."""
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        idea_id, channel_id = data.get("i"), data.get("c")
        return cls(
            idea_id if isinstance(idea_id, int) and not isinstance(idea_id, bool) else None,
            channel_id if isinstance(channel_id, str) and channel_id else None,
        )


def _about(idea: Idea) -> Block:
    """Which idea a modal is about: its number and the start of its problem."""
    return bk.section(f"*Kaizen #{idea.number}*\n{bk.escape_clipped(one_line(idea.problem), LINE_TEXT)}")


def _text_input(
    block_id: str, label: str, *, max_length: int, optional: bool = False, initial: str | None = None,
    hint: str | None = None, placeholder: str | None = None,
) -> InputBlock:  # fmt: skip
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint or None,
        element=PlainTextInputElement(
            action_id=block_id,
            multiline=True,
            max_length=max_length,
            initial_value=bk.clip(initial, max_length) if initial else None,
            placeholder=placeholder or None,
        ),
    )


def _idea_modal(idea: Idea, channel_id: str | None, *, callback_id: str, title: str, submit: str,
                blocks: list[Block]) -> View:  # fmt: skip
    return View(
        type="modal",
        callback_id=callback_id,
        title=bk.clip(title, bk.VIEW_TITLE),
        submit=submit,
        close="Cancel",
        private_metadata=IdeaModalContext(idea.id, channel_id).encode(),
        blocks=blocks,
    )


def not_now_modal(idea: Idea, channel_id: str | None, *, reason_max: int) -> View:
    """A leader's "not now": the reason goes privately to the author, who may choose to share it."""
    reason = _text_input(
        LifecycleField.REASON,
        "Why not now?",
        max_length=reason_max,
        hint="Sent privately to the person who raised it; they can choose to share it in the card's thread. "
        "A kind, specific reason helps with their next idea.",
        placeholder="e.g. We're changing the supplier in spring: let's look at this again then",
    )
    blocks: list[Block] = [_about(idea), reason, bk.context(PATIENT_HINT)]
    title = f"Not now: #{idea.number}"
    return _idea_modal(idea, channel_id, callback_id=NOT_NOW_CALLBACK, title=title, submit="Send", blocks=blocks)


def done_modal(idea: Idea, channel_id: str | None, *, text_max: int) -> View:
    """Closing an idea with what changed and what was learned, also when it did not work."""
    outcome = InputBlock(
        block_id=LifecycleField.OUTCOME,
        label="Did it work?",
        element=RadioButtonsElement(
            action_id=LifecycleField.OUTCOME,
            options=[Option(value=value, text=PlainTextObject(text=label)) for value, label in OUTCOME_LABEL.items()],
        ),
    )
    blocks: list[Block] = [
        _about(idea),
        outcome,
        _text_input(LifecycleField.RESULT, "What changed?", max_length=text_max),
        _text_input(
            LifecycleField.LEARNED,
            "What did we learn?",
            max_length=text_max,
            hint="Shown in the card's thread, with thanks. An experiment that didn't work teaches just as much.",
        ),
        _text_input(
            LifecycleField.EFFECT,
            "Effect (optional)",
            max_length=text_max,
            optional=True,
            placeholder="e.g. About 20 minutes less walking per shift",
        ),
        bk.context(PATIENT_HINT),
    ]
    title = f"Done: #{idea.number}"
    return _idea_modal(idea, channel_id, callback_id=DONE_CALLBACK, title=title, submit="Mark done", blocks=blocks)


def edit_modal(idea: Idea, channel_id: str | None) -> View:
    """The idea's text, filled in as it stands."""
    options = [Option(value=value, label=label) for value, label in CATEGORY_LABEL.items()]
    current = next((option for option in options if option.value == idea.category), None)
    category = InputBlock(
        block_id=Field.CATEGORY,
        label="Category (optional)",
        optional=True,
        element=StaticSelectElement(
            action_id=Field.CATEGORY,
            placeholder="Pick one",
            options=options,
            initial_option=current,
        ),
    )
    blocks: list[Block] = [
        _text_input(Field.PROBLEM, "What's the problem?", max_length=PROBLEM_MAX, initial=idea.problem),
        bk.context(PATIENT_HINT),
        _text_input(Field.IDEA, "Idea (optional)", max_length=IDEA_MAX, optional=True, initial=idea.idea),
        _text_input(
            Field.BENEFIT, "Expected benefit (optional)", max_length=BENEFIT_MAX, optional=True, initial=idea.benefit
        ),
        category,
    ]
    title = f"Edit #{idea.number}"
    return _idea_modal(idea, channel_id, callback_id=EDIT_CALLBACK, title=title, submit="Save", blocks=blocks)


def redact_modal(idea: Idea, channel_id: str | None) -> View:
    """A leader's confirmation before the idea's text is removed everywhere it shows."""
    blocks: list[Block] = [
        _about(idea),
        bk.section(
            "Redacting removes this idea's text everywhere it shows: the card, the thread replies that quote it "
            "and the notes in its history. The text is kept nowhere and can't be brought back. "
            "The history keeps that it was redacted, and by whom."
        ),
        _text_input(
            LifecycleField.NOTE,
            "Why? (optional, for the history)",
            max_length=REDACT_NOTE_MAX,
            optional=True,
            hint="Everyone who can see the idea can read this note: please don't repeat what is being removed.",
            placeholder="e.g. Contained patient details",
        ),
    ]
    title = f"Redact #{idea.number}"
    return _idea_modal(idea, channel_id, callback_id=REDACT_CALLBACK, title=title, submit="Redact", blocks=blocks)


def not_now_dm_text(idea: Idea, leader_id: str, reason: str) -> str:
    """The private note to an idea's author that a leader decided "not now" (its reason quoted)."""
    quoted = "\n".join(f">{line}" for line in bk.escape_clipped(reason, REASON_QUOTE).splitlines())
    return (
        f"About your idea #{idea.number}: <@{leader_id}> decided *not now*, for this reason:\n{quoted}\n"
        "Thank you for raising it — it is kept, and it can be reopened any time. Keep the ideas coming."
    )


def not_now_dm_blocks(idea: Idea, leader_id: str, reason: str) -> list[Block]:
    """The not-now note with a button for the author to share the reason in the card's thread (their choice)."""
    share = ButtonElement(action_id=SHARE_REASON_ACTION, text="Share this reason in the thread", value=str(idea.id))
    return [
        bk.section(not_now_dm_text(idea, leader_id, reason)),
        bk.context("Only you can see this. Sharing the reason helps others learn what's possible now and what's not."),
        ActionsBlock(block_id=f"share_{idea.id}", elements=[share]),
    ]


# --- the huddle ----------------------------------------------------------------------------------------------

BULB_UNDO_ACTION = "bulb_undo"
BULB_ANONYMOUS_ACTION = "bulb_make_anonymous"
WELCOME_HUDDLE_ACTION = "welcome_set_up_huddle"
WELCOME_LEADERS_ACTION = "welcome_add_leaders"
HUDDLE_SETUP_CALLBACK = "huddle_setup"
ADD_LEADERS_CALLBACK = "add_leaders"

HUDDLE_HOW_TO = (
    "Reply in this thread with what got in your way, or an idea. React :bulb: on a reply to turn it into a Kaizen idea."
)


def owner_name(idea: Idea, names: dict[str, str]) -> str:
    """An owner's name without pinging them; the author of an anonymous idea who took it on stays unnamed."""
    if not idea.owner_id or (idea.anonymous and idea.owner_id == idea.author_id):
        return "the person who raised it" if idea.owner_id else "someone"
    return bk.escape_clipped(names.get(idea.owner_id, "someone"), 80)


def huddle_text(title: str, local_date: date) -> str:
    """The huddle's title with its local date, e.g. "Daily huddle · Monday 2 March": the thread starter's
    notification text."""
    return f"{title} · {local_date:%A} {local_date.day} {local_date:%B}"


def _more(shown: int, total: int) -> list[str]:
    return [f"+{total - shown} more — `/kaizen list`"] if total > shown else []


def huddle_blocks(
    *, title: str, morning: bool, local_date: date, content: HuddleContent, names: dict[str, str], now: datetime,
    nudge_days: int, question: str,
) -> list[Block]:  # fmt: skip
    """The huddle thread starter. Names are shown as plain text (no ping); thanks mention people on purpose;
    anonymous authors are never named."""
    blocks: list[Block] = [
        HeaderBlock(text=bk.clip(huddle_text(title, local_date), bk.HEADER_TEXT)),
        bk.context(
            f"{'Good morning' if morning else 'Hello'}, team :wave: Five minutes: what waits, what moves, "
            "what we learned."
        ),
    ]

    def add(heading: str, lines: list[str]) -> None:
        blocks.append(bk.section(f"*{heading}*"))
        blocks.extend(bk.line_sections(lines or ["_Nothing here right now._"]))

    waiting = []
    for idea in content.waiting:
        days = age_in_days(idea.created_at, now)
        flag = " :warning:" if days > nudge_days else ""
        waiting.append(f"`#{idea.number}` {bk.escape_clipped(one_line(idea.problem), 100)} — {days_text(days)}{flag}")
    add(f"Waiting for a decision ({content.waiting_total})", waiting + _more(len(waiting), content.waiting_total))
    doing = [
        f"`#{idea.number}` {bk.escape_clipped(one_line(idea.problem), 100)} — {owner_name(idea, names)}"
        for idea in content.in_progress
    ]
    add(f"In progress ({content.in_progress_total})", doing + _more(len(doing), content.in_progress_total))
    need = [f"`#{idea.number}` {bk.escape_clipped(one_line(idea.problem), 100)}" for idea in content.need_an_idea]
    add(
        f"Problems that still need an idea ({content.need_an_idea_total})",
        need + _more(len(need), content.need_an_idea_total),
    )
    done = []
    for idea in content.done:
        thanks = thanked(idea)
        done.append(f"`#{idea.number}` {bk.escape_clipped(one_line(idea.problem), 100)} — thank you {thanks}! :tada:")
    add(f"Done since the last huddle ({content.done_total})", done + _more(len(done), content.done_total))
    blocks.append(DividerBlock())
    blocks.append(bk.section(f":speech_balloon: *Question of the day:* {question}"))
    blocks.append(bk.context(HUDDLE_HOW_TO))
    return bk.fit_blocks(blocks, overflow_note="More than fits here — `/kaizen list` has the whole board.")


def digest_text(
    channel_id: str, ideas: Sequence[Idea], total: int, links: dict[int, str], now: datetime, nudge_days: int
) -> str:
    """The leaders' morning digest for a channel: `total` ideas waiting more than `nudge_days` days, the first of
    them (`ideas`) each linked to its card where `links` (idea id → permalink) has one, and "+N more"."""
    lines = [
        f"Good morning! {total} idea{'s' if total != 1 else ''} in <#{channel_id}> "
        f"{'have' if total != 1 else 'has'} waited more than {days_text(nudge_days)} for a decision. "
        "A quick yes keeps ideas flowing:"
    ]
    for idea in ideas:
        label = f"#{idea.number}"
        link = links.get(idea.id)
        number = f"<{link}|{label}>" if link and _SAFE_LINK.match(link) else label
        age = days_text(age_in_days(idea.created_at, now))
        lines.append(f"• {number} {bk.escape_clipped(one_line(idea.problem), 120)} — {age}")
    lines += [f"+{total - len(ideas)} more — `/kaizen list new` in <#{channel_id}>"] if total > len(ideas) else []
    return "\n".join(lines)


def bulb_confirmation(idea: Idea) -> str:
    """The thread reply when a huddle reply becomes an idea by :bulb:; thanks the author unless the idea is
    anonymous."""
    who = "" if idea.anonymous else f" Thank you <@{idea.author_id}>!"
    return f":bulb: This reply is now Kaizen idea #{idea.number}.{who}"


def bulb_private_text(idea: Idea) -> str:
    """To the person whose reply became an idea: which idea, and that they can undo it or take their name off it."""
    return f"Your reply became Kaizen idea #{idea.number}. Not what you meant? Undo it, or take your name off it."


def bulb_private_blocks(idea: Idea) -> list[Block]:
    """`bulb_private_text` with its Undo and Make anonymous buttons (each button's value is the idea's id)."""
    return [
        bk.section(bulb_private_text(idea)),
        ActionsBlock(
            elements=[
                ButtonElement(action_id=BULB_UNDO_ACTION, text="Undo", value=str(idea.id)),
                ButtonElement(action_id=BULB_ANONYMOUS_ACTION, text="Make anonymous", value=str(idea.id)),
            ]
        ),
    ]


def welcome_blocks(approve_emoji: str) -> list[Block]:
    """The message when Kaizen joins a channel: what it does, how leaders approve (`approve_emoji`), and buttons to
    set up the daily huddle and add leaders."""
    return [
        bk.section(
            ":wave: *Hello! I help this team improve a little every day.*\n"
            "Anyone can raise a problem or an idea with `/kaizen`. Leaders say yes with "
            f":{approve_emoji}: on the card, and a short huddle thread every morning keeps things moving."
        ),
        ActionsBlock(
            elements=[
                ButtonElement(action_id=WELCOME_HUDDLE_ACTION, text="Set up daily huddle", style="primary"),
                ButtonElement(action_id=WELCOME_LEADERS_ACTION, text="Add leaders"),
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
    not be tried again, what a leader (or an admin) can do. `error` is Slack's error name; `failure` the
    `bot.slack.refusals.Failure` it falls under: "message", "channel_rules" or "access"."""
    said = f"`{bk.escape_clipped(error, 64)}`"
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


def _channel_form(callback_id: str, title: str, submit: str, channel_id: str, blocks: list[Block]) -> View:
    """A form about one team channel (opened from the welcome); the channel travels in private_metadata."""
    return View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close="Cancel",
        private_metadata=json.dumps({"c": channel_id}),
        blocks=blocks,
    )


def channel_form_channel(private_metadata: str | None) -> str | None:
    """The team channel a welcome form (`_channel_form`) is about, from its private_metadata; None when the
    metadata is not what the form carried."""
    try:
        channel_id = json.loads(private_metadata or "{}").get("c")
    except (ValueError, AttributeError):
        return None
    return channel_id if isinstance(channel_id, str) and channel_id else None


def huddle_setup_modal(channel_id: str, *, time_text: str, days: Sequence[int], zone: str) -> View:
    """The daily huddle form for a team channel, filled in with the times (`time_text`, "HH:MM[,HH:MM]"), the
    weekdays (`days`, Monday = 0) and the time zone (`zone`, an IANA name) in force."""
    day_names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    options = [Option(value=str(n), text=PlainTextObject(text=name)) for n, name in enumerate(day_names)]
    return _channel_form(
        HUDDLE_SETUP_CALLBACK,
        "Daily huddle",
        "Save",
        channel_id,
        [
            InputBlock(
                block_id="times",
                label="Time(s), HH:MM",
                hint="Several for shift changes, e.g. 08:30,14:00",
                element=PlainTextInputElement(action_id="times", initial_value=time_text, max_length=60),
            ),
            InputBlock(
                block_id="days",
                label="Days",
                element=CheckboxesElement(
                    action_id="days", options=options, initial_options=[options[d] for d in days]
                ),
            ),
            InputBlock(
                block_id="zone",
                label="Time zone",
                hint="An Area/City name like Europe/London",
                element=PlainTextInputElement(action_id="zone", initial_value=zone, max_length=64),
            ),
        ],
    )


def add_leaders_modal(channel_id: str) -> View:
    """The form that adds leaders to a team channel (up to 20 people at a time)."""
    return _channel_form(
        ADD_LEADERS_CALLBACK,
        "Add leaders",
        "Add",
        channel_id,
        [
            InputBlock(
                block_id="users",
                label="Leaders of this team",
                hint="Leaders say yes (or not now) to ideas. Most ideas deserve a quick yes.",
                element=UserMultiSelectElement(action_id="users", max_selected_items=20),
            )
        ],
    )


# --- measures ------------------------------------------------------------------------------------------------


# --- App Home ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeTeam:
    """One team on the App Home: its idea counts by status and its headline figures."""

    team: Team
    counts: dict[str, int]
    figures: Headline


@dataclass(frozen=True)
class HomeContent:
    """What the App Home shows one person: their ideas (`mine`, with `mine_total`), ideas waiting for their decision
    (for leaders), and the teams they see."""

    mine: Sequence[Idea]
    mine_total: int
    waiting: Sequence[Idea]  # for leaders: ideas waiting for their decision
    teams: Sequence[HomeTeam]
    now: datetime


def home_view(content: HomeContent) -> View:
    """The App Home tab: the person's ideas, ideas waiting for their decision, and each team's board counts and
    headline figures. At most VIEW_BLOCKS blocks."""
    now = content.now
    blocks: list[Block] = [
        HeaderBlock(text="Kaizen"),
        bk.context("Small improvements, every day. `/kaizen` raises a problem or an idea from any channel."),
        DividerBlock(),
        bk.section(f"*Your ideas* ({content.mine_total})"),
    ]
    mine = [idea_line(idea, now, with_status=True, with_channel=True) for idea in content.mine]
    if content.mine_total > len(mine):
        mine.append(f"+{content.mine_total - len(mine)} older — `/kaizen mine`")
    blocks += bk.line_sections(mine or ["None yet: `/kaizen` raises your first."])
    if content.waiting:
        blocks += [DividerBlock(), bk.section(f"*Waiting for your decision* ({len(content.waiting)})")]
        blocks += bk.line_sections([idea_line(idea, now, with_channel=True) for idea in content.waiting])
        blocks.append(bk.context("A quick yes keeps ideas flowing: react on the card, or press Approve."))
    for home_team in content.teams:
        counts = home_team.counts
        board = " · ".join(
            f"{counts.get(status, 0)} {GROUP_TITLE[status].lower()}"
            for status in (IdeaStatus.NEW, IdeaStatus.APPROVED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE)
        )
        blocks += [
            DividerBlock(),
            bk.section(f"*<#{home_team.team.channel_id}>*\n{board}"),
            bk.context(headline_text(home_team.figures)),
        ]
    return View(type="home", blocks=bk.fit_blocks(blocks, limit=bk.VIEW_BLOCKS, overflow_note="More in Slack."))
