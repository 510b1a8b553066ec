"""The raise form (`/kaizen`, the message shortcut, "raise this instead"), its hints, and the inputs the other forms
of an idea share with it."""

from __future__ import annotations

from bot import limits
from bot.i18n import N_, _
from bot.render.ids import CallbackId, Field, OptionValue
from bot.render.metadata import RaiseContext
from bot.render.words import CATEGORY_LABEL
from bot.slack import blockkit as bk
from storage.models import CREDITED_NAME_CHARS

# Hints the idea's forms show, marked for the catalogs: shown as `_(PATIENT_HINT)`.
# Translators: a hint in every form where someone writes about a problem (a hospital ward's)
PATIENT_HINT = N_(":lock: Please leave out patient names and anything else that could identify a patient.")
# Translators: a hint under the raise form's "Post without my name": who can still see who raised it
ANONYMOUS_HINT = N_(
    "Your name will not be shown to anyone in Slack: not on the card, in threads, huddles or lists. "
    "Whoever runs the bot and its database can still see who raised it."
)


def text_input(
    block_id: str, label: str, *, max_length: int, optional: bool = False, initial: str | None = None,
    hint: str | None = None, placeholder: str | None = None,
) -> bk.InputBlock:  # fmt: skip
    """A multi-line text input of at most `max_length` characters (its block and action share `block_id`),
    filled with `initial` clipped to fit. Raises ValueError for a `max_length` over Slack's
    `limits.INPUT_MAX_LENGTH` (slack_sdk does not check it, and Slack would refuse the whole view)."""
    if max_length > limits.INPUT_MAX_LENGTH:
        raise ValueError(f"max_length {max_length} is over Slack's {limits.INPUT_MAX_LENGTH}")
    return bk.InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint or None,
        element=bk.PlainTextInputElement(
            action_id=block_id,
            multiline=True,
            max_length=max_length,
            initial_value=bk.clip(initial, max_length) if initial else None,
            placeholder=placeholder or None,
        ),
    )


def category_options() -> list[bk.Option]:
    """The categories as a select's options (value: the `storage.models.Category` value)."""
    return [bk.Option(value=value, label=_(label)) for value, label in CATEGORY_LABEL.items()]


def category_input(initial: str | None = None) -> bk.InputBlock:
    """The optional category select, with the category `initial` picked when it is one."""
    options = category_options()
    current = next((option for option in options if option.value == initial), None)
    return bk.InputBlock(
        block_id=Field.CATEGORY,
        # Translators: a label in an idea's forms, over a select of categories (Safety, Quality, …)
        label=_("Category"),
        optional=True,
        element=bk.StaticSelectElement(
            action_id=Field.CATEGORY,
            # Translators: the placeholder of the category select in an idea's forms
            placeholder=_("Pick one"),
            options=options,
            initial_option=current,
        ),
    )


def _checkbox(block_id: str, label: str, value: str, text: str, description: str) -> bk.InputBlock:
    """An optional input with one tick box (its block and action share the id)."""
    option = bk.Option(
        value=value, text=bk.PlainTextObject(text=text), description=bk.PlainTextObject(text=description)
    )
    return bk.InputBlock(
        block_id=block_id,
        label=label,
        optional=True,
        element=bk.CheckboxesElement(action_id=block_id, options=[option]),
    )


def _team_picker(channel_id: str | None) -> bk.InputBlock:
    """A picker of the team's channel, starting at `channel_id`."""
    return bk.InputBlock(
        block_id=Field.TEAM,
        # Translators: a label in the raise form, over a picker of Slack channels
        label=_("Team channel"),
        hint=_("The channel whose team should see this. Kaizen needs to be a member of it."),
        element=bk.ConversationSelectElement(
            action_id=Field.TEAM,
            # Translators: the placeholder of the raise form's channel picker
            placeholder=_("Pick the team's channel"),
            filter=bk.ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            initial_conversation=channel_id or None,
        ),
    )


def _for_someone_else() -> list[bk.Block]:
    """The two optional inputs with which a leader raises an idea someone gave them: a person on Slack, or the name
    of someone not on Slack (checked on submission: leaders only, one or the other)."""
    return [
        bk.InputBlock(
            block_id=Field.FOR_PERSON,
            # Translators: a label in the raise form: a leader raises the idea for someone else (a Slack user)
            label=_("Leaders: raising it for someone?"),
            optional=True,
            # Translators: the hint under the raise form's "raising it for someone?" person picker
            hint=_("They are credited with it, not you. For someone not on Slack, type their name below instead."),
            element=bk.UserSelectElement(
                action_id=Field.FOR_PERSON,
                # Translators: the placeholder of the raise form's "raising it for someone?" person picker
                placeholder=_("The person whose idea it is"),
            ),
        ),
        bk.InputBlock(
            block_id=Field.FOR_NAME,
            # Translators: a label in the raise form: the name of someone not on Slack the idea is raised for
            label=_("…or their name, if they're not on Slack"),
            optional=True,
            element=bk.PlainTextInputElement(action_id=Field.FOR_NAME, max_length=CREDITED_NAME_CHARS),
        ),
    ]


