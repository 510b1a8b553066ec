"""The App Home tab: a person's ideas, ideas waiting for their decision, and their teams' boards and figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot import limits
from bot.measures.figures import Headline
from bot.measures.words import headline_text
from bot.render.ids import BlockPrefix, CardAction
from bot.render.replies import list_line, raise_button
from bot.render.words import GROUP_TITLE
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
    buttons = [
        bk.ButtonElement(action_id=CardAction.APPROVE, text="Approve", value=str(idea.id), style="primary"),
        bk.ButtonElement(action_id=CardAction.NOT_NOW, text="Not now…", value=str(idea.id)),
    ]
    return [
        bk.section(list_line(idea, now, link, with_channel=True)),
        bk.ActionsBlock(block_id=f"{BlockPrefix.HOME}{idea.id}", elements=buttons),
    ]


def home_view(content: HomeContent) -> bk.View:
    """The App Home tab: a "Raise a problem" button, the person's ideas, the ideas waiting for their decision (each
    with Approve and Not now…), and each team's board counts and headline figures. At most VIEW_BLOCKS blocks."""
    now = content.now
    blocks: list[bk.Block] = [
        bk.HeaderBlock(text="Kaizen"),
        *([bk.context(content.notice)] if content.notice else []),
        bk.ActionsBlock(elements=[raise_button()]),
        bk.context("Small improvements, every day. `/kaizen` raises a problem or an idea from any channel, too."),
    ]
    if content.waiting:
        total = max(content.waiting_total, len(content.waiting))
        blocks += [bk.DividerBlock(), bk.section(f"*Waiting for your decision* ({total})")]
        for idea in content.waiting:
            blocks += waiting_blocks(idea, now, content.links.get(idea.id))
        if total > len(content.waiting):
            more = total - len(content.waiting)
            blocks.append(bk.context(f"+{more} more — `/kaizen list new` in the team's channel"))
        blocks.append(bk.context("A quick yes keeps ideas flowing: press Approve here, or react on the card."))
    blocks += [bk.DividerBlock(), bk.section(f"*Your ideas* ({content.mine_total})")]
    mine = [list_line(idea, now, content.links.get(idea.id), with_channel=True) for idea in content.mine]
    if content.mine_total > len(mine):
        mine.append(f"+{content.mine_total - len(mine)} older — `/kaizen mine`")
    blocks += bk.line_sections(mine or ["None yet: “Raise a problem” above raises your first."])
    for home_team in content.teams:
        counts = home_team.counts
        board = " · ".join(
            f"{counts.get(status, 0)} {GROUP_TITLE[status].lower()}"
            for status in (IdeaStatus.NEW, IdeaStatus.APPROVED, IdeaStatus.IN_PROGRESS, IdeaStatus.DONE)
        )
        blocks += [
            bk.DividerBlock(),
            bk.section(f"*<#{home_team.team.channel_id}>*\n{board}"),
            bk.context(headline_text(home_team.figures)),
        ]
    return bk.View(type="home", blocks=bk.fit_blocks(blocks, limit=limits.VIEW_BLOCKS, overflow_note="More in Slack."))
