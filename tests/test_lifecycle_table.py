"""The idea lifecycle as a table (`bot.ideas.rules`): every (action, status, role) against what may happen, written
out here as plain rules, and the table is what `Lifecycle` enforces on a real SQLite database: a change succeeds
exactly when `may` says so, lands in the row's status, and returns its notices."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import SettableClock
from bot.domain import Actor
from bot.ideas.lifecycle import Change, Lifecycle, NotAllowed, Stale
from bot.ideas.rules import TRANSITIONS, Action, may
from bot.ideas.workflow import NewIdea, raise_idea
from bot.notices import Approved, NotNowReason, Started
from storage import queries
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Idea, IdeaStatus, OutboxMessage, Source, Team

S = IdeaStatus
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
ACTORS = {
    "leader": Actor("U_LEAD", is_leader=True),
    "owner": Actor("U_OWNER", is_leader=False),
    "author": Actor("U_AUTHOR", is_leader=False),
    "anyone": Actor("U_ANYONE", is_leader=False),
}
REASON = "Not this month: the budget is spent."


def today(action: Action, status: str, who: str, *, owned: bool, just_do_it: bool, redacted: bool) -> bool:
    """Who may do what, spelled out as the lifecycle's rules have always read (the table must say the same)."""
    leader, author = who == "leader", who == "author"
    owner = owned and who == "owner"
    if action == Action.APPROVE:
        return leader and status == S.NEW
    if action == Action.WITHDRAW_APPROVAL:
        return leader and status == S.APPROVED
    if action == Action.NOT_NOW:
        return leader and status in (S.NEW, S.APPROVED)
    if action == Action.START:
        if status == S.NEW:
            return leader or (just_do_it and owner)
        return status == S.APPROVED and (leader or owner or not owned)
    if action == Action.DONE:
        return status in (S.APPROVED, S.IN_PROGRESS) and (leader or owner)
    if action == Action.REOPEN:
        return status in (S.DONE, S.NOT_NOW) and (leader or owner or author)
    if action == Action.EDIT:
        return leader or (author and not redacted)
    if action == Action.REDACT:
        return leader
    assert action == Action.SHARE_REASON
    return author and not redacted and status == S.NOT_NOW


def an_idea(status: str, *, owned: bool = True, just_do_it: bool = True, redacted: bool = False) -> Idea:
    """An idea as the store would load it (not stored): raised by the author, owned by the owner if `owned`."""
    team = Team(workspace_id="T1", channel_id="C1", just_do_it_allowed=just_do_it)
    return Idea(
        workspace_id="T1", number=7, team=team, author_id=ACTORS["author"].user_id, status=status,
        owner_id=ACTORS["owner"].user_id if owned else None, anonymous=False, redacted=redacted, problem="Leaks",
    )  # fmt: skip


EVERY_CASE = list(itertools.product(Action, S, ACTORS, (True, False), (True, False), (True, False)))


@pytest.mark.parametrize(("action", "status", "who", "owned", "just_do_it", "redacted"), EVERY_CASE)
def test_may_says_what_the_rules_say(
    action: Action, status: S, who: str, owned: bool, just_do_it: bool, redacted: bool
) -> None:
    idea = an_idea(status, owned=owned, just_do_it=just_do_it, redacted=redacted)
    expected = today(action, status, who, owned=owned, just_do_it=just_do_it, redacted=redacted)
    assert may(ACTORS[who], action, idea) is expected


