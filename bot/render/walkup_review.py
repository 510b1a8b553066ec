"""The note a team's leaders get when the walk-up form's review is on: what a visitor sent, with Accept and Decline
(mrkdwn we wrote; what the visitor typed is escaped), and what the note says once decided."""

from __future__ import annotations

from typing import Any

from bot import limits
from bot.i18n import _
from bot.render.ids import ActionId
from bot.render.words import to_dicts
from bot.slack import blockkit as bk


def review_text(channel_id: str) -> str:
    """The note's notification text: where it is for (what the visitor typed is not in it)."""
    # Translators: a private note to a team's leaders: a walk-up form idea waits for their Accept
    return _("An idea from the walk-up form waits for your Accept before it goes up in <#{channel}>.",
             channel=channel_id)  # fmt: skip


def review_blocks(
    channel_id: str, problem: str, idea: str | None, name: str | None, submission_id: int
) -> list[dict[str, Any]]:
    """The note: what was sent (escaped, clipped), who sent it (or that they gave no name), Accept and Decline."""
    lines = [f"*{_('Problem')}:* {bk.escape_clipped(problem, limits.CARD_PROBLEM)}"]
    if idea:
        lines.append(f"*{_('Idea')}:* {bk.escape_clipped(idea, limits.CARD_IDEA)}")
    if name:
        # Translators: in the leaders' note of a walk-up idea: the name the visitor gave
        lines.append(_("From {name}, on the ward form", name=bk.escape_clipped(name, limits.OWNER_NAME)))
    else:
        # Translators: in the leaders' note of a walk-up idea whose visitor gave no name
        lines.append(_("From the ward form, without a name"))
    # Translators: a button in the leaders' note of a walk-up idea: post it as a card
    accept = _("Accept")
    # Translators: a button in the leaders' note of a walk-up idea: drop it
    decline = _("Decline")
    confirm = bk.ConfirmObject(
        # Translators: the title of the dialog that asks a leader to confirm declining a walk-up idea
        title=_("Decline this idea?"),
        text=_("Nothing is posted and what was sent is deleted."),
        confirm=decline,
        # Translators: the button that keeps a walk-up idea waiting, in the dialog that asks to decline it
        deny=_("Keep it"),
    )
    value = str(submission_id)
    buttons = bk.ActionsBlock(
        elements=[
            bk.ButtonElement(action_id=ActionId.WALKUP_ACCEPT, value=value, style="primary", text=accept),
            bk.ButtonElement(action_id=ActionId.WALKUP_DECLINE, value=value, text=decline, confirm=confirm),
        ]
    )
    return to_dicts([bk.section(review_text(channel_id)), bk.section("\n".join(lines)), buttons])


def accepted_text(number: int, channel_id: str) -> str:
    """The note once this leader accepted it."""
    return _("Accepted: it is idea #{number}, with its card in <#{channel}>.", number=number, channel=channel_id)


def declined_text() -> str:
    """The note once this leader declined it."""
    return _("Declined: nothing was posted, and what was sent is deleted.")


def gone_text() -> str:
    """The note when another leader got there first."""
    return _("Another leader has already decided on this one.")


def not_yours_text() -> str:
    """A press by someone who does not lead the team."""
    return _("Only this team's leaders can accept or decline what comes in on its walk-up form.")
