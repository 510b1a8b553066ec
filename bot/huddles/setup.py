"""The huddle set-up form (the welcome's "Set up daily huddle" button): who may open it (asked on the press), what
it starts from, what it says read and checked, which of its inputs a problem is shown on, and the channel's
confirmation once saved. Who may submit it is `bot.teams.permissions.Permissions.may_change_huddle`.

What the person reads is in their language (`bot.i18n`): a refusal's text is made when it is raised."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.delivery.outbox import Outbox, new_message
from bot.huddles.schedule import ScheduleError, Schedules
from bot.huddles.times import due_slots
from bot.i18n import _, reading
from bot.ideas.workflow import ensure_team
from bot.render.ids import HuddleSetupField
from bot.render.welcome import (
    FIRST_NOW,
    first_huddle_words,
    huddle_not_leader_text,
    huddle_set_text,
    huddle_setup_modal,
)
from bot.settings import Settings, parse_days, parse_hhmm
from bot.teams.languages import Languages
from bot.teams.leaders import Leaders
from bot.teams.permissions import Permissions
from storage import huddles as store
from storage import queries
from storage.db import Database
from storage.models import OutboxKind, Team

# The form's inputs (block ids of `bot.render.welcome.huddle_setup_modal`).
TIMES, DAYS, ZONE = HuddleSetupField.TIMES, HuddleSetupField.DAYS, HuddleSetupField.ZONE
WEEKDAYS = 7  # Monday is 0
DIGEST_BYTES = 8  # a dedupe fingerprint: 16 hex digits


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
        # Translators: on the huddle set-up form's times; HH:MM is hours and minutes (24-hour clock)
        raise SetupRefused(TIMES, _("Please write times as HH:MM, e.g. 08:30 or 08:30,14:00.")) from error


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


def first_huddle(times: Sequence[str], days: Sequence[int], zone: ZoneInfo, now: datetime) -> str:
    """When the first huddle of a schedule will be, after `now`, in words ("tomorrow", "today at 14:00", "on
    Monday"); skipped days and public holidays are not looked at."""
    local = now.astimezone(zone)
    for ahead in range(WEEKDAYS + 1):
        day = local.date() + timedelta(days=ahead)
        if day.weekday() not in days:
            continue
        for at in sorted(times):
            if datetime.combine(day, parse_hhmm(at), zone) > local:
                return first_huddle_words(ahead, at, one_time=len(times) == 1, weekday=day.weekday())
    # Translators: when the first huddle will be, in "the first is {first}." (never said in practice)
    return _("soon")  # unreachable with a time and a day; a schedule without them is refused before


def digest(text: str) -> str:
    """A short fingerprint of a text, for a dedupe key (the same schedule saved twice at once is said once)."""
    return hashlib.blake2b(text.encode(), digest_size=DIGEST_BYTES).hexdigest()


class HuddleSetup:
    """The set-up form: `refusal` when its button is pressed, `modal` to open it, `apply` when it is submitted,
    `confirm` once it is saved."""

    def __init__(
        self,
        schedules: Schedules,
        settings: Settings,
        *,
        db: Database,
        clock: Clock,
        outbox: Outbox,
        permissions: Permissions,
        leaders: Leaders,
        languages: Languages,
    ) -> None:
        self._languages = languages
        self._schedules = schedules
        self._settings = settings
        self._db = db
        self._clock = clock
        self._outbox = outbox
        self._permissions = permissions
        self._leaders = leaders

    def refusal(self, workspace_id: str, channel_id: str, user_id: str) -> str | None:
        """Why `user_id` may not set the huddle of the channel's team, with who can, in words; None when they may.
        Asked when the button is pressed, so that nobody fills in a form that would be refused."""
        team = ensure_team(self._db, self._clock, workspace_id, channel_id)
        if self._permissions.may_change_huddle(workspace_id, team, user_id):
            return None
        return huddle_not_leader_text(self._leaders.describe(workspace_id, team))

    def taken_slots(self, team: Team) -> frozenset[tuple[date, int]]:
        """The team's slots claimed or posted since yesterday (local dates), read BEFORE a schedule is saved and
        given to `confirm`: the scheduler may claim the new schedule's first slot while `confirm` runs, and that
        slot is the one going up now, not one posted before."""
        with self._db.read() as session:
            return store.slots_taken_since(session, team.id, self._clock.now().date() - timedelta(days=2))

    def confirm(self, team: Team, taken_before: frozenset[tuple[date, int]] | None = None) -> None:
        """Say in the team's channel that its huddle is set, when, and when the first is (through the outbox:
        Slack's refusals are the outbox's to handle). `taken_before`: `taken_slots` from before the schedule was
        saved (None: read now)."""
        zone = team.timezone or self._settings.kaizen_timezone
        now = self._clock.now()
        taken = self.taken_slots(team) if taken_before is None else taken_before
        due_now = self._due_now(team, ZoneInfo(zone), now, taken)
        with reading(self._languages.of_team(team)):  # said in the channel, whoever set it
            first = _(FIRST_NOW) if due_now else first_huddle(team.huddle_times, team.huddle_days, ZoneInfo(zone), now)
            text = huddle_set_text(team.huddle_times, team.huddle_days, zone, first)
        message = new_message(
            kind=OutboxKind.CHANNEL, dedupe_key=f"huddle-set:{team.id}:{now.isoformat()}:{digest(text)}",
            workspace_id=team.workspace_id, channel_id=team.channel_id, now=now,
            text=text,
        )  # fmt: skip
        with self._db.write() as session:
            message_id = queries.add_outbox(session, message)
        if message_id is not None:
            self._outbox.send(message_id)

    def _due_now(self, team: Team, zone: ZoneInfo, now: datetime, taken: frozenset[tuple[date, int]]) -> bool:
        """Whether a slot of the new schedule is due at once: its time passed less than the grace window ago and
        it was neither claimed nor posted before the schedule was saved (`taken`)."""
        with self._db.read() as session:
            skips = store.skip_dates(session, team.id)
            due = due_slots(
                times=[parse_hhmm(t) for t in team.huddle_times], days=team.huddle_days, zone=zone, skips=skips,
                holiday_country=team.huddle_holidays, now=now,
            )  # fmt: skip
        return any((slot.local_date, slot.index) not in taken for slot in due)

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
