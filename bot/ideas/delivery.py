"""After a change to an idea: what it owes people is sent, its card brought up to date, its author's Home tab
refreshed."""

from __future__ import annotations

from bot.delivery.outbox import Outbox
from bot.ideas.home import Home
from bot.ideas.lifecycle import Change


class Delivery:
    """Carries out a `Change` (see `deliver`)."""

    def __init__(self, outbox: Outbox, home: Home) -> None:
        self._outbox = outbox
        self._home = home

    def deliver(self, change: Change) -> None:
        """Send what a change owes people (each of `change.message_ids`, through the outbox), then bring the
        idea's card up to date and republish the Home tabs it alters (`Home.after_change`). Slack's refusals to
        post are the outbox's to handle; a Home tab Slack refused is logged (see `Home.publish`)."""
        for message_id in change.message_ids:
            self._outbox.send(message_id)
        self._outbox.sync_card(change.idea.id)
        for copy_id in self._outbox.cards.copies_of(change.idea):  # an edit or a redaction its copies followed
            self._outbox.sync_card(copy_id)
        self._home.after_change(change.idea)
