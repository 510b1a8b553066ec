"""Which language someone reads (`bot.i18n.match_language`) and the words, dates, numbers and weekdays of each
language (`bot.i18n.Words`), formatted by Babel."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, date, datetime

import pytest

from bot.i18n import (
    DEFAULT,
    LANGUAGES,
    current,
    join,
    language_name,
    language_of,
    match_language,
    missing_catalogs,
    reading,
    weekday,
    words,
)


@pytest.mark.parametrize(
    ("tag", "fallbacks", "expected"),
    [
        ("ja-JP", (), "ja"),  # Slack's tags: language-REGION
        ("es-LA", (), "es"),  # Slack's Latin American Spanish: matched by language
        ("es-ES", (), "es"),
        ("en-GB", (), "en"),
        ("de-DE", ("ja",), "de"),
        ("DE", (), "de"),  # typed by a leader
        ("fr-FR", ("de",), "de"),  # a language we do not speak: the team's
        ("fr-FR", (None, "ja"), "ja"),  # no team language: KAIZEN_LANGUAGE
        ("fr-FR", ("it",), DEFAULT),
        (None, (), DEFAULT),
        ("", ("es",), "es"),
        ("not a locale!", ("ja",), "ja"),
        ("zh-TW", (), DEFAULT),
    ],
)
def test_the_person_reads_their_slack_language_else_the_teams_else_english(tag, fallbacks, expected):
    assert match_language(tag, *fallbacks) == expected


@pytest.mark.parametrize("tag", ["C", "POSIX", "und", "und-JP", "x-klingon", "日本語", "1a", ""])
def test_what_is_no_language_subtag_reads_no_language(tag):
    assert language_of(tag) is None


def test_a_tag_is_read_by_its_language_or_not_at_all():
    assert [language_of(t) for t in ("ja-JP", "pt-BR", "EN", " de ", "", None, "xx-??")] == [
        "ja", "pt", "en", "de", None, None, None,
    ]  # fmt: skip


def test_weekdays_dates_and_numbers_are_written_the_way_each_language_writes_them():
    monday = date(2026, 11, 30)
    assert [words(lang).weekday(0) for lang in LANGUAGES] == ["Monday", "月曜日", "lunes", "Montag"]
    assert words("en").date(monday) == "30 Nov 2026" or words("en").date(monday) == "Nov 30, 2026"
    assert words("ja").date(monday) == "2026/11/30"
    assert words("de").date(monday) == "30.11.2026"
    assert words("de").number(1234.5) == "1.234,5" and words("en").number(1234.5) == "1,234.5"
    assert words("es").weekday(6, "abbreviated").startswith("dom")
    when = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
    assert "8:30" in words("en").datetime(when, "short") and "8:30" in words("ja").datetime(when, "short")


def test_an_unknown_language_reads_english_and_untranslated_words_fall_back_to_english():
    assert words("xx").language == DEFAULT
    assert words("ja")._("Kaizen: {count} ideas", count=3) == "Kaizen: 3 ideas"  # not (yet) in the catalog
    # A message no catalog holds: English, in English's plural forms, the count as German writes it.
    assert words("de").n_("{count} banana", "{count} bananas", 1) == "1 banana"
    assert words("de").n_("{count} banana", "{count} bananas", 1500) == "1.500 bananas"


def test_plural_forms_follow_each_languages_rule():
    waiting = ("waiting {count} day", "waiting {count} days")
    assert words("de").n_(*waiting, 1) == "wartet seit 1 Tag"
    assert words("de").n_(*waiting, 2) == "wartet seit 2 Tagen"
    assert words("es").n_(*waiting, 2).startswith("2 días")
    ja_one, ja_many = words("ja").n_(*waiting, 1), words("ja").n_(*waiting, 5)
    assert ja_one.replace("1", "5") == ja_many, "Japanese has one form"


def test_what_is_rendered_inside_reading_speaks_that_language_and_the_reader_comes_back_after():
    assert current().language == "en", "outside any reading: English"
    with reading("ja"):
        assert current().language == "ja"
        with reading("de"):
            assert weekday(0) == "Montag"
        assert weekday(0) == "月曜日"
        with pytest.raises(RuntimeError), reading("es"):
            raise RuntimeError("a failure inside")
        assert current().language == "ja", "back after an error too"
    assert weekday(0) == "Monday"


def test_each_thread_has_its_own_reader():
    seen: dict[str, str] = {}
    ready, done = threading.Event(), threading.Event()

    def other() -> None:
        ready.wait()
        seen["other"] = current().language  # a thread of its own starts with no reader: English
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with reading("ja"):
        ready.set()
        done.wait(5)
    thread.join()
    assert seen == {"other": "en"}


@pytest.mark.parametrize(
    ("language", "names", "expected"),
    [
        ("en", ["Amira", "Dan", "Mo"], "Amira, Dan and Mo"),
        ("ja", ["Amira", "Dan", "Mo"], "Amira、Dan、Mo"),
        ("de", ["Amira", "Dan", "Mo"], "Amira, Dan und Mo"),
        ("es", ["Amira", "Dan"], "Amira y Dan"),
        ("es", ["Ana", "Isabel"], "Ana e Isabel"),  # "y" becomes "e" before an i- sound
        ("es", ["Ana", "Hilda"], "Ana e Hilda"),
        ("es", ["Ana", "Hielo"], "Ana y Hielo"),  # but not before a diphthong
        ("es", ["Ana"], "Ana"),
    ],
)
def test_names_are_listed_the_way_each_language_lists_them(language, names, expected):
    with reading(language):
        assert join(names) == expected


def test_a_language_is_named_in_the_readers_language():
    with reading("en"):
        assert language_name("ja") == "Japanese"
    with reading("ja"):
        assert language_name("ja") == "日本語"
    with reading("es"):
        assert language_name("de") == "alemán"


def test_a_missing_compiled_catalog_is_found(tmp_path):
    assert missing_catalogs() == [], "the installed catalogs are all compiled"
    for language in ("ja", "de"):
        (tmp_path / language / "LC_MESSAGES").mkdir(parents=True)
        (tmp_path / language / "LC_MESSAGES" / "kaizen.mo").write_bytes(b"")
    assert missing_catalogs(tmp_path) == ["es"]


def test_load_formats_reads_english_formatting_data_before_anyone_formats() -> None:
    """The serving process reads English's formats before it forks its worker, so the two share one copy: in a
    fresh interpreter, after `load_formats()` Babel holds English's locale data and the data all locales share,
    and formatting reads nothing more."""
    script = (
        "import babel.core, babel.localedata\n"
        "from datetime import UTC, date, datetime\n"
        "from bot.i18n import load_formats, words\n"
        "assert babel.core._global_data is None and 'en' not in babel.localedata._cache\n"
        "reader = load_formats()\n"
        "assert reader is words('en')\n"
        "assert babel.core._global_data is not None and 'en' in babel.localedata._cache\n"
        "loaded = set(babel.localedata._cache)\n"
        "reader.date_like(date(2026, 3, 2), 'd MMM')\n"
        "reader.datetime(datetime(2026, 3, 2, 8, 30, tzinfo=UTC))\n"
        "assert set(babel.localedata._cache) == loaded, set(babel.localedata._cache) - loaded\n"
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
