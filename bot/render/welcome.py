"""The welcome when Kaizen joins a channel, and the two forms its buttons open: the daily huddle's set-up and
adding leaders. Both forms are about one team channel, which travels in private_metadata (`ChannelFormContext`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot import limits
from bot.i18n import N_, _, city_name, join
from bot.i18n import weekday as weekday_name  # `first_huddle_words` has a parameter `weekday`
from bot.render.ids import ActionId, AddLeadersField, CallbackId, HuddleSetupField
from bot.render.metadata import ChannelFormContext
from bot.slack import blockkit as bk

WEEKDAYS = range(7)  # Monday = 0, as `date.weekday()`; their names are the reader's (`bot.i18n.weekday`)

# The welcome's fallback text, marked for the catalogs: whoever posts it shows `_(WELCOME_TEXT)`.
# Translators: what a phone says of Kaizen's welcome when it joins a channel
WELCOME_TEXT = N_(
    "Hello! I'm Kaizen: anyone raises a problem or an idea with /kaizen, leaders say yes with an emoji, "
    "and a short daily huddle keeps things moving. Leaders: set up the huddle and add leaders here."
)


def welcome_blocks(approve_emoji: str) -> list[bk.Block]:
    """The message when Kaizen joins a channel: what it does, how leaders approve (`approve_emoji`), and buttons to
    set up the daily huddle and add leaders."""
    return [
        bk.section(
            # Translators: Kaizen's welcome when it joins a channel; {emoji} is the name of the emoji leaders approve
            # with (keep ":{emoji}:")
            _(
                ":wave: *Hello! I help this team improve a little every day.*\n"
                "Anyone can raise a problem or an idea with `/kaizen`. Leaders say yes with "
                ":{emoji}: on the card, and a short huddle thread every morning keeps things moving.",
                emoji=approve_emoji,
            )
        ),
        bk.ActionsBlock(
            elements=[
                bk.ButtonElement(
                    action_id=ActionId.WELCOME_HUDDLE,
                    # Translators: a button on Kaizen's welcome: opens the form that sets up the team's daily huddle
                    text=_("Set up daily huddle"),
                    style="primary",
                ),
                # Translators: a button on Kaizen's welcome: opens the form that adds the team's leaders
                bk.ButtonElement(action_id=ActionId.WELCOME_LEADERS, text=_("Add leaders")),
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
        # Translators: the button that closes a form without saving it
        close=_("Cancel"),
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
    options = [bk.Option(value=str(n), text=bk.PlainTextObject(text=weekday_name(n))) for n in WEEKDAYS]
    times = bk.PlainTextInputElement(
        action_id=HuddleSetupField.TIMES, initial_value=time_text, max_length=limits.HUDDLE_TIMES_INPUT
    )
    zone_input = bk.PlainTextInputElement(
        action_id=HuddleSetupField.ZONE, initial_value=zone, max_length=limits.TIME_ZONE_INPUT
    )
    return _channel_form(
        CallbackId.HUDDLE_SETUP,
        # Translators: the title of the form that sets up a team's daily huddle (at most 24 characters)
        _("Daily huddle"),
        # Translators: the button that saves the daily huddle's form
        _("Save"),
        channel_id,
        [
            bk.InputBlock(
                block_id=HuddleSetupField.TIMES,
                # Translators: a label in the daily huddle's form: the times of day it is posted, typed as 08:30
                label=_("Time(s), HH:MM"),
                # Translators: the hint under the huddle's times; the example stays as typed (24-hour, comma)
                hint=_("Several for shift changes, e.g. 08:30,14:00"),
                element=times,
            ),
            bk.InputBlock(
                block_id=HuddleSetupField.DAYS,
                # Translators: a label in the daily huddle's form, over the weekdays it is posted on
                label=_("Days"),
                element=bk.CheckboxesElement(
                    action_id=HuddleSetupField.DAYS, options=options, initial_options=[options[d] for d in days]
                ),
            ),
            bk.InputBlock(
                block_id=HuddleSetupField.ZONE,
                # Translators: a label in the daily huddle's form
                label=_("Time zone"),
                # Translators: the hint under the huddle's time zone; the zone's name is typed in English, as is
                hint=_("An Area/City name like Europe/London"),
                element=zone_input,
            ),
        ],
    )


def add_leaders_modal(channel_id: str) -> bk.View:
    """The form that adds leaders to a team channel (up to `limits.LEADERS_PICKED_MAX` people at a time)."""
    return _channel_form(
        CallbackId.ADD_LEADERS,
        # Translators: the title of the form that adds a team's leaders (at most 24 characters)
        _("Add leaders"),
        # Translators: the button that saves the form that adds a team's leaders
        _("Add"),
        channel_id,
        [
            bk.InputBlock(
                block_id=AddLeadersField.USERS,
                # Translators: a label in the form that adds a team's leaders, over a people picker
                label=_("Leaders of this team"),
                hint=_("Leaders say yes (or not now) to ideas. Most ideas deserve a quick yes."),
                element=bk.UserMultiSelectElement(
                    action_id=AddLeadersField.USERS, max_selected_items=limits.LEADERS_PICKED_MAX
                ),
            )
        ],
    )


# Time zones said by a name rather than by their city (marked for the catalogs: shown as `_(ZONE_WORDS[zone])`).
ZONE_WORDS = {
    # Translators: a time zone, Europe/London, as people in the UK say it: "… at 08:30 (UK time)"
    "Europe/London": N_("UK time"),
    # Translators: a time zone, Asia/Tokyo, as people in Japan say it: "… at 08:30 (Japan time)"
    "Asia/Tokyo": N_("Japan time"),
    # Translators: the time zone UTC by its name (most languages keep it): "… at 08:30 (UTC)"
    "UTC": N_("UTC"),
    # Translators: the time zone UTC by its name (most languages keep it): "… at 08:30 (UTC)"
    "Etc/UTC": N_("UTC"),
    # Translators: the time zone UTC by its name (most languages keep it): "… at 08:30 (UTC)"
    "GMT": N_("UTC"),
}


def zone_words(zone: str) -> str:
    """A time zone as people say it: "UK time" for Europe/London, else the city's, e.g. "New York time"; a zone
    with no city ("UTC", "Etc/GMT+5") by its name."""
    if zone in ZONE_WORDS:
        return _(ZONE_WORDS[zone])
    if "/" not in zone or zone.startswith("Etc/"):
        return zone  # "UTC", "Etc/GMT+5" (which is UTC−5: a city-style name would mislead)
    # Translators: a time zone by its city ({city}, in the reader's language): "… at 08:30 (New York time)"
    return _("{city} time", city=city_name(zone))


def days_words(days: Sequence[int]) -> str:
    """Huddle weekdays (Monday = 0) in words: "every day", "Monday to Friday", "on Monday, Wednesday, and Friday"
    (as the reader's language lists them)."""
    picked = sorted(set(days))
    if picked == list(WEEKDAYS):
        # Translators: the days of a daily huddle: "Daily huddle set: {days} at 08:30 …"
        return _("every day")
    if picked == list(range(5)):
        # Translators: the days of a daily huddle, the working week: "Daily huddle set: {days} at 08:30 …"
        return _("Monday to Friday")
    # Translators: the days of a daily huddle ({days}: "Monday, Wednesday and Friday"): "Daily huddle set: on … at …"
    return _("on {days}", days=join([weekday_name(day) for day in picked]))


def huddle_set_text(times: Sequence[str], days: Sequence[int], zone: str, first: str) -> str:
    """The channel's confirmation of a saved schedule, e.g. "Daily huddle set: every day at 08:30 (UK time); the
    first is tomorrow." (`first`: when the first huddle is, in words; `FIRST_NOW` as it is, or translated)."""
    at, when, where = join(list(times)), days_words(days), zone_words(zone)
    if first in (FIRST_NOW, _(FIRST_NOW)):
        # Translators: said in the team's channel when its huddle is saved and the first one is posted at once;
        # {days} e.g. "every day", {times} e.g. "08:30 and 14:00", {zone} e.g. "UK time"
        return _(
            "Daily huddle set: {days} at {times} ({zone}); the first is going up now.",
            days=when,
            times=at,
            zone=where,
        )
    # Translators: said in the team's channel when its huddle is saved; {days} e.g. "every day", {times} e.g. "08:30
    # and 14:00", {zone} e.g. "UK time", {first} when the first huddle is, e.g. "tomorrow" or "on Monday at 08:30"
    return _(
        "Daily huddle set: {days} at {times} ({zone}); the first is {first}.",
        days=when,
        times=at,
        zone=where,
        first=first,
    )


# A slot whose time has just passed: still inside its window, so it is posted at once. Passed to `huddle_set_text`
# as it is (it says it in a whole sentence of its own); shown elsewhere as `_(FIRST_NOW)`.
# Translators: when the first huddle of a schedule just saved is: at once
FIRST_NOW = N_("going up now")


def first_huddle_words(days_ahead: int, at: str, *, one_time: bool, weekday: int) -> str:
    """When the first huddle is, in words: "tomorrow", "today at 14:00", "on Monday" (the time added when the day
    has more than one, or it is today)."""
    if days_ahead == 0:
        # Translators: when the first huddle is ("… the first is {first}."): today at {time}, e.g. 14:00
        return _("today at {time}", time=at)
    if days_ahead == 1:
        if one_time:
            # Translators: when the first huddle is ("… the first is {first}.")
            return _("tomorrow")
        # Translators: when the first huddle is ("… the first is {first}."): tomorrow at {time}, e.g. 08:30
        return _("tomorrow at {time}", time=at)
    if one_time:
        # Translators: when the first huddle is ("… the first is {first}."): on {weekday}, e.g. Monday
        return _("on {weekday}", weekday=weekday_name(weekday))
    # Translators: when the first huddle is ("… the first is {first}."): on {weekday} at {time}, e.g. Monday, 08:30
    return _("on {weekday} at {time}", weekday=weekday_name(weekday), time=at)


def huddle_not_leader_text(who: str) -> str:
    """Told privately to someone who pressed "Set up daily huddle" but does not lead the team: who can."""
    # Translators: told to someone who may not set up the daily huddle; {who} says who can (the team's leaders);
    # “Add leaders” is the welcome's button
    return _(
        "Only this team's leaders can set up its daily huddle: {who}. "
        "Ask one of them, or, if the team has no leaders yet, add them with “Add leaders”.",
        who=who,
    )
