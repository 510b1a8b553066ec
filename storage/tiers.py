"""Tiers in the store: which team is one tier up from which (`teams.upper_team_id`), the chain above a team and
the teams below it, and the link made or taken away with the whole chain checked in the same transaction.

A link is checked and written under a lock on the workspace's row (PostgreSQL; SQLite's writers take turns
anyway), so two leaders linking two teams to each other at the same moment cannot make a cycle between them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from storage.db import changed_rows
from storage.models import Idea, IdeaStatus, Team, Workspace

# However the rows came to be, a walk up the chain stops after this many teams (a cycle written by hand).
CHAIN_MAX = 1000


class LinkRefused(StrEnum):
    """Why a team was not linked to the one named as its tier up."""

    SELF = "self"  # a team cannot be above itself
    CYCLE = "cycle"  # the named team is already below this one
    OTHER_WORKSPACE = "other_workspace"  # the named team is filed under another workspace (Slack Connect)


@dataclass(frozen=True)
class Linked:
    """What linking did: the team's tier up before (None: it had none) and whether anything changed."""

    previous_upper_id: int | None
    changed: bool


def _fresh(session: Session, team_id: int) -> Team | None:
    """The team as the database has it now (not as this session loaded it earlier: a link made meanwhile by
    another transaction must be seen once the workspace's lock is held)."""
    return session.get(Team, team_id, populate_existing=True)


def chain_above(session: Session, team_id: int) -> list[Team]:
    """The teams above `team_id`, nearest first (its tier up, that team's tier up, …); empty for a top tier.
    A cycle in the rows (never written by `link`) ends the walk where it closes."""
    chain: list[Team] = []
    seen = {team_id}
    team = _fresh(session, team_id)
    while team is not None and team.upper_team_id is not None and len(chain) < CHAIN_MAX:
        if team.upper_team_id in seen:
            break
        seen.add(team.upper_team_id)
        team = _fresh(session, team.upper_team_id)
        if team is not None:
            chain.append(team)
    return chain


def teams_below(session: Session, team_id: int) -> list[Team]:
    """The teams one tier below `team_id` (those naming it as their tier up), by channel name."""
    return list(session.scalars(select(Team).where(Team.upper_team_id == team_id).order_by(Team.name, Team.id)))


def subtree_ids(session: Session, team_id: int) -> list[int]:
    """`team_id` and every team below it at any depth (one recursive query), `team_id` first, the rest by id."""
    below = aliased(Team)
    tree = select(Team.id.label("id")).where(Team.id == team_id).cte("tree", recursive=True)
    # UNION (not UNION ALL) ends the recursion on a cycle written by hand.
    tree = tree.union(select(below.id).join(tree, below.upper_team_id == tree.c.id))
    ids = sorted(session.scalars(select(tree.c.id)))
    return [team_id, *(other for other in ids if other != team_id)]


def lock_workspace(session: Session, workspace_id: str) -> None:
    """Take the workspace's row lock (PostgreSQL; a no-op on SQLite, whose writers take turns) before anything else
    of a tier change is written: two leaders linking two teams to each other each first wrote their own team's row
    (its channel's name brought up to date), then waited on this lock and on each other's row: a deadlock."""
    session.execute(select(Workspace.id).where(Workspace.id == workspace_id).with_for_update())


def link(session: Session, team: Team, upper: Team, by: str, now: datetime) -> Linked | LinkRefused:
    """Make `upper` the tier up of `team`, set by `by` at `now`: refused when it is `team` itself, filed under
    another workspace, or already below `team` at any depth (a cycle). Linking to the team it already names changes
    nothing. Takes the workspace's row lock first (see the module's docstring)."""
    if upper.id == team.id:
        return LinkRefused.SELF
    if upper.workspace_id != team.workspace_id:
        return LinkRefused.OTHER_WORKSPACE
    session.execute(select(Workspace.id).where(Workspace.id == team.workspace_id).with_for_update())
    current = _fresh(session, team.id)
    assert current is not None
    if any(above.id == team.id for above in chain_above(session, upper.id)):
        return LinkRefused.CYCLE
    previous = current.upper_team_id
    if previous == upper.id:
        return Linked(previous, changed=False)
    session.execute(
        update(Team).where(Team.id == team.id).values(upper_team_id=upper.id, upper_set_by=by, upper_set_at=now)
    )
    return Linked(previous, changed=True)


def unlink(session: Session, team_id: int, *, only_from: int | None = None) -> int | None:
    """Take away `team_id`'s tier up (only if it is `only_from`, when given: a refusal acts on the link it was asked
    about, not one made since). Returns the id of the team it was linked to, None when nothing changed."""
    team = _fresh(session, team_id)
    if team is None or team.upper_team_id is None or (only_from is not None and team.upper_team_id != only_from):
        return None
    previous = team.upper_team_id
    changed = session.execute(
        update(Team)
        .where(Team.id == team_id, Team.upper_team_id == previous)
        .values(upper_team_id=None, upper_set_by=None, upper_set_at=None)
        .execution_options(synchronize_session=False)
    )
    return previous if changed_rows(changed) == 1 else None


def redraw_open_cards(session: Session, team_id: int) -> int:
    """Mark the cards of the team's ideas waiting for a decision out of date, so that the card sweep draws them
    again (a link made or taken away adds or takes away their Escalate…); how many."""
    result = session.execute(
        update(Idea)
        .where(Idea.team_id == team_id, Idea.status == IdeaStatus.NEW, Idea.card_ts.is_not(None))
        .values(card_version=Idea.card_version + 1)
        .execution_options(synchronize_session=False)
    )
    return changed_rows(result)
