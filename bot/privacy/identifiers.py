"""The patient-identifier guard's detector (issue 17, "What is recognised"): where a text holds something that
identifies a patient. Pure logic: no Slack, no store, no logging.

Five kinds, each named in KINDS:
- `nhs`: an NHS number whose check digit holds (python-stdnum), with or without spaces or hyphens, not part of a
  longer number.
- `record`: a match of one of the hospital's record-number patterns (KAIZEN_PATIENT_ID_PATTERNS), not inside a longer
  run of letters or digits.
- `dob`: a date (12/03/1948, 1948-03-12, 12 March 1948, 12 de marzo de 1948, 12. März 1948, 1948年3月12日, 昭和23年
  3月12日) within a few words of a word that makes it a birth date (DOB, born, geb., fecha de nacimiento, 生年月日,
  an age: phrases.BIRTH_WORDS), either side. A date alone is not one.
- `name_bed`: a title and surname (Mrs Patel, Frau Müller, la Sra. García, 山田さん) within a few words of a bed or room
  number (bed 4, Zimmer 4, cama 5, 3号室), either side. Either alone is not one.
- `ssn`: a US social security number (python-stdnum); off unless asked for, as it has no check digit.

Every language's words are looked for in every text, whoever writes it. Fullwidth digits and letters (１２３, ＲＸ) read
as their ASCII twins. Every expression is compiled once, when the module is imported or the guard is built, and none
backtracks without bound: the guard runs on the acknowledgement path of every submission.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from babel.dates import get_month_names
from stdnum.gb import nhs
from stdnum.us import ssn

from bot.i18n import N_, _
from bot.privacy import phrases
from bot.settings import DEFAULT_PATIENT_ID_KINDS, PATIENT_ID_KINDS, Settings, patient_id_kinds, patient_id_pattern

KINDS: tuple[str, ...] = PATIENT_ID_KINDS  # nhs, record, dob, name_bed, ssn
DEFAULT_KINDS: frozenset[str] = frozenset(DEFAULT_PATIENT_ID_KINDS)  # every kind but ssn

# Translators: what the patient-information check found in someone's text, e.g. "This looks like an NHS number"
NHS_WORDS = N_("an NHS number")
# Translators: a patient's number in the hospital's own records (a medical record number), as found in someone's text
RECORD_WORDS = N_("a hospital record number")
# Translators: what the patient-information check found in someone's text: a date written as a birth date
DOB_WORDS = N_("a date of birth")
# Translators: what the patient-information check found: a person's name next to a bed or room ("Mrs Patel, bed 4")
NAME_BED_WORDS = N_("a name next to a bed or room number")
# Translators: what the patient-information check found: a US Social Security number
SSN_WORDS = N_("a social security number")
_DESCRIPTIONS = {
    "nhs": NHS_WORDS,
    "record": RECORD_WORDS,
    "dob": DOB_WORDS,
    "name_bed": NAME_BED_WORDS,
    "ssn": SSN_WORDS,
}

# "Near": at most this many words and characters between the two halves of a finding, and no end of a sentence.
MAX_GAP_WORDS = 4
MAX_GAP_CHARS = 40

# Fullwidth forms (U+FF01-FF5E) and the ideographic space, one character for one, so that offsets keep.
_HALFWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_NOT_AFTER_DIGIT, _NOT_BEFORE_DIGIT = r"(?<![0-9])", r"(?![0-9])"
_NOT_AFTER_LETTER, _NOT_BEFORE_LETTER = r"(?<![^\W\d_])", r"(?![^\W\d_])"
# Between an NHS number's groups: nothing, or up to two spaces, tabs, line breaks, hyphens, dashes or dots.
_SEPARATOR = "[\\s\u00a0\\-\u2010-\u2013.]{0,2}"
_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|[;。！？；\n]")
Span = tuple[int, int]  # text[start:end]
_ASCII_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class Finding:
    """Something in a checked text that identifies a patient: `kind` one of KINDS, and `text[start:end]` the part
    that does (offsets in characters, as Python indexes a str)."""

    kind: str
    start: int
    end: int


def describe(kind: str) -> str:
    """`kind` (one of KINDS) in words for the person, in the reader's language: "an NHS number", "a date of birth".
    A ValueError for any other kind."""
    if kind not in _DESCRIPTIONS:
        raise ValueError(f"not a kind of patient identifier: {kind!r}")
    return _(_DESCRIPTIONS[kind])


def _fragment(phrase: str) -> str:
    """A phrase of phrases.py → the regular expression that reads it as that module's docstring says."""
    parts: list[str] = []
    previous = ""
    for char in phrase:
        if char in ".:":
            parts.append(re.escape(char) + "?")
        elif char == " ":
            parts.append(r"\s{0,3}" if previous in ".:" else r"\s{1,3}")
        elif char == "-":
            parts.append(r"[-\s]?")
        elif char == "#":
            parts.append(f"{_NOT_AFTER_DIGIT}[0-9]{{1,3}}{_NOT_BEFORE_DIGIT}")
        else:
            parts.append(re.escape(char))
        previous = char
    return "".join(parts)


