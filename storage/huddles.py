"""Queries for huddles: schedules, slot claims, and what a huddle shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage import escalations
from storage.db import changed_rows
from storage.models import ERROR_CHARS, HuddlePost, HuddleSkip, Idea, IdeaStatus, Team
from storage.models_tiers import Escalation


def team_by_id(session: Session, team_id: int) -> Team | None:
    """The team with id `team_id`, or None."""
    return session.get(Team, team_id)


def teams_with_huddles(session: Session) -> list[Team]:
    """Teams with a huddle schedule that are not paused (a paused team's slots are not due, nor claimed)."""
    # JSON emptiness is spelled differently per database; the list of teams is small enough to filter here.
    teams = session.scalars(select(Team).where(Team.paused_at.is_(None)).order_by(Team.id))
    return [team for team in teams if team.huddle_times]


def paused_teams(session: Session) -> list[Team]:
    """Teams paused because Slack refused posts to their channel, longest paused first."""
    return list(session.scalars(select(Team).where(Team.paused_at.is_not(None)).order_by(Team.paused_at, Team.id)))


def skip_dates(session: Session, team_id: int) -> set[date]:
    """The local dates a team's huddles are skipped on (`/kaizen huddle skip`)."""
    return set(session.scalars(select(HuddleSkip.day).where(HuddleSkip.team_id == team_id)))


def add_skip(session: Session, team_id: int, day: date) -> bool:
    """Skip the team's huddles on local date `day`; false when that day was skipped already."""
    try:
        with session.begin_nested():
            session.add(HuddleSkip(team_id=team_id, day=day))
            session.flush()
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class SlotClaim:
    """A claim on a scheduled huddle slot: the `HuddlePost` row's id, and whether it takes over an earlier claim whose
    lease ran out."""

    row_id: int
    takeover: bool  # an earlier claim's lease ran out: its post may exist, look before posting


def claim_slot(
    session: Session, team_id: int, local_date: date, slot: int, scheduled_for: datetime, token: str,
    now: datetime, until: datetime,
) -> SlotClaim | None:  # fmt: skip
    """Claim a scheduled slot; None when it is posted or another claim's lease still runs."""
    try:
        with session.begin_nested():
            row = HuddlePost(
                team_id=team_id, local_date=local_date, slot=slot, scheduled_for=scheduled_for, claim=token,
                claim_until=until, attempts=1,
            )  # fmt: skip
            session.add(row)
            session.flush()
            return SlotClaim(row.id, takeover=False)
    except IntegrityError:
        pass
    existing = session.scalars(
        select(HuddlePost).where(
            HuddlePost.team_id == team_id, HuddlePost.local_date == local_date, HuddlePost.slot == slot
        )
    ).one()
    result = session.execute(
        update(HuddlePost)
        .where(
            HuddlePost.id == existing.id,
            HuddlePost.posted_at.is_(None),
            or_(HuddlePost.claim_until.is_(None), HuddlePost.claim_until < now),
        )
        .values(claim=token, claim_until=until, attempts=HuddlePost.attempts + 1)
    )
    if changed_rows(result) != 1:
        return None
    return SlotClaim(existing.id, takeover=existing.attempts > 0)


def record_post(session: Session, row_id: int, token: str, ts: str, now: datetime) -> bool:
    """Record the posted huddle (`ts`, Slack's message ts) under the claim `token`; false when the claim was lost
    (another worker took it over) or the slot is posted already."""
    result = session.execute(
        update(HuddlePost)
        .where(HuddlePost.id == row_id, HuddlePost.claim == token, HuddlePost.posted_at.is_(None))
        .values(message_ts=ts, posted_at=now, claim=None, claim_until=None, error=None)
    )
    return changed_rows(result) == 1


def release_slot(session: Session, row_id: int, token: str, retry_at: datetime, error: str) -> None:
    """Keep the slot's claim until `retry_at`, when another attempt may take it over; `error` (cut to 100
    characters) says what went wrong."""
    session.execute(
        update(HuddlePost)
        .where(HuddlePost.id == row_id, HuddlePost.claim == token)
        .values(claim_until=retry_at, error=error[:ERROR_CHARS])
    )


def add_manual_post(session: Session, team_id: int, local_date: date, ts: str, now: datetime) -> None:
    """Record a huddle posted on request (`/kaizen huddle`, no slot) so its replies are known as huddle replies."""
    session.add(
        HuddlePost(team_id=team_id, local_date=local_date, slot=None, scheduled_for=now, message_ts=ts, posted_at=now)
    )


def slots_taken_since(session: Session, team_id: int, since: date) -> frozenset[tuple[date, int]]:
    """The team's scheduled slots (local date, index) claimed or posted from local date `since` on."""
    rows = session.execute(
        select(HuddlePost.local_date, HuddlePost.slot).where(
            HuddlePost.team_id == team_id, HuddlePost.local_date >= since, HuddlePost.slot.is_not(None)
        )
    )
    return frozenset((day, slot) for day, slot in rows if slot is not None)


def huddle_post_by_message(session: Session, team_id: int, ts: str) -> HuddlePost | None:
    """The huddle whose thread starter is message `ts` in the team's channel, or None."""
    return session.scalars(
        select(HuddlePost).where(HuddlePost.team_id == team_id, HuddlePost.message_ts == ts)
    ).one_or_none()


def last_post(session: Session, team_id: int, before: datetime) -> datetime | None:
    """When the team's latest huddle of any kind (scheduled or on demand) before `before` was read and posted (UTC),
    or None: where "done since the last huddle" starts, so nobody is thanked twice."""
    return session.execute(
        select(func.max(HuddlePost.posted_at)).where(HuddlePost.team_id == team_id, HuddlePost.posted_at < before)
    ).scalar_one_or_none()


def first_huddle_of_week_posted(session: Session, team_id: int, since: date, before: date) -> bool:
    """Whether a scheduled huddle of the team was posted on a local date `since` ≤ d < `before` ."""
    return (
        session.execute(
            select(func.count()).where(
                HuddlePost.team_id == team_id,
                HuddlePost.slot.is_not(None),
                HuddlePost.posted_at.is_not(None),
                HuddlePost.local_date >= since,
                HuddlePost.local_date < before,
            )
        ).scalar_one()
        > 0
    )


# --- what a huddle shows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HuddleContent:
    """What a huddle shows, each list capped and in its order, with its full count; every idea in at most one list:
    done since the last huddle, waiting for a decision (new, oldest first; not those a team above holds), approved
    but not started (oldest decision first), and in progress. Tiers: ideas escalated to this team waiting for its
    decision (`escalated`, oldest escalation first, with the channel each came from in `escalated_from`), and this
    team's ideas a team above holds (`above`, with that team's channel in `held_by`)."""

    done: list[Idea]
    done_total: int
    waiting: list[Idea]
    waiting_total: int
    approved: list[Idea]
    approved_total: int
    in_progress: list[Idea]
    in_progress_total: int
    escalated: list[Idea] = field(default_factory=list)
    escalated_total: int = 0
    escalated_from: dict[int, str] = field(default_factory=dict)
    escalated_since: datetime | None = None  # when the oldest of them was escalated here
    above: list[Idea] = field(default_factory=list)
    above_total: int = 0
    held_by: dict[int, str] = field(default_factory=dict)


def _listed(
    session: Session, where: Sequence[ColumnElement[bool]], order: Sequence[InstrumentedAttribute[Any]], limit: int
) -> tuple[list[Idea], int]:
    total = session.execute(select(func.count()).select_from(Idea).where(*where)).scalar_one()
    ideas = list(session.scalars(select(Idea).where(*where).order_by(*order).limit(limit)))
    return ideas, int(total)


def huddle_content(session: Session, team_id: int, done_since: datetime, limit: int) -> HuddleContent:
    """The team's `HuddleContent`, at most `limit` ideas per list; "done" counts ideas done after `done_since` (UTC)."""
    done = _listed(
        session,
        [Idea.team_id == team_id, Idea.status == IdeaStatus.DONE, Idea.done_at > done_since],
        [Idea.done_at, Idea.id],
        limit,
    )
    # Escalations, in one query: those sent to this team, and this team's own that a team above holds (those are
    # listed apart, not as ready for this team's decision: the waiting list is read with room for them, then they go).
    hops = escalations.waiting_hops(session, team_id)
    sent = [item for item in hops if item.hop.to_team_id == team_id]
    above = [item for item in hops if item.hop.to_team_id != team_id]
    held = {item.idea.id for item in above}
    waiting_ideas, waiting_total = _listed(
        session, [Idea.team_id == team_id, Idea.status == IdeaStatus.NEW], [Idea.created_at, Idea.id], limit + len(held)
    )
    waiting = ([idea for idea in waiting_ideas if idea.id not in held][:limit], waiting_total - len(held))
    approved = _listed(
        session,
        [Idea.team_id == team_id, Idea.status == IdeaStatus.APPROVED],
        [Idea.decided_at, Idea.created_at, Idea.id],
        limit,
    )
    doing = _listed(
        session, [Idea.team_id == team_id, Idea.status == IdeaStatus.IN_PROGRESS], [Idea.started_at, Idea.id], limit
    )
    return HuddleContent(
        *done, *waiting, *approved, *doing,
        escalated=[item.idea for item in sent[:limit]], escalated_total=len(sent),
        escalated_from={item.idea.id: item.from_channel for item in sent[:limit]},
        escalated_since=sent[0].hop.escalated_at if sent else None,
        above=[item.idea for item in above[:limit]], above_total=len(above),
        held_by={item.idea.id: item.holder_channel for item in above[:limit]},
    )  # fmt: skip


def waiting_past(session: Session, team_id: int, before: datetime, limit: int) -> tuple[list[Idea], int]:
    """Ideas the team's leaders decide that have waited for a decision since before `before` (raised then: the whole
    wait counts), oldest first, and how many in all (leaders' digest): the team's own but those a team above holds,
    and those escalated to it."""
    open_hop = select(Escalation.id).where(Escalation.idea_id == Idea.id, Escalation.ended_at.is_(None))
    sent_here = select(Escalation.idea_id).where(Escalation.to_team_id == team_id, Escalation.ended_at.is_(None))
    # Each side of the OR by an index (the team's ideas by (team, created); those sent here by their ids): with the
    # team's condition spread over both sides, every digest read the whole ideas table.
    deciding = or_(and_(Idea.team_id == team_id, ~open_hop.exists()), Idea.id.in_(sent_here))
    return _listed(session, [deciding, Idea.status == IdeaStatus.NEW, Idea.created_at < before], [Idea.created_at],
                   limit)  # fmt: skip


def claim_follow_up(session: Session, row_id: int, now: datetime, until: datetime) -> bool:
    """Take a posted huddle's follow-up (digest, weekly chart) under a lease to `until`; false when it is not
    posted, is done, or another lease still runs."""
    result = session.execute(
        update(HuddlePost)
        .where(
            HuddlePost.id == row_id,
            HuddlePost.posted_at.is_not(None),
            HuddlePost.followed_up_at.is_(None),
            or_(HuddlePost.follow_up_until.is_(None), HuddlePost.follow_up_until < now),
        )
        .values(follow_up_until=until)
    )
    return changed_rows(result) == 1


def finish_follow_up(session: Session, row_id: int, now: datetime) -> None:
    """Mark a huddle's follow-up done at `now`."""
    session.execute(update(HuddlePost).where(HuddlePost.id == row_id).values(followed_up_at=now, follow_up_until=None))


def follow_ups_due(session: Session, team_id: int, since: datetime) -> list[HuddlePost]:
    """First huddles of the day posted since `since` whose digest and chart are not done yet."""
    return list(
        session.scalars(
            select(HuddlePost).where(
                HuddlePost.team_id == team_id,
                HuddlePost.slot == 0,
                HuddlePost.posted_at >= since,
                HuddlePost.followed_up_at.is_(None),
            )
        )
    )
