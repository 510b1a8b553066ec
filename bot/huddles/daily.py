"""Posting huddle threads: on schedule (once per team, local date and slot, across restarts and processes) and
on demand (`/kaizen huddle`, `kaizen-bot huddle --channel`), plus the leaders' daily digest.

A slot is claimed in the database before posting. The post carries message metadata with the claim's id, so a
process that takes over an expired claim (its predecessor crashed after Slack took the post) first looks for
that post in the channel and never posts twice.

A team whose channel Slack says takes no posts (archived, deleted, Kaizen removed) is paused and its slots are not
due (`bot.huddles.pauses`); the team's schedule as people set it is `bot.huddles.schedule`.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot import credit
from bot.clock import Clock
from bot.delivery.outbox import Outbox, backoff
from bot.huddles.pauses import Pauses, queue_dms
from bot.huddles.schedule import Schedules, team_zone
from bot.huddles.times import GRACE, Slot, due_slots, week_start
from bot.i18n import N_, _, reading
from bot.ideas.home import card_links
from bot.render import digest, huddle
from bot.settings import Settings, parse_hhmm
from bot.slack.gateway import Blocks, Message, SlackError, SlackGateway, WorkspaceSlack
from bot.slack.refusals import Failure, failure
from bot.stats import Stats
from bot.teams.emojis import ApproveEmojis
from bot.teams.languages import Languages
from bot.teams.leaders import Leaders
from storage import huddles as store
from storage.db import Database
from storage.models import HuddlePost, Team

log = logging.getLogger(__name__)

METADATA_TYPE = "kaizen_huddle"
CLAIM_LEASE = timedelta(minutes=2)
# Long enough for the digest's links and a chart; short enough that a crash is followed up within a minute.
FOLLOW_UP_LEASE = timedelta(seconds=30)
# Teams a tick works on at once: a few more posts in flight than a workspace takes in a second (Slack does not
# publish its workspace-wide limit; integrators report a few hundred to a thousand posts a minute, bench/fanout.py's
# double takes 20 a second), so a full batch is ready the moment a rate-limit pause ends. Each thread holds a
# database connection only while it reads or writes, never while it waits on Slack.
FANOUT_THREADS = 24
FOLLOW_UP_THREADS = 4  # the follow-ups' pool: a chart drawn while the next ones build their reports and upload
LIST_LIMIT = 8  # read per list; what fits one phone screen is `huddle.plan`
DIGEST_LIMIT = 10

# The questions of the day, marked for the catalogs and asked in the reader's language (`question_of_the_day`).
QUESTIONS = (
    # Translators: the question of the day a team's huddle asks (a team of nurses, shop staff, office workers...)
    N_("What got in your way yesterday?"),
    N_("What made you wait today?"),
    N_("Where did you walk further than you should have to?"),
    # Translators: the question of the day: what did you have to search for (a tool, a form, a key…)
    N_("What did you have to look for this week?"),
    N_("What did you do twice that should be done once?"),
    # Translators: the question of the day; a shift is a period of work (the next team's or one's own)
    N_("What would make the next shift easier?"),
    N_("Which small thing annoys you every day?"),
    N_("What did a patient or customer have to wait for?"),
    N_("What did you fix or work around yesterday?"),
    N_("What would you stop doing if you could?"),
    N_("Where is a checklist missing, or one too many?"),
    N_("What did someone else do that we should all do?"),
)


def question_of_the_day(day: date, slot: int) -> str:
    """The question a huddle asks on `day` in slot `slot` (0 is the first of the day): one of QUESTIONS, in the
    reader's language."""
    return _(QUESTIONS[(day.toordinal() + slot) % len(QUESTIONS)])


@dataclass(frozen=True)
class Posted:
    """A huddle posted on demand: its message ts, in the team's channel."""

    ts: str
    team: Team


class _Charts:
    """The follow-ups of a tick that bring a weekly chart, held (`later`) until every huddle is up (`now_drawn`):
    by team id alone, read again when its turn comes (a thousand teams' rows are not kept through minutes of
    drawing)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._posting = True
        self._held: list[int] = []

    def later(self, team: Team) -> bool:
        """Hold the team's follow-ups while huddles are still being posted (True); False once they are all up."""
        with self._lock:
            if self._posting:
                self._held.append(team.id)
            return self._posting

    def now_drawn(self) -> list[int]:
        """Every huddle is up: the ids of the teams whose follow-ups were held so far; none is held from now on."""
        with self._lock:
            self._posting = False
            held, self._held = self._held, []
        return held


