"""How each `/kaizen` subcommand is written, shown to someone who typed one that does not parse
(`bot.grammar.Usage`)."""

from __future__ import annotations

from bot.i18n import N_

# How each subcommand is written: the command words stay English (Slack does not localise commands); the words
# around them are translated where shown (`Usage.usage`).
USAGE: dict[str, str] = {
    "help": N_("`/kaizen help`"),
    "list": N_("`/kaizen list [new|approved|in-progress|done|not-now|all]`"),
    "mine": N_("`/kaizen mine`"),
    "show": N_("`/kaizen show N` or `/kaizen N`, e.g. `/kaizen show 42`"),
    "huddle": N_(
        "`/kaizen huddle` · `/kaizen huddle at HH:MM[,HH:MM] [mon-fri|daily|mon,wed,fri] [Area/City]` · "
        "`/kaizen huddle off` · `/kaizen huddle skip YYYY-MM-DD` · `/kaizen huddle holidays CC|off` — "
        "e.g. `/kaizen huddle at 08:30 mon-fri Europe/London`"
    ),
    "leaders": N_("`/kaizen leaders` · `/kaizen leaders add @a @b` · `/kaizen leaders remove @a`"),
    "stats": N_(
        "`/kaizen stats [weeks] [share] [tree]` · `/kaizen stats rebase YYYY-MM-DD what changed` · "
        "`/kaizen stats rebase undo` — e.g. `/kaizen stats 26 share`, `/kaizen stats tree`, "
        "`/kaizen stats rebase 2026-03-02 started daily huddles`"
    ),
    "team": N_(
        "`/kaizen team headcount` · `/kaizen team headcount 42 [from YYYY-MM-DD]` · "
        "`/kaizen team language [en|ja|es|de|default]`"
    ),
    "export": N_("`/kaizen export`"),
    "tier": N_(
        "`/kaizen tier` · `/kaizen tier up #channel` · `/kaizen tier off` — pick the channel from the list Slack "
        "offers as you type #, e.g. `/kaizen tier up #surgery-dept`"
    ),
}
