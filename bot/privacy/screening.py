"""Screening what people type for patient identifiers before anything is stored or shown.

Every way text comes in (the raise form, `/kaizen <text>`, edits, done notes, not-now reasons) is screened by
`screen` with the `PatientIdGuard`. What looks like a patient identifier stops the change (`PatientDetails`)
unless its writer said "This isn't patient information" (`vouched`): then the change goes on and its history
records that they did and which kinds were found (`NOT_PATIENT_INFO`), never the text itself.

The matched text goes back only to its writer (in their own form). `PatientDetails`' message, which may be
logged, names fields and kinds only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.i18n import _, join
from bot.privacy.identifiers import Finding, PatientIdGuard, describe


@dataclass(frozen=True)
class Flag:
    """One screened text that holds what looks like patient identifiers: the form field it came from, the text
    (for its writer's eyes only) and what was found in it (offsets into `text`)."""

    field: str
    text: str
    findings: tuple[Finding, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds found, each once, in the order found."""
        return tuple(dict.fromkeys(finding.kind for finding in self.findings))

    def by_kind(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each kind found (in order) with its matched parts, each once (shown to its writer only)."""
        parts: dict[str, dict[str, None]] = {}
        for finding in self.findings:
            parts.setdefault(finding.kind, {})[self.text[finding.start : finding.end]] = None
        return [(kind, tuple(found)) for kind, found in parts.items()]

    def _what_and_found(self) -> tuple[str, str]:
        """The first kind in words, and its parts quoted, followed by each other kind with its own parts."""
        (first, parts), *others = self.by_kind()
        found = ", ".join(f"“{part}”" for part in parts)
        for kind, more in others:
            found += f"; {describe(kind)}: " + ", ".join(f"“{part}”" for part in more)
        return describe(first), found

    def request(self) -> str:
        """What the writer reads under the field: what was found, quoted, and what to do, in their language."""
        what, quoted = self._what_and_found()
        # Translators: shown under a form's field when its text looks like it holds a patient identifier; {what} is
        # e.g. "an NHS number", {found} the part of their text, quoted
        return _(
            "This looks like {what}: {found}. Please take patient details out — or, if it isn't patient "
            "information, tick the box below to go on.",
            what=what,
            found=quoted,
        )

    def request_for_a_note(self) -> str:
        """`request` for a short note that has no tick box (a chart's rebase note, shown to everyone who reads the
        charts): what was found and a request to write it without."""
        what, quoted = self._what_and_found()
        # Translators: the reply to a leader whose note for the charts looks like it holds a patient identifier;
        # {what} is e.g. "an NHS number", {found} the part of their note, quoted
        return _(
            "This looks like {what}: {found}. The note shows on every chart: please write it without patient details.",
            what=what,
            found=quoted,
        )

    def request_of_someone_else(self) -> str:
        """`request` for text someone else wrote, already in Slack: only they can say it isn't patient information
        (and only they can edit or delete it); Kaizen has asked them privately."""
        what, quoted = self._what_and_found()
        # Translators: shown under the raise form's field when the message it was raised from looks like it holds a
        # patient identifier; {what} is e.g. "an NHS number", {found} the part of the text, quoted
        return _(
            "This looks like {what}: {found}. Please take it out. Only the message's writer can say it isn't patient "
            "information; Kaizen has asked them privately to edit or delete their message.",
            what=what,
            found=quoted,
        )


class PatientDetails(ValueError):
    """Texts that look like they hold patient identifiers, not vouched for by their writer: the change was not
    made. `flags` says where and what; `writer`, when the problem is already in Slack and someone else wrote it
    (WRITERS_FIELD), is the only one who may vouch for it. The message (safe to log) names fields and kinds only."""

    def __init__(self, flags: tuple[Flag, ...], *, writer: str | None = None) -> None:
        described = "; ".join(f"{flag.field}: {', '.join(flag.kinds)}" for flag in flags)
        super().__init__(f"Looks like patient details ({described})")
        self.flags = flags
        self.writer = writer

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every kind found, each once, in order."""
        return tuple(dict.fromkeys(kind for flag in self.flags for kind in flag.kinds))


# The field that holds the text of a message raised with the message shortcut, which only its writer may vouch for.
WRITERS_FIELD = "problem"

# The history note of NOT_PATIENT_INFO: the kinds found, comma-separated (never the text).
KIND_SEPARATOR = ","


def screen(guard: PatientIdGuard, texts: Mapping[str, str | None], *, vouched: bool) -> tuple[str, ...]:
    """Screen `texts` (form field → text; None or empty is skipped). Returns the kinds found (each once; empty when
    nothing was), for the history when `vouched` (the writer ticked "This isn't patient information"). Raises
    PatientDetails when something was found and not vouched for."""
    flags = tuple(
        Flag(field, text, tuple(found)) for field, text in texts.items() if text and (found := guard.find(text))
    )
    if flags and not vouched:
        raise PatientDetails(flags)
    return tuple(dict.fromkeys(kind for flag in flags for kind in flag.kinds))


def history_note(kinds: tuple[str, ...]) -> str | None:
    """The note a NOT_PATIENT_INFO history event keeps: the kinds found (no text); None when there were none."""
    return KIND_SEPARATOR.join(kinds) or None


def described_kinds(note: str) -> str:
    """A NOT_PATIENT_INFO history note in the reader's words: "an NHS number, a date of birth"."""
    return join([describe(kind) for kind in note.split(KIND_SEPARATOR) if kind])