def _either(fragments: Iterable[str]) -> str:
    """Fragments as one alternation, the longest first so that a longer phrase wins over its start."""
    return "|".join(sorted(set(fragments), key=lambda fragment: (-len(fragment), fragment)))


def _words(by_language: Mapping[str, Sequence[str]], unspaced: bool) -> str:
    """The phrases of the languages written with spaces (whole words only) or of those written without."""
    fragments = [
        _fragment(phrase) for language, words in by_language.items() if (language in phrases.UNSPACED) == unspaced
        for phrase in words
    ]  # fmt: skip
    return _either(fragments)


def _months() -> str:
    """Every month name of phrases.MONTH_LOCALES (Babel's, wide and abbreviated), without their dots."""
    names = {
        str(name).rstrip(".").lower()
        for locale in phrases.MONTH_LOCALES
        for context in ("format", "stand-alone")
        for width in ("wide", "abbreviated")
        for name in get_month_names(width, context, locale).values()
    }
    return _either(re.escape(name) for name in names)


_YEAR = r"(?:[0-9]{4}|'?[0-9]{2})"
_ORDINAL = _either(re.escape(ending) for ending in phrases.ORDINALS)
_MONTH = f"{_NOT_AFTER_LETTER}(?:{_months()}){_NOT_BEFORE_LETTER}\\.?"
_ERA = "|".join(phrases.ERAS)
# Each form of date, with groups the plausibility check reads: day `d`, month `m`, or `a` and `b` for day and month
# in either order (12/03 is 12 March in London and December 3 in Boston).
_DATES = tuple(
    re.compile(expression, re.IGNORECASE)
    for expression in (
        rf"{_NOT_AFTER_DIGIT}(?P<a>[0-9]{{1,2}})(?P<s>[/.\-])(?P<b>[0-9]{{1,2}})(?P=s)(?:[0-9]{{4}}|[0-9]{{2}})"
        rf"{_NOT_BEFORE_DIGIT}",
        rf"{_NOT_AFTER_DIGIT}[0-9]{{4}}(?P<s>[/.\-])(?P<m>[0-9]{{1,2}})(?P=s)(?P<d>[0-9]{{1,2}}){_NOT_BEFORE_DIGIT}",
        rf"(?:{_NOT_AFTER_DIGIT}[0-9]{{4}}|(?:{_ERA})\s?(?:[0-9]{{1,2}}|元))\s?年\s?(?P<m>[0-9]{{1,2}})\s?月"
        rf"\s?(?P<d>[0-9]{{1,2}})\s?日",
        rf"{_NOT_AFTER_DIGIT}(?P<d>[0-9]{{1,2}})(?:{_ORDINAL})?\.?[\s\-]{{0,3}}(?:(?:of|de)\s{{1,3}})?{_MONTH}"
        rf"(?:[\s\-,]{{0,3}}del?\s{{1,3}}|[\s\-,]{{0,3}}){_YEAR}{_NOT_BEFORE_DIGIT}",
        rf"{_MONTH}\s{{1,3}}(?P<d>[0-9]{{1,2}})(?:{_ORDINAL})?,?\s{{1,3}}[0-9]{{4}}{_NOT_BEFORE_DIGIT}",
    )
)
_BIRTH_WORDS = re.compile(
    f"{_NOT_AFTER_LETTER}(?:{_words(phrases.BIRTH_WORDS, unspaced=False)}){_NOT_BEFORE_LETTER}"
    f"|{_words(phrases.BIRTH_WORDS, unspaced=True)}|{phrases.BIRTH_SUFFIX}",
    re.IGNORECASE,
)

