"""The huddle set-up form (the welcome's "Set up the huddle" button): what it starts from, what it says read and
checked, and which of its inputs a problem is shown on. Who may submit it is
`bot.teams.permissions.Permissions.may_change_huddle`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import time
from typing import Any

from bot.huddles.schedule import ScheduleError, Schedules
from bot.render.ids import HuddleSetupField
from bot.render.welcome import huddle_setup_modal
from bot.settings import Settings, parse_days, parse_hhmm
from storage.models import Team

# The form's inputs (block ids of `bot.render.welcome.huddle_setup_modal`).
TIMES, DAYS, ZONE = HuddleSetupField.TIMES, HuddleSetupField.DAYS, HuddleSetupField.ZONE
WEEKDAYS = 7  # Monday is 0


class SetupRefused(ValueError):
    """The form cannot be taken as it is: `str(error)` says why, for the person, on the input `field`."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def read_times(text: str | None) -> list[time]:
    """The huddle times typed (`HH:MM`, comma-separated; empty parts ignored). Raises SetupRefused on TIMES for
    anything else."""
    try:
        return [parse_hhmm(part) for part in (text or "").split(",") if part.strip()]
    except ValueError as error:
        raise SetupRefused(TIMES, "Please write times as HH:MM, e.g. 08:30 or 08:30,14:00.") from error


def read_days(values: Iterable[Any]) -> list[int]:
    """The weekdays picked (0 Monday … 6 Sunday), from the checked options' values; anything that is no weekday
    number is left out."""
    # isascii too: "²" and other Unicode digits pass isdigit() but int() refuses them.
    digits = [str(value) for value in values if str(value).isascii() and str(value).isdigit()]
    return [int(value) for value in digits if int(value) < WEEKDAYS]


def field_of(error: ScheduleError, days: Sequence[int]) -> str:
    """The input a schedule that cannot be is shown on: the zone's, when the zone is the problem; else the days',
    when none were picked; else the times'."""
    if error.about == "zone":
        return ZONE
    return DAYS if not days else TIMES


class HuddleSetup:
    """The set-up form: `modal` to open it, `apply` when it is submitted."""

    def __init__(self, schedules: Schedules, settings: Settings) -> None:
        self._schedules = schedules
        self._settings = settings

    def modal(self, workspace_id: str, channel_id: str, user_id: str) -> Any:
        """The form for the team of `channel_id`, filled with KAIZEN_HUDDLE_TIME and _DAYS and the person's own
        time zone (a quick users.info: a trigger_id is ticking), else KAIZEN_TIMEZONE. A Block Kit view."""
        return huddle_setup_modal(
            channel_id,
            time_text=self._settings.kaizen_huddle_time,
            days=parse_days(self._settings.kaizen_huddle_days),
            zone=self._schedules.leader_zone(workspace_id, user_id, quick=True),
        )

    def apply(self, team: Team, leader_id: str, *, times: str | None, days: Iterable[Any], zone: str | None) -> Team:
        """Set `team`'s huddle from the form as submitted by `leader_id`: `times` and `zone` as typed, `days` the
        checked options' values. An empty zone is the team's, else the leader's, else KAIZEN_TIMEZONE. Returns the
        team as stored; raises SetupRefused naming the input to show the problem on."""
        huddle_times = read_times(times)
        weekdays = read_days(days)
        try:
            return self._schedules.set_schedule(team, huddle_times, weekdays, (zone or "").strip(), leader_id=leader_id)
        except ScheduleError as error:
            raise SetupRefused(field_of(error, weekdays), str(error)) from error
