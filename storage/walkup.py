"""Queries of the walk-up form: a team's open address, the address a token's hash names (and its team), issuing a
new address (revoking the open one), turning the form off, and the store's own secret for the form's CSRF tokens.
Plain functions taking a Session; the caller owns the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage.core import insert_skipping_taken, run
from storage.models import Team
from storage.models_walkup import AppSecret, SpentFormToken, WalkUpForm, WalkUpSubmission


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
    """A new open address for the team, by `user_id`, keeping the review setting of the one open before it, which
    now says the form has moved."""
    before = open_form(session, team_id)
    revoke(session, team_id, now, closed=False)
    form = WalkUpForm(team_id=team_id, token_hash=token_hash, created_at=now, created_by=user_id, closed=False,
                      review=bool(before is not None and before.review))  # fmt: skip
    session.add(form)
    session.flush()
    return form


def secret(session: Session, name: str, candidate: str, now: datetime) -> str:
    """The secret called `name`: `candidate` stored when there is none yet (whichever process is first wins)."""
    dialect = session.connection().dialect.name
    run(session, insert_skipping_taken(dialect, AppSecret), {"name": name, "value": candidate, "created_at": now})
    return str(session.scalars(select(AppSecret.value).where(AppSecret.name == name)).one())


def set_review(session: Session, team_id: int, review: bool) -> bool:
    """Turn the review of the team's open form on or off; false when the team has no open form."""
    form = open_form(session, team_id)
    if form is None:
        return False
    form.review = review
    return True


def hold(session: Session, submission: WalkUpSubmission) -> WalkUpSubmission:
    """Keep what a visitor sent until a leader decides; the row with its id."""
    session.add(submission)
    session.flush()
    return submission


def submission(session: Session, submission_id: int) -> tuple[WalkUpSubmission, Team] | None:
    """A waiting submission with its team; None when it is decided (or never was)."""
    found = session.execute(
        select(WalkUpSubmission, Team)
        .join(Team, Team.id == WalkUpSubmission.team_id)
        .where(WalkUpSubmission.id == submission_id)
    ).first()
    return None if found is None else (found[0], found[1])


def take(session: Session, submission_id: int, user_id: str) -> bool:
    """Hold a waiting submission for `user_id`'s Accept; false when it is gone or another leader holds it."""
    taken = session.execute(
        update(WalkUpSubmission)
        .where(WalkUpSubmission.id == submission_id, WalkUpSubmission.taken_by.is_(None))
        .values(taken_by=user_id)
    )
    return bool(getattr(taken, "rowcount", 0))


def release(session: Session, submission_id: int) -> None:
    """Let go of a submission whose Accept failed, for a leader to try again."""
    session.execute(update(WalkUpSubmission).where(WalkUpSubmission.id == submission_id).values(taken_by=None))


def drop(session: Session, submission_id: int, *, taken_by: str | None = None) -> bool:
    """Delete a submission (accepted: it is an idea now; declined: nothing is kept); with `taken_by`, only if that
    leader holds it, else only if nobody does. True when it was deleted."""
    holder = WalkUpSubmission.taken_by == taken_by if taken_by else WalkUpSubmission.taken_by.is_(None)
    deleted = session.execute(delete(WalkUpSubmission).where(WalkUpSubmission.id == submission_id, holder))
    return bool(getattr(deleted, "rowcount", 0))


def spend(session: Session, nonce: str, now: datetime, forget_before: datetime) -> bool:
    """Mark a form token's `nonce` used; false when it was used already. Tokens used before `forget_before` (no
    longer valid anyway) are forgotten on the way."""
    session.execute(delete(SpentFormToken).where(SpentFormToken.spent_at < forget_before))
    dialect = session.connection().dialect.name
    # RETURNING says whether the row went in (on PostgreSQL the skipped insert's rowcount did not say so).
    added = insert_skipping_taken(dialect, SpentFormToken).returning(SpentFormToken.nonce)
    return run(session, added, {"nonce": nonce, "spent_at": now}).scalar_one_or_none() is not None
