"""The forms behind the card's buttons: Not now, Done, Edit and Redact. Each carries its idea and the channel it was
opened from in private_metadata (`IdeaModalContext`)."""

from __future__ import annotations

from bot import limits
from bot.i18n import _
from bot.render.ids import CallbackId, Field, LifecycleField
from bot.render.metadata import IdeaModalContext
from bot.render.raise_form import PATIENT_HINT, category_input, text_input
from bot.render.words import OUTCOME_LABEL, problem_start
from bot.slack import blockkit as bk
from storage.models import Idea


def about(idea: Idea) -> bk.Block:
    """Which idea a modal is about: its number and the start of its problem."""
    # Translators: at the top of a form about an idea: its number, then the start of its problem
    return bk.section(_("*Kaizen #{number}*\n{problem}", number=idea.number, problem=problem_start(idea)))


def idea_modal(
    idea: Idea, channel_id: str | None, *, callback_id: str, title: str, submit: str, blocks: list[bk.Block],
    context: IdeaModalContext | None = None,
) -> bk.View:  # fmt: skip
    return bk.View(
        type="modal",
        callback_id=callback_id,
        title=bk.clip(title, limits.VIEW_TITLE),
        submit=submit,
        # Translators: the button that closes a form without saving it
        close=_("Cancel"),
        private_metadata=(context or IdeaModalContext(idea_id=idea.id, channel_id=channel_id)).encode(),
        blocks=blocks,
    )


def not_now_modal(idea: Idea, channel_id: str | None, *, reason_max: int) -> bk.View:
    """A leader's "not now": the reason (at most `reason_max` characters) goes privately to the author, who may
    choose to share it. `channel_id` is where the form was opened."""
    reason = text_input(
        LifecycleField.REASON,
        # Translators: a label in the form where a leader declines an idea for now, over the reason (kindly)
        _("Why not now?"),
        max_length=reason_max,
        hint=_(
            "Sent privately to the person who raised it; they can choose to share it in the card's thread. "
            "A kind, specific reason helps with their next idea."
        ),
        # Translators: an example reason for "not now", as a placeholder
        placeholder=_("e.g. We're changing the supplier in spring: let's look at this again then"),
    )
    blocks: list[bk.Block] = [about(idea), reason, bk.context(_(PATIENT_HINT))]
    # Translators: the title of the form where a leader declines idea #{number} for now (at most 24 characters)
    title = _("Not now: #{number}", number=idea.number)
    # Translators: the button that sends a leader's "not now" and its reason to the person who raised the idea
    send = _("Send")
    return idea_modal(idea, channel_id, callback_id=CallbackId.NOT_NOW, title=title, submit=send, blocks=blocks)


def done_modal(idea: Idea, channel_id: str | None, *, text_max: int) -> bk.View:
    """Closing an idea with what changed and what was learned (each at most `text_max` characters), also when it did
    not work. `channel_id` is where the form was opened."""
    outcome = bk.InputBlock(
        block_id=LifecycleField.OUTCOME,
        # Translators: a label in the form that closes an idea as done, over "It worked" and "It didn't work"
        label=_("Did it work?"),
        element=bk.RadioButtonsElement(
            action_id=LifecycleField.OUTCOME,
            options=[
                bk.Option(value=value, text=bk.PlainTextObject(text=_(label))) for value, label in OUTCOME_LABEL.items()
            ],
        ),
    )
    blocks: list[bk.Block] = [
        about(idea),
        outcome,
        # Translators: a label in the form that closes an idea as done
        text_input(LifecycleField.RESULT, _("What changed?"), max_length=text_max),
        text_input(
            LifecycleField.LEARNED,
            # Translators: a label in the form that closes an idea as done
            _("What did we learn?"),
            max_length=text_max,
            hint=_("Shown in the card's thread, with thanks. An experiment that didn't work teaches just as much."),
        ),
        text_input(
            LifecycleField.EFFECT,
            # Translators: a label in the form that closes an idea as done: the effect the change had
            _("Effect"),
            max_length=text_max,
            optional=True,
            # Translators: an example effect of a change (a hospital ward's), as a placeholder
            placeholder=_("e.g. About 20 minutes less walking per shift"),
        ),
        spread_input(),
        bk.context(_(PATIENT_HINT)),
    ]
    # Translators: the title of the form that closes idea #{number} as done (at most 24 characters)
    title = _("Done: #{number}", number=idea.number)
    # Translators: the button that sends the form that closes an idea as done
    submit = _("Mark done")
    return idea_modal(idea, channel_id, callback_id=CallbackId.DONE, title=title, submit=submit, blocks=blocks)