class Huddles:
    """A team's huddles: posted on schedule (`tick`) and on demand (`post_now`), and its leaders' digest. Pausing a
    team whose channel takes no posts and resuming it is `pauses`; the team's schedule as people set it is
    `schedules`."""

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
        languages: Languages,
        *,
        fanout_threads: int = FANOUT_THREADS,
    ) -> None:
        if fanout_threads < 1:
            raise ValueError(f"fanout_threads must be at least 1, not {fanout_threads}")
        self._fanout_threads = fanout_threads
        self._languages = languages
        self._db = db
        self._clock = clock
        self._settings = settings
        self._gateway = gateway
        self._outbox = outbox
        self._leaders = leaders
        self._stats = stats
        self._names = outbox.names
        self._stopping = threading.Event()
        self.pauses = Pauses(db, clock, gateway, outbox, leaders, emojis, languages)
        self.schedules = Schedules(db, settings, gateway)

    # --- composing -----------------------------------------------------------------------------------------

    def _compose(
        self, team: Team, slack: WorkspaceSlack, now: datetime, local_date: date, slot: int | None
    ) -> tuple[str, Blocks]:
        """The huddle's fallback text and blocks: what was done since the last huddle of any kind (so nobody is
        thanked twice when a scheduled huddle follows `/kaizen huddle`), what fits one phone screen, each idea
        linked to its card, people by plain name."""
        with self._db.read() as session:
            since = store.last_post(session, team.id, now) or now - timedelta(days=1)
            content = store.huddle_content(session, team.id, since, LIST_LIMIT)
        layout = huddle.plan(content)
        links = card_links(self._gateway, team.workspace_id, layout.shown(), channel_id=team.channel_id)
        hour = now.astimezone(team_zone(team, self._settings)).hour
        with reading(self._languages.of_team(team)):  # the team's channel, whoever asked for it
            names = {user: self._names.name(slack, team.workspace_id, user) for user in huddle.people_named(layout)}
            # A walk-up visitor is thanked by the name they typed (plain text: the huddle escapes names).
            names |= {idea.author_id: name for idea in layout.shown() if (name := credit.credited(idea)) is not None}
            question = question_of_the_day(local_date, slot or 0)
            return huddle.huddle_message(
                layout, names=names, links=links, now=now, hour=hour, local_date=local_date, question=question
            )

    # --- on schedule ---------------------------------------------------------------------------------------

    def tick(self) -> int:
        """Post every slot that is due now (paused teams have none), then follow up what is due (the leaders' digest
        and, on a week's first huddle, the chart); returns how many huddles were posted. Every huddle due in this
        tick goes up without waiting for any follow-up: drawing a thousand weekly charts takes minutes, and none of
        those huddles waits for another team's chart (a slot falling due meanwhile waits for the next tick, after
        them). The posts go through a pool of `fanout_threads` threads, so that while some wait out Slack's rate
        limit others are composing theirs; each team's follow-up, once its huddle is up (once every huddle is up,
        for one that brings the chart), through one of FOLLOW_UP_THREADS. Both pools are gone when this returns.
        One team's failure is logged and leaves the others alone."""
        try:
            self.pauses.tell_paused()
            self.pauses.check_paused()
        except Exception:
            log.exception("Could not look after paused teams; will try again")
        now = self._clock.now()
        with self._db.read() as session:
            teams = store.teams_with_huddles(session)
        if not teams:
            return 0
        threads = min(self._fanout_threads, len(teams))
        # Two pools: a team's follow-up starts once its huddle is up, on a pool of its own, so digests fill the
        # posts' rate-limit waits. A follow-up that brings the weekly chart waits until every huddle of the tick is
        # up (`_Charts`): drawing takes CPU and memory the posts should not share. The follow-ups' pool is small:
        # charts are drawn one at a time (bot.measures.drawing_thread); more threads would only hold more reports.
        charts = _Charts()
        follow_up_threads = min(FOLLOW_UP_THREADS, threads)
        with ThreadPoolExecutor(max_workers=follow_up_threads, thread_name_prefix="huddle-follow-up") as following:

            def follow(team: Team, follow_ups: list[HuddlePost] | None) -> None:
                try:
                    if follow_ups is None:
                        with self._db.read() as session:
                            follow_ups = store.follow_ups_due(session, team.id, now - GRACE)
                    brings_chart = any(self.first_of_week(team, row.local_date) for row in follow_ups)
                except Exception:
                    log.exception("Huddle follow-up failed for team %s (%s)", team.id, team.channel_id)
                    return
                if not (brings_chart and charts.later(team)):
                    self._follow_up_due(team, follow_ups, now)

            def post(team: Team) -> int:
                posted, follow_ups = self._post_due(team, now)
                if follow_ups != []:
                    following.submit(follow, team, follow_ups)
                return posted

            try:
                # The posting pool is gone before the charts are drawn: its idle threads (about 4 MB for 24 of
                # them) are not held through minutes of drawing (`python -m bench memory`).
                with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="huddle-fanout") as posting:
                    try:
                        posted = sum(posting.map(post, teams))  # every post made (and follow-up queued)
                    except BaseException:
                        posting.shutdown(cancel_futures=True)  # e.g. KeyboardInterrupt: start no more teams
                        raise
                del teams  # read again one by one as their charts are drawn
                held = deque(charts.now_drawn())

                def draw_held() -> None:
                    # Each of the pool's threads takes the next held follow-up in turn: a thousand charts are not
                    # a thousand futures waiting in the pool's queue.
                    while held:
                        try:
                            team_id = held.popleft()
                        except IndexError:  # another thread took the last one
                            return
                        try:
                            with self._db.read() as session:
                                team = store.team_by_id(session, team_id)
                        except Exception:
                            log.exception("Huddle follow-up failed for team %s", team_id)
                            continue
                        if team is not None:  # None: removed since
                            self._follow_up_due(team, None, now)

                for _ in range(follow_up_threads):
                    following.submit(draw_held)
                return posted
            except BaseException:
                following.shutdown(cancel_futures=True)
                raise

    def stop(self) -> None:
        """Start no further team's work in a running tick (the process is stopping); what is under way finishes."""
        self._stopping.set()

    def _post_due(self, team: Team, now: datetime) -> tuple[int, list[HuddlePost] | None]:
        """One team's due slots posted: how many were posted, and its follow-ups due (None: read them again, as
        slots were posted). Errors are logged, never raised. Nothing once `stop` was called: the slots stay due for
        the next worker."""
        if self._stopping.is_set():
            return 0, []
        posted = 0
        try:
            with self._db.read() as session:
                slots = due_slots(
                    times=[parse_hhmm(t) for t in team.huddle_times], days=team.huddle_days,
                    zone=team_zone(team, self._settings), skips=store.skip_dates(session, team.id),
                    holiday_country=team.huddle_holidays, now=now,
                )  # fmt: skip
                # Nothing to post (most ticks): what needs following up is read in the same transaction.
                follow_ups = None if slots else store.follow_ups_due(session, team.id, now - GRACE)
            for slot in slots:
                posted += self.post_slot(team, slot)
        except Exception:
            log.exception("Huddle tick failed for team %s (%s)", team.id, team.channel_id)
            return posted, None
        return posted, follow_ups

    def _follow_up_due(self, team: Team, follow_ups: list[HuddlePost] | None, now: datetime) -> None:
        """One team's follow-ups (`follow_ups`, or read now when None). Errors are logged, never raised."""
        if self._stopping.is_set():
            return
        try:
            if follow_ups is None:
                with self._db.read() as session:
                    follow_ups = store.follow_ups_due(session, team.id, now - GRACE)
            for row in follow_ups:
                self._follow_up(team, row.id, row.local_date, row.message_ts or "")
        except Exception:
            log.exception("Huddle follow-up failed for team %s (%s)", team.id, team.channel_id)

    def post_slot(self, team: Team, slot: Slot) -> bool:
        """Claim the slot and post its huddle (after looking for one a crashed claim posted); True when posted now.
        Its follow-up (digest, weekly chart) is the tick's next pass. A Slack refusal releases the claim for a later
        retry (or pauses the team); Slack errors are not raised."""
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
                    self.pauses.pause(team, code)  # the slot stays unposted: due again if the pause ends in its grace
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
            with reading(self._languages.of_team(team)):
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
                self.pauses.pause(team, error.code)
            raise
        with self._db.write() as session:
            store.add_manual_post(session, team.id, local_date, ts, now)
        if team.paused_at is not None:
            self.pauses.resume(team.channel_id)  # someone asked for it there and it went up: Kaizen is back
        return Posted(ts, team)

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
        links = card_links(self._gateway, team.workspace_id, waiting, channel_id=team.channel_id)
        nudge_days = self._settings.kaizen_nudge_days
        texts = self._languages.for_each(
            team.workspace_id, leaders, team,
            lambda: digest.digest_text(team.channel_id, waiting, total, links, now, nudge_days),
        )  # fmt: skip
        with self._db.write() as session:
            day = local_date.isoformat()
            ids = queue_dms(
                session, team, leaders, texts.__getitem__, lambda leader: f"digest:{team.id}:{leader}:{day}", now
            )
        return self._send(ids)

    def _send(self, message_ids: list[int]) -> int:
        for message_id in message_ids:
            self._outbox.send(message_id)
        return len(message_ids)