_NUMBER = f"{_NOT_AFTER_DIGIT}[0-9]{{1,4}}[A-Za-z]?(?![0-9A-Za-z])"  # 4, 12, 4A
_NUMBER_WORD = _either(_fragment(word) for word in phrases.NUMBER_WORDS)
_BEDS = re.compile(
    f"{_NOT_AFTER_LETTER}(?:{_words(phrases.BEDS_BEFORE, unspaced=False)}){_NOT_BEFORE_LETTER}"
    f"(?:\\s{{0,2}}(?:{_NUMBER_WORD}))?[\\s:#\\-]{{0,3}}{_NUMBER}"
    f"|(?:{_words(phrases.BEDS_BEFORE, unspaced=True)})\\s{{0,2}}(?:番号)?\\s{{0,2}}{_NUMBER}"
    f"|{_NOT_AFTER_DIGIT}[0-9]{{1,4}}\\s{{0,2}}(?:{_words(phrases.BEDS_AFTER, unspaced=True)})",
    re.IGNORECASE,
)
_BEDS_JOINED = re.compile(r"[\s,/&+\-]{0,5}")  # "bay 3 bed 2", "Zimmer 4 / Bett 2": one place
# A title as written, in lower case, capitalised ("Señora García") or in capitals ("MISS JONES"), except the
# capitals that are ward words of their own: an MR scanner, MS Teams, the DoN's walkround.
_TITLES = _either(
    _fragment(spelling.rstrip("."))
    for titles in phrases.TITLES.values()
    for title in titles
    for spelling in {title, title.lower(), title[:1].upper() + title[1:]}
    | ({title.upper()} if title.rstrip(".").lower() not in phrases.TITLES_NOT_IN_CAPITALS else set())
)
_TITLED = re.compile(rf"{_NOT_AFTER_LETTER}(?:{_TITLES})(?:\.\s{{0,3}}|\s{{1,3}})(?P<name>[^\W\d_][\w'’\-]{{0,40}})")
_HONORIFICS = _either(re.escape(word) for word in phrases.HONORIFICS)
# Kanji (with 々 and ヶ) or katakana, then an honorific: 山田さん, スミス様.
_JAPANESE_NAMED = re.compile(f"(?P<name>[\u4e00-\u9fff\u3005\u30f6\u30a1-\u30fa\u30fc]{{1,6}})(?:{_HONORIFICS})")
_NHS = re.compile(f"{_NOT_AFTER_DIGIT}[0-9]{{3}}{_SEPARATOR}[0-9]{{3}}{_SEPARATOR}[0-9]{{4}}{_NOT_BEFORE_DIGIT}")
_SSN = re.compile(
    rf"{_NOT_AFTER_DIGIT}(?P<area>[0-9]{{3}})(?P<s>[ \-]?)(?P<group>[0-9]{{2}})(?P=s)(?P<serial>[0-9]{{4}})"
    rf"{_NOT_BEFORE_DIGIT}"
)


def _plausible(match: re.Match[str]) -> bool:
    """Whether a date's day and month could be a day and a month."""
    found = match.groupdict()
    if found.get("a") is not None:
        first, second = int(found["a"]), int(found["b"])
        return 1 <= first <= 31 and 1 <= second <= 31 and min(first, second) <= 12
    month = int(found["m"]) if found.get("m") is not None else 1
    return 1 <= int(found["d"]) <= 31 and 1 <= month <= 12


