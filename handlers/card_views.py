"""Modals opened from an idea's card (filled in by the card-buttons work)."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services

CALLBACKS: tuple[str, ...] = ()


def register(app: App, services: Services) -> None:
    del app, services
