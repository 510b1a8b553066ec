"""Queries of the walk-up form: a team's open address, the address a token's hash names (and its team), issuing a
new address (revoking the open one), turning the form off, and the store's own secret for the form's CSRF tokens.
Plain functions taking a Session; the caller owns the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.core import insert_skipping_taken, run
from storage.models import Team
from storage.models_walkup import AppSecret, WalkUpForm


def open_form(session: Session, team_id: int) -> WalkUpForm | None:
    """The team's open address (not revoked), or None: the form is off, or was never turned on."""
    found = select(WalkUpForm).where(WalkUpForm.team_id == team_id, WalkUpForm.revoked_at.is_(None))
    return session.scalars(found.order_by(WalkUpForm.id.desc()).limit(1)).first()


def form_by_hash(session: Session, token_hash: str) -> tuple[WalkUpForm, Team] | None:
    """The address whose token has this SHA-256 (hex), open or revoked, with its team; None for any other."""
    found = session.execute(
        select(WalkUpForm, Team).join(Team, Team.id == WalkUpForm.team_id).where(WalkUpForm.token_hash == token_hash)
    ).first()
    return None if found is None else (found[0], found[1])


def revoke(session: Session, team_id: int, now: datetime, *, closed: bool) -> int:
    """Revoke the team's open address (`closed`: the form is turned off; else it has moved); how many were open."""
    changed = session.execute(
        update(WalkUpForm)
        .where(WalkUpForm.team_id == team_id, WalkUpForm.revoked_at.is_(None))
        .values(revoked_at=now, closed=closed)
    )
    return int(getattr(changed, "rowcount", 0) or 0)


def issue(session: Session, team_id: int, token_hash: str, user_id: str, now: datetime) -> WalkUpForm:
    """A new open address for the team, by `user_id`; the one open before it now says the form has moved."""
    revoke(session, team_id, now, closed=False)
    form = WalkUpForm(team_id=team_id, token_hash=token_hash, created_at=now, created_by=user_id, closed=False)
    session.add(form)
    session.flush()
    return form


def secret(session: Session, name: str, candidate: str, now: datetime) -> str:
    """The secret called `name`: `candidate` stored when there is none yet (whichever process is first wins)."""
    dialect = session.connection().dialect.name
    run(session, insert_skipping_taken(dialect, AppSecret), {"name": name, "value": candidate, "created_at": now})
    return str(session.scalars(select(AppSecret.value).where(AppSecret.name == name)).one())
