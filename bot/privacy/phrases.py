"""The words the patient-identifier guard looks for, per language of `bot.i18n.LANGUAGES` (data, not the product's
words: never translated, never shown).

A phrase is written as people type it, and `bot.privacy.identifiers` reads it loosely: a dot may be left out
("d.o.b." also finds "dob" and "D.O.B"), so may a colon ("age: #" also finds "age 84"); a space may be one to three
spaces (or none, after a dot or colon: "f.nac."); a hyphen may be a space or nothing; and `#` stands for a number of
one to three digits ("aged #" finds "aged 84"). Case does not matter. Phrases of a language in UNSPACED are found
inside a run of letters (Japanese writes no spaces between words); the others only as whole words ("born" is not
found in "newborn").
"""

from __future__ import annotations

UNSPACED = frozenset({"ja"})

# Words that say a nearby date is someone's birth date. An age only counts with its number ("aged 84", "84歳"):
# "aged care" and "alt" are everyday words.
BIRTH_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "date of birth",
        "birth date",
        "birthdate",
        "birthday",
        "d.o.b.",
        "born",
        "aged #",
        "age: #",
        "# years old",
        "# yrs old",
        "# y/o",
        "# y.o.",
    ),
    "de": (
        "Geburtsdatum",
        "Geb.-Datum",
        "Geb.-Dat.",
        "Geburtstag",
        "geboren",
        "geb.",
        "# Jahre alt",
        "im Alter von #",
        "Alter: #",
    ),
    "es": (
        "fecha de nacimiento",
        "fecha nac.",
        "f. nac.",
        "f. de nac.",
        "fec. nac.",
        "nacido",
        "nacida",
        "nació",
        "edad: #",
        "# años de edad",
        "de # años",
    ),
    "ja": ("生年月日", "生まれ", "誕生日", "年齢", "#歳", "#才"),
}

# Japanese marks a birth date with 生 straight after it ("昭和23年3月12日生"); 生 alone is in too many words (学生,
# 生活) to count anywhere else. A regular expression, used as it is.
BIRTH_SUFFIX = r"(?<=日)生(?![産活徒命])"

# Japanese eras, for dates such as 昭和23年3月12日 (元年 is an era's first year).
ERAS = ("明治", "大正", "昭和", "平成", "令和")

# Babel locales whose month names (wide and abbreviated, both contexts) make up dates such as "12 March 1948",
# "12 de marzo de 1948", "12. März 1948". en_GB adds "Sept". Japanese writes months as numbers (3月).
MONTH_LOCALES = ("en", "en_GB", "es", "de")

# Ordinal endings after a day: "12th March", "1º de marzo".
ORDINALS = ("st", "nd", "rd", "th", "º", "°")

# Titles written before a surname.
TITLES: dict[str, tuple[str, ...]] = {
    "en": ("Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof"),
    "de": ("Herr", "Frau", "Hr.", "Fr.", "Dr.", "Prof."),
    "es": ("Sr.", "Sra.", "Srta.", "señor", "señora", "señorita", "don", "doña", "Dña.", "Dr.", "Dra."),
}

# Titles whose capitals mean something else on a ward (MR scanner, MS clinic, DR, the DoN): matched as written only.
TITLES_NOT_IN_CAPITALS = frozenset({"mr", "ms", "mx", "dr", "don"})

# Lower-case words that begin a surname ("Sra. de la Cruz", "Herr von Arnim"): a surname otherwise starts with a
# capital, so that "Dr review" is not read as a name.
SURNAME_PARTICLES = frozenset({"van", "von", "de", "del", "della", "di", "da", "du", "der", "den", "la", "le", "ten"})

# Japanese writes the surname first and an honorific after it: 山田さん, 佐藤様.
HONORIFICS = ("さん", "さま", "様", "氏", "殿", "くん", "君", "ちゃん")

# Words that take an honorific but are no one's name (患者さん is "the patient"): a name ending in one is skipped.
NOT_NAMES = (
    "患者",
    "皆",
    "看護師",
    "家族",
    "利用者",
    "客",
    "先生",
    "医師",
    "主治医",
    "担当",
    "職員",
    "赤",
    "スタッフ",
    "ドクター",
    "ナース",
)

# A bed or room, written before its number ("bed 4", "Zimmer 4", "cama 5", "ベッド2").
BEDS_BEFORE: dict[str, tuple[str, ...]] = {
    "en": ("bed", "bay", "room", "side room", "cubicle", "rm", "bed space", "bedspace"),
    "de": ("Bett", "Zimmer", "Zi.", "Zimmer-Nr.", "Zimmernummer", "Raum", "Box"),
    "es": ("cama", "habitación", "habitacion", "hab.", "box", "sala", "cubículo"),
    "ja": ("ベッド", "ベット", "病室", "部屋"),
}

# A bed or room written after its number: 3号室. (A bare 床 is left out: 空床3床 counts free beds.)
BEDS_AFTER: dict[str, tuple[str, ...]] = {
    "ja": ("号室", "号床", "番ベッド", "番床"),
}

# Between a bed word and its number: "bed no. 4", "cama nº 5", "Zimmer Nr. 4" ("bed #4" needs no word).
NUMBER_WORDS = ("no.", "nr.", "nº", "n°", "núm.", "number", "nummer")
