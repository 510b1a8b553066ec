"""The idea workflow: raising ideas and reading them back, with the rules that decide who sees what.

Functions take plain values and return plain values (detached rows), so they are tested without Slack.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.orm import Session

from bot import credit
from bot.clock import Clock
from bot.delivery.outbox import claim_on_insert
from bot.delivery.outbox import new_message as outbox_message
from bot.domain import Board, CardLinks, TeamOffer
from bot.i18n import _, n_
from bot.limits import BENEFIT_MAX, IDEA_MAX, INPUT_FROM_MAX, PROBLEM_MAX, SOURCE_LINK
from bot.privacy.identifiers import PatientIdGuard
from bot.privacy.screening import PatientDetails, history_note, screen
from bot.teams.access import ChannelAccess
from bot.text import is_blank
from storage import escalations, queries, spreads
from storage.core import add_new
from storage.db import Database
from storage.models import (
    CREDITED_NAME_CHARS,
    OPEN_STATUSES,
    Category,
    EventKind,
    Idea,
    IdeaEvent,
    IdeaStatus,
    OutboxKind,
    OutboxMessage,
    Source,
    Team,
)

LIST_FILTER_STATUSES: dict[str | None, tuple[IdeaStatus, ...]] = {
    None: OPEN_STATUSES,
    "new": (IdeaStatus.NEW,),
    "approved": (IdeaStatus.APPROVED,),
    "in-progress": (IdeaStatus.IN_PROGRESS,),
    "done": (IdeaStatus.DONE,),
    "not-now": (IdeaStatus.NOT_NOW,),
    "all": (*OPEN_STATUSES, IdeaStatus.DONE, IdeaStatus.NOT_NOW),
}


class InvalidIdea(ValueError):
    """The person's input breaks a rule; `errors` maps a field to a message for them."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class NewIdea:
    """An idea as someone submitted it, before validation: where (workspace, channel), who, and the texts."""

    workspace_id: str
    channel_id: str
    channel_name: str
    author_id: str
    problem: str
    idea: str | None = None
    benefit: str | None = None
    category: str | None = None
    input_from: Sequence[str] = field(default_factory=tuple)
    anonymous: bool = False
    already_done: bool = False  # "just did it": recorded as done from the start
    source: Source = Source.MODAL
    source_link: str | None = None
    vouched: bool = False  # its writer ticked "This isn't patient information" (bot.privacy.screening)
    # Who wrote the text when it is already in Slack (a message shortcut's message): only they may vouch for it.
    text_writer: str | None = None
    source_message: tuple[str, str] | None = None  # (channel, ts) of a reply captured with :bulb:
    credited_name: str | None = None  # a walk-up visitor's name, as typed (`author_id` is their stand-in: bot.credit)
    recorded_by: str | None = None  # the leader who raised it for its author (None: its author raised it)
    copied_from_id: int | None = None  # the idea another team did that this one tries here (bot.ideas.spreading)


def _clean(text: str | None) -> str | None:
    # Text that shows nothing (zero-width characters, say) is no text: refused where required, dropped elsewhere.
    if text is None or is_blank(text):
        return None
    return text.strip()


def validate(new: NewIdea, team: Team | None) -> NewIdea:
    """The idea as it will be stored, or InvalidIdea naming what to fix."""
    errors: dict[str, str] = {}
    problem = _clean(new.problem)
    # The limits and lengths go in as plain digits ("2000"), as they always read in English.
    if problem is None:
        errors["problem"] = _("Please describe the problem: what happened, or what gets in the way?")
    elif len(problem) > PROBLEM_MAX:
        errors["problem"] = _(
            "Please keep the problem under {most} characters (it has {length}).", most=PROBLEM_MAX, length=len(problem)
        )
    idea, benefit = _clean(new.idea), _clean(new.benefit)
    if idea is not None and len(idea) > IDEA_MAX:
        errors["idea"] = _(
            "Please keep the idea under {most} characters (it has {length}).", most=IDEA_MAX, length=len(idea)
        )
    if benefit is not None and len(benefit) > BENEFIT_MAX:
        errors["benefit"] = _(
            "Please keep the benefit under {most} characters (it has {length}).", most=BENEFIT_MAX, length=len(benefit)
        )
    # A name is one line of visible characters, as it is shown: no control or direction-changing characters.
    name = _clean("".join(c for c in new.credited_name or "" if unicodedata.category(c) not in ("Cc", "Cf")))
    name = " ".join(name.split()) if name is not None else None
    if name is not None and len(name) > CREDITED_NAME_CHARS:
        errors["name"] = _(
            "Please keep the name under {most} characters (it has {length}).", most=CREDITED_NAME_CHARS,
            length=len(name),
        )  # fmt: skip
    if new.category is not None and new.category not in set(Category):
        errors["category"] = _("Please pick one of the listed categories.")
    if len(new.input_from) > INPUT_FROM_MAX:
        errors["input_from"] = n_(
            "Please pick at most {count} person.", "Please pick at most {count} people.", INPUT_FROM_MAX
        )
    if new.anonymous and team is not None and not team.anonymous_allowed:
        errors["anonymous"] = _("This team does not take ideas without a name; untick the box to raise it.")
    if errors:
        raise InvalidIdea(errors)
    assert problem is not None
    return NewIdea(
        workspace_id=new.workspace_id,
        channel_id=new.channel_id,
        channel_name=new.channel_name,
        author_id=new.author_id,
        problem=problem,
        idea=idea,
        benefit=benefit,
        category=new.category,
        input_from=tuple(dict.fromkeys(new.input_from)),
        anonymous=new.anonymous,
        already_done=new.already_done,
        source=new.source,
        source_link=new.source_link,
        source_message=new.source_message,
        credited_name=name,
        recorded_by=new.recorded_by,
        copied_from_id=new.copied_from_id,
    )


