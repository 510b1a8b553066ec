"""The measures of the product page: per team and per workspace, by ISO week in the team's time zone.

raised and done count ideas; people taking part counts distinct people who raised or completed an idea; days
to decision is the median time from raising to the first decision, over ideas decided that week (a week with no
decision is a gap, not a zero). Headline figures cover the last 52 weeks. SQL filters and groups
(storage/measures.py); here we only lay out the weeks and take medians of one fetched column.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.schedule import week_start
from storage import measures as sql
from storage.db import Database
from storage.measures import Scope
from storage.models import IdeaStatus

HEADLINE_WEEKS = 52
DEFAULT_WEEKS = 26
DAY = 86_400.0


@dataclass(frozen=True)
class WeeklySeries:
    week_starts: list[date]
    raised: list[int]
    done: list[int]
    participants: list[int]
    days_to_decision: list[float | None]


@dataclass(frozen=True)
class Headline:
    done: int
    participants: int
    members: int | None  # the channel's current human members, when known
    approved: int
    not_now: int
    median_days_to_decision: float | None

    @property
    def done_per_person_per_year(self) -> float | None:
        return self.done / self.members if self.members else None

    @property
    def participation_rate(self) -> float | None:
        return min(1.0, self.participants / self.members) if self.members else None

    @property
    def approval_rate(self) -> float | None:
        decided = self.approved + self.not_now
        return self.approved / decided if decided else None


def week_bounds(zone: ZoneInfo, now: datetime, weeks: int) -> list[tuple[date, datetime, datetime]]:
    """The last `weeks` ISO weeks up to the current one, as (local Monday, start UTC, end UTC)."""
    this_monday = week_start(now.astimezone(zone).date())
    bounds = []
    for back in range(weeks - 1, -1, -1):
        monday = this_monday - timedelta(weeks=back)
        start = datetime.combine(monday, datetime.min.time(), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(monday + timedelta(days=7), datetime.min.time(), tzinfo=zone).astimezone(UTC)
        bounds.append((monday, start, end))
    return bounds


def _days(decided: datetime, created: datetime) -> float:
    return max(0.0, (decided - created).total_seconds() / DAY)


def weekly_series(db: Database, scope: Scope, zone: ZoneInfo, now: datetime, weeks: int) -> WeeklySeries:
    bounds = week_bounds(zone, now, weeks)
    instants = [(start, end) for _monday, start, end in bounds]
    with db.read() as session:
        raised = sql.raised_per_week(session, scope, instants)
        done = sql.done_per_week(session, scope, instants)
        people = sql.participants_per_week(session, scope, instants)
        decisions = sql.decisions_per_week(session, scope, instants)
    durations: dict[int, list[float]] = {}
    for week, decided, created in decisions:
        durations.setdefault(week, []).append(_days(decided, created))
    return WeeklySeries(
        week_starts=[monday for monday, _start, _end in bounds],
        raised=[raised.get(i, 0) for i in range(weeks)],
        done=[done.get(i, 0) for i in range(weeks)],
        participants=[people.get(i, 0) for i in range(weeks)],
        days_to_decision=[statistics.median(durations[i]) if i in durations else None for i in range(weeks)],
    )


def headline(db: Database, scope: Scope, now: datetime, members: int | None) -> Headline:
    since = now - timedelta(weeks=HEADLINE_WEEKS)
    with db.read() as session:
        done = sql.done_since(session, scope, since)
        participants = sql.participants_since(session, scope, since)
        decisions = sql.decisions_since(session, scope, since)
    approved = sum(1 for status, _at, _created in decisions if status == IdeaStatus.APPROVED)
    durations = [_days(at, created) for _status, at, created in decisions]
    return Headline(
        done=done,
        participants=participants,
        members=members,
        approved=approved,
        not_now=len(decisions) - approved,
        median_days_to_decision=statistics.median(durations) if durations else None,
    )
