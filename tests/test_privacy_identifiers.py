"""The patient-identifier guard's detector (issue 17, "What is recognised"; product.md, "Privacy"): NHS numbers whose
check digit holds, the hospital's record-number patterns, a date next to a birth word, a title and surname next to a
bed or room number, in every language the product speaks, and US social security numbers only when asked for; and
everyday ward talk left alone."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.i18n import reading
from bot.privacy.identifiers import DEFAULT_KINDS, KINDS, Finding, PatientIdGuard, describe
from bot.settings import load_settings

GUARD = PatientIdGuard()
EVERY_KIND = PatientIdGuard(patterns=["RX[0-9]{7}"], kinds=KINDS)


def found(guard: PatientIdGuard, text: str) -> list[tuple[str, str]]:
    """What the guard finds in `text`: (kind, the matched part) in order."""
    return [(finding.kind, text[finding.start : finding.end]) for finding in guard.find(text)]


# --- NHS numbers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("NHS no 943 476 5919 for the referral", "943 476 5919"),
        ("9434765919", "9434765919"),
        ("nhs: 943-476-5919.", "943-476-5919"),
        ("(943 476 5870)", "943 476 5870"),
        ("numbers 4010232137, then", "4010232137"),
        ("see 450 557 7104", "450 557 7104"),
        ("398\u00a0259\u00a07919 on the label", "398\u00a0259\u00a07919"),
        ("患者番号６７８６９８１９８４です", "６７８６９８１９８４"),  # fullwidth digits, offsets as written
        ("Bed 4 NHS 6346484850", "6346484850"),
        ("NHS 943  476  5919 twice spaced", "943  476  5919"),
        ("NHS\n943\n476\n5919", "943\n476\n5919"),  # a line each, as a phone wraps it
        ("NHS 943\t476\t5919", "943\t476\t5919"),
        ("NHS 943.476.5919", "943.476.5919"),
    ],
)
def test_an_nhs_number_whose_check_digit_holds_is_found(text: str, number: str) -> None:
    assert found(GUARD, text) == [("nhs", number)]


@pytest.mark.parametrize(
    "text",
    [
        "NHS no 943 476 5918 for the referral",  # the same numbers with a wrong check digit
        "9434765911",
        "943-476-5910",
        "Order 1234567890 from pharmacy",
        "19434765919",  # a valid number inside a longer one
        "94347659190",
        "9434765919123456",
        "943 476 591",  # too short
        "94 34 76 59 19",  # not grouped as NHS numbers are
    ],
)
def test_a_number_that_is_no_nhs_number_is_left_alone(text: str) -> None:
    assert found(GUARD, text) == []


# --- the hospital's record numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Patient RX1234567 fell twice", "RX1234567"),
        ("RX7654321", "RX7654321"),
        ("(RX0000001)", "RX0000001"),
        ("患者RX1234567の件", "RX1234567"),
        ("ＲＸ１２３４５６７ again", "ＲＸ１２３４５６７"),
    ],
)
def test_a_configured_record_number_is_found(text: str, number: str) -> None:
    assert found(PatientIdGuard(patterns=["RX[0-9]{7}"]), text) == [("record", number)]


@pytest.mark.parametrize("text", ["RX12345678", "XRX1234567", "RX123456", "rx1234567", "RX 1234567"])
def test_a_near_record_number_is_left_alone(text: str) -> None:
    assert found(PatientIdGuard(patterns=["RX[0-9]{7}"]), text) == []


def test_every_pattern_is_looked_for_and_a_pattern_may_ignore_case() -> None:
    guard = PatientIdGuard(patterns=["RX[0-9]{7}", r"(?i)h\d{6}"])
    assert found(guard, "RX1234567 and h123456, H654321") == [
        ("record", "RX1234567"),
        ("record", "h123456"),
        ("record", "H654321"),
    ]


def test_record_numbers_are_not_looked_for_when_the_kind_is_off() -> None:
    guard = PatientIdGuard(patterns=["RX[0-9]{7}"], kinds={"nhs", "dob"})
    assert found(guard, "Patient RX1234567") == []


@pytest.mark.parametrize(
    ("patterns", "words"),
    [
        (["RX[0-9]{7}", "RX[0-9"], ["pattern 2 of 2", "`RX[0-9`", "unterminated character set at position 2"]),
        (["(RX"], ["pattern 1 of 1", "`(RX`", "missing ), unterminated subpattern at position 0"]),
        (["[0-9]*"], ["pattern 1 of 1", "`[0-9]*`", "matches empty text"]),
        ([""], ["pattern 1 of 1", "matches empty text"]),
    ],
)
def test_a_bad_pattern_is_refused_naming_it(patterns: list[str], words: list[str]) -> None:
    with pytest.raises(ValueError) as raised:
        PatientIdGuard(patterns=patterns)
    for word in words:
        assert word in str(raised.value)


def test_an_unknown_kind_is_refused_listing_the_kinds() -> None:
    with pytest.raises(ValueError) as raised:
        PatientIdGuard(kinds={"nhs", "passport"})
    assert "'passport'" in str(raised.value)
    assert "nhs, record, dob, name_bed, ssn" in str(raised.value)


def test_the_kinds() -> None:
    assert KINDS == ("nhs", "record", "dob", "name_bed", "ssn")
    assert frozenset(KINDS) - DEFAULT_KINDS == {"ssn"}
    assert GUARD.kinds == DEFAULT_KINDS


# --- dates of birth ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "part"),
    [
        # English
        ("DOB 12/03/1948", "DOB 12/03/1948"),
        ("Mrs P, d.o.b. 12.03.1948, slipped", "d.o.b. 12.03.1948"),
        ("dob: 1948-03-12", "dob: 1948-03-12"),
        ("Date of birth 12-3-48", "Date of birth 12-3-48"),
        ("born 12 March 1948", "born 12 March 1948"),
        ("she was born on the 12th of March, 1948", "born on the 12th of March, 1948"),
        ("born in Leeds on March 12, 1948", "born in Leeds on March 12, 1948"),
        ("12 Mar 1948 (DOB)", "12 Mar 1948 (DOB"),
        ("aged 84, 12/03/1940", "aged 84, 12/03/1940"),
        ("1 Sept 1950 birthday", "1 Sept 1950 birthday"),
        # German
        ("geb. 12.03.1948", "geb. 12.03.1948"),
        ("Frau M., geboren am 12. März 1948", "geboren am 12. März 1948"),
        ("Geburtsdatum: 12.3.1948", "Geburtsdatum: 12.3.1948"),
        ("84 Jahre alt (12.03.1940)", "84 Jahre alt (12.03.1940"),
        ("Geb.-Datum 3. Okt. 1950", "Geb.-Datum 3. Okt. 1950"),
        # Spanish
        ("fecha de nacimiento: 12/03/1948", "fecha de nacimiento: 12/03/1948"),
        ("nacida el 12 de marzo de 1948", "nacida el 12 de marzo de 1948"),
        ("f. nac. 12-3-48", "f. nac. 12-3-48"),
        ("Paciente de 84 años, 1 de septiembre de 1940", "de 84 años, 1 de septiembre de 1940"),
        # Japanese
        ("生年月日 1948年3月12日", "生年月日 1948年3月12日"),
        ("1948年3月12日生まれの方", "1948年3月12日生まれ"),
        ("昭和23年3月12日生", "昭和23年3月12日生"),
        ("生年月日：１９４８年３月１２日", "生年月日：１９４８年３月１２日"),
        ("84歳、1940/03/12", "84歳、1940/03/12"),
        # another language's words, whoever writes
        ("Patient aus Zimmer 3, DOB 12.03.1948", "DOB 12.03.1948"),
    ],
)
def test_a_date_next_to_a_birth_word_is_found_in_every_language(text: str, part: str) -> None:
    assert found(GUARD, text) == [("dob", part)]


@pytest.mark.parametrize(
    "text",
    [
        "meeting on 12/03/2026",
        "staffing on 12/03/2026",
        "Neue Dienstpläne ab 12.03.2026",
        "reunión el 12 de marzo de 2026",
        "2026年3月12日の勉強会",
        "DOB field is missing on the admission form",
        "born 1948",  # a year is not a date
        "This idea was born out of frustration",
        "The idea was born. The trial starts 12/03/2026",  # another sentence
        "This idea was born from a long chat at the huddle on 12/03/2026",  # too far
        "aged care review on 12/03/2026",  # an age needs its number
        "DOB 99/99/1948",  # no day or month
        "DOB 12/03",  # no year
        "学生 2026年4月1日から",
        "2026年4月1日生産分",
    ],
)
def test_a_date_or_a_birth_word_alone_is_left_alone(text: str) -> None:
    assert found(GUARD, text) == []


# --- a name next to a bed or room -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "part"),
    [
        # English
        ("Mrs Patel in bed 4 keeps pressing the bell", "Mrs Patel in bed 4"),
        ("Mr. O'Neill, bay 3 bed 2", "Mr. O'Neill, bay 3 bed 2"),
        ("Dr Smith room 12", "Dr Smith room 12"),
        ("Bed 4: Mrs Patel", "Bed 4: Mrs Patel"),
        ("MISS JONES side room 2", "MISS JONES side room 2"),
        ("mr Ahmed, bed no. 7", "mr Ahmed, bed no. 7"),
        # German
        ("Frau Müller Zimmer 4 / Bett 2", "Frau Müller Zimmer 4 / Bett 2"),
        ("Hr. Schmidt liegt in Zi. 12", "Hr. Schmidt liegt in Zi. 12"),
        ("Herr von Arnim, Bett 3", "Herr von Arnim, Bett 3"),
        # Spanish
        ("la Sra. García en la cama 5", "Sra. García en la cama 5"),
        ("Sr. Pérez, habitación 12", "Sr. Pérez, habitación 12"),
        ("Doña Carmen en la hab. 3", "Doña Carmen en la hab. 3"),
        # Japanese
        ("山田さん 3号室", "山田さん 3号室"),
        ("佐藤様 ベッド2", "佐藤様 ベッド2"),
        ("302号室の鈴木さんが転倒", "302号室の鈴木さん"),
        ("スミスさん ３号室", "スミスさん ３号室"),
        # another language's words, whoever writes
        ("Mrs Patel, Zimmer 4", "Mrs Patel, Zimmer 4"),
    ],
)
def test_a_title_and_surname_next_to_a_bed_or_room_is_found_in_every_language(text: str, part: str) -> None:
    assert found(GUARD, text) == [("name_bed", part)]


@pytest.mark.parametrize(
    "text",
    [
        "Bed 4 call bell broken",
        "bed 4 and bed 5 need new mattresses",
        "Mrs Patel's idea: label the drawers",
        "Mrs Patel suggested we label the drawers",
        "Mrs Patel's idea: label the drawers. Bed 4 call bell broken",  # another sentence
        "Dr review needed in bay 3",  # no surname
        "Room 12 is booked for the huddle",
        "Frau Müller hat eine gute Idee",
        "Bett 2 quietscht",
        "la cama 5 está rota",
        "患者さん 3号室",  # "the patient"
        "皆さん、3号室のナースコールが壊れています",
        "空床3床",
        "Mrs Patel",
        "bedroom 4 Mrs Patel",
    ],
)
def test_a_title_or_a_bed_alone_is_left_alone(text: str) -> None:
    assert found(GUARD, text) == []


# --- US social security numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "number"), [("SSN 123-45-6789", "123-45-6789"), ("ssn 536 22 1234", "536 22 1234")])
def test_a_social_security_number_is_found_only_when_asked_for(text: str, number: str) -> None:
    assert found(GUARD, text) == []
    assert found(PatientIdGuard(kinds=DEFAULT_KINDS | {"ssn"}), text) == [("ssn", number)]


@pytest.mark.parametrize("text", ["000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "078-05-1120"])
def test_a_number_no_social_security_number_could_be_is_left_alone(text: str) -> None:
    assert found(EVERY_KIND, text) == []


# --- everyday ward talk -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Bed 4 call bell broken",
        "Mrs Patel's idea: label the drawers",
        "staffing on 12/03/2026",
        "Order 1234567890 from pharmacy",
        "Restock the crash trolley in bay 3 every night shift; 2 of 4 checks missed last week",
        "Handover at 07:30 and 19:30, 12 beds, 3 side rooms",
        "Call ext 4455 or bleep 1234 for pharmacy",
        "Dienstplan ab 12.03.2026: Übergabe um 7 Uhr in Zimmer 4",
        "La cama 5 y la habitación 12 necesitan colchones nuevos desde el 12/03/2026",
        "3号室のナースコールが2026年3月12日から故障しています",
        "Our 5S audit scored 84 out of 100",
        "MR Scanner in room 2 is down again",  # capitals that are ward words, not titles
        "MS Teams meeting in room 4",
        "DoN Walkround in Bay 3",
        "",
    ],
)
def test_everyday_ward_text_holds_nothing(text: str) -> None:
    assert EVERY_KIND.find(text) == []


# --- the findings as a whole ------------------------------------------------------------------------------------


def test_findings_are_sorted_and_each_part_is_named() -> None:
    text = "Mrs Patel, bed 4, DOB 12/03/1948, NHS 943 476 5919, RX1234567"
    assert found(EVERY_KIND, text) == [
        ("name_bed", "Mrs Patel, bed 4"),
        ("dob", "DOB 12/03/1948"),
        ("nhs", "943 476 5919"),
        ("record", "RX1234567"),
    ]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("DOB 12/03/1948, admitted 01/02/2026", [("dob", "DOB 12/03/1948")]),
        ("bed 4 Mrs Patel and Mr Shah", [("name_bed", "bed 4 Mrs Patel")]),
        ("Mr Shah, bed 3; Mrs Patel, bed 4", [("name_bed", "Mr Shah, bed 3"), ("name_bed", "Mrs Patel, bed 4")]),
    ],
)
def test_a_word_joins_only_its_nearest_date_or_name(text: str, parts: list[tuple[str, str]]) -> None:
    assert found(GUARD, text) == parts


def test_overlapping_findings_are_merged_into_one() -> None:
    guard = PatientIdGuard(patterns=["[0-9]{10}", "476 5919 x"])
    assert guard.find("nhs 9434765919 ok") == [Finding("nhs", 4, 14)]  # the same part: the first of KINDS
    assert found(guard, "943 476 5919 x") == [("nhs", "943 476 5919 x")]  # overlapping parts: one, from the first


def test_an_adversarial_long_text_is_checked_to_the_end() -> None:
    # Each of these would take minutes with an expression that backtracks without bound; none asserts a time.
    texts = [
        "1" * 40_000,
        "1 " * 20_000,
        "12/" * 13_333,
        "Mrs " * 10_000,
        "Mrs Patel " * 4_000,
        "bed " * 10_000,
        "DOB " * 10_000,
        "a" * 40_000,
        "山" * 40_000,
        "山田さん" * 10_000,
        " " * 40_000,
        "12 de " * 6_666,
        "Mr " + "O" * 39_990 + " bed 4",
    ]
    for text in texts:
        assert isinstance(EVERY_KIND.find(text), list)
    repeated = "DOB 12/03/1948, bed 4 Mrs Patel. " * 1_200
    assert len(EVERY_KIND.find(repeated)) == 2_400


def test_what_is_found_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        EVERY_KIND.find("Mrs Patel, bed 4, DOB 12/03/1948, NHS 943 476 5919, RX1234567")
    assert "943" not in caplog.text
    assert "Patel" not in caplog.text


def test_the_guard_from_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env lying around
    monkeypatch.setenv("KAIZEN_PATIENT_ID_PATTERNS", '["RX[0-9]{7}", "H\\\\d{6}"]')
    monkeypatch.setenv("KAIZEN_PATIENT_ID_KINDS", "record,ssn")
    guard = PatientIdGuard.from_settings(load_settings())
    assert found(guard, "RX1234567 H123456 123-45-6789 943 476 5919") == [
        ("record", "RX1234567"),
        ("record", "H123456"),
        ("ssn", "123-45-6789"),
    ]


def test_each_kind_is_described_in_words() -> None:
    assert describe("nhs") == "an NHS number"
    assert describe("record") == "a hospital record number"
    assert describe("dob") == "a date of birth"
    assert describe("name_bed") == "a name next to a bed or room number"
    assert describe("ssn") == "a social security number"
    for language in ("ja", "es", "de"):
        with reading(language):
            assert all(describe(kind) for kind in KINDS)
    with pytest.raises(ValueError, match="passport"):
        describe("passport")
