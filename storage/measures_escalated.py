"""The measures of escalation, in SQL and a short replay: the escalated ideas waiting for a decision at a scope's
teams at each period's end (a stock), and when the first came. See `storage.measures` for scopes and periods."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from storage.measures import Scope
from storage.models import EventKind, Idea, IdeaEvent, IdeaStatus
from storage.models_tiers import Escalation, HopEnd


def _escalated_ideas(scope: Scope) -> Select[Any]:
    """The ideas ever escalated to one of the scope's teams (by the (to_team, ended) index)."""
    return select(Escalation.idea_id).where(scope.holds(Escalation.to_team_id))


def _waiting_spells(session: Session, scope: Scope) -> list[tuple[datetime, datetime | None]]:
    """Each time an escalated idea waited for a decision at one of the scope's teams: (since, until), `until` None
    while it still waits there.

    An idea waits at a team while the team holds it and its status is new. A hop up makes its `to_team` the holder;
    a hop ended by a send-back gives it back to its `from_team` when that team had itself received it (the hop below
    is open again), else to nobody above, as does a take-back; a status change moves it in or out of "new" (a
    decision, an approval taken back, a reopening), whoever holds it. SQL finds the ideas and their hops and status
    changes (few: escalations are rare); each idea's changes are then followed in order (at one instant: hops
    ended, hops opened, then status changes, each by id). The hops' own `ended_at` alone would not do: a hop opened
    again by a send-back loses the time it was passed up, and a hop stays open after its idea is decided."""
    # The few ideas first, then their rows by idea: an IN over a subquery let PostgreSQL read every status change.
    ideas = list(session.scalars(_escalated_ideas(scope).distinct()))
    if not ideas:
        return []
    hops = session.execute(
        select(Escalation.id, Escalation.idea_id, Escalation.from_team_id, Escalation.to_team_id,
               Escalation.escalated_at, Escalation.ended_at, Escalation.ended_how, Idea.team_id)
        .join(Idea, Idea.id == Escalation.idea_id)
        .where(Escalation.idea_id.in_(ideas))
    ).all()  # fmt: skip
    statuses = session.execute(
        select(IdeaEvent.id, IdeaEvent.idea_id, IdeaEvent.at, IdeaEvent.to_status).where(
            IdeaEvent.idea_id.in_(ideas),
            IdeaEvent.kind.in_((EventKind.CREATED, EventKind.STATUS)),
            IdeaEvent.to_status.is_not(None),
        )
    ).all()
    # (at, rank at one instant, id, holder or status): rank 0 a hop ended, 1 a hop opened, 2 a status.
    changes: dict[int, list[tuple[datetime, int, int, int | str | None]]] = {}
    for hop_id, idea_id, from_team, to_team, opened, ended, how, own_team in hops:
        changes.setdefault(idea_id, []).append((opened, 1, hop_id, to_team))
        if ended is not None:
            back_to = from_team if how == HopEnd.SENT_BACK and from_team != own_team else None
            changes[idea_id].append((ended, 0, hop_id, back_to))
    for event_id, idea_id, at, to_status in statuses:
        changes.setdefault(idea_id, []).append((at, 2, event_id, str(to_status)))
    teams = None if scope.team_id is None else set(scope.tree or (scope.team_id,))
    spells: list[tuple[datetime, datetime | None]] = []
    for steps in changes.values():
        holder: int | None = None
        status: str = IdeaStatus.NEW
        since: datetime | None = None
        for at, rank, _id, value in sorted(steps, key=lambda step: (step[0], step[1], step[2])):
            if rank == 2:
                status = str(value)
            else:
                holder = value if isinstance(value, int) else None
            waits = holder is not None and status == IdeaStatus.NEW and (teams is None or holder in teams)
            if waits and since is None:
                since = at
            elif not waits and since is not None:
                if at > since:
                    spells.append((since, at))
                since = None
        if since is not None:
            spells.append((since, None))
    return spells


def escalated_waiting_per_period(session: Session, scope: Scope, moments: Sequence[datetime]) -> dict[int, int]:
    """The escalated ideas waiting for a decision at one of the scope's teams at each of the increasing `moments`
    (UTC): {index into `moments`: count}, zeros left out. An idea waits at one team at a time, so one escalated two
    tiers up is counted once however high it climbed; see `_waiting_spells`. The statements' shapes do not depend on
    the moments, so one compiled form serves every scope and calendar (a CASE over the moments, as
    `waiting_per_period` uses, is compiled and cached anew for each count of periods)."""
    if not moments:
        return {}
    changes = [0] * (len(moments) + 1)
    for since, until in _waiting_spells(session, scope):
        # Waiting at moment m when since <= m < until: from the first moment at or after `since` to the first at
        # or after `until`.
        changes[bisect.bisect_left(moments, since)] += 1
        changes[len(moments) if until is None else bisect.bisect_left(moments, until)] -= 1
    stock = list(itertools.accumulate(changes[:-1]))
    return {index: value for index, value in enumerate(stock) if value}


def first_escalated(session: Session, scope: Scope) -> datetime | None:
    """When an idea was first escalated to one of the scope's teams (None: never): where the series of a team that
    only receives escalations begin, and whether its measures include the escalated ideas waiting."""
    first: datetime | None = session.execute(
        select(func.min(Escalation.escalated_at)).where(scope.holds(Escalation.to_team_id))
    ).scalar_one()
    return first
