"""A team's huddle schedule as people set it (`/kaizen huddle at …`, the set-up form) and in words: times, days,
time zone, skipped days and public holidays. When a slot is due is `bot.huddles.times`.

What people read (the schedule in words, why a schedule cannot be) is in the reader's language (`bot.i18n`); the
days stay the command's own words ("mon,tue"), as typed in `/kaizen huddle at 08:30 mon-fri`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from zoneinfo import ZoneInfo

from bot.huddles.times import supported_country
from bot.i18n import _
from bot.settings import Settings, parse_days
from bot.slack.gateway import SlackGateway
from storage import huddles as store
from storage.db import Database
from storage.models import Team

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # the command's words: not translated


class ScheduleError(ValueError):
    """A schedule a person asked for that cannot be: str(error) says why, with an example, in the reader's language
    (made when raised); `about` names what is wrong: "zone", "when" (no time or no day) or "holidays"."""

    def __init__(self, message: str, *, about: str) -> None:
        super().__init__(message)
        self.about = about


def team_zone(team: Team, settings: Settings) -> ZoneInfo:
    """The team's time zone, else KAIZEN_TIMEZONE."""
    return ZoneInfo(team.timezone or settings.kaizen_timezone)


def describe_schedule(team: Team, settings: Settings) -> str:
    """The team's huddle schedule in words, e.g. "Huddles at 08:30 (Europe/London) on mon,tue,wed,thu,fri."."""
    if not team.huddle_times:
        return _("The daily huddle is off.")
    days = ",".join(WEEKDAY_NAMES[d] for d in team.huddle_days)
    times = ", ".join(team.huddle_times)
    zone = team.timezone or settings.kaizen_timezone
    if team.huddle_holidays:
        # Translators: a team's huddle schedule: {times} "08:30, 14:00", {zone} a time zone "Europe/London", {days}
        # the days as the command writes them ("mon,tue,wed"), {country} a two-letter country code ("GB")
        return _(
            "Huddles at {times} ({zone}) on {days}, not on {country} public holidays.",
            times=times,
            zone=zone,
            days=days,
            country=team.huddle_holidays,
        )
    # Translators: a team's huddle schedule: {times} "08:30, 14:00", {zone} a time zone "Europe/London", {days} the
    # days as the command writes them ("mon,tue,wed")
    return _("Huddles at {times} ({zone}) on {days}.", times=times, zone=zone, days=days)


class Schedules:
    """Setting a team's huddle schedule: times, days and zone (`set_schedule`), off (`turn_off`), a day skipped
    (`skip_day`), public holidays (`set_holidays`), and the zone a leader's profile gives (`leader_zone`)."""

    def __init__(self, db: Database, settings: Settings, gateway: SlackGateway) -> None:
        self._db = db
        self._settings = settings
        self._gateway = gateway

    def leader_zone(self, workspace_id: str, user_id: str, *, quick: bool = False) -> str:
        """The zone a leader's Slack profile gives, else KAIZEN_TIMEZONE. `quick` while a trigger_id ticks."""
        slack = self._gateway.quick(workspace_id, 1) if quick else self._gateway.workspace(workspace_id)
        try:
            zone = slack.user(user_id).get("tz")
            ZoneInfo(str(zone))
            return str(zone)
        except Exception:  # noqa: BLE001 - no profile zone: the configured default will do
            return self._settings.kaizen_timezone

    def set_schedule(
        self,
        team: Team,
        times: Sequence[time],
        days: Sequence[int] | None,
        zone: str | None,
        *,
        leader_id: str,
    ) -> Team:
        """Set a team's huddle times. Days default to the team's (else KAIZEN_HUDDLE_DAYS); the zone to the team's,
        else the leader's Slack time zone, else KAIZEN_TIMEZONE. Returns the team as stored; raises ScheduleError
        for an unknown zone, no times or no days."""
        settings = self._settings
        days = (
            list(days)
            if days is not None
            else (list(team.huddle_days) or list(parse_days(settings.kaizen_huddle_days)))
        )
        zone = zone or team.timezone or self.leader_zone(team.workspace_id, leader_id)
        try:
            ZoneInfo(zone)
        except Exception as error:
            # Translators: {zone} is the time zone the person typed; "Area/City" and "Europe/London" are how time
            # zones are named (not translated)
            message = _("I don't know the time zone “{zone}”. Try an Area/City name like Europe/London.", zone=zone)
            raise ScheduleError(message, about="zone") from error
        if not times or not days:
            raise ScheduleError(
                _("A huddle needs a time and at least one day, e.g. `/kaizen huddle at 08:30 mon-fri`."), about="when"
            )
        with self._db.write() as session:
            row = session.get(Team, team.id)
            assert row is not None
            row.huddle_times = sorted(t.strftime("%H:%M") for t in times)
            row.huddle_days, row.timezone = sorted(days), zone
            return row

    def turn_off(self, team: Team) -> None:
        """No more scheduled huddles for the team (its days, zone and holidays are kept)."""
        with self._db.write() as session:
            row = session.get(Team, team.id)
            assert row is not None
            row.huddle_times = []

    def skip_day(self, team: Team, day: date) -> bool:
        """No scheduled huddle on `day` (the team's local date); False when it was skipped already."""
        with self._db.write() as session:
            return store.add_skip(session, team.id, day)

    def set_holidays(self, team: Team, country: str | None) -> None:
        """No scheduled huddles on the public holidays of `country` (a two-letter code; None: none). Raises
        ScheduleError for a country without holidays known."""
        if country is not None and not supported_country(country):
            # Translators: {country} is what the person typed for a country
            message = _(
                "I don't have public holidays for “{country}”. Use a two-letter country code like GB or US.",
                country=country,
            )
            raise ScheduleError(message, about="holidays")
        with self._db.write() as session:
            row = session.get(Team, team.id)
            assert row is not None
            row.huddle_holidays = country.upper() if country else None