@pytest.mark.parametrize(
    ("action", "status", "who", "shape", "allowed"),
    [
        (Action.APPROVE, S.NEW, "leader", {}, True),
        (Action.APPROVE, S.DONE, "leader", {}, False),
        (Action.APPROVE, S.NEW, "author", {}, False),
        (Action.START, S.NEW, "owner", {"just_do_it": True}, True),
        (Action.START, S.NEW, "owner", {"just_do_it": False}, False),
        (Action.START, S.APPROVED, "anyone", {"owned": False}, True),
        (Action.START, S.APPROVED, "anyone", {"owned": True}, False),
        (Action.START, S.APPROVED, "owner", {"owned": True}, True),
        (Action.DONE, S.IN_PROGRESS, "owner", {}, True),
        (Action.DONE, S.IN_PROGRESS, "author", {}, False),
        (Action.REOPEN, S.DONE, "author", {}, True),
        (Action.REOPEN, S.IN_PROGRESS, "leader", {}, False),
        (Action.EDIT, S.DONE, "author", {}, True),
        (Action.EDIT, S.DONE, "author", {"redacted": True}, False),
        (Action.EDIT, S.DONE, "leader", {"redacted": True}, True),
        (Action.REDACT, S.NEW, "author", {}, False),
        (Action.SHARE_REASON, S.NOT_NOW, "author", {}, True),
        (Action.SHARE_REASON, S.NOT_NOW, "leader", {}, False),
    ],
)
def test_examples_read_as_the_product_says(
    action: Action, status: S, who: str, shape: dict[str, bool], allowed: bool
) -> None:
    assert may(ACTORS[who], action, an_idea(status, **shape)) is allowed


def test_every_action_has_a_row_and_status_changes_lead_somewhere_else() -> None:
    assert set(TRANSITIONS) == set(Action)
    for action, rule in TRANSITIONS.items():
        assert rule.from_statuses, action
        assert rule.to_status not in rule.from_statuses, action


# --- the table is what Lifecycle enforces --------------------------------------------------------------------


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = Database(f"sqlite:///{Path(tmp_path_factory.mktemp('lifecycle')) / 'kaizen.db'}")
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def lifecycle(db: Database) -> Lifecycle:
    return Lifecycle(db, SettableClock(START))


def arrange(db: Database, lifecycle: Lifecycle, status: str, *, owned: bool, just_do_it: bool, redacted: bool) -> Idea:
    """A stored idea in `status` (with a not-now reason on record), put there through the store, not the rules
    under test (a redacted one is redacted by a leader)."""
    new = NewIdea(workspace_id="T1", channel_id="C1", channel_name="ward-7", author_id="U_AUTHOR", problem="Leaks")
    idea_id = raise_idea(db, SettableClock(START), new).idea.id
    with db.write() as session:
        owner = ACTORS["owner"].user_id if owned else None
        values = {"status": status, "owner_id": owner, "decision_note": REASON}
        assert queries.change_idea(session, idea_id, list(S), values)
        team = session.get(Team, session.get(Idea, idea_id).team_id)  # type: ignore[union-attr]
        assert team is not None
        team.just_do_it_allowed = just_do_it
    if redacted:
        lifecycle.redact(idea_id, ACTORS["leader"])
    return lifecycle.load(idea_id)


DO: dict[Action, Callable[[Lifecycle, int, Actor], Change | None]] = {
    Action.APPROVE: lambda life, idea_id, actor: life.approve(idea_id, actor, source=Source.BUTTON),
    Action.WITHDRAW_APPROVAL: lambda life, idea_id, actor: life.withdraw_approval(idea_id, actor),
    Action.NOT_NOW: lambda life, idea_id, actor: life.not_now(idea_id, actor, REASON),
    Action.START: lambda life, idea_id, actor: life.start(idea_id, actor, life.load(idea_id).team),
    Action.DONE: lambda life, idea_id, actor: life.done(
        idea_id, actor, outcome="worked", result="Fixed.", learned="Ask early.", effect=None
    ),
    Action.REOPEN: lambda life, idea_id, actor: life.reopen(idea_id, actor),
    Action.EDIT: lambda life, idea_id, actor: life.edit(
        idea_id, actor, problem="Still leaks", idea_text=None, benefit=None, category=None
    ),
    Action.REDACT: lambda life, idea_id, actor: life.redact(idea_id, actor),
    Action.SHARE_REASON: lambda life, idea_id, actor: life.share_reason(idea_id, actor.user_id),
}
SHAPES = {
    "owned": {"owned": True, "just_do_it": True, "redacted": False},
    "unowned": {"owned": False, "just_do_it": True, "redacted": False},
    "no just-do-it": {"owned": True, "just_do_it": False, "redacted": False},
    "redacted": {"owned": True, "just_do_it": True, "redacted": True},
}
ENFORCED = [
    (action, status, who, shape)
    for action, status, who in itertools.product(Action, S, ACTORS)
    for shape in ("owned", *{Action.START: ("unowned", "no just-do-it"), Action.EDIT: ("redacted",)}.get(action, ()))
] + [(Action.SHARE_REASON, S.NOT_NOW, who, "redacted") for who in ACTORS]


