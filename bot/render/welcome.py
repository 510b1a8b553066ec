"""The welcome when Kaizen joins a channel, and the two forms its buttons open: the daily huddle's set-up and
adding leaders. Both forms are about one team channel, which travels in private_metadata (`ChannelFormContext`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot import limits
from bot.render.ids import ActionId, AddLeadersField, CallbackId, HuddleSetupField
from bot.render.metadata import ChannelFormContext
from bot.slack import blockkit as bk

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


WELCOME_TEXT = (
    "Hello! I'm Kaizen: anyone raises a problem or an idea with /kaizen, leaders say yes with an emoji, "
    "and a short daily huddle keeps things moving. Leaders: set up the huddle and add leaders here."
)  # the welcome's fallback text


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


ZONE_WORDS = {"Europe/London": "UK time", "UTC": "UTC", "Etc/UTC": "UTC", "GMT": "UTC"}


def zone_words(zone: str) -> str:
    """A time zone as people say it: "UK time" for Europe/London, else the city's, e.g. "New York time"; a zone
    with no city ("UTC", "Etc/GMT+5") by its name."""
    if zone in ZONE_WORDS:
        return ZONE_WORDS[zone]
    if "/" not in zone or zone.startswith("Etc/"):
        return zone  # "UTC", "Etc/GMT+5" (which is UTC−5: a city-style name would mislead)
    return f"{zone.rsplit('/', 1)[-1].replace('_', ' ')} time"


def days_words(days: Sequence[int]) -> str:
    """Huddle weekdays (Monday = 0) in words: "every day", "Monday to Friday", "on Monday, Wednesday and Friday"."""
    picked = sorted(set(days))
    if picked == list(range(len(DAY_NAMES))):
        return "every day"
    if picked == list(range(5)):
        return "Monday to Friday"
    names = [DAY_NAMES[day] for day in picked]
    return "on " + (names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}")


def huddle_set_text(times: Sequence[str], days: Sequence[int], zone: str, first: str) -> str:
    """The channel's confirmation of a saved schedule, e.g. "Daily huddle set: every day at 08:30 (UK time); the
    first is tomorrow." (`first`: when the first huddle is, in words)."""
    at = times[0] if len(times) == 1 else f"{', '.join(times[:-1])} and {times[-1]}"
    return f"Daily huddle set: {days_words(days)} at {at} ({zone_words(zone)}); the first is {first}."


FIRST_NOW = "going up now"  # a slot whose time has just passed: still inside its window, so it is posted at once


def first_huddle_words(days_ahead: int, at: str, *, one_time: bool, weekday: int) -> str:
    """When the first huddle is, in words: "tomorrow", "today at 14:00", "on Monday" (the time added when the day
    has more than one, or it is today)."""
    if days_ahead == 0:
        return f"today at {at}"
    day = "tomorrow" if days_ahead == 1 else f"on {DAY_NAMES[weekday]}"
    return day if one_time else f"{day} at {at}"


def huddle_not_leader_text(who: str) -> str:
    """Told privately to someone who pressed "Set up daily huddle" but does not lead the team: who can."""
    return (
        f"Only this team's leaders can set up its daily huddle: {who}. "
        "Ask one of them, or, if the team has no leaders yet, add them with “Add leaders”."
    )
