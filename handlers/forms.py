"""Opening a form (a modal) from any entry point — `/kaizen`, a shortcut, a button — and telling the person when
Slack would not open it, so that no entry point fails silently."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.webhook import WebhookClient

from bot import render
from bot.services import Services

log = logging.getLogger(__name__)

RESPONSE_URL_TIMEOUT_SECONDS = 5
NOT_OPENED = "Slack didn't let me open the form in time. {again}"
AGAIN_COMMAND = "Please try `/kaizen` again."
AGAIN_BUTTON = "Please press the button again."
AGAIN_SHORTCUT = "Please choose “Raise as Kaizen idea” on the message again."


def open_form(
    services: Services,
    *,
    workspace_id: str,
    trigger_id: str,
    view: View | dict,
    user_id: str,
    channel_id: str | None,
    response_url: str | None,
    again: str,
) -> bool:
    """Open `view` as a modal with the request's `trigger_id` (valid for 3 s, once), on the quick client: no
    waiting on a rate limit, no retry, since the trigger would be dead by then.

    When Slack refuses (`expired_trigger_id`, `exchanged_trigger_id`, a rate limit, a rejected view…) or does not
    answer in time, the person is told privately that the form could not open, followed by `again` (what to do
    now): through `response_url` when the request carried one, else as described in `tell_privately`.
    Returns whether the form opened; never raises for a Slack fault."""
    try:
        services.quick(workspace_id).views_open(trigger_id=trigger_id, view=view)
        return True
    except SlackApiError as error:
        log.warning("views.open for %s failed: %s", user_id, error.response.get("error"))
    except OSError:
        log.warning("views.open for %s did not answer in time", user_id, exc_info=True)
    text = NOT_OPENED.format(again=again)
    tell_privately(services, workspace_id, user_id=user_id, channel_id=channel_id, response_url=response_url, text=text)
    return False


def tell_privately(
    services: Services,
    workspace_id: str,
    *,
    user_id: str,
    channel_id: str | None,
    response_url: str | None,
    text: str,
) -> bool:
    """Tell one person something only they see; `text` is mrkdwn we wrote. The first way that works: the
    request's `response_url` (slash commands, message shortcuts and message buttons carry one; it works even
    where Kaizen is not a member), else an ephemeral message in `channel_id`, else a direct message (global
    shortcuts and App Home or modal buttons carry neither). Returns whether one of them took it; never raises."""
    blocks = render.to_dicts(render.notice_blocks(text))
    if response_url:
        try:
            response = WebhookClient(response_url, timeout=RESPONSE_URL_TIMEOUT_SECONDS).send(
                text=text, blocks=blocks, response_type="ephemeral", replace_original=False
            )
            if response.status_code < 300:
                return True
            log.warning("response_url answered %s: %s", response.status_code, response.body)
        except Exception:  # a dead response_url: the next way may still reach them
            log.warning("Could not answer through the response_url", exc_info=True)
    try:
        client = services.web(workspace_id)
    except Exception:  # no token for that workspace (any more): nobody to tell it through
        log.warning("Could not tell %s: no Slack client for %s", user_id, workspace_id, exc_info=True)
        return False
    targets = [channel_id] if channel_id and not channel_id.startswith("D") else []
    for target in [*targets, user_id]:  # a channel: ephemeral there; the user's id: a DM
        try:
            if target == user_id:
                client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
            else:
                client.chat_postEphemeral(channel=target, user=user_id, text=text, blocks=blocks)
            return True
        except SlackApiError as error:
            log.warning("Could not tell %s in %s: %s", user_id, target, error.response.get("error"))
        except OSError:
            log.warning("Could not tell %s in %s", user_id, target, exc_info=True)
    return False
