"""Every size budget in one place: Slack's Block Kit limits our code checks, and the lengths we choose to store,
show and quote.

Slack's numbers are from its reference (see shared/slack/platform.md). `slack_sdk.models` checks the rest of them
(field, button, option and id lengths, elements per block, private_metadata) when a block or view is serialised;
the ones here are those it does not check (blocks per message, an input's max_length, the text of a whole message)
or that we clip to ourselves. Units are characters (Python `len`) unless a name says otherwise. The store's column
widths are in `storage.models` (the store imports nothing of bot/); those the product clips to are named again
here so that a reader finds every budget in this module. Counts of how many items a list shows stay beside the
code that lists them.
"""

from __future__ import annotations

from storage.models import INBOX_ERROR_CHARS, SOURCE_LINK_CHARS

# --- Slack's Block Kit limits ------------------------------------------------------------------------------------
MESSAGE_BLOCKS = 50  # blocks in one message
VIEW_BLOCKS = 100  # blocks in one modal or App Home view
SECTION_TEXT = 3000
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
INPUT_MAX_LENGTH = 3000  # a plain-text input's max_length
VIEW_TITLE = 24
PRIVATE_METADATA = 3000  # a view's private_metadata
BUTTON_VALUE = 2000
OPTION_TEXT = 75
OVERFLOW_OPTIONS = 5  # options in an overflow menu
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
LEADERS_PICKED_MAX = 20  # people the add-leaders form takes at a time (its max_selected_items)

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
HISTORY_NOTE = 300  # a note in an idea's history (`/kaizen show`), escaped
HUDDLE_LINE = 100  # how much of a problem a huddle line shows, escaped
DIGEST_LINE = 120  # how much of a problem a line of the leaders' digest shows, escaped
OWNER_NAME = 80  # an owner's display name in a huddle line, escaped
HUDDLE_THANKS = 200  # the names in a huddle's thanks line, escaped: one line on a phone, give or take
HUDDLE_LEARNED = 100  # how much of "what we learned" a huddle's done line shows, escaped
# The card's share of one message for each text, label included: together under MESSAGE_BLOCKS_TEXT.
CARD_PROBLEM = 2500
CARD_IDEA = 2000
CARD_BENEFIT = 1000
CARD_RESULT = 2000  # a done idea's result, learned (CARD_LEARNED) and effect (CARD_EFFECT)
CARD_LEARNED = 2000
CARD_EFFECT = 1000
CARD_COPIES = 5  # the teams a card names as having tried its idea ("Also tried in …"), then "N more teams"
SPREAD_TEAMS = 5  # the channels "Where else could this help?" takes (the Done form)
SUGGESTION_TEXT = 700  # each text a suggestion quotes (problem, what changed, what was learned, effect), escaped

# --- What we store -------------------------------------------------------------------------------------------------
INBOX_ERROR = INBOX_ERROR_CHARS  # an inbox event's last error
SOURCE_LINK = SOURCE_LINK_CHARS  # the permalink of the message an idea was raised from

# A walk-up author's stand-in id (bot.credit): "walkup_" and this many hex digits of a hash, 27 characters in all,
# within the 32 of a user id column; 80 bits, so two names of one workspace never share one.
WALKUP_AUTHOR_HEX = 20