def _near(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]`, what lies between two halves of a finding, is short enough to join them."""
    if end - start > MAX_GAP_CHARS:  # before slicing: a far one costs nothing
        return False
    gap = text[start:end]
    return len(_WORD.findall(gap)) <= MAX_GAP_WORDS and not _SENTENCE_END.search(gap)


def _paired(text: str, anchors: list[Span], others: list[Span]) -> Iterator[Span]:
    """Each of `others` joined with the nearest of `anchors` before it or after it (both when as near): the span from
    the start of the first to the end of the second. Only when near (`_near`) with no other of `others` between. Both
    lists sorted, their spans apart (`_apart`)."""
    starts = [start for start, _end in anchors]
    ends = [end for _start, end in anchors]
    for index, (start, end) in enumerate(others):
        joined: list[tuple[int, Span]] = []  # (the gap's length, the span)
        before = bisect_right(ends, start) - 1
        previous_end = others[index - 1][1] if index else -1
        if before >= 0 and previous_end <= starts[before] and _near(text, ends[before], start):
            joined.append((start - ends[before], (starts[before], end)))
        after = bisect_left(starts, end)
        next_start = others[index + 1][0] if index + 1 < len(others) else len(text)
        if after < len(anchors) and next_start >= ends[after] and _near(text, end, starts[after]):
            joined.append((starts[after] - end, (start, ends[after])))
        nearest = min((gap for gap, _span in joined), default=0)
        yield from (span for gap, span in joined if gap == nearest)


def _apart(spans: Iterable[Span]) -> list[Span]:
    """Spans sorted, each overlapping an earlier (or at the same start, a longer) one dropped: what `_paired` takes."""
    kept: list[Span] = []
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def _nhs_numbers(text: str) -> Iterator[Span]:
    for match in _NHS.finditer(text):
        if nhs.is_valid("".join(char for char in match.group() if char.isdigit())):
            yield match.span()


def _social_security_numbers(text: str) -> Iterator[Span]:
    for match in _SSN.finditer(text):
        if ssn.is_valid(f"{match['area']}-{match['group']}-{match['serial']}"):
            yield match.span()


def _birth_dates(text: str) -> Iterator[Span]:
    dates = _apart(match.span() for pattern in _DATES for match in pattern.finditer(text) if _plausible(match))
    if dates:  # the words are looked for only when there is a date
        yield from _paired(text, [match.span() for match in _BIRTH_WORDS.finditer(text)], dates)


def _names_at_beds(text: str) -> Iterator[Span]:
    beds: list[Span] = []
    for match in _BEDS.finditer(text):
        if beds and _BEDS_JOINED.fullmatch(text, beds[-1][1], match.start()):
            beds[-1] = (beds[-1][0], match.end())
        else:
            beds.append(match.span())
    if not beds:  # staff talk about beds all day; only a name next to one counts
        return
    names = [
        match.span() for match in _TITLED.finditer(text)
        if match["name"][0].isupper() or match["name"].lower() in phrases.SURNAME_PARTICLES
    ]  # fmt: skip
    names += [match.span() for match in _JAPANESE_NAMED.finditer(text) if not match["name"].endswith(phrases.NOT_NAMES)]
    yield from _paired(text, beds, _apart(names))


class PatientIdGuard:
    """Finds patient identifiers in text (the module's docstring says which). Build one per process, from the
    settings (`from_settings`): building compiles the hospital's patterns, `find` compiles nothing."""

    def __init__(self, patterns: Sequence[str] = (), kinds: Collection[str] = DEFAULT_KINDS) -> None:
        """`patterns`: the hospital's record-number patterns (Python regular expressions, searched for as written);
        `kinds`: which of KINDS to look for. A ValueError naming a pattern that is not a regular expression or that
        matches empty text (its position, counted from 1, and its text), or an unknown kind (listing KINDS)."""
        self.kinds: frozenset[str] = frozenset(patient_id_kinds(kinds))
        self.patterns: tuple[re.Pattern[str], ...] = tuple(
            patient_id_pattern(pattern, number, len(patterns)) for number, pattern in enumerate(patterns, 1)
        )
        finders: dict[str, Callable[[str], Iterable[Span]]] = {
            "nhs": _nhs_numbers,
            "record": self._record_numbers,
            "dob": _birth_dates,
            "name_bed": _names_at_beds,
            "ssn": _social_security_numbers,
        }
        self._finders = [(kind, finders[kind]) for kind in KINDS if kind in self.kinds]

    @classmethod
    def from_settings(cls, settings: Settings) -> PatientIdGuard:
        """The guard KAIZEN_PATIENT_ID_PATTERNS and KAIZEN_PATIENT_ID_KINDS ask for (validated as they loaded)."""
        return cls(settings.kaizen_patient_id_patterns, settings.kaizen_patient_id_kinds)

    def find(self, text: str) -> list[Finding]:
        """The patient identifiers in `text`, sorted by start; overlapping findings are merged into one, named by
        the kind of the one that starts first (at the same start: the longer, then the first in KINDS). Empty when
        there is none."""
        plain = text if text.isascii() else text.translate(_HALFWIDTH)
        found = sorted(
            (start, -end, KINDS.index(kind)) for kind, finder in self._finders for start, end in finder(plain)
        )
        merged: list[Finding] = []
        for start, negative_end, order in found:
            if merged and start < merged[-1].end:
                if -negative_end > merged[-1].end:
                    merged[-1] = Finding(merged[-1].kind, merged[-1].start, -negative_end)
            else:
                merged.append(Finding(KINDS[order], start, -negative_end))
        return merged

    def _record_numbers(self, text: str) -> Iterator[Span]:
        for pattern in self.patterns:
            for match in pattern.finditer(text):
                start, end = match.span()
                before = text[start - 1] if start else ""
                after = text[end : end + 1]
                if end > start and before not in _ASCII_ALNUM and after not in _ASCII_ALNUM:
                    yield start, end