# Translators: the description of the raise form's tick box "Post without my name" (at most 75 characters)
ANONYMOUS_OPTION = N_("Your name won't show anywhere in Slack")  # within Slack's 75 characters (limits.OPTION_TEXT)


def raise_modal(*, prefill: str, context: RaiseContext, pick_team: bool, anonymous_allowed: bool) -> bk.View:
    """The raise form, leading with what matters: the problem (`prefill`), the idea and, when `anonymous_allowed`,
    the name choice (with who can still see it); then, for those who want them, benefit, category, people whose
    input is needed and "already done". `pick_team` puts a team channel picker first, starting at
    `context.channel_id`. Optional inputs carry no "(optional)" of ours: Slack adds it. `context` travels in
    private_metadata (ValueError if it does not fit)."""
    blocks: list[bk.Block] = []
    if pick_team:
        blocks.append(_team_picker(context.channel_id))
    blocks.append(
        text_input(
            # Translators: the raise form's first label, over the problem someone describes
            Field.PROBLEM, _("What's the problem?"), max_length=limits.PROBLEM_MAX, initial=prefill,
            hint=_("What happened, or what gets in the way? A problem without a solution is welcome."),
            # Translators: an example problem in the raise form (a hospital ward's), as a placeholder
            placeholder=_("e.g. We walk to the other ward for the bladder scanner several times a shift"),
        )
    )  # fmt: skip
    blocks.append(bk.context(_(PATIENT_HINT)))
    # Translators: a label in the raise form, over the idea (the proposed change) for the problem
    blocks.append(text_input(Field.IDEA, _("Your idea"), max_length=limits.IDEA_MAX, optional=True))
    if anonymous_allowed:
        blocks.append(
            _checkbox(
                Field.ANONYMOUS,
                # Translators: a label in the raise form, over the tick box "Post without my name"
                _("Name"),
                OptionValue.ANONYMOUS,
                # Translators: the raise form's tick box: the idea is posted without its author's name
                _("Post without my name"),
                bk.clip(_(ANONYMOUS_OPTION), limits.OPTION_TEXT),
            )
        )
        blocks.append(bk.context(bk.escape_clipped(_(ANONYMOUS_HINT), limits.SECTION_TEXT)))
    # Translators: in the raise form, before the inputs that may be left empty
    blocks += [bk.DividerBlock(), bk.context(_("More, if you like — all of it can be left out:"))]
    # Translators: a label in the raise form, over what the idea should bring
    blocks.append(text_input(Field.BENEFIT, _("Expected benefit"), max_length=limits.BENEFIT_MAX, optional=True))
    blocks.append(category_input())
    blocks.append(
        bk.InputBlock(
            block_id=Field.INPUT_FROM,
            # Translators: a label in the raise form, over a picker of the people whose input is needed
            label=_("Input needed from"),
            optional=True,
            element=bk.UserMultiSelectElement(
                action_id=Field.INPUT_FROM,
                # Translators: the placeholder of the raise form's people picker
                placeholder=_("People who can help"),
                max_selected_items=limits.INPUT_FROM_MAX,
            ),
        )
    )
    blocks += _for_someone_else()
    blocks.append(
        _checkbox(
            Field.ALREADY_DONE,
            # Translators: a label in the raise form, over the tick box "I already did it"
            _("Already done?"),
            OptionValue.ALREADY_DONE,
            # Translators: the raise form's tick box: the problem is already solved, by the one who raises it
            _("I already did it (“just did it”)"),
            # Translators: the description under the raise form's tick box "I already did it"
            _("Recorded as done, so the team can learn from it"),
        )
    )
    return bk.View(
        type="modal",
        callback_id=CallbackId.RAISE,
        # Translators: the title of the raise form (at most 24 characters)
        title=_("Raise a problem or idea"),
        # Translators: the button that sends the raise form
        submit=_("Raise it"),
        # Translators: the button that closes a form without saving it
        close=_("Cancel"),
        private_metadata=context.encode(),
        blocks=blocks,
    )
