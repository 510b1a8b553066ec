"""The App Home tab: a person's ideas, ideas waiting for their decision, and their teams' boards and figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot import limits
from bot.i18n import _, n_, number
from bot.measures.figures import Headline
from bot.measures.headline_words import headline_text
from bot.render.help import raise_button
from bot.render.ids import BlockPrefix, CardAction
from bot.render.replies import list_line
from bot.slack import blockkit as bk
from storage.models import Idea, IdeaStatus, Team


@dataclass(frozen=True)
class HomeTeam:
    """One team on the App Home: its idea counts by status and its headline figures."""

    team: Team
    counts: dict[str, int]
    figures: Headline


@dataclass(frozen=True)
class HomeContent:
    """What the App Home shows one person: their ideas (`mine`, with `mine_total`), ideas waiting for their decision
    (for leaders), and the teams they see."""

    mine: Sequence[Idea]
    mine_total: int
    waiting: Sequence[Idea]  # for leaders: ideas waiting for their decision, oldest first
    teams: Sequence[HomeTeam]
    now: datetime
    links: Mapping[int, str] = field(default_factory=dict)  # idea id → its card's link
    notice: str | None = None  # a word for the person about their last press here (e.g. someone decided first)
    waiting_total: int = 0  # all the ideas waiting for their decision; `waiting` holds the oldest of them


def waiting_blocks(idea: Idea, now: datetime, link: str | None) -> list[bk.Block]:
    """One idea waiting for the leader's decision: its line (the number linked to its card) and Approve / Not now…,
    the card's own action ids with the idea's id as value, so the card's handlers serve them."""
    # Translators: a button on the App Home under an idea waiting for the leader's decision: approve it
    approve = _("Approve")
    # Translators: a button on the App Home under an idea waiting for the leader's decision: decline it for now,
    # kindly (it opens a form asking for the reason)
    not_now = _("Not now…")
    buttons = [
        bk.ButtonElement(action_id=CardAction.APPROVE, text=approve, value=str(idea.id), style="primary"),
        bk.ButtonElement(action_id=CardAction.NOT_NOW, text=not_now, value=str(idea.id)),
    ]
    return [
        bk.section(list_line(idea, now, link, with_channel=True)),
        bk.ActionsBlock(block_id=f"{BlockPrefix.HOME}{idea.id}", elements=buttons),
    ]


def home_view(content: HomeContent) -> bk.View:
    """The App Home tab: a "Raise a problem" button, the person's ideas, the ideas waiting for their decision (each
    with Approve and Not now…), and each team's board counts and headline figures. At most VIEW_BLOCKS blocks."""
    now = content.now
    # Translators: the heading of Kaizen's App Home tab: the app's name
    heading = _("Kaizen")
    blocks: list[bk.Block] = [
        bk.HeaderBlock(text=heading),
        *([bk.context(content.notice)] if content.notice else []),
        bk.ActionsBlock(elements=[raise_button()]),
        bk.context(_("Small improvements, every day. `/kaizen` raises a problem or an idea from any channel, too.")),
    ]
    if content.waiting:
        total = max(content.waiting_total, len(content.waiting))
        # Translators: a heading on the App Home, above the ideas waiting for the leader's decision, with how many
        waiting = _("*Waiting for your decision* ({count})", count=number(total))
        blocks += [bk.DividerBlock(), bk.section(waiting)]
        for idea in content.waiting:
            blocks += waiting_blocks(idea, now, content.links.get(idea.id))
        if total > len(content.waiting):
            more = total - len(content.waiting)
            # Translators: on the App Home, under the ideas waiting for the leader's decision: how many more wait
            more_text = n_(
                "+{count} more — `/kaizen list new` in the team's channel",
                "+{count} more — `/kaizen list new` in the team's channel",
                more,
            )
            blocks.append(bk.context(more_text))
        # Translators: "Approve" is the button's label above: say it as the button does
        blocks.append(bk.context(_("A quick yes keeps ideas flowing: press Approve here, or react on the card.")))
    # Translators: the heading of the person's own ideas, with how many they have raised
    blocks += [bk.DividerBlock(), bk.section(_("*Your ideas* ({count})", count=number(content.mine_total)))]
    mine = [list_line(idea, now, content.links.get(idea.id), with_channel=True) for idea in content.mine]
    if content.mine_total > len(mine):
        # Translators: the last line of the person's ideas on the App Home: how many older ones are not shown
        mine.append(
            n_("+{count} older — `/kaizen mine`", "+{count} older — `/kaizen mine`", content.mine_total - len(mine))
        )
    # Translators: the person has raised no ideas yet; “Raise a problem” is the button above: say it as it does
    blocks += bk.line_sections(mine or [_("None yet: “Raise a problem” above raises your first.")])
    for home_team in content.teams:
        counts = home_team.counts
        board = " · ".join(
            _board_count(status, counts.get(status, 0))
            for status in (IdeaStatus.NEW, IdeaStatus.APPROVED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE)
        )
        blocks += [
            bk.DividerBlock(),
            bk.section(f"*<#{home_team.team.channel_id}>*\n{board}"),
            bk.context(headline_text(home_team.figures)),
        ]
    # Translators: the last line of the App Home when not everything fits on it
    fitted = bk.fit_blocks(blocks, limit=limits.VIEW_BLOCKS, overflow_note=_("More in Slack."))
    return bk.View(type="home", blocks=fitted)


def _board_count(status: str, count: int) -> str:
    """How many of a team's ideas have `status`, on the App Home: "3 waiting for a decision"."""
    match status:
        case IdeaStatus.NEW:
            # Translators: a team's ideas on the App Home, by status: "3 waiting for a decision · 1 done"
            return n_("{count} waiting for a decision", "{count} waiting for a decision", count)
        case IdeaStatus.APPROVED:
            # Translators: a team's ideas on the App Home, by status: "2 approved, not started yet · 1 done"
            return n_("{count} approved, not started yet", "{count} approved, not started yet", count)
        case IdeaStatus.IN_PROGRESS:
            # Translators: a team's ideas on the App Home, by status: "1 in progress · 4 done"
            return n_("{count} in progress", "{count} in progress", count)
        case IdeaStatus.DONE:
            # Translators: a team's ideas on the App Home, by status: "1 in progress · 4 done"
            return n_("{count} done", "{count} done", count)
        case _:
            # Translators: a team's ideas on the App Home, by status: ideas a leader decided "not now" on
            return n_("{count} not now", "{count} not now", count)