def for_someone_else(new: NewIdea, person: str | None, name: str | None) -> NewIdea:
    """`new` as its writer (a leader: the caller checks) raised it for someone else: a Slack user (`person`) or
    someone not on Slack, by `name`; credited to them, recorded as raised by the writer. Raises InvalidIdea (by
    field: for_name, anonymous) when both are given, or the idea is ticked to be posted without a name."""
    name = " ".join((name or "").split()) or None
    if person and name:
        raise InvalidIdea({"for_name": _("Pick the person or type a name, not both.")})
    if new.anonymous:
        raise InvalidIdea({"anonymous": _("An idea raised for someone else carries their name: untick this box.")})
    if person:
        return replace(new, author_id=person, recorded_by=new.author_id)
    if name is None:
        return new
    author = credit.named_author(new.workspace_id, name)
    return replace(new, author_id=author, credited_name=name, recorded_by=new.author_id)


def find_team(db: Database, channel_id: str) -> Team | None:
    """The team `channel_id` is, or None."""
    with db.read() as session:
        return queries.team_of_channel(session, channel_id)


@dataclass(frozen=True)
class Raised:
    """A stored idea and the outbox message that posts its card: `card`, the row as committed, claimed by the
    caller (`claim_on_insert`) when it asked for that and the team is not paused; post it with
    `Outbox.send_claimed` (which sends an unclaimed one as `Outbox.send` does)."""

    idea: Idea
    card: OutboxMessage

    @property
    def card_message_id(self) -> int:
        """The id of the outbox message that posts the card."""
        return self.card.id


def raise_idea(
    db: Database,
    clock: Clock,
    new: NewIdea,
    *,
    claim_card: bool = False,
    vouched_kinds: tuple[str, ...] = (),
    then: Callable[[Session, Idea, datetime], None] | None = None,
) -> Raised:
    """Validate and commit a new idea with its first history event and its card queued in the outbox; with
    `claim_card`, the card is claimed for the caller to post right after (unless the team is paused: see
    `Raised`), else it is left for `Outbox.send` or the sweep. `vouched_kinds`: what its text looked like to the
    patient-identifier screening (`bot.privacy.screening.screen`) when its writer said it was not: recorded in
    its history with it. `then` writes what else raising it owes, in its transaction (session, the idea, now); it
    may raise to write nothing."""
    now = clock.now()
    with db.write(urgent=True) as session:  # the form stays open until this commits
        team = queries.ensure_team(session, new.workspace_id, new.channel_id, new.channel_name, now)
        clean = validate(new, team)
        # Filed where its channel is filed (a Slack Connect partner's request names their own workspace).
        idea = Idea(
            workspace_id=team.workspace_id,
            number=queries.allocate_idea_number(session, team.workspace_id),
            team=team,  # its team_id, and the idea's team to read after the commit
            author_id=clean.author_id,
            # Nobody owns an idea of someone not on Slack until someone on Slack takes it on.
            owner_id=None if clean.anonymous or credit.not_on_slack(clean.author_id) else clean.author_id,
            anonymous=clean.anonymous,
            problem=clean.problem,
            idea=clean.idea,
            benefit=clean.benefit,
            category=clean.category,
            input_from=list(clean.input_from),
            status=IdeaStatus.DONE if clean.already_done else IdeaStatus.NEW,
            created_at=now,
            started_at=now if clean.already_done else None,
            done_at=now if clean.already_done else None,
            source_link=clean.source_link,
            source_channel=clean.source_message[0] if clean.source_message else None,
            source_ts=clean.source_message[1] if clean.source_message else None,
            credited_name=clean.credited_name,
            copied_from_id=clean.copied_from_id,
        )
        # Core INSERTs, not the unit of work: this runs for every idea raised, while the person waits.
        idea = add_new(session, idea)
        event = IdeaEvent(
            idea_id=idea.id, at=now, kind=EventKind.CREATED, source=clean.source,
            actor_id=clean.recorded_by or clean.author_id,
            to_status=idea.status, note="already done" if clean.already_done else None,
        )  # fmt: skip
        add_new(session, event)
        if vouched_kinds:
            add_new(session, IdeaEvent(
                idea_id=idea.id, at=now, kind=EventKind.NOT_PATIENT_INFO, source=clean.source,
                actor_id=clean.author_id, note=history_note(vouched_kinds),
            ))  # fmt: skip
        card = outbox_message(
            kind=OutboxKind.CARD, dedupe_key=f"card:{idea.id}", workspace_id=idea.workspace_id, idea_id=idea.id, now=now
        )
        if then is not None:
            then(session, idea, now)
        if claim_card and team.paused_at is None:
            claim_on_insert(card, now)  # posted right after the commit, by the thread that raised it
        return Raised(idea, add_new(session, card))  # a new idea's card key is not taken


