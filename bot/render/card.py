"""The idea's card in its team channel: its notification text, its status line and its blocks with the buttons its
status allows."""

from __future__ import annotations

from collections.abc import Callable

from bot import limits
from bot.notices import asked_for_input
from bot.render.ids import BlockPrefix, CardAction
from bot.render.words import (
    CATEGORY_LABEL,
    OUTCOME_LABEL,
    STATUS_LABEL,
    date_markup,
    is_safe_link,
    problem_start,
)
from bot.slack import blockkit as bk
from storage.models import Idea, IdeaStatus

# What a label adds around a text in its section: "*", "*" and a newline, and one to spare.
_LABEL_MARKUP = 4

# status → the card's buttons: its primary actions only (action id, button text), the first one green. Who may press
# which is decided on the server, per press.
CARD_BUTTONS: dict[str, tuple[tuple[str, str], ...]] = {
    IdeaStatus.NEW: ((CardAction.APPROVE, "Approve"), (CardAction.NOT_NOW, "Not now…")),
    IdeaStatus.APPROVED: ((CardAction.START, "Start"),),
    IdeaStatus.IN_PROGRESS: ((CardAction.DONE, "Done…"),),
    IdeaStatus.DONE: ((CardAction.REOPEN, "Reopen"),),
    IdeaStatus.NOT_NOW: ((CardAction.REOPEN, "Reopen"),),
}

# The first button is green when it moves the idea forward; Reopen (of a done or declined idea) stays plain.
FIRST_STYLE: dict[str, str | None] = {action: "primary" for (action, _), *_ in CARD_BUTTONS.values()} | {
    CardAction.REOPEN: None
}

# Everything else, in the card's overflow menu (at most limits.OVERFLOW_OPTIONS), each entry saying who may use it.
_EDIT = (CardAction.EDIT, "Edit — author or a leader")
_REDACT = (CardAction.REDACT, "Redact (remove the text) — leaders")
CARD_MORE: dict[str, tuple[tuple[str, str], ...]] = {
    IdeaStatus.NEW: ((CardAction.START, "Start now — its owner (if allowed) or a leader"), _EDIT, _REDACT),
    IdeaStatus.APPROVED: (
        (CardAction.DONE, "Done… — owner or a leader"),
        (CardAction.NOT_NOW, "Not now… — leaders"),
        _EDIT,
        _REDACT,
    ),
    IdeaStatus.IN_PROGRESS: (_EDIT, _REDACT),
    IdeaStatus.DONE: (_EDIT, _REDACT),
    IdeaStatus.NOT_NOW: (_EDIT, _REDACT),
}

MORE_SEPARATOR = ":"  # an overflow option's value: "<action id>:<idea id>"


def offers(status: str, action: str, *, in_menu: bool) -> bool:
    """Whether the card of an idea in `status` shows `action`: as a button (`CARD_BUTTONS`, also the App Home's
    Approve and Not now… of a waiting idea) or, `in_menu`, in its overflow menu (`CARD_MORE`). A press of an
    action the card no longer shows came from an out-of-date copy of it."""
    shown = CARD_MORE if in_menu else CARD_BUTTONS
    return any(offered == action for offered, _ in shown.get(status, ()))


def mention(user_id: str) -> str:
    """A person as a mention: for private replies, where it pings no one."""
    return f"<@{user_id}>"


def card_text(idea: Idea) -> str:
    """The notification text of a card (what a phone and a screen reader say), at most about
    `limits.FALLBACK_TEXT` characters: the number, the start of the problem and where it stands, e.g. "Kaizen #12:
    The sluice room door sticks — waiting for a decision"."""
    return f"Kaizen #{idea.number}: {problem_start(idea, limits.FALLBACK_TEXT)} — {_FALLBACK_STATUS[idea.status]}"


_FALLBACK_STATUS: dict[str, str] = {
    IdeaStatus.NEW: "waiting for a decision",
    IdeaStatus.APPROVED: "approved, not started",
    IdeaStatus.IN_PROGRESS: "in progress",
    IdeaStatus.DONE: "done",
    IdeaStatus.NOT_NOW: "not now",
}


