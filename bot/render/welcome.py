"""The welcome when Kaizen joins a channel, and the two forms its buttons open: the daily huddle's set-up and
adding leaders. Both forms are about one team channel, which travels in private_metadata (`ChannelFormContext`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot import limits
from bot.render.ids import ActionId, AddLeadersField, CallbackId, HuddleSetupField
from bot.render.metadata import ChannelFormContext
from bot.slack import blockkit as bk

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def welcome_blocks(approve_emoji: str) -> list[bk.Block]:
    """The message when Kaizen joins a channel: what it does, how leaders approve (`approve_emoji`), and buttons to
    set up the daily huddle and add leaders."""
    return [
        bk.section(
            ":wave: *Hello! I help this team improve a little every day.*\n"
            "Anyone can raise a problem or an idea with `/kaizen`. Leaders say yes with "
            f":{approve_emoji}: on the card, and a short huddle thread every morning keeps things moving."
        ),
        bk.ActionsBlock(
            elements=[
                bk.ButtonElement(action_id=ActionId.WELCOME_HUDDLE, text="Set up daily huddle", style="primary"),
                bk.ButtonElement(action_id=ActionId.WELCOME_LEADERS, text="Add leaders"),
            ]
        ),
    ]


def _channel_form(callback_id: str, title: str, submit: str, channel_id: str, blocks: list[bk.Block]) -> bk.View:
    """A form about one team channel (opened from the welcome); the channel travels in private_metadata."""
    return bk.View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close="Cancel",
        private_metadata=ChannelFormContext(channel_id=channel_id).encode(),
        blocks=blocks,
    )


def channel_form_channel(private_metadata: str | None) -> str | None:
    """The team channel a welcome form (`huddle_setup_modal`, `add_leaders_modal`) is about, from its
    private_metadata; None when the metadata is not what the form carried."""
    context = ChannelFormContext.decode(private_metadata)
    return context.channel_id if context else None


def huddle_setup_modal(channel_id: str, *, time_text: str, days: Sequence[int], zone: str) -> bk.View:
    """The daily huddle form for a team channel, filled in with the times (`time_text`, "HH:MM[,HH:MM]"), the
    weekdays (`days`, Monday = 0) and the time zone (`zone`, an IANA name) in force."""
    options = [bk.Option(value=str(n), text=bk.PlainTextObject(text=name)) for n, name in enumerate(DAY_NAMES)]
    times = bk.PlainTextInputElement(
        action_id=HuddleSetupField.TIMES, initial_value=time_text, max_length=limits.HUDDLE_TIMES_INPUT
    )
    zone_input = bk.PlainTextInputElement(
        action_id=HuddleSetupField.ZONE, initial_value=zone, max_length=limits.TIME_ZONE_INPUT
    )
    return _channel_form(
        CallbackId.HUDDLE_SETUP,
        "Daily huddle",
        "Save",
        channel_id,
        [
            bk.InputBlock(
                block_id=HuddleSetupField.TIMES,
                label="Time(s), HH:MM",
                hint="Several for shift changes, e.g. 08:30,14:00",
                element=times,
            ),
            bk.InputBlock(
                block_id=HuddleSetupField.DAYS,
                label="Days",
                element=bk.CheckboxesElement(
                    action_id=HuddleSetupField.DAYS, options=options, initial_options=[options[d] for d in days]
                ),
            ),
            bk.InputBlock(
                block_id=HuddleSetupField.ZONE,
                label="Time zone",
                hint="An Area/City name like Europe/London",
                element=zone_input,
            ),
        ],
    )


def add_leaders_modal(channel_id: str) -> bk.View:
    """The form that adds leaders to a team channel (up to `limits.LEADERS_PICKED_MAX` people at a time)."""
    return _channel_form(
        CallbackId.ADD_LEADERS,
        "Add leaders",
        "Add",
        channel_id,
        [
            bk.InputBlock(
                block_id=AddLeadersField.USERS,
                label="Leaders of this team",
                hint="Leaders say yes (or not now) to ideas. Most ideas deserve a quick yes.",
                element=bk.UserMultiSelectElement(
                    action_id=AddLeadersField.USERS, max_selected_items=limits.LEADERS_PICKED_MAX
                ),
            )
        ],
    )
