"""The forms behind the card's tier entries: Escalate… (why it goes one tier up) and Send back… (a note for the team
below). Each carries its idea and the channel it was opened from in private_metadata, as the card's other forms."""

from __future__ import annotations

from bot.i18n import _
from bot.render.ids import CallbackId, LifecycleField
from bot.render.lifecycle_forms import about, idea_modal
from bot.render.metadata import IdeaModalContext
from bot.render.raise_form import PATIENT_HINT, text_input
from bot.slack import blockkit as bk
from storage.models import Idea


def escalate_modal(
    idea: Idea, channel_id: str | None, to_channel: str, *, from_team_id: int, reason_max: int, public_warning: bool
) -> bk.View:
    """A leader sends the idea to the team of `to_channel`, one tier up, with a reason (required, at most `reason_max`
    characters), from the team `from_team_id` (which must still hold it on submit). `public_warning`: the idea is in a
    private channel and goes to one that is not (or that Slack could not say is private): its text will be seen
    there."""
    reason = text_input(
        LifecycleField.ESCALATE_REASON,
        # Translators: a label in the form that sends an idea to the team one tier up, over why (plain text)
        _("What do you need from the team above?"),
        max_length=reason_max,
        # Translators: a hint in the form that sends an idea one tier up
        hint=_("Its leaders see this on the idea's card in their channel. The idea keeps its number and its author."),
        # Translators: an example reason for sending an idea one tier up, as a placeholder
        placeholder=_("e.g. Needs a budget decision beyond the ward"),
    )
    # Translators: in the form that sends an idea one tier up; {channel} is the channel of the team above
    lines = [about(idea), bk.section(_("It goes to <#{channel}>, whose leaders decide it until they send it back.",
                                      channel=to_channel))]  # fmt: skip
    if public_warning:
        # Translators: a warning in the form that sends an idea from a private channel to one that is not private
        lines.append(bk.section(_(":warning: This idea is in a private channel and <#{channel}> is not: everyone "
                                  "there will see its text.", channel=to_channel)))  # fmt: skip
    blocks: list[bk.Block] = [*lines, reason, bk.context(_(PATIENT_HINT))]
    # Translators: the title of the form that sends idea #{number} one tier up (at most 24 characters)
    title = _("Escalate #{number}", number=idea.number)
    # Translators: the button that sends an idea to the team one tier up
    send = _("Escalate")
    context = IdeaModalContext(idea_id=idea.id, channel_id=channel_id, from_team_id=from_team_id)
    return idea_modal(idea, channel_id, callback_id=CallbackId.ESCALATE, title=title, submit=send, blocks=blocks,
                      context=context)  # fmt: skip


def send_back_modal(idea: Idea, channel_id: str | None, *, hop_id: int, note_max: int) -> bk.View:
    """A leader of the team holding an escalated idea sends it back down (ending hop `hop_id`, if it is still the
    open one on submit), with a note (required, at most `note_max` characters) said in its card's thread."""
    note = text_input(
        LifecycleField.NOTE,
        # Translators: a label in the form that sends an idea back to the team below, over a note for them
        _("A note for the team below"),
        max_length=note_max,
        # Translators: a hint in the form that sends an idea back to the team below
        hint=_("Said in the idea's thread in their channel."),
        # Translators: an example note when sending an idea back to the team below, as a placeholder
        placeholder=_("e.g. You can decide this yourselves: go ahead, we support it"),
    )
    blocks: list[bk.Block] = [about(idea), note, bk.context(_(PATIENT_HINT))]
    # Translators: the title of the form that sends idea #{number} back to the team below (at most 24 characters)
    title = _("Send back #{number}", number=idea.number)
    # Translators: the button that sends an idea back to the team below
    send = _("Send back")
    context = IdeaModalContext(idea_id=idea.id, channel_id=channel_id, hop_id=hop_id)
    return idea_modal(idea, channel_id, callback_id=CallbackId.SEND_BACK, title=title, submit=send, blocks=blocks,
                      context=context)  # fmt: skip