def _who(idea: Idea, user_id: str, name: Callable[[str], str]) -> str:
    # Someone on the card, as `name` shows them; never an anonymous idea's author by name.
    return "the person who raised it" if idea.hides(user_id) else name(user_id)


def status_text(idea: Idea, name: Callable[[str], str] = mention) -> str:
    """The card's status line, each thing once: e.g. "✅ Approved by Grace — go ahead"."""
    if idea.status == IdeaStatus.APPROVED and idea.decided_by:
        return f":white_check_mark: Approved by {_who(idea, idea.decided_by, name)} — go ahead"
    return STATUS_LABEL[idea.status]


def _labelled(label: str, text: str | None, limit: int) -> str | None:
    """A person's `text` under a bold `label`, escaped, the whole at most `limit` characters; None without text."""
    if not text:
        return None
    return f"*{label}*\n{bk.escape_clipped(text, limit - len(label) - _LABEL_MARKUP)}"


def card_blocks(idea: Idea, *, supporters: int = 0, name: Callable[[str], str] = mention) -> list[bk.Block]:
    """The idea's card in its team channel: its status, its texts (each clipped to its share of the message), the
    facts (who raised it and when, owner, category, input needed, supporters, the message it came from), the
    buttons of its primary actions and an overflow menu with the rest. `supporters` is how many people back it;
    `name` shows a person (a plain name on a posted card, `plain_name`; a mention in a private reply)."""
    blocks: list[bk.Block] = [bk.section(f"*Kaizen #{idea.number}* · {status_text(idea, name)}")]
    # Each text has its own share of the card: a message's blocks fail as a whole past about 13,200 characters,
    # even when every section is under its own 3,000 (see limits.MESSAGE_BLOCKS_TEXT).
    texts: list[tuple[str, str | None, int]] = [
        ("Problem", idea.problem, limits.CARD_PROBLEM),
        ("Idea", idea.idea, limits.CARD_IDEA),
        ("Expected benefit", idea.benefit, limits.CARD_BENEFIT),
    ]
    if idea.status == IdeaStatus.DONE:
        texts += [
            (OUTCOME_LABEL.get(idea.outcome or "", "Outcome"), idea.result, limits.CARD_RESULT),
            ("What we learned", idea.learned, limits.CARD_LEARNED),
            ("Effect", idea.effect, limits.CARD_EFFECT),
        ]
    for label, text, share in texts:
        labelled = _labelled(label, text, share)
        if labelled:
            blocks.append(bk.section(labelled))
    raised = "Raised anonymously" if idea.anonymous else f"Raised by {name(idea.author_id)}"
    facts = [f"{raised} · {date_markup(idea.created_at)}"]
    if idea.owner_id and idea.owner_id != idea.author_id:
        facts.append(f"Owner: {_who(idea, idea.owner_id, name)}")
    if idea.category:
        facts.append(f"Category: {CATEGORY_LABEL.get(idea.category, idea.category)}")
    asked = asked_for_input(idea)
    if asked:
        facts.append("Input needed from " + ", ".join(f"<@{user}>" for user in asked))
    if supporters:
        facts.append(f":+1: {supporters} {'person supports' if supporters == 1 else 'people support'} this")
    if is_safe_link(idea.source_link):
        facts.append(f"<{idea.source_link}|Original message>")
    blocks.append(bk.context(" · ".join(facts)))
    elements: list[bk.ButtonElement | bk.OverflowMenuElement] = [
        bk.ButtonElement(action_id=action, text=text, value=str(idea.id), style=None if index else FIRST_STYLE[action])
        for index, (action, text) in enumerate(CARD_BUTTONS[idea.status])
    ]
    options = [
        bk.Option(value=f"{action}{MORE_SEPARATOR}{idea.id}", text=text)
        for action, text in CARD_MORE[idea.status][: limits.OVERFLOW_OPTIONS]
    ]
    elements.append(bk.OverflowMenuElement(action_id=CardAction.MORE, options=options))
    blocks.append(bk.ActionsBlock(block_id=f"{BlockPrefix.CARD}{idea.id}", elements=elements))
    return blocks
