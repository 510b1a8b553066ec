"""Every size budget in one place: Slack's Block Kit limits, and the lengths we choose to store, show and quote.

Slack's numbers are from its reference (see shared/slack/platform.md); `slack_sdk.models` checks most of them when a
block is serialised, but not blocks per message, an input's max_length or private_metadata, which our own helpers
check against the constants here. Units are characters (Python `len`) unless a name says otherwise. The store's
column widths are in `storage.models` (the store imports nothing of bot/); the ones the product clips to are
named again here so that a reader finds every budget in this module.
"""

from __future__ import annotations

from storage.models import ERROR_CHARS, INBOX_ERROR_CHARS, PAUSED_REASON_CHARS, SOURCE_LINK_CHARS

# --- Slack's Block Kit limits ------------------------------------------------------------------------------------
MESSAGE_BLOCKS = 50  # blocks in one message
VIEW_BLOCKS = 100  # blocks in one modal or App Home view
SECTION_TEXT = 3000
FIELD_TEXT = 2000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
ID_LENGTH = 255  # action_id, block_id, callback_id
INPUT_MAX_LENGTH = 3000  # a plain-text input's max_length
VIEW_TITLE = 24
PRIVATE_METADATA = 3000  # a view's private_metadata
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTIONS = 100
OPTION_TEXT = 75
OPTION_VALUE = 150
MESSAGE_TEXT = 40_000
# All the text of one message's blocks: Slack refuses more near 13,200 characters (msg_blocks_too_long).
MESSAGE_BLOCKS_TEXT = 13_200
# A notification's fallback text: Slack shows only the start of it, so keep it short.
FALLBACK_TEXT = 300

# --- What a person may type ----------------------------------------------------------------------------------------
# Inside Block Kit's input limit and short enough that a whole card fits one message.
PROBLEM_MAX = 2000
IDEA_MAX = 2000
BENEFIT_MAX = 1000
INPUT_FROM_MAX = 10  # people picked as "input from" (a multi-select's max_selected_items)
RESULT_MAX = 2000  # each of a done idea's result, learned and effect
REASON_MAX = 1000  # a not-now reason
REDACT_NOTE_MAX = 300  # the history keeps this much of a redaction's note
MEASURE_NOTE_MAX = 200  # a process change's note on a chart (`/kaizen stats step`)
HUDDLE_TIMES_INPUT = 60  # the huddle form's "times" field
TIME_ZONE_INPUT = 64  # the huddle form's time zone field (IANA names are shorter)

# --- What we show or quote -----------------------------------------------------------------------------------------
LIST_LINE = 140  # how much of a problem a list line shows
REASON_QUOTE = 2000  # a quoted not-now reason, escaped: the rest of the note fits one section
SHARED_REASON_QUOTE = REASON_MAX + 200  # a shared not-now reason in the card's thread, escaped
LEARNED_QUOTE = 1500  # "what we learned" in the done thanks, escaped
NOTICE_TEXT = 2900  # a private notice's text, escaped: one section with room to spare
SLACK_ERROR_SHOWN = 64  # Slack's error name, quoted to a person
LEADER_GROUP_PROBLEM = 500  # why the leader group could not be read, shown to leaders
DATABASE_ERROR_SHOWN = 200  # the first line of a database error, in `kaizen-bot check`
CHART_NOTE = 40  # a process change's note on a chart, ellipsis included
CHART_NOTE_SHORT = 16  # ... and shorter still when the full label has no room
SECRET_PREFIX_SHOWN = 5  # characters of a token a log line keeps before "[redacted]"

# --- What we store -------------------------------------------------------------------------------------------------
STORED_ERROR = ERROR_CHARS  # an outbox message's or huddle post's last error
INBOX_ERROR = INBOX_ERROR_CHARS  # an inbox event's last error
PAUSED_REASON = PAUSED_REASON_CHARS  # why a team is paused (Slack's error name)
SOURCE_LINK = SOURCE_LINK_CHARS  # the permalink of the message an idea was raised from
