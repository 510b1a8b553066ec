"""Posting huddle threads: on schedule (once per team, local date and slot, across restarts and processes) and
on demand (`/kaizen huddle`, `kaizen-bot huddle --channel`), plus the leaders' daily digest.

A slot is claimed in the database before posting. The post carries message metadata with the claim's id, so a
process that takes over an expired claim (its predecessor crashed after Slack took the post) first looks for
that post in the channel and never posts twice.

A team whose channel Slack says takes no posts (archived, deleted, Kaizen removed) is paused: its slots are not
due (nothing is claimed, so a slot still inside its grace window posts once the pause ends), its leaders are told
once per pause, and Kaizen joining the channel or the channel being unarchived ends the pause (`resume`). Should
those events be missed (the bot was down), the tick asks Slack every PAUSE_CHECK whether Kaizen is back.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot import render
from bot.clock import Clock
from bot.delivery.outbox import Failure, backoff, failure, new_message
from bot.huddles.times import GRACE, Slot, due_slots, supported_country, week_start
from bot.services import Services
from bot.settings import Settings, parse_days, parse_hhmm
from storage import huddles as store
from storage import queries
from storage.models import Idea, OutboxKind, Team

log = logging.getLogger(__name__)

METADATA_TYPE = "kaizen_huddle"
CLAIM_LEASE = timedelta(minutes=2)
# Long enough for the digest's links and a chart; short enough that a crash is followed up within a minute.
FOLLOW_UP_LEASE = timedelta(seconds=30)
LIST_LIMIT = 8  # per list: a huddle is read standing up
DIGEST_LIMIT = 10
NAME_TTL = timedelta(hours=6)
# How often a paused team's channel is looked at (conversations.info), in case the event that ends the pause was
# missed: Slack retries an event only for about an hour, and not at all to a bot that was down.
PAUSE_CHECK = timedelta(minutes=15)

QUESTIONS = (
    "What got in your way yesterday?",
    "What made you wait today?",
    "Where did you walk further than you should have to?",
    "What did you have to look for this week?",
    "What did you do twice that should be done once?",
    "What would make the next shift easier?",
    "Which small thing annoys you every day?",
    "What did a patient or customer have to wait for?",
    "What did you fix or work around yesterday?",
    "What would you stop doing if you could?",
    "Where is a checklist missing, or one too many?",
    "What did someone else do that we should all do?",
)


def team_zone(team: Team, settings: Settings) -> ZoneInfo:
    return ZoneInfo(team.timezone or settings.kaizen_timezone)


def question_of_the_day(day: date, slot: int) -> str:
    return QUESTIONS[(day.toordinal() + slot) % len(QUESTIONS)]


@dataclass(frozen=True)
class Posted:
    ts: str
    team: Team


class Names:
    """Display names for showing people without notifying them (a <@mention> pings)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._names: dict[tuple[str, str], tuple[datetime, str]] = {}

    def name(self, client: WebClient, workspace_id: str, user_id: str) -> str:
        now = self._clock.now()
        with self._lock:
            cached = self._names.get((workspace_id, user_id))
        if cached and cached[0] > now:
            return cached[1]
        try:
            user = client.users_info(user=user_id)["user"]
            profile = user.get("profile") or {}
            name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user["name"]
        except Exception:
            log.warning("Could not look up the name of %s", user_id, exc_info=True)
            return "a colleague"
        with self._lock:
            self._names[(workspace_id, user_id)] = (now + NAME_TTL, str(name))
        return str(name)


