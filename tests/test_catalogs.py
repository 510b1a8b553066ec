"""The catalogs (`bot/locale`): one per language of `bot.i18n.LANGUAGES`, each with every message the code asks
for, the language's own plural rule, and a compiled `.mo` that is present and up to date with its `.po` (`make
catalogs` builds them; gettext would otherwise fall back to English without a word)."""

from __future__ import annotations

import io
import re

import pytest
from babel.messages.catalog import Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.i18n import DOMAIN, LANGUAGES, LOCALE_DIR

POT = LOCALE_DIR / f"{DOMAIN}.pot"


def catalog_path(language: str, suffix: str):
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.{suffix}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_a_compiled_catalog_up_to_date_with_its_source(language: str):
    po, mo = catalog_path(language, "po"), catalog_path(language, "mo")
    assert po.is_file(), f"no catalog for {language}: `pybabel init` it from {POT}"
    assert mo.is_file(), f"{mo} is missing: run `make catalogs`"
    with po.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    assert mo.read_bytes() == compiled.getvalue(), f"{mo} is stale: run `make catalogs`"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalog_holds_every_message_of_the_template_with_the_languages_plural_rule(language: str):
    with POT.open("rb") as source:
        template = read_po(source)
    with catalog_path(language, "po").open("rb") as source:
        catalog = read_po(source, locale=language)
    wanted = {message.id if isinstance(message.id, str) else message.id[0] for message in template if message.id}
    held = {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}
    assert wanted <= held, f"not in the {language} catalog (run `make messages`): {sorted(wanted - held)[:10]}"
    expected = get_plural(language)
    assert (catalog.num_plurals, catalog.plural_expr) == (expected.num_plurals, expected.plural_expr), language
    if language != "en":
        untranslated = [
            m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
        ]
        assert untranslated == [], f"{len(untranslated)} untranslated in {language}: {untranslated[:5]}"


FIELD = re.compile(r"(?<!\{)\{([a-z_]+)\}(?!\})")
MARKUP = re.compile(r"<[^<>\s]*\{[a-z_]+\}[^<>\s]*>|`/kaizen[^`]*`")  # Slack links/mentions of a field; commands


def _forms(message: Message) -> tuple[list[str], list[str]]:
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = [message.string] if isinstance(message.string, str) else list(message.string)
    return ids, strings


@pytest.mark.parametrize("language", [language for language in LANGUAGES if language != "en"])
def test_every_translation_keeps_the_messages_fields_markup_and_commands(language: str):
    with catalog_path(language, "po").open("rb") as source:
        catalog = read_po(source, locale=language)
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids, strings = _forms(message)
        if message.fuzzy:  # gettext skips a fuzzy entry: English would show
            wrong.append((ids[0], strings[0], "marked fuzzy"))
        plural = len(ids) > 1
        fields = {f for text in ids for f in FIELD.findall(text)} | ({"count"} if plural else set())
        needed = {f for f in FIELD.findall(ids[0]) if f != "count"}
        markup = set(MARKUP.findall(ids[0]))
        for text in strings:
            if not text:
                continue
            values = {f: "x" for f in fields}
            try:
                (text.format(**values) if fields or "{{" in ids[0] else text)
            except (KeyError, IndexError, ValueError) as error:
                wrong.append((ids[0], text, f"does not format: {error!r}"))
                continue
            got = set(FIELD.findall(text))
            if not got <= fields or not needed <= got:  # a field a message is not given would fail when shown
                wrong.append((ids[0], text, f"fields {sorted(got)}, wanted {sorted(needed)}"))
            if not markup <= set(MARKUP.findall(text)):
                wrong.append((ids[0], text, f"lost {sorted(markup - set(MARKUP.findall(text)))}"))
    assert wrong == [], "\n".join(map(str, wrong[:10]))


def test_the_template_holds_every_message_the_code_asks_for():
    # What `make messages` extracts, read from the code now: a message added to the code and not extracted into
    # the catalogs would be shown in English to everyone.
    root = LOCALE_DIR.parent.parent
    found: set[str] = set()
    for package in ("bot", "handlers"):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            root / package, method_map=[("**.py", "python")], keywords={"_": None, "n_": (1, 2), "N_": None}
        ):
            found.add(message if isinstance(message, str) else message[0])
    with POT.open("rb") as source:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    assert sorted(found - template) == [], "run `make messages` and translate what it adds"
    assert sorted(template - found) == [], "the template holds messages no code asks for: run `make messages`"
