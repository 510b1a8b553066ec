"""Forms whose text looked like it held a patient identifier: kept open, for their writer to fix or vouch for.

The first time, the form is shown again with a warning naming what was found and the tick box "This isn't
patient information" (`bot.render.privacy.flagged_view`); after that, each flagged field says it again under
itself. Only the kinds found are logged, never the text.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack

from bot.privacy.screening import PatientDetails
from bot.render.privacy import errors, flagged_view, has_tick_box

log = logging.getLogger(__name__)


def keep_form_open(ack: Ack, view: dict[str, Any], found: PatientDetails, fallback: str) -> None:
    """Answer the submission of form `view` (as Slack sent it) that `found` stopped: shown again with the warning
    and the tick box, or, when it has the tick box already, with the request under each flagged field (under
    `fallback` for a field the form does not have)."""
    log.info("Kept a %s form open: %s", view.get("callback_id"), found)  # fields and kinds only, never the text
    # Someone else's message, already in Slack (only its writer may vouch), or a form that offers the tick box
    # already: the request under each field. Else the form is shown again with the warning and the tick box.
    if found.writer is None and not has_tick_box(view):
        ack(response_action="update", view=flagged_view(view, found.flags))
        return
    fields = {str(block.get("block_id")) for block in view.get("blocks") or [] if block.get("type") == "input"}
    ack(response_action="errors", errors=errors(found.flags, fields, fallback, someone_elses=found.writer is not None))
