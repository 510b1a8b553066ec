"""The idea's card in its team channel: its notification text, its status line and its blocks with the buttons its
status allows."""

from __future__ import annotations

from bot import limits
from bot.render.ids import BlockPrefix, CardAction
from bot.render.words import (
    CATEGORY_LABEL,
    OUTCOME_LABEL,
    STATUS_LABEL,
    author_text,
    date_markup,
    is_safe_link,
    person,
    problem_start,
)
from bot.slack import blockkit as bk
from storage.models import Idea, IdeaStatus

# What a label adds around a text in its section: "*", "*" and a newline, and one to spare.
_LABEL_MARKUP = 4

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


def card_text(idea: Idea) -> str:
    """The notification text of a card (what a phone shows), at most about `limits.FALLBACK_TEXT` characters."""
    return f"Kaizen #{idea.number}: {problem_start(idea, limits.FALLBACK_TEXT)}"


def status_text(idea: Idea) -> str:
    """The card's status label, with who approved it once it is approved (or later)."""
    label = STATUS_LABEL[idea.status]
    if idea.status in (IdeaStatus.APPROVED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE) and idea.decided_by:
        label += f" · approved by <@{idea.decided_by}>"
    return label


def _labelled(label: str, text: str | None, limit: int) -> str | None:
    """A person's `text` under a bold `label`, escaped, the whole at most `limit` characters; None without text."""
    if not text:
        return None
    return f"*{label}*\n{bk.escape_clipped(text, limit - len(label) - _LABEL_MARKUP)}"


def card_blocks(idea: Idea, *, supporters: int = 0) -> list[bk.Block]:
    """The idea's card in its team channel: its status, its texts (each clipped to its share of the message), the
    facts (who raised it and when, owner, category, input needed, supporters, the message it came from) and the
    buttons its status allows. `supporters` is how many people back it."""
    blocks: list[bk.Block] = [bk.section(f"*Kaizen #{idea.number}* · {status_text(idea)}")]
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
    facts = [f"Raised by {author_text(idea)} on {date_markup(idea.created_at)}"]
    if idea.owner_id and idea.owner_id != idea.author_id:
        facts.append(f"Owner: {person(idea, idea.owner_id)}")
    if idea.category:
        facts.append(f"Category: {CATEGORY_LABEL.get(idea.category, idea.category)}")
    if idea.input_from:
        facts.append("Input needed from " + ", ".join(f"<@{user}>" for user in idea.input_from))
    if supporters:
        facts.append(f":+1: {supporters} {'person supports' if supporters == 1 else 'people support'} this")
    if is_safe_link(idea.source_link):
        facts.append(f"<{idea.source_link}|Original message>")
    blocks.append(bk.context(" · ".join(facts)))
    buttons = [
        bk.ButtonElement(action_id=action, text=text, value=str(idea.id), style=style or None)
        for action, text, style in CARD_BUTTONS[idea.status]
    ]
    blocks.append(bk.ActionsBlock(block_id=f"{BlockPrefix.CARD}{idea.id}", elements=buttons))
    return blocks
