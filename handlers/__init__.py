"""Translate Slack in and out: parse requests, call `bot`, render, reply. No rules, no SQL.

One module per kind of request; each has `register(app, *, <the objects it uses>)`, called by the composition
root (`bot.composition`) with keyword arguments, events first (its middleware stores events before anything else
sees them). `WIRING` says what the code handles, so a test can hold it against manifest.yml.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers import (
    actions,
    card_actions,
    card_views,
    commands,
    events,
    personal_data,
    shortcuts,
    views,
    walkup_commands,
    walkup_review,
)


@dataclass(frozen=True)
class Wiring:
    """What the handlers answer, by Slack's names: slash commands, shortcuts' callback ids, event types, action
    ids and views' callback ids."""

    commands: tuple[str, ...]
    shortcuts: tuple[str, ...]
    events: tuple[str, ...]
    actions: tuple[str, ...]
    views: tuple[str, ...]


WIRING = Wiring(
    commands=(commands.COMMAND,),
    shortcuts=shortcuts.SHORTCUTS,
    events=events.EVENTS,
    actions=(
        *actions.ACTIONS,
        *card_actions.ACTIONS,
        *personal_data.ACTIONS,
        *walkup_review.ACTIONS,
        *walkup_commands.ACTIONS,
    ),
    views=(*views.CALLBACKS, *card_views.CALLBACKS),
)
