"""What Kaizen's modals carry through a view's `private_metadata`, as pydantic models with a codec each.

The JSON is the same as before these were models (short keys, compact for the raise and lifecycle forms), so that
a modal opened before an upgrade still decodes after it. Encoding refuses more than Slack's
`limits.PRIVATE_METADATA` characters (ValueError): a view with more would be refused as a whole. Decoding never
raises: metadata Slack hands back can be tampered with, old, or not ours, and what cannot be read is None.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic import Field as Key

from bot import limits


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _source_or_modal(value: object) -> str:
    return _text_or_none(value) or "modal"


# Text that is not a non-empty string reads as None; so does a number that is not an int.
_Text = Annotated[str | None, BeforeValidator(_text_or_none)]
_Number = Annotated[int | None, BeforeValidator(_int_or_none)]


class _Metadata(BaseModel):
    """A private_metadata codec: fields by name in code, by their short key in the JSON."""

    model_config = ConfigDict(frozen=True, validate_by_name=True, validate_by_alias=True)
    separators: ClassVar[tuple[str, str]] = (",", ":")

    def encode(self) -> str:
        """This context as JSON for `private_metadata`. Raises ValueError when it is longer than Slack takes
        (`limits.PRIVATE_METADATA` characters)."""
        text = json.dumps(self.model_dump(mode="json", by_alias=True), separators=self.separators)
        if len(text) > limits.PRIVATE_METADATA:
            raise ValueError(f"private_metadata of {len(text)} characters; Slack takes {limits.PRIVATE_METADATA}")
        return text

    @classmethod
    def read(cls, text: str | None) -> Self | None:
        """The context `encode` wrote; None when `text` is no JSON object or does not fit the model (an empty or
        missing `text` is an empty object). Never raises."""
        try:
            data: Any = json.loads(text or "{}")
        except (ValueError, RecursionError):  # RecursionError: JSON nested deeper than the parser goes
            return None
        if not isinstance(data, dict):
            return None
        try:
            return cls.model_validate(data, by_alias=True, by_name=False)  # the short keys only, as before
        except ValidationError:
            return None


class RaiseContext(_Metadata):
    """What the raise modal carries: where it was opened and how to reach the person. JSON keys "c", "r", "s",
    "sc", "st", "sw", each a non-empty string or null."""

    channel_id: _Text = Key(default=None, validation_alias="c", serialization_alias="c")
    response_url: _Text = Key(default=None, validation_alias="r", serialization_alias="r")
    # How it was raised: a `storage.models.Source` value; "modal" when the metadata does not say.
    source: Annotated[str, BeforeValidator(_source_or_modal)] = Key(
        default="modal", validation_alias="s", serialization_alias="s"
    )
    # The message a shortcut was used on, linked from the card.
    source_channel: _Text = Key(default=None, validation_alias="sc", serialization_alias="sc")
    source_ts: _Text = Key(default=None, validation_alias="st", serialization_alias="st")
    # Who wrote that message: only they may say it holds no patient information (bot.privacy.screening).
    source_writer: _Text = Key(default=None, validation_alias="sw", serialization_alias="sw")

    @classmethod
    def decode(cls, text: str | None) -> RaiseContext:
        """The context `encode` wrote. What cannot be read (None, tampered, old) reads as None field by field, and
        text that is no JSON object as an empty context (source "modal"). Never raises."""
        return cls.read(text) or cls()


class IdeaModalContext(_Metadata):
    """What a lifecycle modal (not now, done, edit, redact) carries: its idea, and the channel it was opened from
    (to reach the person privately after the modal has closed). JSON keys "i" (an int) and "c"."""

    idea_id: _Number = Key(default=None, validation_alias="i", serialization_alias="i")
    channel_id: _Text = Key(default=None, validation_alias="c", serialization_alias="c")
    # Escalate…: the team it was to leave (a form submitted after someone else sent it up is stale); Send back…:
    # the hop it was to end. JSON keys "f" and "h".
    from_team_id: _Number = Key(default=None, validation_alias="f", serialization_alias="f")
    hop_id: _Number = Key(default=None, validation_alias="h", serialization_alias="h")

    @classmethod
    def decode(cls, text: str | None) -> IdeaModalContext:
        """The context `encode` wrote; None for each field it cannot read, and both None for text that is no JSON
        object. Never raises."""
        return cls.read(text) or cls()


class ChannelFormContext(_Metadata):
    """What a form about one team channel (the welcome's huddle set-up and add-leaders forms) carries: the
    channel, JSON key "c", written with json.dumps' default separators as it always was."""

    separators: ClassVar[tuple[str, str]] = (", ", ": ")

    # Written as given, even "" (a press whose payload named no channel still opens its form, and its submit is
    # told the form lost its channel); read back only when it names one.
    channel_id: str = Key(validation_alias="c", serialization_alias="c")

    @classmethod
    def decode(cls, text: str | None) -> ChannelFormContext | None:
        """The context `encode` wrote; None when `text` does not name a channel. Never raises."""
        context = cls.read(text)
        return context if context is not None and context.channel_id else None
