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

from sqlalchemy.orm import Session

from bot import render
from bot.clock import Clock
from bot.delivery.outbox import Outbox, backoff, new_message
from bot.huddles.times import GRACE, Slot, due_slots, supported_country, week_start
from bot.settings import Settings, parse_days, parse_hhmm
from bot.slack.gateway import Blocks, Message, SlackError, SlackGateway, WorkspaceSlack
from bot.slack.refusals import Failure, failure
from bot.stats import Stats
from bot.teams.emojis import ApproveEmojis
from bot.teams.leaders import Leaders
from storage import huddles as store
from storage import queries
from storage.db import Database
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
    """The team's time zone, else KAIZEN_TIMEZONE."""
    return ZoneInfo(team.timezone or settings.kaizen_timezone)


def question_of_the_day(day: date, slot: int) -> str:
    """The question a huddle asks on `day` in slot `slot` (0 is the first of the day): one of QUESTIONS."""
    return QUESTIONS[(day.toordinal() + slot) % len(QUESTIONS)]


@dataclass(frozen=True)
class Posted:
    """A huddle posted on demand: its message ts, in the team's channel."""

    ts: str
    team: Team


class Names:
    """Display names for showing people without notifying them (a <@mention> pings)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._names: dict[tuple[str, str], tuple[datetime, str]] = {}

    def name(self, slack: WorkspaceSlack, workspace_id: str, user_id: str) -> str:
        """The person's display name (else real name, else user name), cached NAME_TTL; "a colleague" when
        Slack cannot say."""
        now = self._clock.now()
        with self._lock:
            cached = self._names.get((workspace_id, user_id))
        if cached and cached[0] > now:
            return cached[1]
        try:
            user = slack.user(user_id)
            profile = user.get("profile") or {}
            name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user["name"]
        except Exception:
            log.warning("Could not look up the name of %s", user_id, exc_info=True)
            return "a colleague"
        with self._lock:
            self._names[(workspace_id, user_id)] = (now + NAME_TTL, str(name))
        return str(name)


class Huddles:
    """A team's huddles: posted on schedule (`tick`) and on demand (`post_now`), its leaders' digest, pausing a team
    whose channel takes no posts and resuming it, and the team's schedule as people set it."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        gateway: SlackGateway,
        outbox: Outbox,
        leaders: Leaders,
        emojis: ApproveEmojis,
        stats: Stats,
    ) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._gateway = gateway
        self._outbox = outbox
        self._leaders = leaders
        self._emojis = emojis
        self._stats = stats
        self._names = Names(clock)
        self._nobody_told: set[str] = set()  # pauses of teams without leaders, logged once
        self._checked: dict[tuple[int, datetime], datetime] = {}  # (team, pause) → when its channel was looked at

    # --- composing -----------------------------------------------------------------------------------------

    def _compose(
        self, team: Team, slack: WorkspaceSlack, now: datetime, local_date: date, slot: int | None
    ) -> tuple[str, Blocks]:
        with self._db.read() as session:
            since = store.last_scheduled_post(session, team.id, now) or now - timedelta(days=1)
            content = store.huddle_content(session, team.id, since, LIST_LIMIT)
        owners = {i.owner_id for i in content.in_progress if i.owner_id}
        names = {user: self._names.name(slack, team.workspace_id, user) for user in owners}
        morning = slot == 0 or (slot is None and now.astimezone(team_zone(team, self._settings)).hour < 12)
        title = "Morning huddle" if morning else "Huddle"
        blocks = render.huddle_blocks(
            title=title, morning=morning, local_date=local_date, content=content, names=names, now=now,
            nudge_days=self._settings.kaizen_nudge_days, question=question_of_the_day(local_date, slot or 0),
        )  # fmt: skip
        return render.huddle_text(title, local_date), blocks

    # --- on schedule ---------------------------------------------------------------------------------------

    def tick(self) -> int:
        """Post every slot that is due now (paused teams have none); returns how many were posted."""
        try:
            self.tell_paused()
            self.check_paused()
        except Exception:
            log.exception("Could not look after paused teams; will try again")
        now = self._clock.now()
        with self._db.read() as session:
            teams = store.teams_with_huddles(session)
            plans = [(team, store.skip_dates(session, team.id)) for team in teams]
        posted = 0
        for team, skips in plans:
            try:
                slots = due_slots(
                    times=[parse_hhmm(t) for t in team.huddle_times], days=team.huddle_days,
                    zone=team_zone(team, self._settings), skips=skips, holiday_country=team.huddle_holidays,
                    now=now,
                )  # fmt: skip
                for slot in slots:
                    posted += self.post_slot(team, slot)
                with self._db.read() as session:
                    follow_ups = store.follow_ups_due(session, team.id, now - GRACE)
                for row in follow_ups:
                    self._follow_up(team, row.id, row.local_date, row.message_ts or "")
            except Exception:
                log.exception("Huddle tick failed for team %s (%s)", team.id, team.channel_id)
        return posted

    def post_slot(self, team: Team, slot: Slot) -> bool:
        """Claim the slot and post its huddle (after looking for one a crashed claim posted); True when posted now.
        A Slack refusal releases the claim for a later retry (or pauses the team); Slack errors are not raised."""
        token = uuid.uuid4().hex
        now = self._clock.now()
        with self._db.write() as session:
            claim = store.claim_slot(
                session, team.id, slot.local_date, slot.index, slot.at, token, now, now + CLAIM_LEASE
            )
        if claim is None:
            return False
        slack = self._gateway.workspace(team.workspace_id)
        # The next huddle shows what was done after this one's content was read. A post found again was read by
        # an earlier claim at an unknown time, so count from the slot itself: rather thank someone twice than never.
        read_at = slot.at
        try:
            ts = self._find_post(slack, team, claim.row_id, slot.at) if claim.takeover else None
            if ts is None:
                read_at = now
                text, blocks = self._compose(team, slack, now, slot.local_date, slot.index)
                ts = slack.post(
                    team.channel_id, text, blocks,
                    metadata={"event_type": METADATA_TYPE, "event_payload": {"huddle_id": claim.row_id}},
                )  # fmt: skip
        except SlackError as error:
            code = error.code
            if not error.server_side:
                kind = failure(code)
                retry_at = self._clock.now() + backoff(1)
                if kind is Failure.CHANNEL_GONE:
                    self.pause(team, code)  # the slot stays unposted: due again if the pause ends in its grace
                elif kind is not Failure.TEMPORARY:
                    log.error("Slack refused the huddle of team %s for good: %s; not trying this slot again",
                              team.channel_id, code)  # fmt: skip
                    retry_at = max(retry_at, slot.at + GRACE)  # past its grace window the slot is never due again
                log.warning("Slack refused the huddle of team %s: %s", team.channel_id, code)
                with self._db.write() as session:
                    store.release_slot(session, claim.row_id, token, retry_at, code)
            else:
                log.warning("Slack answered %s to the huddle of team %s; will look before retrying", code, team.id)
            return False
        except Exception:  # SlackUnreachable, or anything else while posting: the claim's lease lets a retry look first
            log.warning("No answer from Slack posting the huddle of team %s", team.id, exc_info=True)
            return False
        with self._db.write() as session:
            store.record_post(session, claim.row_id, token, ts, read_at)
        log.info("Posted huddle slot %s of %s for team %s", slot.index, slot.local_date, team.channel_id)
        if slot.index == 0:
            try:
                self._follow_up(team, claim.row_id, slot.local_date, ts)
            except Exception:
                log.exception("Follow-up of the huddle of team %s failed; will try again", team.channel_id)
        return True

    def _find_post(self, slack: WorkspaceSlack, team: Team, row_id: int, scheduled_for: datetime) -> str | None:
        oldest = f"{(scheduled_for - timedelta(minutes=1)).timestamp():.6f}"

        def is_this_huddle(message: Message) -> bool:
            metadata = message.get("metadata") or {}
            return bool(
                metadata.get("event_type") == METADATA_TYPE
                and (metadata.get("event_payload") or {}).get("huddle_id") == row_id
            )

        message = slack.history_find(team.channel_id, is_this_huddle, oldest=oldest)
        if message is None:
            return None
        log.info("Found huddle %s already posted (ts %s)", row_id, message.get("ts"))
        return str(message["ts"])

    def _follow_up(self, team: Team, row_id: int, local_date: date, ts: str) -> None:
        """The first huddle of the day brings the leaders' digest and, on the first day of the week, the chart.

        Claimed under a lease and marked done only when both went out, so a Slack fault or a crash after the
        post is followed up by a later tick (digest DMs are deduplicated per leader and day)."""
        now = self._clock.now()
        with self._db.write() as session:
            if not store.claim_follow_up(session, row_id, now, now + FOLLOW_UP_LEASE):
                return
        self.send_digests(team, local_date)
        if self.first_of_week(team, local_date):
            report = self._stats.build_report(team.workspace_id, team, None)
            self._stats.send_report(team.workspace_id, report, team.channel_id, thread_ts=ts)
        with self._db.write() as session:
            store.finish_follow_up(session, row_id, self._clock.now())

    def first_of_week(self, team: Team, local_date: date) -> bool:
        """Whether no scheduled huddle of the team went up earlier in the week of `local_date` (its local date)."""
        with self._db.read() as session:
            return not store.first_huddle_of_week_posted(session, team.id, week_start(local_date), local_date)

    # --- on demand -----------------------------------------------------------------------------------------

    def post_now(self, team: Team) -> Posted:
        """A huddle now, outside the schedule: it uses up no slot. Raises `SlackError` when Slack says no (and
        pauses the team when the channel takes no posts), `SlackUnreachable` when no answer came; a post that goes
        through ends a pause."""
        now = self._clock.now()
        local_date = now.astimezone(team_zone(team, self._settings)).date()
        slack = self._gateway.workspace(team.workspace_id)
        text, blocks = self._compose(team, slack, now, local_date, None)
        try:
            ts = slack.post(team.channel_id, text, blocks)
        except SlackError as error:
            if failure(error.code) is Failure.CHANNEL_GONE:
                self.pause(team, error.code)
            raise
        with self._db.write() as session:
            store.add_manual_post(session, team.id, local_date, ts, now)
        if team.paused_at is not None:
            self.resume(team.channel_id)  # someone asked for it there and it went up: Kaizen is back
        return Posted(ts, team)

    # --- paused teams --------------------------------------------------------------------------------------

    def tell_paused(self) -> int:
        """Tell each leader of every paused team, by DM, once per pause (across processes: the DMs' dedupe keys
        name the pause), what happened and how to carry on. Returns how many DMs were queued now."""
        with self._db.read() as session:
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
        now = self._clock.now()
        with self._db.read() as session:
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
                back = self._gateway.workspace(team.workspace_id).can_post(team.channel_id)
            except SlackError as error:
                log.info("Team %s stays paused: Slack answers %s about %s", team.id, error.code,
                         team.channel_id)  # fmt: skip
                continue
            if back:
                log.info("Kaizen is a member of %s again (an event saying so was missed)", team.channel_id)
                ended += self.resume(team.channel_id)
        return ended

    def _tell_pause(self, team: Team) -> int:
        assert team.paused_at is not None
        prefix = f"paused:{team.id}:{team.paused_at:%Y%m%dT%H%M%S%f}:"
        with self._db.read() as session:
            if queries.outbox_key_taken(session, prefix):
                return 0  # told already (here or in another process)
        leaders = self._leaders.everyone_leading(team.workspace_id, team)
        if not leaders:
            if prefix not in self._nobody_told:
                self._nobody_told.add(prefix)
                log.warning("Team %s (%s) is paused (%s) and has no leaders to tell", team.id, team.channel_id,
                            team.paused_reason)  # fmt: skip
            return 0
        now = self._clock.now()
        text = render.paused_notice_text(team.channel_id, team.paused_reason or "")
        with self._db.write() as session:
            current = session.get(Team, team.id)
            if current is None or current.paused_at != team.paused_at:
                return 0  # the pause ended (or began again) since it was read: nothing to tell about this one
            ids = _queue_dms(session, team, leaders, text, lambda leader: prefix + leader, now)
        return self._send(ids)

    # --- the leaders' digest -------------------------------------------------------------------------------

    def send_digests(self, team: Team, local_date: date) -> int:
        """Once a day per leader: the ideas of this team waiting past the nudge threshold, with links."""
        now = self._clock.now()
        threshold = now - timedelta(days=self._settings.kaizen_nudge_days)
        with self._db.read() as session:
            waiting, total = store.waiting_past(session, team.id, threshold, DIGEST_LIMIT)
        leaders = self._leaders.everyone_leading(team.workspace_id, team)
        if not waiting or not leaders:
            return 0
        links = self._links(team, waiting)
        text = render.digest_text(team.channel_id, waiting, total, links, now, self._settings.kaizen_nudge_days)
        with self._db.write() as session:
            day = local_date.isoformat()
            ids = _queue_dms(session, team, leaders, text, lambda leader: f"digest:{team.id}:{leader}:{day}", now)
        return self._send(ids)

    def _send(self, message_ids: list[int]) -> int:
        for message_id in message_ids:
            self._outbox.send(message_id)
        return len(message_ids)

    def _links(self, team: Team, ideas: list[Idea]) -> dict[int, str]:
        slack = self._gateway.workspace(team.workspace_id)
        links: dict[int, str] = {}
        for idea in ideas:
            if idea.card_ts:
                try:
                    links[idea.id] = slack.permalink(team.channel_id, idea.card_ts)
                except SlackError:
                    log.warning("No permalink for the card of idea %s", idea.id)
        return links

    # --- a team's schedule ---------------------------------------------------------------------------------

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
            raise ScheduleError(
                f"I don't know the time zone “{zone}”. Try an Area/City name like Europe/London.", about="zone"
            ) from error
        if not times or not days:
            raise ScheduleError(
                "A huddle needs a time and at least one day, e.g. `/kaizen huddle at 08:30 mon-fri`.", about="when"
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
            raise ScheduleError(
                f"I don't have public holidays for “{country}”. Use a two-letter country code like GB or US.",
                about="holidays",
            )
        with self._db.write() as session:
            row = session.get(Team, team.id)
            assert row is not None
            row.huddle_holidays = country.upper() if country else None

    # --- pausing and resuming ------------------------------------------------------------------------------

    def pause(self, team: Team, reason: str) -> bool:
        """Pause a team because Slack answered `reason` (one of `bot.slack.refusals.CHANNEL_GONE`) to a post in its
        channel: no huddles, no channel posts until `resume`. True for the one caller, in any process, that paused
        it."""
        with self._db.write() as session:
            paused = queries.pause_team(session, team.id, reason, self._clock.now())
        if paused:
            log.warning("Slack answered %s to a post in %s: team %s paused (no huddles, no card posts) until Kaizen "
                        "is back in a live channel", reason, team.channel_id, team.id)  # fmt: skip
        return paused

    def _unpause(self, channel_id: str) -> list[int] | None:
        """End the pause of the channel's team; the ids of its posts that waited (now due), or None if not paused."""
        with self._db.write() as session:
            team = queries.team_of_channel(session, channel_id)
            if team is None or not queries.unpause_team(session, team.id):
                return None
            waiting = queries.release_held(session, team, self._clock.now())
        log.info("Kaizen is back in %s: team %s un-paused; %s waiting posts go up", channel_id, team.id, len(waiting))
        return waiting

    def resume(self, channel_id: str) -> bool:
        """Kaizen is back in a live channel (it joined it, the channel was unarchived, or a post there went through):
        end its team's pause and post what waited, oldest first. True when a pause ended; a team not paused, or a
        channel that is no team, is left as it is."""
        waiting = self._unpause(channel_id)
        for message_id in waiting or ():
            self._outbox.send(message_id)
        return waiting is not None

    def welcome(self, workspace_id: str, channel_id: str, event_id: str) -> None:
        """Kaizen was added to a channel: say hello once (per `event_id`), with buttons to set up the huddle and add
        leaders. A team paused there is un-paused first (the hello and the cards that waited go up)."""
        waiting = self._unpause(channel_id)
        team = None
        with self._db.read() as session:
            team = queries.team_of_channel(session, channel_id)
        emoji = self._emojis.for_team(team)
        message = new_message(
            kind=OutboxKind.CHANNEL, dedupe_key=f"welcome:{channel_id}:{event_id}", workspace_id=workspace_id,
            channel_id=channel_id, now=self._clock.now(),
            text="Hello! I help this team improve a little every day.",
            blocks=render.to_dicts(render.welcome_blocks(emoji)),
        )  # fmt: skip
        with self._db.write() as session:
            message_id = queries.add_outbox(session, message)
        if message_id is not None:
            self._outbox.send(message_id)
        for waited in waiting or ():
            self._outbox.send(waited)


# --- a team's schedule, in words -----------------------------------------------------------------------------


class ScheduleError(ValueError):
    """A schedule a person asked for that cannot be: str(error) says why, with an example; `about` names what is
    wrong: "zone", "when" (no time or no day) or "holidays"."""

    def __init__(self, message: str, *, about: str) -> None:
        super().__init__(message)
        self.about = about


def describe_schedule(team: Team, settings: Settings) -> str:
    """The team's huddle schedule in words, e.g. "Huddles at 08:30 (Europe/London) on mon,tue,wed,thu,fri."."""
    if not team.huddle_times:
        return "The daily huddle is off."
    days = ",".join(("mon", "tue", "wed", "thu", "fri", "sat", "sun")[d] for d in team.huddle_days)
    holidays_text = f", not on {team.huddle_holidays} public holidays" if team.huddle_holidays else ""
    zone = team.timezone or settings.kaizen_timezone
    return f"Huddles at {', '.join(team.huddle_times)} ({zone}) on {days}{holidays_text}."


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
