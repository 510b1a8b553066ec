"""Plain facts about ideas that rendering and the workflow both need (kept apart so neither imports the other)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.models import Idea, Team


@dataclass(frozen=True)
class Board:
    """A team's board: up to a few ideas per status (`groups`, oldest first) and how many each status has (`counts`);
    `team` is None for a channel that is not a team yet."""

    team: Team | None
    groups: dict[str, list[Idea]]
    counts: dict[str, int]


@dataclass(frozen=True)
class LeaderList:
    """Who leads a team: its own leaders, the leaders of every team (KAIZEN_LEADERS), and the leader user group,
    if any."""

    team: tuple[str, ...]
    everywhere: tuple[str, ...]
    group_id: str | None
    group_problem: str | None  # why the group could not be read, if it could not


def age_in_days(since: datetime, now: datetime) -> int:
    """Whole days from `since` to `now` (both aware), never below 0."""
    return max(0, (now - since).days)


@dataclass(frozen=True)
class Actor:
    """Who acts: their Slack user ID, and whether they lead the idea's team."""

    user_id: str
    is_leader: bool