def team_board(db: Database, channel_id: str, list_filter: str | None, per_status: int) -> Board:
    """The channel's board for `/kaizen list [filter]`: up to `per_status` ideas of each status shown, and the
    count of each; an empty board when the channel is no team."""
    statuses = LIST_FILTER_STATUSES[list_filter]
    with db.read() as session:
        team = queries.team_of_channel(session, channel_id)
        if team is None:
            return Board(None, {}, {})
        return Board(
            team, queries.team_board(session, team.id, statuses, per_status), queries.count_by_status(session, team.id)
        )


def ideas_of_person(db: Database, workspace_id: str, user_id: str, limit: int) -> tuple[list[Idea], int]:
    """The person's own ideas in the workspace, newest first, at most `limit`, and how many there are in all."""
    with db.read() as session:
        return queries.ideas_of_person(session, workspace_id, user_id, limit)


def idea_with_history(db: Database, workspace_id: str, number: int) -> tuple[Idea, list[IdeaEvent]] | None:
    """Idea `#number` of the workspace and its history, oldest first; None when there is no such idea."""
    with db.read() as session:
        idea = queries.idea_by_number(session, workspace_id, number)
        if idea is None:
            return None
        return idea, queries.events_of(session, idea.id)


def idea_by_card(db: Database, workspace_id: str, channel_id: str, ts: str) -> Idea | None:
    """The idea whose card is the message `ts` in the channel (its own card, or the one in the channel of a team it
    was escalated to); None for any other message."""
    if not ts:
        return None
    with db.read() as session:
        idea = queries.idea_by_card(session, workspace_id, channel_id, ts)
        if idea is None:
            idea_id = escalations.idea_id_by_hop_card(session, workspace_id, channel_id, ts)
            idea = queries.idea_by_id(session, idea_id) if idea_id is not None else None
        return idea


def ensure_team(db: Database, clock: Clock, workspace_id: str, channel_id: str, name: str = "") -> Team:
    """The channel's team, set up (filed under `workspace_id`) on first use."""
    with db.write() as session:
        return queries.ensure_team(session, workspace_id, channel_id, name, clock.now())


def set_source_link(db: Database, idea_id: int, link: str) -> None:
    """Keep a link to the message an idea was raised from (at most 500 characters) and re-render its card."""
    with db.write() as session:
        idea = queries.idea_by_id(session, idea_id)
        if idea is not None:
            idea.source_link = link[:SOURCE_LINK]
            queries.bump_card(session, idea_id)


def approval_source(db: Database, idea_id: int) -> str | None:
    """How the idea's standing approval was given (emoji, button, sweep), from its history."""
    with db.read() as session:
        return queries.latest_status_source(session, idea_id, IdeaStatus.APPROVED)


