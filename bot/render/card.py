"""The idea's card in its team channel: its notification text, its status line and its blocks with the buttons its
status allows.

The card is drawn for every idea raised and every change to one (a reaction on it, too), so its blocks are built as
the JSON Slack takes (`card_dicts`), not as slack_sdk's Block Kit objects, whose serialisation re-validates every
part (four fifths of the card's cost). What slack_sdk would check is kept by construction: texts are clipped to
their limits, buttons and menu entries are fixed words; tests check the card against slack_sdk's validation in
every language and status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot import credit, limits
from bot.domain import CardLinks, CardTier
from bot.i18n import N_, _, join, n_
from bot.notices import asked_for_input
from bot.render.ids import BlockPrefix, CardAction
from bot.render.words import (
    CATEGORY_LABEL,
    OUTCOME_LABEL,
    STATUS_LABEL,
    date_markup,
    is_safe_link,
    problem_start,
    stored_text,
)
from bot.render.words import mention as words_mention
from bot.slack import blockkit as bk
from storage.models import Idea, IdeaStatus

# What a label adds around a text in its section: "*", "*" and a newline, and one to spare.
_LABEL_MARKUP = 4

# status → the card's buttons: its primary actions only (action id, button text marked for the catalogs: shown as
# `_(text)`), the first one green. Who may press which is decided on the server, per press.
# Translators: a button on a new idea's card: a leader says yes to the idea
_APPROVE = (CardAction.APPROVE, N_("Approve"))
# Translators: a button on a new idea's card: a leader declines the idea for now, kindly (a form asks why)
_NOT_NOW = (CardAction.NOT_NOW, N_("Not now…"))
# Translators: a button on an approved idea's card: someone starts working on it
_START = (CardAction.START, N_("Start"))
# Translators: a button on the card of an idea in progress: it is done (a form asks what changed)
_DONE = (CardAction.DONE, N_("Done…"))
# Translators: a button on the card of a done or declined idea: it waits for a decision again
_REOPEN = (CardAction.REOPEN, N_("Reopen"))
# Translators: a button on a done idea's card: try the idea in another team of yours (a form asks which)
_TRY_IN_TEAM = (CardAction.TRY_IN_TEAM, N_("Try it in my team"))
CARD_BUTTONS: dict[str, tuple[tuple[str, str], ...]] = {
    IdeaStatus.NEW: (_APPROVE, _NOT_NOW),
    IdeaStatus.APPROVED: (_START,),
    IdeaStatus.IN_PROGRESS: (_DONE,),
    IdeaStatus.DONE: (_TRY_IN_TEAM, _REOPEN),
    IdeaStatus.NOT_NOW: (_REOPEN,),
}

# The first button is green when it moves the idea forward; a done or declined idea's stay plain.
FIRST_STYLE: dict[str, str | None] = {action: "primary" for (action, _text), *_rest in CARD_BUTTONS.values()} | {
    CardAction.TRY_IN_TEAM: None,  # a done card asks nothing more of its team: nothing on it calls for attention
    CardAction.REOPEN: None,
}

# Everything else, in the card's overflow menu (at most limits.OVERFLOW_OPTIONS), each entry saying who may use it
# (its text marked for the catalogs: shown as `_(text)`).
# Translators: an entry in an idea card's "more" menu, saying who may use it
_EDIT = (CardAction.EDIT, N_("Edit — author or a leader"))
# Translators: an entry in an idea card's "more" menu (removes the idea's text for good), saying who may use it
_REDACT = (CardAction.REDACT, N_("Redact (remove the text) — leaders"))
CARD_MORE: dict[str, tuple[tuple[str, str], ...]] = {
    # Translators: an entry in an idea card's "more" menu, saying who may use it
    IdeaStatus.NEW: ((CardAction.START, N_("Start now — its owner (if allowed) or a leader")), _EDIT, _REDACT),
    IdeaStatus.APPROVED: (
        # Translators: an entry in an idea card's "more" menu, saying who may use it
        (CardAction.DONE, N_("Done… — owner or a leader")),
        # Translators: an entry in an idea card's "more" menu (declines the idea for now), saying who may use it
        (CardAction.NOT_NOW, N_("Not now… — leaders")),
        _EDIT,
        _REDACT,
    ),
    IdeaStatus.IN_PROGRESS: (_EDIT, _REDACT),
    IdeaStatus.DONE: (_EDIT, _REDACT),
    IdeaStatus.NOT_NOW: (_EDIT, _REDACT),
}

MORE_SEPARATOR = ":"  # an overflow option's value: "<action id>:<idea id>"

# The tier entries of the menu (`CardTier` says which a card shows), before Edit and Redact.
# Translators: an entry in an idea card's "more" menu: send the idea to the team one tier up (a form asks why)
_ESCALATE = (CardAction.ESCALATE, N_("Escalate… — leaders"))
# Translators: an entry in the menu of an idea's card in the team above: send it back down (a form asks for a note)
_SEND_BACK = (CardAction.SEND_BACK, N_("Send back… — leaders here"))
# Translators: an entry in the menu of an idea's own card while a team above holds it: decide it here again
_TAKE_BACK = (CardAction.TAKE_BACK, N_("Take back — leaders here"))


def menu(status: str, tier: CardTier | None) -> list[tuple[str, str]]:
    """The card's overflow menu entries (action id, text marked for the catalogs): the status's (`CARD_MORE`) with
    the tier entries `tier` calls for before Edit and Redact; past limits.OVERFLOW_OPTIONS, Edit goes first (it is
    on the idea's other card, and Redact must stay within reach)."""
    entries = list(CARD_MORE[status])
    extra: list[tuple[str, str]] = []
    if tier is not None:
        if tier.can_escalate and status == IdeaStatus.NEW:  # the team above is asked for a decision
            extra.append(_ESCALATE)
        if tier.upper_card and tier.open:
            extra.append(_SEND_BACK)
        if not tier.upper_card and tier.holder_channel and status == IdeaStatus.NEW:  # until it is decided above
            extra.append(_TAKE_BACK)
    at = next((i for i, (action, _text) in enumerate(entries) if action == CardAction.EDIT), len(entries))
    entries[at:at] = extra
    if len(entries) > limits.OVERFLOW_OPTIONS:
        entries = [entry for entry in entries if entry[0] != CardAction.EDIT]
    return entries[: limits.OVERFLOW_OPTIONS]


def offers(status: str, action: str, *, in_menu: bool) -> bool:
    """Whether the card of an idea in `status` shows `action`: as a button (`CARD_BUTTONS`, also the App Home's
    Approve and Not now… of a waiting idea) or, `in_menu`, in its overflow menu (`CARD_MORE`). A press of an
    action the card no longer shows came from an out-of-date copy of it."""
    shown = CARD_MORE if in_menu else CARD_BUTTONS
    return any(offered == action for offered, _text in shown.get(status, ()))


def mention(user_id: str) -> str:
    """A person as a mention: for private replies, where it pings no one (`words.mention`)."""
    return words_mention(user_id)


def card_text(idea: Idea) -> str:
    """The notification text of a card (what a phone and a screen reader say), at most about
    `limits.FALLBACK_TEXT` characters: the number, the start of the problem and where it stands, e.g. "Kaizen #12:
    The sluice room door sticks — waiting for a decision"."""
    problem = problem_start(idea, limits.FALLBACK_TEXT)
    return _(_FALLBACK_TEXT[idea.status], number=idea.number, problem=problem)


# The card's notification text, one whole sentence per status.
_FALLBACK_TEXT: dict[str, str] = {
    # Translators: what a phone says of an idea's card; {problem} is the start of the problem as someone wrote it
    IdeaStatus.NEW: N_("Kaizen #{number}: {problem} — waiting for a decision"),
    # Translators: what a phone says of an idea's card; {problem} is the start of the problem as someone wrote it
    IdeaStatus.APPROVED: N_("Kaizen #{number}: {problem} — approved, not started"),
    # Translators: what a phone says of an idea's card; {problem} is the start of the problem as someone wrote it
    IdeaStatus.IN_PROGRESS: N_("Kaizen #{number}: {problem} — in progress"),
    # Translators: what a phone says of an idea's card; {problem} is the start of the problem as someone wrote it
    IdeaStatus.DONE: N_("Kaizen #{number}: {problem} — done"),
    # Translators: what a phone says of a card of an idea a leader declined for now (kindly: not "rejected")
    IdeaStatus.NOT_NOW: N_("Kaizen #{number}: {problem} — not now"),
}


def _who(idea: Idea, user_id: str, name: Callable[[str], str]) -> str:
    # Someone on the card, as `name` shows them; never an anonymous idea's author by name.
    if idea.hides(user_id):
        # Translators: on an idea's card, instead of the name of its anonymous author: "Owner: {name}"
        return _("the person who raised it")
    return name(user_id)


def status_text(idea: Idea, name: Callable[[str], str] = mention) -> str:
    """The card's status line, each thing once: e.g. "✅ Approved by Grace — go ahead"."""
    if idea.status == IdeaStatus.APPROVED and idea.decided_by:
        if idea.hides(idea.decided_by):
            # Translators: the status line of an idea's card, approved by its anonymous author (who leads the team)
            return _(":white_check_mark: Approved by the person who raised it — go ahead")
        # Translators: the status line of an approved idea's card; {name} is the leader who approved it
        return _(":white_check_mark: Approved by {name} — go ahead", name=name(idea.decided_by))
    return _(STATUS_LABEL[idea.status])


def _labelled(label: str, text: str | None, limit: int) -> str | None:
    """A person's `text` under a bold `label`, escaped, the whole at most `limit` characters; None without text."""
    if not text:
        return None
    return f"*{label}*\n{bk.escape_clipped(text, limit - len(label) - _LABEL_MARKUP)}"


def card_blocks(
    idea: Idea,
    *,
    supporters: int = 0,
    name: Callable[[str], str] = mention,
    tier: CardTier | None = None,
    links: CardLinks | None = None,
) -> list[bk.Block]:
    """The idea's card (see `card_dicts`) as slack_sdk Block Kit objects, to put together with other blocks (the
    card over its history in `/kaizen show`)."""
    blocks = card_dicts(idea, supporters=supporters, name=name, tier=tier, links=links)
    return [bk.Block.parse(block) for block in blocks]  # type: ignore[misc]


def tier_line(idea: Idea, tier: CardTier, name: Callable[[str], str]) -> str | None:
    """The card's line about its tiers (mrkdwn; the reason escaped and clipped), or None when there is nothing to
    say: with which team it is now and why (its own card), where it came from or how the hop ended (an upper
    card)."""
    by = _who(idea, tier.by, name) if tier.by else ""
    when = date_markup(tier.at) if tier.at else ""
    reason = bk.escape_clipped(tier.reason or "", limits.SHARED_REASON_QUOTE)
    if not tier.upper_card:
        if not tier.holder_channel:
            return None
        # Translators: on an idea's card while a team one tier up decides it; {channel} is that team's channel,
        # {date} when it was sent there, {name} who sent it, {reason} why
        return _(":arrow_up: With <#{channel}> since {date}, by {name}: {reason}", channel=tier.holder_channel,
                 date=when, name=by, reason=reason)  # fmt: skip
    if tier.open:
        # Translators: on an idea's card in the channel of the team one tier up; {channel} is where it came from
        return _(":arrow_up: Escalated from <#{channel}> by {name} · {date}: {reason}", channel=tier.came_from,
                 name=by, date=when, reason=reason)  # fmt: skip
    if tier.ended_how == "sent_back":
        # Translators: on an idea's card in the team above, once that team sent it back down to {channel}
        return _(":arrow_down: Sent back to <#{channel}>; its leaders decide it.", channel=tier.came_from)
    if tier.ended_how == "taken_back":
        # Translators: on an idea's card in the team above, once the team below ({channel}) took it back
        return _(":arrow_down: Taken back by <#{channel}>; its leaders decide it.", channel=tier.came_from)
    # Translators: on an idea's card in the team above, once that team sent it one tier further up
    return _(":arrow_up: Escalated further up; the team there decides it.")


def links_line(links: CardLinks) -> str | None:
    """The card's line about the teams that spread the idea (mrkdwn), or None when there is nothing to say: the idea
    it was tried from, and where it was tried (at most limits.CARD_COPIES named, then how many more)."""
    parts: list[str] = []
    if links.copied_from is not None:
        number, channel = links.copied_from
        # Translators: on the card of an idea a team tried from another team's done idea #{number} (in {channel})
        parts.append(_(":seedling: Tried from #{number} in <#{channel}>", number=number, channel=channel))
    if links.copies:
        shown = [
            # Translators: one team that tried this idea, in the list on its card: its channel and its copy's number
            _("<#{channel}> as #{number}", channel=channel, number=number)
            for number, channel in links.copies[: limits.CARD_COPIES]
        ]
        more = len(links.copies) - len(shown)
        if more:
            # Translators: after the teams named on a card, how many more tried the idea
            shown.append(n_("{count} more team", "{count} more teams", more))
        # Translators: on a done idea's card: the teams that tried it too, e.g. "#ward-b as #57 and #ward-c as #60"
        parts.append(_(":seedling: Also tried in {teams}", teams=join(shown)))
    return " · ".join(parts) or None


def _section(text: str) -> dict[str, Any]:
    """`bk.section` as JSON: a mrkdwn section from already-safe mrkdwn, clipped as a last guard."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": bk.clip(text, limits.SECTION_TEXT)}}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def card_dicts(
    idea: Idea,
    *,
    supporters: int = 0,
    name: Callable[[str], str] = mention,
    tier: CardTier | None = None,
    links: CardLinks | None = None,
) -> list[dict[str, Any]]:
    """The idea's card in its team channel, as the JSON blocks Slack takes: its status, its texts (each clipped to
    its share of the message), the facts (who raised it and when, owner, category, input needed, supporters, the
    message it came from), the buttons of its primary actions and an overflow menu with the rest. `supporters` is
    how many people back it; `name` shows a person (a plain name on a posted card, `plain_name`; a mention in a
    private reply). `tier`: what this card shows of the idea's tiers (`tier_line`, the menu's tier entries); a
    card in the team above whose hop has ended has no buttons (that team no longer decides it). `links`: the teams
    that spread it (`links_line`)."""
    # Translators: the first line of an idea's card: its number, then its status line
    heading = _("*Kaizen #{number}* · {status}", number=idea.number, status=status_text(idea, name))
    blocks: list[dict[str, Any]] = [_section(heading)]
    # Each text has its own share of the card: a message's blocks fail as a whole past about 13,200 characters,
    # even when every section is under its own 3,000 (see limits.MESSAGE_BLOCKS_TEXT).
    texts: list[tuple[str, str | None, int]] = [
        # Translators: a label on an idea's card, over the problem someone raised
        (_("Problem"), stored_text(idea.problem), limits.CARD_PROBLEM),
        # Translators: a label on an idea's card, over the idea (the proposed change) for the problem
        (_("Idea"), idea.idea, limits.CARD_IDEA),
        # Translators: a label on an idea's card, over what the idea should bring
        (_("Expected benefit"), idea.benefit, limits.CARD_BENEFIT),
    ]
    if idea.status == IdeaStatus.DONE:
        outcome = OUTCOME_LABEL.get(idea.outcome or "")
        # Translators: a label on a done idea's card, over what changed, when it has no outcome ("It worked"…)
        result_label = _("Outcome") if not outcome else _(outcome)
        texts += [
            (result_label, stored_text(idea.result), limits.CARD_RESULT),
            # Translators: a label on a done idea's card, over what the team learned
            (_("What we learned"), stored_text(idea.learned), limits.CARD_LEARNED),
            # Translators: a label on a done idea's card, over the effect the change had (e.g. time saved)
            (_("Effect"), idea.effect, limits.CARD_EFFECT),
        ]
    for label, text, share in texts:
        labelled = _labelled(label, text, share)
        if labelled:
            blocks.append(_section(labelled))
    when = date_markup(idea.created_at)
    if idea.anonymous:
        # Translators: on an idea's card; {date} is the date it was raised (Slack shows it)
        facts = [_("Raised anonymously · {date}", date=when)]
    elif credit.not_on_slack(idea.author_id) and not credit.is_walkup(idea.author_id):
        named = bk.escape_clipped(credit.credited(idea) or credit.label(idea.author_id), limits.OWNER_NAME)
        # Translators: on an idea's card; {name} raised it (as plain text: someone not on Slack), {date} as above
        facts = [_("Raised by {name} · {date}", name=named, date=when)]
    elif credit.is_walkup(idea.author_id):
        visitor = credit.credited(idea)
        if visitor:
            named = bk.escape_clipped(visitor, limits.OWNER_NAME)  # plain text: never a mention, never markup
            # Translators: on an idea's card raised on the team's walk-up web form; {name} as the visitor typed it
            facts = [_("Raised on the ward form by {name} · {date}", name=named, date=when)]
        else:
            # Translators: on an idea's card raised on the team's walk-up web form by someone who gave no name
            facts = [_("Raised on the ward form · {date}", date=when)]
    else:
        # Translators: on an idea's card; {name} raised it, {date} is the date it was raised (Slack shows it)
        facts = [_("Raised by {name} · {date}", name=name(idea.author_id), date=when)]
    if idea.owner_id and idea.owner_id != idea.author_id:
        # Translators: on an idea's card: the person who works on it
        facts.append(_("Owner: {name}", name=_who(idea, idea.owner_id, name)))
    if idea.category:
        category = CATEGORY_LABEL.get(idea.category)
        # Translators: on an idea's card: its category (Safety, Quality, …)
        facts.append(_("Category: {category}", category=_(category) if category else idea.category))
    asked = asked_for_input(idea)
    if asked:
        # Translators: on an idea's card; {people} are the people asked for their input, e.g. "@Ana and @Bo"
        facts.append(_("Input needed from {people}", people=join([words_mention(user) for user in asked])))
    if supporters:
        # Translators: on an idea's card: how many people back the idea (with a thumbs-up)
        facts.append(n_(":+1: {count} person supports this", ":+1: {count} people support this", supporters))
    if is_safe_link(idea.source_link):
        # Translators: on an idea's card: a link to the Slack message the idea was raised from
        facts.append(_("<{link}|Original message>", link=idea.source_link))
    facts_text = {"type": "mrkdwn", "text": bk.clip(" · ".join(facts), limits.SECTION_TEXT)}
    blocks.append({"type": "context", "elements": [facts_text]})
    for line in (tier_line(idea, tier, name) if tier is not None else None, links_line(links) if links else None):
        if line:
            blocks.append(
                {"type": "context", "elements": [{"type": "mrkdwn", "text": bk.clip(line, limits.SECTION_TEXT)}]}
            )
    if tier is not None and tier.upper_card and not tier.open:
        return blocks
    elements: list[dict[str, Any]] = []
    offered = CARD_BUTTONS[idea.status]
    if idea.redacted or idea.text_removed_at is not None:  # no text left to try elsewhere
        offered = tuple(button for button in offered if button[0] != CardAction.TRY_IN_TEAM)
    for index, (action, text) in enumerate(offered):
        button = {"type": "button", "action_id": action, "text": _plain(_(text)), "value": str(idea.id)}
        style = None if index else FIRST_STYLE[action]
        elements.append(button | ({"style": style} if style else {}))
    options = [
        {"text": _plain(_(text)), "value": f"{action}{MORE_SEPARATOR}{idea.id}"}
        for action, text in menu(idea.status, tier)
    ]
    elements.append({"type": "overflow", "action_id": CardAction.MORE, "options": options})
    blocks.append({"type": "actions", "block_id": f"{BlockPrefix.CARD}{idea.id}", "elements": elements})
    return blocks
