"""`/kaizen stats` drawn away from the process that answers Slack: the command queues a job in the inbox
(`bot.delivery.inbox.Inbox.queue_job`), and the process doing the background work (the worker, or this one when
there is none) draws the charts, uploads them and tells the person through the command's response_url.

Drawing takes matplotlib (about 50 MB once imported) and a few hundred milliseconds of CPU: kept out of the serving
process, its memory stays small and its acks are not slowed by charts.
"""

from __future__ import annotations

import logging
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from bot.delivery.inbox import Inbox, Receipt
from bot.i18n import _, current, reading
from bot.ideas.workflow import Workflow
from bot.render import replies
from bot.slack.gateway import SlackError, WorkspaceSlack
from bot.slack.sorry import SORRY
from bot.stats import Stats
from bot.teams.languages import Languages

log = logging.getLogger(__name__)

STATS_JOB = "kaizen_stats"


@dataclass(frozen=True)
class ChartsAsked:
    """One `/kaizen stats`: who asked, in which channel (the team's, or elsewhere for the workspace's figures), over
    how many weeks (None: the default), whether to share them in the channel, whether to add the team's tier tree,
    and where to answer."""

    workspace_id: str
    user_id: str
    channel_id: str
    weeks: int | None
    share: bool
    tree: bool
    trigger_id: str
    response_url: str | None


def queue_charts(inbox: Inbox, asked: ChartsAsked) -> str | None:
    """Queue the drawing of the charts `asked` for, in the reader's language (for the private reply and a DM's
    charts); None when queued, else what to tell the person (the store could not be written)."""
    job = {
        "user": asked.user_id, "channel": asked.channel_id, "weeks": asked.weeks, "share": asked.share,
        "tree": asked.tree, "language": current().language, "response_url": asked.response_url,
    }  # fmt: skip
    # Slack sends each command once: its trigger_id names the request (any id would do when there is none).
    job_id = f"stats:{asked.trigger_id or uuid.uuid4().hex}"
    receipt = inbox.queue_job(STATS_JOB, job_id, job, asked.workspace_id)
    return _(SORRY) if receipt is Receipt.UNAVAILABLE else None


def draw_with(inbox: Inbox, *, stats: Stats, workflow: Workflow, languages: Languages) -> None:
    """Give the inbox the handler that draws queued charts (`queue_charts`), for the process that applies jobs."""
    drawing = _Drawing(stats, workflow, languages)
    inbox.on_job(STATS_JOB, drawing.draw)


def needs_a_team(*, tree: bool) -> str:
    """What someone is told who asked for `share` or `tree` charts outside a team's channel."""
    if tree:
        # Translators: `tree` is the word typed after `/kaizen stats` (commands are not translated)
        return _(
            "`tree` adds one set of charts for a team together with every team below it: use it in the team's channel."
        )
    # Translators: `share` is the word typed after `/kaizen stats` (commands are not translated)
    return _("`share` posts the charts in a team channel: use it in one that raises ideas.")


def _where_they_went(share: bool, *, tree: bool, below: bool) -> str:
    """What the person is told once the charts went out: where, and for `tree` whether the teams below were added."""
    if tree and not below:
        if share:
            return _("Shared the charts in this channel. No team is below this one in the tiers yet (`/kaizen tier`).")
        return _(
            "Sent you the charts in a direct message. No team is below this one in the tiers yet (`/kaizen tier`)."
        )
    if tree:
        if share:
            return _(
                "Shared this team's charts, and one set for it together with every team below it, in this channel."
            )
        return _(
            "Sent you this team's charts, and one set for it together with every team below it, in a direct message."
        )
    return _("Shared the charts in this channel.") if share else _("Sent you the charts in a direct message.")


class _Drawing:
    def __init__(self, stats: Stats, workflow: Workflow, languages: Languages) -> None:
        self._stats = stats
        self._workflow = workflow
        self._languages = languages

    def _draw(self, body: dict[str, Any], installed: str) -> None:
        """`draw`'s work: raises what drawing raises, SlackUnreachable, and Slack's refusals of the DM."""
        job: dict[str, Any] = body["event"]
        channel_id, user_id, share = str(job["channel"]), str(job["user"]), bool(job.get("share"))
        weeks = job.get("weeks")
        window = weeks if isinstance(weeks, int) else None
        team = self._workflow.find_team(channel_id)
        with reading(job.get("language")):
            if (share or job.get("tree")) and team is None:  # the team was removed since
                self._tell(job, needs_a_team(tree=not share))
                return
            # Shared, the charts (picture, words and file title) speak the team's language; sent privately, the
            # person's.
            with reading(self._languages.of_team(team)) if share else nullcontext():
                drawn = [self._stats.build_report(installed, team, window)]
                tree = self._stats.build_tree_report(installed, team, window) if job.get("tree") and team else None
                if tree is not None:
                    drawn.append(tree)
            try:
                for report in drawn:
                    if share:
                        with reading(self._languages.of_team(team)):
                            self._stats.send_report(installed, report, channel_id)
                    else:
                        self._stats.send_privately(installed, report, user_id)
                text = _where_they_went(share, tree=bool(job.get("tree")), below=len(drawn) > 1)
            except SlackError as error:
                log.warning("Could not send the stats: %s", error.code, exc_info=True)
                text = _("Slack didn't take the charts (`{code}`). Please try again.", code=error.code)
            self._tell(job, text)

    def draw(self, body: dict[str, Any], installed: str) -> None:
        """Draw and send one queued job's charts, then say where they went, through the response_url. Anything
        that fails is logged and the person is told so: the job is not tried again (a second try could send the
        charts twice; the person can ask again). A worker that stops midway leaves the job to the sweep."""
        try:
            self._draw(body, installed)
        except Exception:
            log.exception("Could not draw or send the stats")
            job: dict[str, Any] = body.get("event") or {}
            with reading(job.get("language")):
                self._tell(job, _(SORRY))

    @staticmethod
    def _tell(job: dict[str, Any], text: str) -> None:
        """A private notice to the person who asked (`text` mrkdwn we wrote); a failure is logged, not raised: the
        charts went out."""
        response_url = job.get("response_url")
        if not isinstance(response_url, str) or not response_url:
            return
        try:
            WorkspaceSlack.respond(response_url, text, replies.notice_blocks(text), replace_original=False)
        except Exception:
            log.warning("Could not tell the person where the charts went", exc_info=True)
