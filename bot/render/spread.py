"""Spreading what works, in Slack: the suggestion a team gets when another team's done idea could help it too
(`suggestion`), the form behind a done card's Try it in my team (`try_in_team_modal`), and what people are told.

A suggestion quotes the idea as it stands (redrawn like a card after an edit or a redaction), names people as plain
names (no one is pinged in another team's channel) and never an anonymous author."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import limits
from bot.i18n import _
from bot.render.ids import ActionId, CallbackId, LifecycleField
from bot.render.lifecycle_forms import about, idea_modal
from bot.render.words import OUTCOME_LABEL, date_markup, is_safe_link, person, problem_start, stored_text
from bot.slack import blockkit as bk
from storage.models import Idea, IdeaStatus
from storage.models_spread import SpreadAnswer


@dataclass(frozen=True)
class Suggestion:
    """One team's suggestion of a done idea: the offer's id (its buttons' value), the channel of the team the idea is
    from, who offered it and when, and how the team answered (`answer`, a SpreadAnswer; `copy_number` of the idea it
    tried it as), and the link to the idea's card."""

    spread_id: int
    from_channel: str
    offered_by: str
    offered_at: datetime
    answer: str | None = None
    answered_by: str | None = None
    copy_number: int | None = None
    link: str | None = None  # the permalink of the idea's card in its own channel, if Slack gave one


def _labelled(label: str, text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    body = bk.escape_clipped(text, limits.SUGGESTION_TEXT)
    return {"type": "section", "text": {"type": "mrkdwn", "text": bk.clip(f"*{label}*\n{body}", limits.SECTION_TEXT)}}


def suggestion_text(idea: Idea, offer: Suggestion) -> str:
    """The suggestion's notification text: which team's idea, and the start of its problem."""
    # Translators: what a phone says of a suggestion: another team ({channel}) did idea #{number}; {problem} its start
    return _("Could this help here too? <#{channel}> did #{number}: {problem}", channel=offer.from_channel,
             number=idea.number, problem=problem_start(idea, limits.FALLBACK_TEXT))  # fmt: skip


def suggestion(idea: Idea, offer: Suggestion) -> list[dict[str, Any]]:
    """The suggestion's blocks (JSON): the idea as the team that did it wrote it up (problem, outcome and what
    changed, what they learned, effect: each escaped and clipped to limits.SUGGESTION_TEXT), who offered it, and
    Try it here / Not for us until the team answered, then how it answered."""
    # Translators: the first line of a suggestion: another team ({channel}) did idea #{number} and offers it here
    heading = _(":seedling: *Could this help here too?* <#{channel}> did *Kaizen #{number}*",
                channel=offer.from_channel, number=idea.number)  # fmt: skip
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": heading}}]
    outcome = OUTCOME_LABEL.get(idea.outcome or "")
    for label, text in (
        # Translators: a label in a suggestion, over the problem the other team had
        (_("Problem"), stored_text(idea.problem)),
        # Translators: a label in a suggestion, over what the other team changed, when it has no outcome
        (_(outcome) if outcome else _("What changed"), stored_text(idea.result)),
        # Translators: a label in a suggestion, over what the other team learned
        (_("What they learned"), stored_text(idea.learned)),
        # Translators: a label in a suggestion, over the effect the change had there
        (_("Effect"), idea.effect),
    ):
        block = _labelled(label, text)
        if block:
            blocks.append(block)
    # Translators: in a suggestion: who offered it (a plain name) and when
    facts = _("Offered by {name} · {date}", name=person(idea, offer.offered_by), date=date_markup(offer.offered_at))
    if is_safe_link(offer.link):
        # Translators: in a suggestion: a link to the other team's card of the idea
        facts += " · " + _("<{link}|Open its card>", link=offer.link)
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": facts}]})
    answered = _answer_line(idea, offer)
    if answered:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": answered}]})
        return blocks
    if not can_be_tried(idea):  # reopened, redacted or its text gone: nothing to try until it is done again
        return blocks
    value = str(offer.spread_id)
    blocks.append({"type": "actions", "block_id": f"spread_{offer.spread_id}", "elements": [
        # Translators: a button on a suggestion: make the other team's idea a new idea of this team
        {"type": "button", "action_id": ActionId.TRY_HERE, "text": _plain(_("Try it here")), "value": value,
         "style": "primary"},
        # Translators: a button on a suggestion: this team will not try it (leaders)
        {"type": "button", "action_id": ActionId.NOT_FOR_US, "text": _plain(_("Not for us")), "value": value},
    ]})  # fmt: skip
    return blocks


def can_be_tried(idea: Idea) -> bool:
    """Whether another team can try `idea` now (its suggestions and card offer it): done, its text still there."""
    return idea.status == IdeaStatus.DONE and not idea.redacted and idea.text_removed_at is None


def _answer_line(idea: Idea, offer: Suggestion) -> str | None:
    # Whoever answered is named, unless they wrote the idea anonymously: "by the person who raised it" next to a
    # copy raised in their name would tell everyone who that was.
    named = not idea.hides(offer.answered_by)
    if offer.answer == SpreadAnswer.TRIED and offer.copy_number is not None:
        if not named:
            # Translators: on a suggestion once someone here tried it, as this team's idea #{number}
            return _(":seedling: Tried here as #{number}.", number=offer.copy_number)
        who = person(idea, offer.answered_by or "")
        # Translators: on a suggestion once someone here tried it, as this team's idea #{number}; {name} who
        return _(":seedling: Tried here as #{number}, by {name}.", number=offer.copy_number, name=who)
    if offer.answer == SpreadAnswer.NOT_FOR_US:
        if not named:
            # Translators: on a suggestion once a leader here said it is not for this team
            return _("Not for us, for now.")
        # Translators: on a suggestion once a leader here ({name}) said it is not for this team
        return _("Not for us, for now ({name}).", name=person(idea, offer.answered_by or ""))
    return None


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def try_in_team_modal(idea: Idea, channel_id: str | None) -> bk.View:
    """Try it in my team: which team's channel (Kaizen must be in it; checked on submit) gets a new idea, linked to
    this done one, raised and owned by whoever submits. `channel_id` is where the form was opened."""
    pick = bk.InputBlock(
        block_id=LifecycleField.TRY_TEAM,
        # Translators: a label in the form that tries a done idea in another team: which team's channel
        label=_("Which team?"),
        # Translators: the hint under "Which team?" in the form that tries a done idea in another team
        hint=_("A new idea there, raised by you and linked to this one; that team's leaders decide it."),
        element=bk.ConversationSelectElement(
            action_id=LifecycleField.TRY_TEAM,
            # Translators: the placeholder of the channel picker in the form that tries a done idea in another team
            placeholder=_("Your team's channel"),
            filter=bk.ConversationFilter(include=["public", "private"], exclude_bot_users=True),
        ),
    )
    # Translators: the title of the form that tries done idea #{number} in another team (at most 24 characters)
    title = _("Try #{number}", number=idea.number)
    # Translators: the button that sends the form that tries a done idea in another team
    submit = _("Try it there")
    return idea_modal(idea, channel_id, callback_id=CallbackId.TRY_IN_TEAM, title=title, submit=submit,
                      blocks=[about(idea), pick])  # fmt: skip


def tried_text(copy: Idea, original: Idea) -> str:
    """What the person who tried an idea is told privately: the new idea and where it waits."""
    # Translators: told privately to someone who tried another team's idea: their new idea #{number} in {channel}
    return _("Thank you! #{number} is now an idea of <#{channel}>, linked to #{original}; its leaders decide it "
             "there.", number=copy.number, channel=copy.team.channel_id, original=original.number)  # fmt: skip
