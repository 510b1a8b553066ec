"""Who may move an idea where, as data: one row per action in `TRANSITIONS`, one permission function `may`.

new → approved → in_progress → done; new/approved → not_now (with a reason); not_now/done → new (reopen); new →
in_progress by the owner where the team allows "just do it"; approved → new when a leader's approval is taken back.
Edit, redact and sharing a not-now reason change no status (their rows' `to_status` is None).

`check` turns a refusal into the error a person is told: NotAllowed (they may not) or Stale (the idea has moved on),
in the order each action has always checked them (the rows' `status_first`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.domain import Actor
from bot.i18n import N_, _
from bot.render.card import offers
from bot.render.ids import CardAction
from bot.render.words import held_above_text, moved_on_text
from storage.models import Idea, IdeaStatus, Team

S = IdeaStatus


class NotAllowed(Exception):
    """The person may not do this; str(error) tells them why, kindly."""


class Stale(Exception):
    """The idea has moved on (another click or delivery got there first); str(error) says where it is."""


class Action(StrEnum):
    """What someone can do to an idea."""

    APPROVE = "approve"
    WITHDRAW_APPROVAL = "withdraw_approval"
    NOT_NOW = "not_now"
    START = "start"
    DONE = "done"
    REOPEN = "reopen"
    EDIT = "edit"
    REDACT = "redact"
    SHARE_REASON = "share_reason"


class Role(StrEnum):
    """Who someone is to an idea. The last two hold only in a given state of the idea (see `roles`)."""

    LEADER = "leader"  # leads the idea's team
    OWNER = "owner"  # the idea's owner
    AUTHOR = "author"  # raised it
    JUST_DO_IT = "just_do_it"  # the owner of a new idea, where the team allows "just do it"
    # On an approved idea: anyone taking it on while it has no owner, or its owner.
    TAKES_ON = "takes_on"
    # Leads the idea's own team while it is escalated to a team above (which decides it meanwhile).
    LOWER_LEADER = "lower_leader"


@dataclass(frozen=True)
class Transition:
    """One action's rule: the statuses it applies from, the status it leads to (None: the status stays), who may
    (anyone holding one of `who`), the words for someone who may not (marked with N_: translated when a refusal is
    raised), and whether a stale status is reported before a refusal. Once an idea's text is redacted, only
    `who_once_redacted` may (None: the same as `who`)."""

    from_statuses: frozenset[IdeaStatus]
    to_status: IdeaStatus | None
    who: frozenset[Role]
    refusal: str
    status_first: bool = False
    refusal_from_new: str | None = None  # the refusal for a new idea, where it differs
    who_once_redacted: frozenset[Role] | None = None
    redacted_refusal: str = ""


def _rule(
    from_statuses: set[IdeaStatus], to_status: IdeaStatus | None, who: set[Role], refusal: str, *,
    status_first: bool = False, refusal_from_new: str | None = None, who_once_redacted: set[Role] | None = None,
    redacted_refusal: str = "",
) -> Transition:  # fmt: skip
    once_redacted = None if who_once_redacted is None else frozenset(who_once_redacted)
    return Transition(
        frozenset(from_statuses), to_status, frozenset(who), refusal, status_first, refusal_from_new, once_redacted,
        redacted_refusal,
    )  # fmt: skip


# fmt: off
TRANSITIONS: Mapping[Action, Transition] = {
    Action.APPROVE: _rule({S.NEW}, S.APPROVED, {Role.LEADER}, N_("Only a leader of this team can approve ideas.")),
    # The silent undo when the last leader's approve emoji comes off the card: its caller knows they lead.
    Action.WITHDRAW_APPROVAL: _rule(
        {S.APPROVED}, S.NEW, {Role.LEADER}, N_("Only a leader of this team can take an approval back.")
    ),
    Action.NOT_NOW: _rule(
        {S.NEW, S.APPROVED}, S.NOT_NOW, {Role.LEADER},
        # Translators: “not now” is the decision of the card's button “Not now…”: a leader declines the idea for
        # now, kindly, with a reason
        N_("Only a leader of this team can decide “not now”."),
    ),
    Action.START: _rule(
        {S.NEW, S.APPROVED}, S.IN_PROGRESS, {Role.LEADER, Role.JUST_DO_IT, Role.TAKES_ON},
        N_("Only the idea's owner or a leader can start it."), status_first=True,
        refusal_from_new=N_("This idea needs a leader's yes before it starts."),
    ),
    Action.DONE: _rule(
        {S.APPROVED, S.IN_PROGRESS}, S.DONE, {Role.LEADER, Role.OWNER},
        N_("Only the idea's owner or a leader can mark it done."), status_first=True,
    ),
    Action.REOPEN: _rule(
        {S.DONE, S.NOT_NOW}, S.NEW, {Role.LEADER, Role.OWNER, Role.AUTHOR},
        N_("Only the idea's owner, its author or a leader can reopen it."), status_first=True,
    ),
    Action.EDIT: _rule(
        set(IdeaStatus), None, {Role.LEADER, Role.LOWER_LEADER, Role.AUTHOR},
        N_("Only the person who raised it or a leader can edit an idea."),
        who_once_redacted={Role.LEADER, Role.LOWER_LEADER},
        redacted_refusal=N_("A leader removed this idea's text; only a leader can edit it now."),
    ),
    Action.REDACT: _rule(
        set(IdeaStatus), None, {Role.LEADER, Role.LOWER_LEADER}, N_("Only a leader can redact an idea.")
    ),
    Action.SHARE_REASON: _rule(
        {S.NOT_NOW}, None, {Role.AUTHOR}, N_("Only the person who raised the idea can share this."),
        who_once_redacted=set(),
        redacted_refusal=N_("A leader removed this idea's text, and the reason with it: there is nothing to share."),
    ),
}
# fmt: on


def roles(actor: Actor, idea: Idea, team: Team | None = None) -> frozenset[Role]:
    """The roles `actor` holds on `idea` as it is now; `team` is the idea's team (default `idea.team`, which the
    store loads with the idea), read for whether it allows "just do it"."""
    team = team or idea.team
    owner = idea.owner_id == actor.user_id
    held = {
        Role.LEADER: actor.is_leader,
        Role.OWNER: owner,
        Role.AUTHOR: idea.author_id == actor.user_id,
        Role.JUST_DO_IT: owner and idea.status == S.NEW and team.just_do_it_allowed,
        Role.TAKES_ON: idea.status == S.APPROVED and (owner or idea.owner_id is None),
        Role.LOWER_LEADER: actor.held_by is not None,
    }
    return frozenset(role for role, holds in held.items() if holds)


def _allowed_by(rule: Transition, held: frozenset[Role], idea: Idea) -> tuple[bool, bool]:
    # (holds a role the rule names, is not kept out by a redaction)
    unredacted = not idea.redacted or rule.who_once_redacted is None or bool(held & rule.who_once_redacted)
    return bool(held & rule.who), unredacted


def may(actor: Actor, action: Action, idea: Idea, team: Team | None = None) -> bool:
    """Whether `actor` may do `action` to `idea` now: it is in one of the row's statuses, the actor holds one of its
    roles, and a redaction does not keep them out. `team` as for `roles`."""
    rule = TRANSITIONS[action]
    holds, unredacted = _allowed_by(rule, roles(actor, idea, team), idea)
    return idea.status in rule.from_statuses and holds and unredacted


def stale(idea: Idea) -> Stale:
    """The error for an idea that has moved on: it says where the idea is now (worded by bot.render)."""
    return Stale(moved_on_text(idea))


def check(actor: Actor, action: Action, idea: Idea, team: Team | None = None) -> None:
    """Return when `may(actor, action, idea, team)`; else raise why not: NotAllowed with the row's words (in the
    reader's language), or Stale when the idea is not in one of the row's statuses (before the refusal where the row
    says `status_first`)."""
    if may(actor, action, idea, team):
        return
    rule = TRANSITIONS[action]
    placed = idea.status in rule.from_statuses
    if rule.status_first and not placed:
        raise stale(idea)
    holds, unredacted = _allowed_by(rule, roles(actor, idea, team), idea)
    if not holds and actor.held_by is not None and Role.LEADER in rule.who:
        # A leader of the idea's own team, while a team above decides it: where it is, and how to decide it here.
        raise NotAllowed(held_above_text(actor.held_by))
    if not holds:
        new = rule.refusal_from_new if idea.status == S.NEW else None
        raise NotAllowed(_(new or rule.refusal))
    if not unredacted:
        raise NotAllowed(_(rule.redacted_refusal))
    raise stale(idea)


# A card's action id → what it asks of the idea. (The share-reason button is on no card.)
CARD_ACTIONS: dict[str, Action] = {
    CardAction.APPROVE: Action.APPROVE,
    CardAction.NOT_NOW: Action.NOT_NOW,
    CardAction.START: Action.START,
    CardAction.DONE: Action.DONE,
    CardAction.REOPEN: Action.REOPEN,
    CardAction.EDIT: Action.EDIT,
    CardAction.REDACT: Action.REDACT,
}


def check_press(actor: Actor, action_id: str, idea: Idea, *, in_menu: bool) -> None:
    """Refuse a press of the card action `action_id` (a button, or `in_menu` an overflow menu entry) that the
    idea's card no longer offers there (`bot.render.card.offers`): it came from an out-of-date copy (e.g. Not now…
    on an idea approved since). Whoever may not act at all gets the usual refusal (NotAllowed), as from a current
    card; anyone else is told where the idea is now (Stale). Returns for a press the card offers, or one that is
    not a card action."""
    action = CARD_ACTIONS.get(action_id)
    if action is None or offers(idea.status, action_id, in_menu=in_menu):
        return
    check(actor, action, idea, idea.team)
    raise stale(idea)
