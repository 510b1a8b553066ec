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
    """Who acts: their Slack user ID, and whether they lead the team that decides the idea now (its own team, or the
    team one tier up it was escalated to). `held_by` is the channel of the team holding an escalated idea, set only
    for someone who leads the idea's own team but not that one: they may still edit and redact it, and are told
    where it is when they try to decide it."""

    user_id: str
    is_leader: bool
    held_by: str | None = None
    leads_home: bool = False  # leads the idea's own team (set for an idea a team above holds: who may take it back)
    deciding_channel: str | None = None  # the channel of the team above that decides the idea now, if one does


@dataclass(frozen=True)
class CardTier:
    """What one card of an escalated idea (or of an idea whose team has a tier up) shows of its tiers.

    The idea's own card (`upper_card` False) says which team holds it now (`holder_channel`, None when its own team
    decides it) and the hop that took it there; a card in the channel of a team it was escalated to (`upper_card`)
    says where it came from (`came_from`) and whether that hop is still open, or how it ended (`ended_how`, a
    `storage.models_tiers.HopEnd` value). `by`, `at` and `reason` are that hop's. `can_escalate`: the team this
    card belongs to decides the idea now and has a tier up (the card offers Escalate…)."""

    upper_card: bool = False
    holder_channel: str | None = None
    came_from: str | None = None
    by: str | None = None
    at: datetime | None = None
    reason: str | None = None
    open: bool = True
    ended_how: str | None = None
    can_escalate: bool = False


@dataclass(frozen=True)
class CardLinks:
    """What an idea's cards say of the teams that spread it (yokoten): the idea it was tried from (its number and
    its team's channel), and the copies other teams tried of it (number and channel each, in the order tried)."""

    copied_from: tuple[int, str] | None = None
    copies: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class TeamOffer:
    """One team a done idea was offered to (or tried in), for `/kaizen show`: its channel, its answer (a
    `storage.models_spread.SpreadAnswer` value, None while unanswered), and the copy it tried (number and status)."""

    channel_id: str
    answer: str | None
    copy_number: int | None = None
    copy_status: str | None = None
