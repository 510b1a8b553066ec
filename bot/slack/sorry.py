"""What the person hears when something failed on our side: plain words, sent to the request's response_url."""

from __future__ import annotations

import logging
from typing import Any

from bot.i18n import N_, _
from bot.slack.gateway import WorkspaceSlack

log = logging.getLogger(__name__)

SORRY = N_("Sorry, something went wrong on our side and it has been logged. Please try again in a moment.")


def tell_person_sorry(body: dict[str, Any]) -> None:
    """Post SORRY, in the reader's words, privately to the person through the request's response_url (a slash
    command's, or a modal's first `response_urls` entry), if it has one. Never raises: a failure is logged."""
    urls: list[dict[str, Any]] = body.get("response_urls") or []
    response_url = body.get("response_url") or (urls[0].get("response_url") if urls else None)
    if not response_url:
        return
    try:
        WorkspaceSlack.respond(response_url, _(SORRY))
    except Exception:
        log.warning("Could not tell the person about the error", exc_info=True)
