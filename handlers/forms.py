"""Opening a form (a modal) from any entry point — `/kaizen`, a shortcut, a button — and telling the person when
Slack would not open it, so that no entry point fails silently."""

from __future__ import annotations

import logging
from typing import Any

from bot.i18n import N_, _
from bot.ideas.raising import Raising
from bot.render.metadata import RaiseContext
from bot.render.replies import notice_blocks
from bot.render.words import to_dicts
from bot.slack.gateway import SlackError, SlackGateway, SlackUnreachable, WorkspaceSlack, is_direct_message
from bot.text import is_blank
from storage.models import Source

log = logging.getLogger(__name__)

# Translators: {again} is one of the sentences below saying how to try again, e.g. "Please press the button again."
NOT_OPENED = N_("Slack didn't let me open the form in time. {again}")
# What to do when a form did not open (`again`, by where it was asked for): marked here, said in open_form.
AGAIN_COMMAND = N_("Please try `/kaizen` again.")
AGAIN_BUTTON = N_("Please press the button again.")
# Translators: “Raise as Kaizen idea” is the message shortcut's name as Slack shows it in a message's menu (the
# app's manifest names it): write it as Slack shows it to the reader
AGAIN_SHORTCUT = N_("Please choose “Raise as Kaizen idea” on the message again.")


def open_form(
    gateway: SlackGateway,
    *,
    workspace_id: str,
    trigger_id: str,
    view: Any,
    user_id: str,
    channel_id: str | None,
    response_url: str | None,
    again: str,
) -> bool:
    """Open `view` (a Block Kit view) as a modal with the request's `trigger_id` (valid for 3 s, once), on the
    gateway's quick client: no waiting on a rate limit, no retry, since the trigger would be dead by then.

    When Slack refuses (`expired_trigger_id`, `exchanged_trigger_id`, a rate limit, a rejected view…) or does not
    answer in time, the person is told privately that the form could not open, followed by `again` (what to do
    now: one of the AGAIN_ messages, said in the reader's words): through `response_url` when the request carried
    one, else as described in `tell_privately`.
    Returns whether the form opened; never raises for a Slack fault."""
    try:
        gateway.quick(workspace_id).open_view(trigger_id, view)
        return True
    except SlackError as error:
        log.warning("views.open for %s failed: %s", user_id, error.code)
    except SlackUnreachable:
        log.warning("views.open for %s did not answer in time", user_id, exc_info=True)
    text = _(NOT_OPENED, again=_(again))
    tell_privately(gateway, workspace_id, user_id=user_id, channel_id=channel_id, response_url=response_url, text=text)
    return False


def tell_privately(
    gateway: SlackGateway,
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
    blocks = to_dicts(notice_blocks(text))
    if response_url:
        try:
            WorkspaceSlack.respond(response_url, text, blocks, replace_original=False)
            return True
        except SlackError as error:  # the next way may still reach them
            log.warning("response_url answered %s", error.code)
        except Exception:  # a dead response_url: the next way may still reach them
            log.warning("Could not answer through the response_url", exc_info=True)
    try:
        slack = gateway.workspace(workspace_id)
    except Exception:  # no token for that workspace (any more): nobody to tell it through
        log.warning("Could not tell %s: no Slack client for %s", user_id, workspace_id, exc_info=True)
        return False
    targets = [channel_id] if channel_id and not is_direct_message(channel_id) else []
    for target in [*targets, user_id]:  # a channel: ephemeral there; the user's id: a DM
        try:
            if target == user_id:
                slack.post(user_id, text, blocks)
            else:
                slack.post_ephemeral(target, user_id, text, blocks)
            return True
        except SlackError as error:
            log.warning("Could not tell %s in %s: %s", user_id, target, error.code)
        except SlackUnreachable:
            log.warning("Could not tell %s in %s", user_id, target, exc_info=True)
    return False


def open_raise_modal(
    raising: Raising,
    gateway: SlackGateway,
    *,
    workspace_id: str,
    user_id: str,
    channel_id: str,
    trigger_id: str,
    prefill: str,
    response_url: str | None,
    again: str = AGAIN_COMMAND,
    source: Source = Source.COMMAND,
    source_message: tuple[str, str] | None = None,
    source_writer: str | None = None,
) -> None:
    """Open the raise modal, the problem filled with `prefill` unless that shows nothing; if Slack won't open it
    the person is told privately, with `again` saying how to try again (see `open_form`). `source_message` is
    the (channel, ts) of the message a shortcut was used on."""
    context = RaiseContext(
        channel_id=channel_id,
        response_url=response_url,
        source=source,
        source_channel=source_message[0] if source_message else None,
        source_ts=source_message[1] if source_message else None,
        source_writer=source_writer or None,
    )
    prefill = "" if is_blank(prefill) else prefill  # invisible characters are no problem to start from
    view = raising.raise_modal_for(workspace_id, channel_id, prefill, context)
    opened = open_form(
        gateway, workspace_id=workspace_id, trigger_id=trigger_id, view=view, user_id=user_id,
        channel_id=channel_id, response_url=response_url, again=again,
    )  # fmt: skip
    if opened:  # after views.open: the trigger cannot wait for it
        raising.learn_author(workspace_id, user_id)
