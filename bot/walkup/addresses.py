"""A team's walk-up form addresses, `/raise/<token>`: a new one (the old one then says the form has moved), the form
turned off, what an address leads to. The token is random (`secrets.token_urlsafe`, 192 bits), shown once to the
leader who asked for it (in Slack, where they can find it again) and stored only as its SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from bot.clock import Clock
from storage import queries, walkup
from storage.db import Database
from storage.models import Team

PATH_PREFIX = "/raise/"
TOKEN_BYTES = 24
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def token_hash(token: str) -> str:
    """The SHA-256 of a token, as 64 hex digits: what the store keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def form_path(token: str) -> str:
    """The form's path on the bot's web server, e.g. "/raise/3q2-…"."""
    return PATH_PREFIX + token


class State(StrEnum):
    """What an address leads to."""

    OPEN = "open"  # the team's form
    MOVED = "moved"  # replaced by a newer address (which is not revealed)
    CLOSED = "closed"  # the form was turned off
    UNKNOWN = "unknown"  # no such address


@dataclass(frozen=True)
class Resolved:
    """What a token leads to: its state, its team (None for UNKNOWN) and, for OPEN, the stored hash."""

    state: State
    team: Team | None = None
    token_hash: str | None = None
    review: bool = False  # what visitors send waits for a leader's Accept


@dataclass(frozen=True)
class FormStatus:
    """A channel's form: its team (None: the channel is no team yet), and when its open address was made and by
    whom (None: the form is off)."""

    team: Team | None
    opened_at: datetime | None
    opened_by: str | None
    review: bool = False


@dataclass(frozen=True)
class NewAddress:
    """An address just made: the token (shown once), its path, and its full URL when KAIZEN_PUBLIC_URL is set."""

    token: str
    path: str
    url: str | None


class FormAddresses:
    """Issues, revokes and resolves walk-up form addresses; `public_url` is KAIZEN_PUBLIC_URL (None: unset)."""

    def __init__(self, db: Database, clock: Clock, public_url: str | None) -> None:
        self._db = db
        self._clock = clock
        self._public_url = public_url

    @property
    def path_prefix(self) -> str:
        """The path of KAIZEN_PUBLIC_URL ("" when it has none, or is unset): links the pages give start with it."""
        return urlsplit(self._public_url).path.rstrip("/") if self._public_url else ""

    @property
    def has_public_url(self) -> bool:
        """Whether KAIZEN_PUBLIC_URL is set: whole links, and posters, can be made."""
        return bool(self._public_url)

    def url(self, token: str) -> str | None:
        """The form's full address (None when KAIZEN_PUBLIC_URL is unset)."""
        return self._public_url + form_path(token) if self._public_url else None

    def status(self, channel_id: str) -> FormStatus:
        """Whether the channel's team has a form open, since when and by whom."""
        with self._db.read() as session:
            team = queries.team_of_channel(session, channel_id)
            form = walkup.open_form(session, team.id) if team is not None else None
        if form is None:
            return FormStatus(team, None, None)
        return FormStatus(team, form.created_at, form.created_by, form.review)

    def new(self, workspace_id: str, channel_id: str, channel_name: str, user_id: str) -> NewAddress:
        """A new address for the channel's team (made a team if it is none yet), by `user_id`; an address open
        before now says the form has moved."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self._clock.now()
        with self._db.write() as session:
            team = queries.ensure_team(session, workspace_id, channel_id, channel_name, now)
            walkup.issue(session, team.id, token_hash(token), user_id, now)
        return NewAddress(token, form_path(token), self.url(token))

    def off(self, channel_id: str) -> bool:
        """Turn the channel's form off (its address then says the form is closed); false when it was not on."""
        with self._db.write() as session:
            team = queries.team_of_channel(session, channel_id)
            return team is not None and walkup.revoke(session, team.id, self._clock.now(), closed=True) > 0

    def set_review(self, channel_id: str, review: bool) -> bool:
        """Turn the review of the channel's open form on or off; false when it has no open form."""
        with self._db.write() as session:
            team = queries.team_of_channel(session, channel_id)
            return team is not None and walkup.set_review(session, team.id, review)

    def resolve(self, token: str) -> Resolved:
        """What `token` (from an address's path, as anyone may type it) leads to."""
        if not _TOKEN.match(token):
            return Resolved(State.UNKNOWN)
        hashed = token_hash(token)
        with self._db.read() as session:
            found = walkup.form_by_hash(session, hashed)
        if found is None:
            return Resolved(State.UNKNOWN)
        form, team = found
        if form.revoked_at is not None:  # its team only for the page's language: the new address is not told
            return Resolved(State.CLOSED if form.closed else State.MOVED, team)
        return Resolved(State.OPEN, team, hashed, form.review)
