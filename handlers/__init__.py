"""Translate Slack in and out: parse requests, call `bot`, render, reply. No rules, no SQL.

One module per kind of request; each has `register(app, services)`. `WIRING` says what the code handles, so a
test can hold it against manifest.yml.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from bot.services import Services
from handlers import actions, card_actions, card_views, commands, events, shortcuts, views


@dataclass(frozen=True)
class Wiring:
    commands: tuple[str, ...]
    shortcuts: tuple[str, ...]
    events: tuple[str, ...]
    actions: tuple[str, ...]
    views: tuple[str, ...]


WIRING = Wiring(
    commands=(commands.COMMAND,),
    shortcuts=shortcuts.SHORTCUTS,
    events=events.EVENTS,
    actions=(*actions.ACTIONS, *card_actions.ACTIONS),
    views=(*views.CALLBACKS, *card_views.CALLBACKS),
)


def register_all(app: App, services: Services) -> None:
    events.register(app, services)  # first: its middleware stores events before anything else sees them
    commands.register(app, services)
    views.register(app, services)
    actions.register(app, services)
    card_actions.register(app, services)
    card_views.register(app, services)
    shortcuts.register(app, services)
