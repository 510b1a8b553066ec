"""Languages: which one a person or a team reads, and the words in it.

Every string a person reads is looked up in a gettext catalog (domain `kaizen`, `bot/locale/<language>/LC_MESSAGES`)
through a `Words` bound to one language; dates, numbers and weekdays are formatted by Babel for that language. The
catalogs' sources (`.po`) are in the repository; the compiled `.mo` files are built by `make catalogs` (which `make
install` and `make install-test` run), never by a setuptools hook. A missing `.mo` would make gettext fall back to
English silently, so `tests/test_catalogs.py` fails on a missing or stale one.

Who reads decides: private replies, modals, DMs and the App Home in the person's Slack locale (`match_language`),
channel posts in the team's language. The code that knows the reader says so once, `with reading(language):`, and
everything rendered inside it (`_`, `n_` and the formatting functions below) speaks that language, as gettext's
"current locale" does in Django and Flask-Babel; outside any `reading` it is DEFAULT. A context variable, not a
global: every request thread and worker has its own reader. Strings defined before anyone reads them (module
constants) are marked with `N_` and translated where they are shown: `_(CONSTANT)`.

Machine-facing output (exports' keys, JSON, log lines) never goes through here.
"""

from __future__ import annotations

import functools
import gettext
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_skeleton, get_day_names, get_timezone_location
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.support import Translations

Day = date  # a calendar date (named apart: `Words.date` is a method)
LANGUAGES = ("en", "ja", "es", "de")  # the languages the catalogs are complete for
DEFAULT = "en"
DOMAIN = "kaizen"
LIST_FORMATS = {"en": "en_GB"}  # the CLDR locale a language's lists are formatted in, where not its own
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
_SPANISH_E = re.compile(r"(?i)h?[ií](?![aeoáéó])")  # Isabel, Hilda, Ígor; not Hielo, Iañez


def language_of(tag: str | None) -> str | None:
    """The language of a locale tag as Slack sends it ("ja-JP", "es-LA", "en-GB", "zh-TW") or as people type it
    ("ja", "DE"), lower case ("ja"); None for an empty or unreadable tag."""
    subtag = (tag or "").strip().replace("_", "-").split("-")[0]
    if not re.fullmatch(r"[A-Za-z]{2,3}", subtag) or subtag.lower() == "und":
        return None  # not a language subtag (Babel would read "C" and "POSIX" as English; "und" is undetermined)
    try:
        # By the language subtag alone: Slack's "es-LA" (Latin America) is no CLDR locale, but its "es" is.
        return Locale.parse(subtag).language
    except (ValueError, UnknownLocaleError):
        return None


