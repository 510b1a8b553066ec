"""The headline figures over the last 52 weeks (Graban & Swartz, "Healthcare Kaizen"): ideas done per person per
year, participation rate, approval rate = approved / (approved + not now) by decision date, median days to a
decision. A rate says which denominator it used: the team's headcount when a leader set one (in force on the
last day), else the channel's human members; a workspace's is the sum of its teams' headcounts when every team
has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from storage import measure_records
from storage import measures as sql
from storage.db import Database
from storage.measures import Scope
from storage.models_measures import TeamHeadcount

HEADLINE_WEEKS = 52
HEADCOUNT = "headcount"
CHANNEL_MEMBERS = "channel members"


@dataclass(frozen=True)
class Denominator:
    """How many people a rate is per: `value` people, counted as `kind` ("headcount" or "channel members")."""

    value: int
    kind: str


@dataclass(frozen=True)
class Headline:
    """Counts over the last 52 weeks; the rates are None when there is nothing to divide by."""

    done: int
    participants: int
    denominator: Denominator | None
    approved: int
    not_now: int
    median_days_to_decision: float | None

    @property
    def done_per_person_per_year(self) -> float | None:
        """Ideas done in the 52 weeks per person of the denominator; None without one."""
        return self.done / self.denominator.value if self.denominator and self.denominator.value else None

    @property
    def participation_rate(self) -> float | None:
        """The share of the denominator's people who took part, 0–1 (capped at 1); None without a
        denominator."""
        if not self.denominator or not self.denominator.value:
            return None
        return min(1.0, self.participants / self.denominator.value)

    @property
    def approval_rate(self) -> float | None:
        """Approved / (approved + not now) of the first decisions, 0–1; None when there were none."""
        decided = self.approved + self.not_now
        return self.approved / decided if decided else None


def headcount_on(history: Sequence[TeamHeadcount], team_id: int, day: date) -> int | None:
    """The team's headcount in force on `day` (local): the latest one set from that day or earlier."""
    found = [row for row in history if row.team_id == team_id and row.starts_on <= day]
    return max(found, key=lambda row: row.starts_on).headcount if found else None


def denominator(db: Database, scope: Scope, day: date, members: int | None) -> Denominator | None:
    """The headcount of the scope's teams on `day` (local) when every one of them has one, else `members` (the
    channel's human members, when known), else None."""
    with db.read() as session:
        team_ids = sql.team_ids(session, scope)
        history = measure_records.headcounts(session, team_ids)
    counts = [headcount_on(history, team_id, day) for team_id in team_ids]
    if counts and all(count is not None for count in counts):
        return Denominator(sum(count or 0 for count in counts), HEADCOUNT)
    return Denominator(members, CHANNEL_MEMBERS) if members is not None else None


def headline(db: Database, scope: Scope, now: datetime, per: Denominator | None) -> Headline:
    """The last 52 weeks to `now` (an aware instant) for `scope`, rates per `per`."""
    since = now - timedelta(weeks=HEADLINE_WEEKS)
    with db.read() as session:
        done = sql.done_since(session, scope, since)
        participants = sql.participants_since(session, scope, since)
        approved, not_now, median_days = sql.decisions_since(session, scope, since)
    return Headline(
        done=done,
        participants=participants,
        denominator=per,
        approved=approved,
        not_now=not_now,
        median_days_to_decision=median_days,
    )