class Workflow:
    """The workflow above as one object, for the handlers: teams found or set up, boards and people's ideas read
    back, ideas raised, and an idea shown only to people in its team's channel (`bot.teams.access`)."""

    def __init__(self, db: Database, clock: Clock, access: ChannelAccess, guard: PatientIdGuard | None = None) -> None:
        """`guard` screens what people type for patient identifiers (the default kinds without one)."""
        self._db = db
        self._clock = clock
        self._access = access
        self._guard = guard or PatientIdGuard()

    def find_team(self, channel_id: str) -> Team | None:
        """The team `channel_id` is, or None."""
        return find_team(self._db, channel_id)

    def spread_of(self, idea: Idea) -> tuple[CardLinks, list[TeamOffer]]:
        """Where `idea` came from and went (`/kaizen show`): the idea it was tried from, and each team it was offered
        to with its answer and copy; nothing to read for an idea never spread."""
        if idea.spread_at is None and idea.copied_from_id is None:
            return CardLinks(), []
        with self._db.read() as session:
            original, _copies = spreads.card_links(session, idea)
            found = spreads.offers(session, idea.id)
        offers = [
            TeamOffer(offer.team.channel_id, offer.spread.answer, offer.copy_number, offer.copy_status)
            for offer in found
        ]  # fmt: skip
        return CardLinks(copied_from=original), offers

    def ensure_team(self, workspace_id: str, channel_id: str, name: str = "") -> Team:
        """The team `channel_id` is, set up (filed under `workspace_id`, named `name`) if it is none yet."""
        return ensure_team(self._db, self._clock, workspace_id, channel_id, name)

    def board(self, channel_id: str, list_filter: str | None, per_status: int) -> Board:
        """The channel's team's ideas, at most `per_status` of each status `list_filter` names (a key of
        LIST_FILTER_STATUSES); an empty board when the channel is no team."""
        return team_board(self._db, channel_id, list_filter, per_status)

    def ideas_of_person(self, workspace_id: str, user_id: str, limit: int) -> tuple[list[Idea], int]:
        """The person's newest ideas (at most `limit`) and how many they have in all."""
        return ideas_of_person(self._db, workspace_id, user_id, limit)

    def idea_shown_to(
        self, workspace_id: str, user_id: str, number: int, *, here: str
    ) -> tuple[Idea, list[IdeaEvent]] | None:
        """Idea #`number` with its history, if `user_id` may see it: they are in its team's channel or in that of a team
        it was escalated to (asking from `here`, one of those channels, proves it). None when there is no such idea and
        when it is not theirs to see, alike. Raises the gateway's `SlackUnreachable` when Slack does not answer the
        membership look-up."""
        found = idea_with_history(self._db, workspace_id, number)
        if found is None:
            return None
        # Its card is in its team's channel and in those of the teams it was escalated to: any of them will do.
        channels = [found[0].team.channel_id]
        if found[0].escalated_at is not None:
            with self._db.read() as session:
                hops, teams = escalations.card_views(session, found[0])
            channels += [teams[hop.to_team_id].channel_id for hop in hops if hop.card_ts]
        if here in channels:
            channels = [here]
        if not any(
            self._access.can_see(workspace_id, channel, user_id, here=here) for channel in dict.fromkeys(channels)
        ):
            return None
        return found

    def raise_idea(self, new: NewIdea) -> Raised:
        """Screen, validate and commit a new idea, its card claimed for the caller to post (see `raise_idea`);
        raises PatientDetails when its text looks like it holds a patient identifier its writer did not vouch for
        (nothing is stored), InvalidIdea naming what to fix."""
        own = {"idea": new.idea, "benefit": new.benefit, "name": new.credited_name}
        if new.text_writer in (None, new.author_id):
            kinds = screen(self._guard, {"problem": new.problem, **own}, vouched=new.vouched)
        else:
            # The problem came from someone else's message: only its writer may vouch for it. The rest is the raiser's.
            try:
                screen(self._guard, {"problem": new.problem}, vouched=False)
            except PatientDetails as in_message:
                try:
                    screen(self._guard, own, vouched=new.vouched)
                except PatientDetails as in_own:
                    raise PatientDetails(in_message.flags + in_own.flags, writer=new.text_writer) from None
                raise PatientDetails(in_message.flags, writer=new.text_writer) from None
            kinds = screen(self._guard, own, vouched=new.vouched)
        return raise_idea(self._db, self._clock, new, claim_card=True, vouched_kinds=kinds)

    def check(self, new: NewIdea, team: Team | None) -> NewIdea:
        """`new` screened and validated as `raise_idea` would (for `team`), stored nowhere: what a walk-up form
        holds for a leader's Accept. Raises PatientDetails and InvalidIdea as `raise_idea` does."""
        fields = {"problem": new.problem, "idea": new.idea, "benefit": new.benefit, "name": new.credited_name}
        screen(self._guard, fields, vouched=new.vouched)
        return validate(new, team)

    def set_source_link(self, idea_id: int, link: str) -> None:
        """Link the idea's card to the message it was raised from (a permalink, clipped to 500 characters)."""
        set_source_link(self._db, idea_id, link)