def missing_catalogs(locale_dir: Path = LOCALE_DIR) -> list[str]:
    """The languages (other than DEFAULT, which needs none) whose compiled catalog is missing from `locale_dir`:
    gettext would speak English for them without a word, so the bot says so at start (`make catalogs` builds them)."""
    return [
        language for language in LANGUAGES
        if language != DEFAULT and not (locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()
    ]  # fmt: skip


def match_language(tag: str | None, *fallbacks: str | None) -> str:
    """The language someone reads: the language of `tag` when the catalogs speak it, else the first of `fallbacks`
    (e.g. the team's language, then KAIZEN_LANGUAGE) that they speak, else DEFAULT. Matching is by language only:
    "es-LA" and "es-ES" both read "es"."""
    for candidate in (tag, *fallbacks):
        language = language_of(candidate)
        if language in LANGUAGES:
            return language
    return DEFAULT


class Words:
    """One language's words: `_` (gettext, then `str.format` with the given values), `n_` (plural forms, the
    catalog's own rule for the count), and dates, numbers and weekdays formatted by Babel for the language."""

    def __init__(self, language: str, catalog: gettext.NullTranslations | None = None) -> None:
        """`language` one of LANGUAGES (else DEFAULT); `catalog` the compiled catalog in bot/locale unless given
        (a test's pseudo-locale gives its own)."""
        self.language = language if language in LANGUAGES else DEFAULT
        self.locale = Locale.parse(self.language)
        # Lists in English as the product has always written them, British: "A, B and C".
        self._list_locale = Locale.parse(LIST_FORMATS.get(self.language, self.language))
        self._catalog = catalog or Translations.load(str(LOCALE_DIR), [self.language], DOMAIN)

    def _(self, message: str, **values: object) -> str:
        """`message` in this language; `{name}` fields filled from `values` after translation, so a translator may
        move them."""
        text = self._catalog.gettext(message)
        return text.format(**values) if values else text

    def n_(self, singular: str, plural: str, count: int, **values: object) -> str:
        """The form of `singular` / `plural` this language uses for `count` (Japanese has one form, German and
        Spanish two, as the catalogs' Plural-Forms say); `{count}` and `values` filled in."""
        return self._catalog.ngettext(singular, plural, count).format(count=self.number(count), **values)

    def number(self, value: float) -> str:
        """A number as this language writes it ("1,234.5" in English, "1.234,5" in German)."""
        return format_decimal(value, locale=self.locale)

    def date(self, day: date, form: str = "medium") -> str:
        """A date in one of Babel's forms ("short", "medium", "long", "full") or a CLDR pattern used as it is
        (e.g. a translator's "EEEE d MMMM" or "M月d日(E)")."""
        return format_date(day, format=form, locale=self.locale)

    def date_like(self, day: Day, pattern: str) -> str:
        """A date with the fields of `pattern` (a CLDR pattern such as "d MMM" or "d MMM y"): English writes the
        pattern as it is ("2 Mar", "2 Mar 2025", as the product always has); every other language takes the same
        fields in its own order and punctuation (CLDR's skeleton: "2. März" in German, "3月2日" in Japanese)."""
        if self.language == DEFAULT:
            return format_date(day, format=pattern, locale=self.locale)
        return format_skeleton(re.sub(r"[^A-Za-z]", "", pattern), day, locale=self.locale)

    def datetime(self, when: datetime, form: str = "medium") -> str:
        """A date and time (timezone-aware `when`, shown in its own zone) in one of Babel's forms."""
        return format_datetime(when, format=form, tzinfo=when.tzinfo, locale=self.locale)

    def join(self, items: list[str], style: Literal["standard", "or"] = "standard") -> str:
        """Items joined as this language lists them: "A, B and C", "A、B、C", "A, B y C" (Spanish "e" before an
        i- sound is CLDR's too), "A, B und C"; `style="or"` for alternatives."""
        joined = format_list(items, style=style, locale=self._list_locale)
        if self.language == "es" and style == "standard" and len(items) > 1 and _SPANISH_E.match(items[-1]):
            # "y" becomes "e" before an i- sound ("Ana e Isabel"); CLDR's pattern cannot say so.
            joined = joined[: -len(items[-1])].removesuffix(" y ") + " e " + items[-1]
        return joined

    def weekday(self, index: int, width: Literal["abbreviated", "narrow", "short", "wide"] = "wide") -> str:
        """Weekday `index` (Monday is 0) as this language names it: "Monday", "月曜日", "lunes", "Montag"."""
        return str(get_day_names(width, locale=self.locale)[index])


@functools.cache
def words(language: str) -> Words:
    """The `Words` of `language` (one per language per process: the catalogs are read once); DEFAULT's for a
    language the catalogs do not speak."""
    return Words(language if language in LANGUAGES else DEFAULT)


def load_formats(language: str = DEFAULT) -> Words:
    """Read now what formatting in `language` reads on first use (the catalog; Babel's data for the locale, its
    parents and the data all locales share: about 5 MB for English), and return its `Words`. Called before a worker
    is forked from this process, so that both share one copy instead of each reading its own."""
    reader = words(language)
    reader.weekday(0)
    reader.date(date(2000, 1, 1))
    reader.number(0.5)
    reader.join(["a", "b"])
    return reader


_reader: ContextVar[Words | None] = ContextVar("kaizen_reader", default=None)


@contextmanager
def reading(language: str | Words | None) -> Iterator[Words]:
    """Render for someone who reads `language` (one of LANGUAGES, anything else reads DEFAULT; or a `Words`)
    inside the block; the previous reader is back afterwards, also on an error."""
    token = _reader.set(language if isinstance(language, Words) else words(language or DEFAULT))
    try:
        yield current()
    finally:
        _reader.reset(token)


def current() -> Words:
    """The `Words` of whoever is being rendered for (see `reading`); DEFAULT's outside any `reading`."""
    return _reader.get() or words(DEFAULT)


def _(message: str, **values: object) -> str:
    """`message` in the reader's language, `{name}` fields filled from `values` (see `Words._`)."""
    return current()._(message, **values)


def n_(singular: str, plural: str, count: int, **values: object) -> str:
    """The reader's plural form of `singular` / `plural` for `count` (see `Words.n_`)."""
    return current().n_(singular, plural, count, **values)


def N_(message: str) -> str:
    """Mark `message` for the catalogs without translating it now (a module constant): `_(it)` where it is shown."""
    return message


def number(value: float) -> str:
    """A number as the reader writes it (see `Words.number`)."""
    return current().number(value)


def join(items: list[str], style: Literal["standard", "or"] = "standard") -> str:
    """Items as the reader lists them (see `Words.join`)."""
    return current().join(items, style)


def people(names: list[str]) -> str:
    """Names of people (plain names or <@mentions>) listed as the reader's language writes them: each as a person is
    named ("{name}", which Japanese writes "{name}さん"), then joined (`join`)."""
    # Translators: a person's name in a list of people thanked or named ("thank you {names}"): Japanese adds さん
    # ("{name}さん"); most languages write the name as it is ("{name}")
    return join([_("{name}", name=name) for name in names])


def weekday(index: int, width: Literal["abbreviated", "narrow", "short", "wide"] = "wide") -> str:
    """Weekday `index` (Monday 0) in the reader's language (see `Words.weekday`)."""
    return current().weekday(index, width)


def day(value: date, form: str = "medium") -> str:
    """A date in the reader's language, in a form or a pattern (see `Words.date`)."""
    return current().date(value, form)


def day_like(value: date, pattern: str) -> str:
    """A date in the reader's language with the fields of an English pattern (see `Words.date_like`)."""
    return current().date_like(value, pattern)


def language_name(code: str) -> str:
    """The name of language `code` in the reader's language: "Japanese" in English, "日本語" in Japanese, "japonés"
    in Spanish (CLDR's names, from Babel)."""
    reader = current()
    return str(Locale.parse(code).get_display_name(reader.locale) or code)


def city_name(zone: str) -> str:
    """The city an IANA time zone is named after, in the reader's language (CLDR's exemplar cities: "Vienna", "Wien",
    "ウィーン"); the zone's own last part when CLDR has none."""
    try:
        return str(get_timezone_location(zone, locale=current().locale, return_city=True))
    except (LookupError, ValueError):
        return zone.rsplit("/", 1)[-1].replace("_", " ")
