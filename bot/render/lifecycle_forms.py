"""The forms behind the card's buttons: Not now, Done, Edit and Redact. Each carries its idea and the channel it was
opened from in private_metadata (`IdeaModalContext`)."""

from __future__ import annotations

from bot import limits
from bot.render.ids import CallbackId, Field, LifecycleField
from bot.render.metadata import IdeaModalContext
from bot.render.raise_form import PATIENT_HINT, category_input, text_input
from bot.render.words import OUTCOME_LABEL, problem_start
from bot.slack import blockkit as bk
from storage.models import Idea


def _about(idea: Idea) -> bk.Block:
    """Which idea a modal is about: its number and the start of its problem."""
    return bk.section(f"*Kaizen #{idea.number}*\n{problem_start(idea)}")


def _idea_modal(
    idea: Idea, channel_id: str | None, *, callback_id: str, title: str, submit: str, blocks: list[bk.Block]
) -> bk.View:
    return bk.View(
        type="modal",
        callback_id=callback_id,
        title=bk.clip(title, limits.VIEW_TITLE),
        submit=submit,
        close="Cancel",
        private_metadata=IdeaModalContext(idea_id=idea.id, channel_id=channel_id).encode(),
        blocks=blocks,
    )


def not_now_modal(idea: Idea, channel_id: str | None, *, reason_max: int) -> bk.View:
    """A leader's "not now": the reason (at most `reason_max` characters) goes privately to the author, who may
    choose to share it. `channel_id` is where the form was opened."""
    reason = text_input(
        LifecycleField.REASON,
        "Why not now?",
        max_length=reason_max,
        hint="Sent privately to the person who raised it; they can choose to share it in the card's thread. "
        "A kind, specific reason helps with their next idea.",
        placeholder="e.g. We're changing the supplier in spring: let's look at this again then",
    )
    blocks: list[bk.Block] = [_about(idea), reason, bk.context(PATIENT_HINT)]
    title = f"Not now: #{idea.number}"
    return _idea_modal(idea, channel_id, callback_id=CallbackId.NOT_NOW, title=title, submit="Send", blocks=blocks)


def done_modal(idea: Idea, channel_id: str | None, *, text_max: int) -> bk.View:
    """Closing an idea with what changed and what was learned (each at most `text_max` characters), also when it did
    not work. `channel_id` is where the form was opened."""
    outcome = bk.InputBlock(
        block_id=LifecycleField.OUTCOME,
        label="Did it work?",
        element=bk.RadioButtonsElement(
            action_id=LifecycleField.OUTCOME,
            options=[
                bk.Option(value=value, text=bk.PlainTextObject(text=label)) for value, label in OUTCOME_LABEL.items()
            ],
        ),
    )
    blocks: list[bk.Block] = [
        _about(idea),
        outcome,
        text_input(LifecycleField.RESULT, "What changed?", max_length=text_max),
        text_input(
            LifecycleField.LEARNED,
            "What did we learn?",
            max_length=text_max,
            hint="Shown in the card's thread, with thanks. An experiment that didn't work teaches just as much.",
        ),
        text_input(
            LifecycleField.EFFECT,
            "Effect",
            max_length=text_max,
            optional=True,
            placeholder="e.g. About 20 minutes less walking per shift",
        ),
        bk.context(PATIENT_HINT),
    ]
    title = f"Done: #{idea.number}"
    return _idea_modal(idea, channel_id, callback_id=CallbackId.DONE, title=title, submit="Mark done", blocks=blocks)


def edit_modal(idea: Idea, channel_id: str | None) -> bk.View:
    """The idea's text and category, filled in as they stand. `channel_id` is where the form was opened."""
    blocks: list[bk.Block] = [
        text_input(Field.PROBLEM, "What's the problem?", max_length=limits.PROBLEM_MAX, initial=idea.problem),
        bk.context(PATIENT_HINT),
        text_input(Field.IDEA, "Idea", max_length=limits.IDEA_MAX, optional=True, initial=idea.idea),
        text_input(
            Field.BENEFIT,
            "Expected benefit",
            max_length=limits.BENEFIT_MAX,
            optional=True,
            initial=idea.benefit,
        ),
        category_input(idea.category),
    ]
    title = f"Edit #{idea.number}"
    return _idea_modal(idea, channel_id, callback_id=CallbackId.EDIT, title=title, submit="Save", blocks=blocks)


def redact_modal(idea: Idea, channel_id: str | None) -> bk.View:
    """A leader's confirmation before the idea's text is removed everywhere it shows, with an optional note for the
    history (at most `limits.REDACT_NOTE_MAX` characters). `channel_id` is where the form was opened."""
    blocks: list[bk.Block] = [
        _about(idea),
        bk.section(
            "Redacting removes this idea's text everywhere it shows: the card, the thread replies that quote it "
            "and the notes in its history. The text is kept nowhere and can't be brought back. "
            "The history keeps that it was redacted, and by whom."
        ),
        text_input(
            LifecycleField.NOTE,
            "Why? (optional, for the history)",
            max_length=limits.REDACT_NOTE_MAX,
            optional=True,
            hint="Everyone who can see the idea can read this note: please don't repeat what is being removed.",
            placeholder="e.g. Contained patient details",
        ),
    ]
    title = f"Redact #{idea.number}"
    return _idea_modal(idea, channel_id, callback_id=CallbackId.REDACT, title=title, submit="Redact", blocks=blocks)
