"""Posting an idea's card in its team channel: once, even when the submit thread, the sweep and several
processes race, and even when Slack took a post but the answer never reached us.

A poster first claims the card in the database (a lease). The post carries message metadata with the idea id,
so a later try whose predecessor's answer was lost looks in the channel before posting again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import render
from bot.clock import Clock
from storage import queries
from storage.db import Database
from storage.models import Idea

log = logging.getLogger(__name__)

CARD_EVENT_TYPE = "kaizen_card"
CLAIM_LEASE = timedelta(seconds=60)
RETRY_BACKOFF = timedelta(seconds=30)
RETRY_BACKOFF_MAX = timedelta(minutes=15)
SWEEP_BATCH = 50


@dataclass(frozen=True)
class CardResult:
    posted: bool
    idea: Idea | None = None
    error: str | None = None  # Slack's error code, or "no_answer" when Slack did not answer in time


def _backoff(attempts: int) -> timedelta:
    return min(RETRY_BACKOFF * (2 ** max(attempts - 1, 0)), RETRY_BACKOFF_MAX)


class CardPoster:
    def __init__(self, db: Database, clock: Clock, client_for: Callable[[str], WebClient]) -> None:
        self._db = db
        self._clock = clock
        self._client_for = client_for  # workspace id → a posting client with that workspace's token

    def post(self, idea_id: int) -> CardResult:
        """Post the idea's card unless it is posted or someone else holds the claim."""
        claim = uuid.uuid4().hex
        now = self._clock.now()
        with self._db.write() as session:
            if not queries.claim_card(session, idea_id, claim, now, now + CLAIM_LEASE):
                return CardResult(posted=False)
            idea = queries.idea_by_id(session, idea_id)
            assert idea is not None
        client = self._client_for(idea.workspace_id)
        channel = idea.team.channel_id
        try:
            # A retry may follow a post whose answer was lost: look for it before posting again.
            ts = self._find_posted(client, channel, idea) if idea.card_attempts > 1 else None
            if ts is None:
                response = client.chat_postMessage(
                    channel=channel,
                    text=render.card_text(idea),
                    blocks=render.card_blocks(idea),
                    metadata={"event_type": CARD_EVENT_TYPE, "event_payload": {"idea_id": idea.id}},
                    unfurl_links=False,
                    unfurl_media=False,
                )
                ts = str(response["ts"])
        except SlackApiError as error:
            code = str(error.response.get("error") or f"http_{error.response.status_code}")
            if error.response.status_code >= 500:
                # Slack may have posted it anyway: keep the claim; the next try after the lease looks first.
                log.warning("Slack answered %s posting the card of idea %s", code, idea.id, exc_info=True)
                return CardResult(posted=False, idea=idea, error=code)
            log.warning("Slack refused the card of idea %s: %s", idea.id, code, exc_info=True)
            with self._db.write() as session:
                queries.release_card(session, idea.id, claim, self._clock.now() + _backoff(idea.card_attempts), code)
            return CardResult(posted=False, idea=idea, error=code)
        except Exception:
            log.warning("No answer from Slack posting the card of idea %s", idea.id, exc_info=True)
            return CardResult(posted=False, idea=idea, error="no_answer")
        with self._db.write() as session:
            queries.record_card(session, idea.id, claim, ts)
        log.info("Posted the card of idea %s (#%s) in %s", idea.id, idea.number, channel)
        return CardResult(posted=True, idea=idea)

    def _find_posted(self, client: WebClient, channel: str, idea: Idea) -> str | None:
        oldest = (idea.created_at - timedelta(minutes=1)).timestamp()
        cursor: str | None = None
        for _ in range(10):  # bounded: the card was posted near the idea's creation
            response = client.conversations_history(
                channel=channel, oldest=f"{oldest:.6f}", include_all_metadata=True, limit=200, cursor=cursor
            )
            for message in response.get("messages", []):
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == CARD_EVENT_TYPE and payload.get("idea_id") == idea.id:
                    log.info("Found the card of idea %s already posted (ts %s)", idea.id, message.get("ts"))
                    return str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None

    def sweep(self, now: datetime | None = None) -> int:
        """Post cards that are still missing; returns how many were posted."""
        with self._db.read() as session:
            pending = queries.ideas_needing_card(session, now or self._clock.now(), SWEEP_BATCH)
        posted = 0
        for idea_id in pending:
            try:
                posted += self.post(idea_id).posted
            except Exception:
                log.exception("Sweep could not post the card of idea %s", idea_id)
        return posted
