"""What Kaizen says about tiers: the answers to `/kaizen tier …`, the note in the upper channel when a team names it
as its tier up (with Refuse), and the notes when a link is refused or taken away. Channels are written as Slack
channel links (`<#C…>`, which ping nobody); people as plain names the outbox fills in (`plain_name`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.i18n import _, join, n_
from bot.render.ids import ActionId
from bot.render.words import plain_name, to_dicts
from bot.slack import blockkit as bk


def channel_link(channel_id: str) -> str:
    """A channel as a link Slack draws with its current name (no ping)."""
    return f"<#{channel_id}>"


def linked_text(upper_channel: str, previous_channel: str | None) -> str:
    """The answer to the leader whose `/kaizen tier up` linked their team to `upper_channel`."""
    text = _(
        "Done: {upper} is this team's tier up now, where its leaders escalate what this team can't solve, and the "
        "answers come back here. {upper} has been told; its leaders can refuse.",
        upper=channel_link(upper_channel),
    )
    if previous_channel:
        # Translators: added after the answer to `/kaizen tier up` when the team had another tier up before
        text += " " + _("It no longer escalates to {previous}.", previous=channel_link(previous_channel))
    return text


def already_linked_text(upper_channel: str) -> str:
    """The answer when the team already names `upper_channel` as its tier up."""
    return _("This team already escalates to {upper}.", upper=channel_link(upper_channel))


def upper_note_text(lower_channel: str, by: str) -> str:
    """The note in the upper channel (its notification text): `lower_channel` now escalates here, set by `by`."""
    # Translators: posted in a department's channel when a ward's leader names it as the ward's tier up
    return _(
        "{lower} now escalates to this team (set by {by}): when a problem is beyond them, its leaders can send it "
        "here with a reason, and your decisions go back to them.",
        lower=channel_link(lower_channel), by=plain_name(by),
    )  # fmt: skip


def upper_note_blocks(lower_channel: str, by: str, lower_team_id: int, upper_team_id: int) -> list[dict[str, Any]]:
    """The upper channel's note with Refuse for its leaders (the button's value: "<lower team id>:<upper team
    id>", so that a press acts on this link only)."""
    # Translators: a button on the note in a department's channel: its leaders do not take escalations from that team
    refuse = _("Refuse")
    confirm = bk.ConfirmObject(
        # Translators: the title of the dialog that asks a leader to confirm refusing a team's escalations
        title=_("Refuse this link?"),
        text=_("{lower} will have no tier up until its leaders name one.", lower=channel_link(lower_channel)),
        confirm=refuse,
        # Translators: the button that keeps a tier link, in the dialog that asks to refuse it
        deny=_("Keep it"),
    )
    button = bk.ButtonElement(
        action_id=ActionId.TIER_REFUSE, value=f"{lower_team_id}:{upper_team_id}", text=refuse, confirm=confirm
    )
    # Translators: below the note in a department's channel about a new tier link
    hint = _("Leaders here can refuse if this team should not receive them.")
    return to_dicts(
        [bk.section(upper_note_text(lower_channel, by)), bk.context(hint), bk.ActionsBlock(elements=[button])]
    )


def refused_here_text(lower_channel: str) -> str:
    """The upper channel's note once one of its leaders refused the link (it replaces the note with Refuse)."""
    return _(
        "A leader here refused the link: {lower} does not escalate to this team.", lower=channel_link(lower_channel)
    )


def told_refused_text(upper_channel: str) -> str:
    """Posted in the lower channel when the upper team's leaders refused its link."""
    return _(
        "{upper}'s leaders refused the link: this team has no tier up now. A leader can name another with "
        "`/kaizen tier up #channel`.",
        upper=channel_link(upper_channel),
    )


def link_gone_text() -> str:
    """A press of Refuse on a link that is gone already (refused, taken away or changed since)."""
    return _("That link is gone already: nothing to refuse.")


def not_upper_leader_text() -> str:
    """A press of Refuse by someone who does not lead the upper team."""
    return _("Only this team's leaders can refuse a link. `/kaizen leaders` shows who.")


def unlinked_text(previous_channel: str) -> str:
    """The answer to `/kaizen tier off`."""
    return _("This team no longer escalates to {upper}.", upper=channel_link(previous_channel))


def told_unlinked_text(lower_channel: str) -> str:
    """Posted in the upper channel when the lower team takes its link away."""
    return _("{lower} no longer escalates to this team.", lower=channel_link(lower_channel))


def no_upper_text() -> str:
    """The answer to `/kaizen tier off` in a team with no tier up."""
    return _("This team has no tier up. A leader can name one with `/kaizen tier up #channel`.")


def self_text() -> str:
    """`/kaizen tier up` naming the channel it was typed in."""
    return _("A team can't be its own tier up: name the channel of the team above this one.")


def cycle_text(upper_channel: str) -> str:
    """`/kaizen tier up` naming a team that is already below this one."""
    return _(
        "{upper} is already below this team, so it can't be above it too. `/kaizen tier` shows the chain.",
        upper=channel_link(upper_channel),
    )


def other_workspace_text(upper_channel: str) -> str:
    """`/kaizen tier up` naming a channel filed under another organisation (Slack Connect)."""
    return _("{upper} belongs to another organisation: tiers stay within one.", upper=channel_link(upper_channel))


def invite_first_text(upper_channel: str) -> str:
    """`/kaizen tier up` naming a channel Kaizen is not a member of."""
    return _(
        "Invite @Kaizen to {upper} first (`/invite @Kaizen` there), then try again.", upper=channel_link(upper_channel)
    )


def not_a_team_here_text() -> str:
    """`/kaizen tier up|off` typed where Kaizen is not a member."""
    return _("Tiers link team channels with Kaizen in them: invite it with `/invite @Kaizen` first.")


def not_leader_text() -> str:
    """`/kaizen tier up|off` by someone who does not lead the team."""
    return _("Only this team's leaders can change its tier up. `/kaizen leaders` shows who.")


def chain_text(channel: str, above: Sequence[str], below: Sequence[str], deeper: int) -> str:
    """The answer to `/kaizen tier`: the chain from this team (`channel`) up (`above`, nearest first), the teams one
    tier below (`below`) and how many more are below those (`deeper`)."""
    lines: list[str] = []
    if above:
        chain = " → ".join(channel_link(c) for c in (channel, *above))
        # Translators: {chain} is this team's channel, then the one above it, and so on, joined by arrows
        lines.append(_("Escalations go up: {chain}", chain=chain))
    else:
        lines.append(_("This team is a top tier: it escalates to no one. A leader can name a tier up with "
                       "`/kaizen tier up #channel`."))  # fmt: skip
    if below:
        lines.append(_("Teams below: {teams}", teams=join([channel_link(c) for c in below])))
        if deeper:
            # Translators: after the list of teams one tier below: {count} teams are further down
            lines.append(n_("…and {count} more team below them.", "…and {count} more teams below them.", deeper))
    else:
        lines.append(_("No team escalates to this one yet."))
    return "\n".join(lines)
