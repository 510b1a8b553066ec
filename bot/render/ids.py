"""Every id Kaizen gives Slack and reads back: callback ids of views, action ids of buttons, block and action ids
of inputs, option values. StrEnums, so that a member equals its string (Bolt's matchers, the views' state and the
values stored in open modals keep working); the values are what Slack has seen since the first release and must
not change, or forms already open stop working.
"""

from __future__ import annotations

from enum import StrEnum


class CallbackId(StrEnum):
    """The `callback_id` of each modal, as a view submission carries it back."""

    RAISE = "raise_idea"
    NOT_NOW = "idea_not_now"
    DONE = "idea_done"
    EDIT = "idea_edit"
    REDACT = "idea_redact"
    HUDDLE_SETUP = "huddle_setup"
    ADD_LEADERS = "add_leaders"
    ESCALATE = "idea_escalate"
    SEND_BACK = "idea_send_back"
    TRY_IN_TEAM = "idea_try_in_team"  # a done card's Try it in my team: the team picked


class ActionId(StrEnum):
    """The `action_id` of the buttons outside the card (the card's are `CardAction`)."""

    RAISE_INSTEAD = "raise_instead"  # the usage reply: raise the mistyped text as an idea; value: the text
    SHARE_REASON = "idea_share_reason"  # the not-now note: share the reason in the thread; value: the idea's id
    BULB_UNDO = "bulb_undo"  # a reply that became an idea by :bulb:: undo it; value: the idea's id
    BULB_ANONYMOUS = "bulb_make_anonymous"  # ... or take the author's name off it; value: the idea's id
    BULB_NOT_PATIENT_INFO = "bulb_not_patient_info"  # a held :bulb: reply's writer: raise it; value: the reply's ts
    WELCOME_HUDDLE = "welcome_set_up_huddle"  # the welcome: open the huddle set-up form
    WELCOME_LEADERS = "welcome_add_leaders"  # the welcome: open the add-leaders form
    RAISE = "raise_problem"  # App Home and help: open the raise modal (the team picker when there is no channel)
    FORGET_ME = "forget_me"  # `/kaizen forget me`: file the request to be forgotten
    FORGET_ME_AND_WORDS = "forget_me_and_words"  # ... and ask for the words of ideas only they wrote to go too
    WALKUP_ACCEPT = "walkup_accept"  # the leaders' note of a held walk-up idea: post it; value: the submission's id
    WALKUP_DECLINE = "walkup_decline"  # ... or drop it; value: the submission's id
    WALKUP_NEW_POSTER = "walkup_new_poster"  # `/kaizen form poster`: a new address with its poster
    TIER_REFUSE = "tier_refuse"  # the upper channel's note of a new tier link: refuse it; value "<lower id>:<upper id>"
    TRY_HERE = "spread_try_here"  # a suggestion: try the done idea in this team; value: the offer's id (a Spread)
    NOT_FOR_US = "spread_not_for_us"  # ... or say it is not for this team; value: the offer's id


class CardAction(StrEnum):
    """Action ids of the card's buttons; each button's value is the idea's id."""

    APPROVE = "idea_approve"
    NOT_NOW = "idea_not_now"
    START = "idea_start"
    DONE = "idea_done"
    REOPEN = "idea_reopen"
    EDIT = "idea_edit"
    REDACT = "idea_redact"
    ESCALATE = "idea_escalate"  # in the menu: send it one tier up (a form asks why)
    SEND_BACK = "idea_send_back"  # in an upper card's menu: send it back down (a form asks for a note)
    TAKE_BACK = "idea_take_back"  # in the idea's own card's menu, while escalated: decide it here again
    TRY_IN_TEAM = "idea_try_in_team"  # a done card: try it in a team of mine (a form asks which)
    MORE = "idea_more"  # the card's overflow menu: each option's value is "<action id>:<idea id>"


class BlockPrefix(StrEnum):
    """Block ids made of a prefix and the idea's id, e.g. "card_42"."""

    CARD = "card_"  # the card's buttons
    SHARE = "share_"  # the not-now note's share button
    HOME = "home_"  # App Home: a waiting idea's Approve / Not now… (the card's action ids, served by the same handlers)


class Field(StrEnum):
    """Block and action ids of the raise modal's inputs (one id for both keeps lookups simple); the edit modal
    uses PROBLEM, IDEA, BENEFIT and CATEGORY."""

    TEAM = "team"
    PROBLEM = "problem"
    IDEA = "idea"
    BENEFIT = "benefit"
    CATEGORY = "category"
    INPUT_FROM = "input_from"
    ANONYMOUS = "anonymous"
    ALREADY_DONE = "already_done"
    FOR_PERSON = "for_person"  # a leader raises it for someone on Slack…
    FOR_NAME = "for_name"  # …or for someone not on Slack, by name
    NOT_PATIENT_INFO = "not_patient_info"  # added to any form whose text looked like a patient identifier


class LifecycleField(StrEnum):
    """Block and action ids of the Not now, Done and Redact modals (Edit uses the raise modal's `Field`s)."""

    REASON = "reason"
    OUTCOME = "outcome"
    RESULT = "result"
    LEARNED = "learned"
    EFFECT = "effect"
    NOTE = "note"
    ESCALATE_REASON = "escalate_reason"
    SPREAD_TO = "spread_to"  # the Done form's "Where else could this help?" (channels)
    TRY_TEAM = "try_team"  # the Try it in my team form's channel


class HuddleSetupField(StrEnum):
    """Block and action ids of the huddle set-up form's inputs."""

    TIMES = "times"
    DAYS = "days"
    ZONE = "zone"


class AddLeadersField(StrEnum):
    """Block and action id of the add-leaders form's one input."""

    USERS = "users"


class OptionValue(StrEnum):
    """The raise modal's tick-box option values, as Slack sends them back in the view's state."""

    ALREADY_DONE = "done"
    ANONYMOUS = "anonymous"
    NOT_PATIENT_INFO = "not_patient_info"


class Outcome(StrEnum):
    """The done modal's "Did it work?" option values, stored as the idea's outcome."""

    WORKED = "worked"
    DID_NOT_WORK = "did_not_work"
