"""Filling a store fast: SQLAlchemy core bulk inserts of rows shaped like storage.models (a workspace, teams,
ideas with their history events, earlier huddle posts), never through raise_idea one by one.

Each idea gets the events the product would have written: `created`, and for a decided idea the status changes
that took it where it is (new → approved|not_now, approved → in_progress, in_progress → done), so the measures'
"first decision" query has real rows to look at.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import WORKSPACE
from storage.db import Database
from storage.models import (
    Category,
    EventKind,
    HuddlePost,
    Idea,
    IdeaEvent,
    IdeaStatus,
    Source,
    Team,
    Workspace,
)

CHUNK = 20_000
# An ordinary team's ideas: most are done or set aside; some wait, some move.
MIX = ((IdeaStatus.DONE, 0.55), (IdeaStatus.NOT_NOW, 0.15), (IdeaStatus.NEW, 0.12), (IdeaStatus.APPROVED, 0.08),
       (IdeaStatus.IN_PROGRESS, 0.10))  # fmt: skip
OPEN_MIX = ((IdeaStatus.NEW, 0.5), (IdeaStatus.APPROVED, 0.2), (IdeaStatus.IN_PROGRESS, 0.3))
CATEGORIES = [str(c) for c in Category]
PROBLEMS = (
    "We walk to the other ward for the bladder scanner several times a shift",
    "The printer on the second floor jams every morning and nobody knows who fixes it",
    "Handover notes are written twice: once on paper, once in the system",
    "The sterile packs run out on Fridays because the order goes in on Thursday afternoon",
    "Patients wait at the desk while we look for the right form",
)


@dataclass
class Plan:
    teams: int
    ideas: int  # in all, over all teams
    now: datetime
    big_team_open: int = 0  # team 1 gets this many open ideas (plus a quarter as many closed ones)
    days: int = 730  # ideas were raised over this many days before `now`
    users_per_team: int = 20
    channel_prefix: str = "C"
    huddle_times: Sequence[str] = ()
    huddle_days: Sequence[int] = (0, 1, 2, 3, 4)
    timezone: str | None = None
    card_ts: bool = True  # the cards were posted (the seeded ts exist in no double: reactions won't find them)
    earlier_huddles: Sequence[date] = ()  # a posted slot-0 huddle per team on each of these local dates
    workspace_id: str = WORKSPACE


@dataclass
class Seeded:
    team_ids: list[int]
    channels: list[str]
    users: list[str]
    ideas: int
    events: int
    seconds: float
    big_team_id: int | None = None
    open_ideas_of_big_team: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def channel_id(plan: Plan, team_number: int) -> str:
    return f"{plan.channel_prefix}{team_number:06d}"


def user_id(team_number: int, k: int) -> str:
    return f"U{team_number:05d}{k:02d}"


def _pick(rng: random.Random, mix: Sequence[tuple[str, float]]) -> str:
    r = rng.random()
    for status, share in mix:
        r -= share
        if r < 0:
            return status
    return mix[-1][0]


def _insert(db: Database, table: Any, rows: list[dict[str, Any]]) -> None:
    with db.engine.begin() as connection:
        for start in range(0, len(rows), CHUNK):
            connection.execute(table.insert(), rows[start : start + CHUNK])


def seed(db: Database, plan: Plan, rng: random.Random | None = None) -> Seeded:
    """Insert the plan's rows into an empty, migrated store."""
    rng = rng or random.Random(7)
    began = time.perf_counter()
    now = plan.now.astimezone(UTC)
    teams = [
        {
            "id": n,
            "workspace_id": plan.workspace_id,
            "channel_id": channel_id(plan, n),
            "name": f"team-{n}",
            "approve_emoji": None,
            "anonymous_allowed": True,
            "just_do_it_allowed": True,
            "timezone": plan.timezone,
            "huddle_times": list(plan.huddle_times),
            "huddle_days": list(plan.huddle_days) if plan.huddle_times else [],
            "huddle_holidays": None,
            "created_at": now - timedelta(days=plan.days + 1),
        }
        for n in range(1, plan.teams + 1)
    ]
    # Which team each idea belongs to, and whether it must be open (the big team's).
    owners: list[tuple[int, bool]] = []
    if plan.big_team_open:
        owners += [(1, True)] * plan.big_team_open + [(1, False)] * (plan.big_team_open // 4)
    others = list(range(2, plan.teams + 1)) if plan.big_team_open and plan.teams > 1 else list(range(1, plan.teams + 1))
    remaining = max(0, plan.ideas - len(owners))
    owners += [(others[i % len(others)], False) for i in range(remaining)]
    rng.shuffle(owners)

    ideas: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    span = plan.days * 86_400
    latest = now - timedelta(minutes=1)
    for number, (team, open_only) in enumerate(owners, start=1):
        status = _pick(rng, OPEN_MIX if open_only else MIX)
        counts[status] = counts.get(status, 0) + 1
        created = now - timedelta(seconds=rng.uniform(120, span))
        author = user_id(team, rng.randrange(plan.users_per_team))
        anonymous = rng.random() < 0.05
        decided = started = done = None
        if status != IdeaStatus.NEW:
            decided = min(latest, created + timedelta(days=rng.uniform(0.05, 14)))
        if status in (IdeaStatus.IN_PROGRESS, IdeaStatus.DONE):
            started = min(latest, decided + timedelta(days=rng.uniform(0, 7)))  # type: ignore[operator]
        if status == IdeaStatus.DONE:
            done = min(latest, started + timedelta(days=rng.uniform(0.2, 30)))  # type: ignore[operator]
        ideas.append(
            {
                "id": number, "workspace_id": plan.workspace_id, "number": number, "team_id": team,
                "author_id": author, "owner_id": None if anonymous else author, "anonymous": anonymous,
                "problem": f"{PROBLEMS[number % len(PROBLEMS)]} (#{number})",
                "idea": "Keep one where it is needed and a list of who has it" if number % 3 else None,
                "benefit": "Less walking, less waiting" if number % 2 else None,
                "input_from": [], "category": CATEGORIES[number % len(CATEGORIES)] if number % 4 else None,
                "status": status, "created_at": created, "decided_at": decided, "started_at": started,
                "done_at": done, "decided_by": user_id(team, 0) if decided else None, "decision_note": None,
                "outcome": "worked" if done else None, "result": "It helped" if done else None,
                "learned": None, "effect": None, "source_link": None, "redacted": False,
                "card_ts": f"{int(created.timestamp())}.{number:06d}" if plan.card_ts else None,
                "source_channel": None, "source_ts": None, "card_version": 1, "card_synced_version": 1,
            }
        )  # fmt: skip
        base = {"idea_id": number, "note": None, "slack_event_id": None}
        events.append({**base, "at": created, "actor_id": author, "kind": EventKind.CREATED,
                       "from_status": None, "to_status": IdeaStatus.NEW, "source": Source.MODAL})  # fmt: skip
        decider = user_id(team, 0)
        if decided is not None:
            first = IdeaStatus.NOT_NOW if status == IdeaStatus.NOT_NOW else IdeaStatus.APPROVED
            events.append({**base, "at": decided, "actor_id": decider, "kind": EventKind.STATUS,
                           "from_status": IdeaStatus.NEW, "to_status": first, "source": Source.EMOJI})  # fmt: skip
        if started is not None:
            events.append({**base, "at": started, "actor_id": author, "kind": EventKind.STATUS,
                           "from_status": IdeaStatus.APPROVED, "to_status": IdeaStatus.IN_PROGRESS,
                           "source": Source.BUTTON})  # fmt: skip
        if done is not None:
            events.append({**base, "at": done, "actor_id": author, "kind": EventKind.STATUS,
                           "from_status": IdeaStatus.IN_PROGRESS, "to_status": IdeaStatus.DONE,
                           "source": Source.BUTTON})  # fmt: skip

    posts = [
        {
            "team_id": n,
            "local_date": day,
            "slot": 0,
            "scheduled_for": datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8, minutes=30),
            "claim": None,
            "claim_until": None,
            "attempts": 1,
            "message_ts": f"{1_700_000_000 + n}.{i:06d}",
            "posted_at": datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8, minutes=30),
            "error": None,
        }
        for i, day in enumerate(plan.earlier_huddles)
        for n in range(1, plan.teams + 1)
    ]
    _insert(db, Workspace.__table__, [{"id": plan.workspace_id, "last_idea_number": len(ideas), "created_at": now}])
    _insert(db, Team.__table__, teams)
    _insert(db, Idea.__table__, ideas)
    _insert(db, IdeaEvent.__table__, events)
    if posts:
        _insert(db, HuddlePost.__table__, posts)
    big_open = sum(1 for team, open_only in owners if team == 1 and open_only)
    return Seeded(
        team_ids=[t["id"] for t in teams],
        channels=[t["channel_id"] for t in teams],
        users=[user_id(n, k) for n in range(1, plan.teams + 1) for k in range(plan.users_per_team)],
        ideas=len(ideas),
        events=len(events),
        seconds=time.perf_counter() - began,
        big_team_id=1 if plan.big_team_open else None,
        open_ideas_of_big_team=big_open,
        counts=counts,
    )