class Huddles:
    def __init__(self, services: Services) -> None:
        self._services = services
        self._names = Names(services.clock)
        self._nobody_told: set[str] = set()  # pauses of teams without leaders, logged once
        self._checked: dict[tuple[int, datetime], datetime] = {}  # (team, pause) → when its channel was looked at

    # --- composing -----------------------------------------------------------------------------------------

    def _compose(self, team: Team, client: WebClient, now: datetime, local_date: date, slot: int | None) -> tuple:
        services = self._services
        with services.db.read() as session:
            since = store.last_scheduled_post(session, team.id, now) or now - timedelta(days=1)
            content = store.huddle_content(session, team.id, since, LIST_LIMIT)
        owners = {i.owner_id for i in content.in_progress if i.owner_id}
        names = {user: self._names.name(client, team.workspace_id, user) for user in owners}
        morning = slot == 0 or (slot is None and now.astimezone(team_zone(team, services.settings)).hour < 12)
        title = "Morning huddle" if morning else "Huddle"
        blocks = render.huddle_blocks(
            title=title, morning=morning, local_date=local_date, content=content, names=names, now=now,
            nudge_days=services.settings.kaizen_nudge_days, question=question_of_the_day(local_date, slot or 0),
        )  # fmt: skip
        return render.huddle_text(title, local_date), blocks

    # --- on schedule ---------------------------------------------------------------------------------------

    def tick(self) -> int:
        """Post every slot that is due now (paused teams have none); returns how many were posted."""
        services = self._services
        try:
            self.tell_paused()
            self.check_paused()
        except Exception:
            log.exception("Could not look after paused teams; will try again")
        now = services.clock.now()
        with services.db.read() as session:
            teams = store.teams_with_huddles(session)
            plans = [(team, store.skip_dates(session, team.id)) for team in teams]
        posted = 0
        for team, skips in plans:
            try:
                slots = due_slots(
                    times=[parse_hhmm(t) for t in team.huddle_times], days=team.huddle_days,
                    zone=team_zone(team, services.settings), skips=skips, holiday_country=team.huddle_holidays,
                    now=now,
                )  # fmt: skip
                for slot in slots:
                    posted += self.post_slot(team, slot)
                with services.db.read() as session:
                    follow_ups = store.follow_ups_due(session, team.id, now - GRACE)
                for row in follow_ups:
                    self._follow_up(team, row.id, row.local_date, row.message_ts or "")
            except Exception:
                log.exception("Huddle tick failed for team %s (%s)", team.id, team.channel_id)
        return posted

    def post_slot(self, team: Team, slot: Slot) -> bool:
        services = self._services
        token = uuid.uuid4().hex
        now = services.clock.now()
        with services.db.write() as session:
            claim = store.claim_slot(
                session, team.id, slot.local_date, slot.index, slot.at, token, now, now + CLAIM_LEASE
            )
        if claim is None:
            return False
        client = services.web(team.workspace_id)
        # The next huddle shows what was done after this one's content was read. A post found again was read by
        # an earlier claim at an unknown time, so count from the slot itself: rather thank someone twice than never.
        read_at = slot.at
        try:
            ts = self._find_post(client, team, claim.row_id, slot.at) if claim.takeover else None
            if ts is None:
                read_at = now
                text, blocks = self._compose(team, client, now, slot.local_date, slot.index)
                ts = str(
                    client.chat_postMessage(
                        channel=team.channel_id, text=text, blocks=blocks, unfurl_links=False,
                        metadata={"event_type": METADATA_TYPE, "event_payload": {"huddle_id": claim.row_id}},
                    )["ts"]
                )  # fmt: skip
        except SlackApiError as error:
            code = str(error.response.get("error") or f"http_{error.response.status_code}")
            if error.response.status_code < 500:
                kind = failure(code)
                retry_at = services.clock.now() + backoff(1)
                if kind is Failure.CHANNEL_GONE:
                    pause(services, team, code)  # the slot stays unposted: due again if the pause ends in its grace
                elif kind is not Failure.TEMPORARY:
                    log.error("Slack refused the huddle of team %s for good: %s; not trying this slot again",
                              team.channel_id, code)  # fmt: skip
                    retry_at = max(retry_at, slot.at + GRACE)  # past its grace window the slot is never due again
                log.warning("Slack refused the huddle of team %s: %s", team.channel_id, code)
                with services.db.write() as session:
                    store.release_slot(session, claim.row_id, token, retry_at, code)
            else:
                log.warning("Slack answered %s to the huddle of team %s; will look before retrying", code, team.id)
            return False
        except Exception:
            log.warning("No answer from Slack posting the huddle of team %s", team.id, exc_info=True)
            return False
        with services.db.write() as session:
            store.record_post(session, claim.row_id, token, ts, read_at)
        log.info("Posted huddle slot %s of %s for team %s", slot.index, slot.local_date, team.channel_id)
        if slot.index == 0:
            try:
                self._follow_up(team, claim.row_id, slot.local_date, ts)
            except Exception:
                log.exception("Follow-up of the huddle of team %s failed; will try again", team.channel_id)
        return True

    def _find_post(self, client: WebClient, team: Team, row_id: int, scheduled_for: datetime) -> str | None:
        oldest = f"{(scheduled_for - timedelta(minutes=1)).timestamp():.6f}"
        cursor: str | None = None
        for _ in range(10):
            response = client.conversations_history(
                channel=team.channel_id, oldest=oldest, include_all_metadata=True, limit=200, cursor=cursor
            )
            for message in response.get("messages", []):
                metadata = message.get("metadata") or {}
                if (
                    metadata.get("event_type") == METADATA_TYPE
                    and (metadata.get("event_payload") or {}).get("huddle_id") == row_id
                ):
                    log.info("Found huddle %s already posted (ts %s)", row_id, message.get("ts"))
                    return str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None

    def _follow_up(self, team: Team, row_id: int, local_date: date, ts: str) -> None:
        """The first huddle of the day brings the leaders' digest and, on the first day of the week, the chart.

        Claimed under a lease and marked done only when both went out, so a Slack fault or a crash after the
        post is followed up by a later tick (digest DMs are deduplicated per leader and day)."""
        services = self._services
        now = services.clock.now()
        with services.db.write() as session:
            if not store.claim_follow_up(session, row_id, now, now + FOLLOW_UP_LEASE):
                return
        self.send_digests(team, local_date)
        if self.first_of_week(team, local_date):
            from bot.measures import stats  # charts pull in matplotlib: only when a chart is due

            report = stats.build_report(services, team.workspace_id, team, None)
            stats.send_report(services, team.workspace_id, report, team.channel_id, thread_ts=ts)
        with services.db.write() as session:
            store.finish_follow_up(session, row_id, services.clock.now())

    def first_of_week(self, team: Team, local_date: date) -> bool:
        with self._services.db.read() as session:
            return not store.first_huddle_of_week_posted(session, team.id, week_start(local_date), local_date)

    # --- on demand -----------------------------------------------------------------------------------------

    def post_now(self, team: Team) -> Posted:
        """A huddle now, outside the schedule: it uses up no slot. Raises SlackApiError when Slack says no (and
        pauses the team when the channel takes no posts); a post that goes through ends a pause."""
        services = self._services
        now = services.clock.now()
        local_date = now.astimezone(team_zone(team, services.settings)).date()
        client = services.web(team.workspace_id)
        text, blocks = self._compose(team, client, now, local_date, None)
        try:
            response = client.chat_postMessage(channel=team.channel_id, text=text, blocks=blocks, unfurl_links=False)
        except SlackApiError as error:
            code = str(error.response.get("error") or "")
            if failure(code) is Failure.CHANNEL_GONE:
                pause(services, team, code)
            raise
        ts = str(response["ts"])
        with services.db.write() as session:
            store.add_manual_post(session, team.id, local_date, ts, now)
        if team.paused_at is not None:
            resume(services, team.channel_id)  # someone asked for it there and it went up: Kaizen is back
        return Posted(ts, team)

    # --- paused teams --------------------------------------------------------------------------------------

    def tell_paused(self) -> int:
        """Tell each leader of every paused team, by DM, once per pause (across processes: the DMs' dedupe keys
        name the pause), what happened and how to carry on. Returns how many DMs were queued now."""
        services = self._services
        with services.db.read() as session:
            teams = store.paused_teams(session)
        queued = 0
        for team in teams:
            try:
                queued += self._tell_pause(team)
            except Exception:
                log.exception("Could not tell the leaders of paused team %s (%s)", team.id, team.channel_id)
        return queued

    def check_paused(self) -> int:
        """Ask Slack about the channel of each team paused for longer than PAUSE_CHECK since it was last looked at,
        and end the pause where Kaizen is a member of a live channel again. Returns how many pauses ended."""
        services = self._services
        now = services.clock.now()
        with services.db.read() as session:
            teams = store.paused_teams(session)
        current = {(team.id, team.paused_at) for team in teams}
        self._checked = {key: at for key, at in self._checked.items() if key in current}  # ended pauses go
        ended = 0
        for team in teams:
            assert team.paused_at is not None
            key = (team.id, team.paused_at)
            if self._checked.get(key, team.paused_at) + PAUSE_CHECK > now:
                continue
            self._checked[key] = now
            try:
                channel = services.web(team.workspace_id).conversations_info(channel=team.channel_id)["channel"]
            except SlackApiError as error:
                log.info("Team %s stays paused: Slack answers %s about %s", team.id, error.response.get("error"),
                         team.channel_id)  # fmt: skip
                continue
            if channel.get("is_member") and not channel.get("is_archived"):
                log.info("Kaizen is a member of %s again (an event saying so was missed)", team.channel_id)
                ended += resume(services, team.channel_id)
        return ended

    def _tell_pause(self, team: Team) -> int:
        services = self._services
        assert team.paused_at is not None
        prefix = f"paused:{team.id}:{team.paused_at:%Y%m%dT%H%M%S%f}:"
        with services.db.read() as session:
            if queries.outbox_key_taken(session, prefix):
                return 0  # told already (here or in another process)
        leaders = services.leaders.everyone_leading(team.workspace_id, team)
        if not leaders:
            if prefix not in self._nobody_told:
                self._nobody_told.add(prefix)
                log.warning("Team %s (%s) is paused (%s) and has no leaders to tell", team.id, team.channel_id,
                            team.paused_reason)  # fmt: skip
            return 0
        now = services.clock.now()
        text = render.paused_notice_text(team.channel_id, team.paused_reason or "")
        with services.db.write() as session:
            current = session.get(Team, team.id)
            if current is None or current.paused_at != team.paused_at:
                return 0  # the pause ended (or began again) since it was read: nothing to tell about this one
            ids = _queue_dms(session, team, leaders, text, lambda leader: prefix + leader, now)
        return self._send(ids)

    # --- the leaders' digest -------------------------------------------------------------------------------

    def send_digests(self, team: Team, local_date: date) -> int:
        """Once a day per leader: the ideas of this team waiting past the nudge threshold, with links."""
        services = self._services
        now = services.clock.now()
        threshold = now - timedelta(days=services.settings.kaizen_nudge_days)
        with services.db.read() as session:
            waiting, total = store.waiting_past(session, team.id, threshold, DIGEST_LIMIT)
        leaders = services.leaders.everyone_leading(team.workspace_id, team)
        if not waiting or not leaders:
            return 0
        links = self._links(team, waiting)
        text = render.digest_text(team.channel_id, waiting, total, links, now, services.settings.kaizen_nudge_days)
        with services.db.write() as session:
            day = local_date.isoformat()
            ids = _queue_dms(session, team, leaders, text, lambda leader: f"digest:{team.id}:{leader}:{day}", now)
        return self._send(ids)

    def _send(self, message_ids: list[int]) -> int:
        for message_id in message_ids:
            self._services.outbox.send(message_id)
        return len(message_ids)

    def _links(self, team: Team, ideas: list[Idea]) -> dict[int, str]:
        client = self._services.web(team.workspace_id)
        links: dict[int, str] = {}
        for idea in ideas:
            if idea.card_ts:
                try:
                    links[idea.id] = str(
                        client.chat_getPermalink(channel=team.channel_id, message_ts=idea.card_ts)["permalink"]
                    )
                except SlackApiError:
                    log.warning("No permalink for the card of idea %s", idea.id)
        return links