def spread_input() -> bk.InputBlock:
    """The Done form's optional "Where else could this help?": up to limits.SPREAD_TEAMS channels, each offered the
    idea (`bot.ideas.offers`); Kaizen must be in each (checked on submit)."""
    return bk.InputBlock(
        block_id=LifecycleField.SPREAD_TO,
        # Translators: a label in the form that closes an idea as done: other teams' channels it could help
        label=_("Where else could this help?"),
        optional=True,
        # Translators: the hint under "Where else could this help?" in the form that closes an idea as done
        hint=_("Each team gets a short suggestion with Try it here. Kaizen must be in their channel."),
        element=bk.ConversationMultiSelectElement(
            action_id=LifecycleField.SPREAD_TO,
            # Translators: the placeholder of the channel picker under "Where else could this help?"
            placeholder=_("Other teams' channels (up to {most})", most=limits.SPREAD_TEAMS),
            max_selected_items=limits.SPREAD_TEAMS,
            filter=bk.ConversationFilter(include=["public", "private"], exclude_bot_users=True),
        ),
    )


def edit_modal(idea: Idea, channel_id: str | None) -> bk.View:
    """The idea's text and category, filled in as they stand. `channel_id` is where the form was opened."""
    blocks: list[bk.Block] = [
        # Translators: a label in the form that edits an idea, over the problem
        text_input(Field.PROBLEM, _("What's the problem?"), max_length=limits.PROBLEM_MAX, initial=idea.problem),
        bk.context(_(PATIENT_HINT)),
        # Translators: a label in the form that edits an idea, over the idea (the proposed change)
        text_input(Field.IDEA, _("Idea"), max_length=limits.IDEA_MAX, optional=True, initial=idea.idea),
        text_input(
            Field.BENEFIT,
            # Translators: a label in the form that edits an idea, over what the idea should bring
            _("Expected benefit"),
            max_length=limits.BENEFIT_MAX,
            optional=True,
            initial=idea.benefit,
        ),
        category_input(idea.category),
    ]
    # Translators: the title of the form that edits idea #{number} (at most 24 characters)
    title = _("Edit #{number}", number=idea.number)
    # Translators: the button that saves the form that edits an idea
    submit = _("Save")
    return idea_modal(idea, channel_id, callback_id=CallbackId.EDIT, title=title, submit=submit, blocks=blocks)


def redact_modal(idea: Idea, channel_id: str | None) -> bk.View:
    """A leader's confirmation before the idea's text is removed everywhere it shows, with an optional note for the
    history (at most `limits.REDACT_NOTE_MAX` characters). `channel_id` is where the form was opened."""
    blocks: list[bk.Block] = [
        about(idea),
        bk.section(
            _(
                "Redacting removes this idea's text everywhere it shows: the card, the thread replies that quote it "
                "and the notes in its history. The text is kept nowhere and can't be brought back. "
                "The history keeps that it was redacted, and by whom."
            )
        ),
        text_input(
            LifecycleField.NOTE,
            # Translators: a label in the form that removes an idea's text, over an optional note for its history
            _("Why? (for the history)"),
            max_length=limits.REDACT_NOTE_MAX,
            optional=True,
            hint=_("Everyone who can see the idea can read this note: please don't repeat what is being removed."),
            # Translators: an example reason to remove an idea's text, as a placeholder
            placeholder=_("e.g. Contained patient details"),
        ),
    ]
    # Translators: the title of the form that removes the text of idea #{number} (at most 24 characters)
    title = _("Redact #{number}", number=idea.number)
    # Translators: the button that removes an idea's text for good
    submit = _("Redact")
    return idea_modal(idea, channel_id, callback_id=CallbackId.REDACT, title=title, submit=submit, blocks=blocks)
