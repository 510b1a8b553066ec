"""Being forgotten (product page, Privacy): `/kaizen forget me` files a request; an administrator carries it out with
`kaizen-bot person forget USER --confirm`, after checking the organisation's lawful basis (it may have to keep a
safety audit trail, which the history is).

Carrying it out replaces the person's Slack user id in every table with a stable pseudonym ("former colleague #n",
`bot.privacy.pseudonyms`), so the history still shows that the same person acted twice and every count stays the
same; ends their leader roles; drops DMs and notes addressed to them and Slack's deliveries naming them; and bumps
the cards that show them, so the running bot draws them again without their name. Their words stay on ideas unless
they asked for deletion too and no one else edited the idea's text. slack_sdk's record of who installed the app
keeps its id (Slack's OAuth needs it). Someone forgotten who comes back starts fresh: their new records carry
their id again, unlinked to the pseudonym.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.ideas import offers
from bot.privacy.pseudonyms import pseudonym
from bot.render.words import ERASED_TEXT
from bot.settings import Settings
from storage import people
from storage.db import Database
from storage.models import EventKind


@dataclass(frozen=True)
class Filed:
    """A request to be forgotten: its number, whether it was filed now (false: one was open already), and whether
    the person asked for their words to go too."""

    number: int
    new: bool
    delete_text: bool


@dataclass(frozen=True)
class OpenRequest:
    """A request waiting for an administrator: its number, workspace, person, whether their words go too, when."""

    number: int
    workspace_id: str
    user_id: str
    delete_text: bool
    requested_at: datetime


@dataclass(frozen=True)
class Forgotten:
    """What carrying out a request did: its number and the pseudonym, rows changed per "table.column" and gone per
    table, how many ideas lost their author's words, how many cards will be drawn again, and whether the person is
    still named in KAIZEN_LEADERS (which only whoever runs the bot can change), and the Slack user groups whose
    members lead (KAIZEN_LEADER_GROUP, workspaces' own): membership is Slack's, so someone there leads still."""

    number: int
    pseudonym: str
    replaced: dict[str, int]
    deleted: dict[str, int]
    texts_removed: int
    cards: int
    in_settings: bool
    leader_groups: tuple[str, ...]


class Erasure:
    """Requests to be forgotten, and carrying them out."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings

    def file(self, workspace_id: str, user_id: str, *, delete_text: bool) -> Filed:
        """File `user_id`'s request (one open request per person: asking again only adds `delete_text`)."""
        with self._db.write() as session:
            request, new = people.file_request(session, workspace_id, user_id, delete_text, self._clock.now())
            return Filed(number=request.id, new=new, delete_text=request.delete_text)

    def open_requests(self) -> list[OpenRequest]:
        """The requests waiting to be carried out, oldest first."""
        with self._db.read() as session:
            return [
                OpenRequest(
                    request.id, request.workspace_id, request.user_id, request.delete_text, request.requested_at
                )
                for request in people.open_requests(session)
            ]

    def held(self, user_id: str) -> dict[str, int]:
        """Where `user_id` is held now, as rows per table (the installation record included), changing nothing."""
        with self._db.read() as session:
            found = people.find(session, user_id, include_installations=True)
        counts: dict[str, int] = {}
        for item in found:
            counts[item.table] = counts.get(item.table, 0) + 1
        return counts

    def forget(self, user_id: str, *, delete_text: bool = False) -> Forgotten | None:
        """Carry out `user_id`'s request (filing one if there is none) in one transaction, as the module says;
        `delete_text` (or their request's) removes the words of the ideas only they wrote. None when nothing
        holds the id and no request is open: already forgotten, or never here. Raises ValueError for a blank id."""
        now = self._clock.now()
        with self._db.write() as session:
            found = people.find(session, user_id)
            if not found:
                return None
            requests = people.open_requests(session, user_id)
            if not requests:
                workspace_id = next((item.row["workspace_id"] for item in found if "workspace_id" in item.row), "")
                request, _new = people.file_request(session, str(workspace_id or ""), user_id, delete_text, now)
                requests = [request]
            delete_text = delete_text or any(request.delete_text for request in requests)
            texts_removed = 0
            if delete_text:
                for idea in people.ideas_raised_by(session, user_id):
                    # One raised with the message shortcut holds that message's words: maybe not theirs.
                    theirs = not people.raised_from_a_message(session, idea.id) and not people.edited_by_others(
                        session, idea.id, user_id
                    )
                    if idea.problem != ERASED_TEXT and theirs:
                        # Copies other teams tried, still in these words, lose them too (`offers.follow_text`).
                        erased_text = {"problem": ERASED_TEXT, "idea": None, "benefit": None}
                        offers.follow_text(session, idea, erased_text, now, EventKind.EDITED)
                        idea.problem, idea.idea, idea.benefit = ERASED_TEXT, None, None
                        texts_removed += 1
            for request in requests:
                request.carried_out_at = now
            name = pseudonym(requests[0].id)
            erased = people.erase(session, user_id, name)
            groups = [self._settings.kaizen_leader_group] if self._settings.kaizen_leader_group else []
            requests[0].changed = erased.replaced | {f"deleted {table}": rows for table, rows in erased.deleted.items()}
            return Forgotten(
                number=requests[0].id, pseudonym=name, replaced=erased.replaced, deleted=erased.deleted,
                texts_removed=texts_removed, cards=len(erased.idea_ids),
                in_settings=user_id in self._settings.kaizen_leaders,
                leader_groups=tuple(sorted({*people.leader_groups(session), *groups})),
            )  # fmt: skip