# --- a team's schedule ---------------------------------------------------------------------------------------


class ScheduleError(ValueError):
    """A schedule a person asked for that cannot be: str(error) says why, with an example."""


def describe_schedule(team: Team, settings: Settings) -> str:
    if not team.huddle_times:
        return "The daily huddle is off."
    days = ",".join(("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d] for d in team.huddle_days)
    holidays_text = f", not on {team.huddle_holidays} public holidays" if team.huddle_holidays else ""
    zone = team.timezone or settings.kaizen_timezone
    return f"Huddles at {', '.join(team.huddle_times)} ({zone}) on {days}{holidays_text}."


def leader_zone(services: Services, workspace_id: str, user_id: str, *, quick: bool = False) -> str:
    """The zone a leader's Slack profile gives, else KAIZEN_TIMEZONE. `quick` while a trigger_id ticks."""
    client = services.quick(workspace_id, 1) if quick else services.web(workspace_id)
    try:
        zone = client.users_info(user=user_id)["user"].get("tz")
        ZoneInfo(str(zone))
        return str(zone)
    except Exception:  # noqa: BLE001 - no profile zone: the configured default will do
        return services.settings.kaizen_timezone


def set_schedule(
    services: Services,
    team: Team,
    times: Sequence[time],
    days: Sequence[int] | None,
    zone: str | None,
    *,
    leader_id: str,
) -> Team:
    """Set a team's huddle times. Days default to the team's (else KAIZEN_HUDDLE_DAYS); the zone to the team's,
    else the leader's Slack time zone, else KAIZEN_TIMEZONE."""
    settings = services.settings
    days = list(days) if days is not None else (list(team.huddle_days) or list(parse_days(settings.kaizen_huddle_days)))
    zone = zone or team.timezone or leader_zone(services, team.workspace_id, leader_id)
    try:
        ZoneInfo(zone)
    except Exception as error:
        raise ScheduleError(
            f"I don't know the time zone “{zone}”. Try an Area/City name like Europe/London."
        ) from error
    if not times or not days:
        raise ScheduleError("A huddle needs a time and at least one day, e.g. `/kaizen huddle at 08:30 mon-fri`.")
    with services.db.write() as session:
        row = session.get(Team, team.id)
        assert row is not None
        row.huddle_times = sorted(t.strftime("%H:%M") for t in times)
        row.huddle_days, row.timezone = sorted(days), zone
        return row


def turn_off(services: Services, team: Team) -> None:
    with services.db.write() as session:
        row = session.get(Team, team.id)
        assert row is not None
        row.huddle_times = []


def skip_day(services: Services, team: Team, day: date) -> bool:
    with services.db.write() as session:
        return store.add_skip(session, team.id, day)


def set_holidays(services: Services, team: Team, country: str | None) -> None:
    if country is not None and not supported_country(country):
        raise ScheduleError(
            f"I don't have public holidays for “{country}”. Use a two-letter country code like GB or US."
        )
    with services.db.write() as session:
        row = session.get(Team, team.id)
        assert row is not None
        row.huddle_holidays = country.upper() if country else None


def pause(services: Services, team: Team, reason: str) -> bool:
    """Pause a team because Slack answered `reason` (one of `bot.delivery.outbox.CHANNEL_GONE`) to a post in its channel:
    no huddles, no channel posts until `resume`. True for the one caller, in any process, that paused it."""
    with services.db.write() as session:
        paused = queries.pause_team(session, team.id, reason, services.clock.now())
    if paused:
        log.warning("Slack answered %s to a post in %s: team %s paused (no huddles, no card posts) until Kaizen is "
                    "back in a live channel", reason, team.channel_id, team.id)  # fmt: skip
    return paused


def _unpause(services: Services, channel_id: str) -> list[int] | None:
    """End the pause of the channel's team; the ids of its posts that waited (now due), or None if not paused."""
    with services.db.write() as session:
        team = queries.team_of_channel(session, channel_id)
        if team is None or not queries.unpause_team(session, team.id):
            return None
        waiting = queries.release_held(session, team, services.clock.now())
    log.info("Kaizen is back in %s: team %s un-paused; %s waiting posts go up", channel_id, team.id, len(waiting))
    return waiting


def resume(services: Services, channel_id: str) -> bool:
    """Kaizen is back in a live channel (it joined it, the channel was unarchived, or a post there went through):
    end its team's pause and post what waited, oldest first. True when a pause ended; a team not paused, or a
    channel that is no team, is left as it is."""
    waiting = _unpause(services, channel_id)
    for message_id in waiting or ():
        services.outbox.send(message_id)
    return waiting is not None


def welcome(services: Services, workspace_id: str, channel_id: str, event_id: str) -> None:
    """Kaizen was added to a channel: say hello once, with buttons to set up the huddle and add leaders. A team
    paused there is un-paused first (the hello and the cards that waited go up)."""
    waiting = _unpause(services, channel_id)
    team = None
    with services.db.read() as session:
        team = queries.team_of_channel(session, channel_id)
    emoji = services.approve_emoji(team)
    message = new_message(
        kind=OutboxKind.CHANNEL, dedupe_key=f"welcome:{channel_id}:{event_id}", workspace_id=workspace_id,
        channel_id=channel_id, now=services.clock.now(), text="Hello! I help this team improve a little every day.",
        blocks=render.to_dicts(render.welcome_blocks(emoji)),
    )  # fmt: skip
    with services.db.write() as session:
        message_id = queries.add_outbox(session, message)
    if message_id is not None:
        services.outbox.send(message_id)
    for waited in waiting or ():
        services.outbox.send(waited)


def _queue_dms(
    session: Session, team: Team, user_ids: Sequence[str], text: str, key: Callable[[str], str], now: datetime
) -> list[int]:
    """Queue one DM of `text` to each of `user_ids` in the outbox, once each (`key(user_id)` is its dedupe key);
    returns the ids of the messages queued now."""
    ids = []
    for user_id in user_ids:
        message = new_message(
            kind=OutboxKind.DM, dedupe_key=key(user_id), workspace_id=team.workspace_id, user_id=user_id,
            text=text, now=now,
        )  # fmt: skip
        message_id = queries.add_outbox(session, message)
        if message_id is not None:
            ids.append(message_id)
    return ids