@pytest.mark.parametrize(("action", "status", "who", "shape"), ENFORCED)
def test_lifecycle_changes_exactly_what_the_table_allows(
    db: Database, lifecycle: Lifecycle, action: Action, status: S, who: str, shape: str
) -> None:
    idea = arrange(db, lifecycle, status, **SHAPES[shape])
    actor = ACTORS[who]
    allowed = may(actor, action, idea)
    if allowed:
        change = DO[action](lifecycle, idea.id, actor)
        assert change is not None
        expected = TRANSITIONS[action].to_status or status
        assert lifecycle.load(idea.id).status == expected
    elif action == Action.WITHDRAW_APPROVAL:  # silent: an emoji taken off is no request to refuse
        assert DO[action](lifecycle, idea.id, actor) is None
        assert lifecycle.load(idea.id).status == status
    else:
        with pytest.raises((NotAllowed, Stale)):
            DO[action](lifecycle, idea.id, actor)
        assert lifecycle.load(idea.id).status == status


@pytest.mark.parametrize(
    ("action", "status", "who", "error"),
    [
        # Permission before status where the product always checked it so, and the other way round.
        (Action.APPROVE, S.DONE, "author", NotAllowed),
        (Action.APPROVE, S.DONE, "leader", Stale),
        (Action.NOT_NOW, S.DONE, "anyone", NotAllowed),
        (Action.START, S.DONE, "anyone", Stale),
        (Action.DONE, S.NEW, "anyone", Stale),
        (Action.REOPEN, S.NEW, "anyone", Stale),
        (Action.SHARE_REASON, S.DONE, "anyone", NotAllowed),
        (Action.SHARE_REASON, S.DONE, "author", Stale),
    ],
)
def test_a_refusal_says_first_what_it_always_said_first(
    db: Database, lifecycle: Lifecycle, action: Action, status: S, who: str, error: type[Exception]
) -> None:
    idea = arrange(db, lifecycle, status, **SHAPES["owned"])
    with pytest.raises(error):
        DO[action](lifecycle, idea.id, ACTORS[who])


def test_a_leader_starting_a_waiting_idea_approves_it_first_and_says_only_the_approval(
    lifecycle: Lifecycle, db: Database
) -> None:
    """Both changes are returned; the notification rule (bot.notices.is_owed) queues the approval only: starting
    is shown on the card, and the leader is a plain name (filled in on sending), not a mention."""
    idea = arrange(db, lifecycle, S.NEW, owned=False, just_do_it=True, redacted=False)
    change = lifecycle.start(idea.id, ACTORS["leader"], idea.team)
    assert [type(notice) for notice in change.notices] == [Approved, Started]
    assert change.idea.status == S.IN_PROGRESS and change.idea.owner_id == "U_LEAD"
    with db.read() as session:
        texts = [session.get(OutboxMessage, message_id).text for message_id in change.message_ids]  # type: ignore[union-attr]
    assert texts == [
        ":white_check_mark: Approved by <name:U_LEAD> — go ahead! Thank you <@U_AUTHOR> for raising it.",
    ]


def test_not_now_owes_the_author_a_private_note_with_its_reason(lifecycle: Lifecycle, db: Database) -> None:
    idea = arrange(db, lifecycle, S.APPROVED, owned=False, just_do_it=True, redacted=False)
    change = lifecycle.not_now(idea.id, ACTORS["leader"], f"  {REASON}  ")
    assert [(type(n), n.reason) for n in change.notices if isinstance(n, NotNowReason)] == [(NotNowReason, REASON)]
    with db.read() as session:
        (message,) = session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(change.message_ids)))
    assert message.kind == "dm" and message.user_id == "U_AUTHOR" and message.blocks
    assert REASON in (message.text or "")
