"""`/kaizen help` and the usage of a command: the help's lines for everyone and its examples for leaders, the
button that opens the raise form (also on App Home), and the reply to a command that does not parse, with a button
to raise what was typed as an idea instead."""

from __future__ import annotations

from bot import limits
from bot.grammar import Usage
from bot.i18n import N_, _
from bot.render.ids import ActionId
from bot.slack import blockkit as bk

# The lines of `/kaizen help` for everyone (each shown as `_(line)`); the commands in them are not translated.
HELP_FOR_EVERYONE = (
    N_("• `/kaizen` — raise a problem or an idea; a problem without a solution is welcome"),
    N_("• `/kaizen list` — this channel's board; `/kaizen mine` — your ideas; `/kaizen 42` — one idea"),
    # Translators: “Raise as Kaizen idea” is the name of Kaizen's message shortcut, as Slack shows it in the menu
    N_("• In a thread: react :bulb: on a huddle reply, or use “Raise as Kaizen idea” in a message's ⋮ menu"),
)
# Last, small: what anyone can ask about their own data (product page, Privacy).
HELP_PRIVACY = N_(
    "• `/kaizen my data` — what Kaizen keeps about you, as a file; `/kaizen forget me` — ask to be forgotten"
)
# Examples for leaders: a command (not translated) and what it does (shown as `_(what)`).
HELP_FOR_LEADERS = (
    # Translators: in `/kaizen help`, after the example `/kaizen huddle at 08:30 daily Europe/London`
    ("/kaizen huddle at 08:30 daily Europe/London", N_("the daily huddle (`huddle off`, `huddle skip 2026-12-24`)")),
    # Translators: in `/kaizen help`, after the example `/kaizen leaders add @grace`
    ("/kaizen leaders add @grace", N_("who may decide (`leaders` lists them, `leaders remove @grace`)")),
    # Translators: in `/kaizen help`, after the example `/kaizen stats`
    (
        "/kaizen stats",
        N_("the team's charts, sent to you (`stats share` posts them here; `stats tree` adds its teams below)"),
    ),
    # Translators: in `/kaizen help`, after the example `/kaizen stats rebase 2026-03-02 new rota`
    ("/kaizen stats rebase 2026-03-02 new rota", N_("new usual ranges after a change (`stats rebase undo`)")),
    # Translators: in `/kaizen help`, after the example `/kaizen team headcount 42`
    ("/kaizen team headcount 42", N_("the team's size, for participation rates")),
    # Translators: in `/kaizen help`, after the example `/kaizen team language ja` (ja, es, de, en: the languages)
    ("/kaizen team language ja", N_("the team's language for cards, huddles and replies here (ja, es, de, en)")),
    # Translators: in `/kaizen help`, after the example `/kaizen form new`
    ("/kaizen form new", N_("a web form for people not on Slack, with a QR poster (`form` shows it, `form off`)")),
    # Translators: in `/kaizen help`, after the example `/kaizen tier up #surgery-dept` (a channel one tier up)
    (
        "/kaizen tier up #surgery-dept",
        N_("where leaders escalate what this team can't solve (`tier` shows the chain, `tier off`)"),
    ),
    # Translators: in `/kaizen help`, after the example `/kaizen export`
    ("/kaizen export", N_("the team's ideas as a CSV file, sent to you")),
    # Translators: in `/kaizen help`, after the example `/kaizen huddle`
    ("/kaizen huddle", N_("post the huddle now (anyone may)")),
)
# `/kaizen help`'s fallback text (notifications, screen readers): shown as `_(HELP_TEXT)`.
HELP_TEXT = N_("Kaizen help: /kaizen raises a problem or an idea; /kaizen list shows this channel's board.")
# Translators: the button that opens the form to raise a problem or an idea (App Home, `/kaizen help`)
RAISE_A_PROBLEM = N_("Raise a problem")


def raise_button(text: str = RAISE_A_PROBLEM) -> bk.ButtonElement:
    """The button that opens the raise form (App Home, help); `text` its label, the default in the reader's
    language."""
    label = _(RAISE_A_PROBLEM) if text == RAISE_A_PROBLEM else text
    return bk.ButtonElement(action_id=ActionId.RAISE, text=label, value="raise", style="primary")


def help_blocks() -> list[bk.Block]:
    """`/kaizen help`: three lines and a button for everyone, then "For leaders" with examples, then a line on
    people's own data."""
    leaders = [f"• `{example}` — {_(what)}" for example, what in HELP_FOR_LEADERS]
    everyone = [_(line) for line in HELP_FOR_EVERYONE]
    # Translators: the heading of `/kaizen help`
    heading = _("*Kaizen: small improvements, every day*")
    # Translators: a heading in `/kaizen help`, above examples of the commands for team leaders
    for_leaders = _("*For leaders*")
    return [
        bk.section("\n".join([heading, *everyone])),
        bk.ActionsBlock(elements=[raise_button()]),
        bk.DividerBlock(),
        bk.section("\n".join([for_leaders, *leaders])),
        bk.context(_(HELP_PRIVACY)),
    ]


def usage_blocks(usage: Usage) -> list[bk.Block]:
    """The usage of the subcommand `usage` names, and, when there was text, a button to raise that text as an idea
    instead (its value: the text, clipped to `limits.BUTTON_VALUE`)."""
    # Translators: {subcommand} is a command word ("list", "huddle"), {usage} how that command is written
    said = _(
        "That doesn't match `/kaizen {subcommand}`. Try {usage}.",
        subcommand=usage.subcommand,
        usage=usage.usage,
    )
    blocks: list[bk.Block] = [bk.section(said)]
    if usage.text:
        raise_instead = bk.ButtonElement(
            action_id=ActionId.RAISE_INSTEAD,
            # Translators: a button under a command that did not parse: raise what was typed as an idea instead
            text=_("Raise this as an idea instead"),
            value=bk.clip(usage.text, limits.BUTTON_VALUE),
        )
        blocks.append(bk.ActionsBlock(elements=[raise_instead]))
    return blocks
