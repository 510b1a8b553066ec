"""Slack text in and out: decode once on the way in, escape once on the way out, clip without cutting entities."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import ContextBlock, SectionBlock

from bot.limits import MESSAGE_BLOCKS, SECTION_TEXT
from bot.slack.blockkit import ELLIPSIS, clip, escape_clipped, fit_blocks, line_sections, section
from bot.text import decode_slack_text, escape, mentioned_user_ids
from bot.text import plain as text_plain

# No example database in the repository, no flaky deadlines on a busy CI machine.
PROPERTY = settings(database=None, deadline=None, max_examples=300)

# --- decode_slack_text ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("plain words", "plain words"),
        ("", ""),
        ("fish &amp; chips", "fish & chips"),
        ("a &lt; b &gt; c", "a < b > c"),
        ("&lt;!channel&gt;", "<!channel>"),  # a person typing markup gets their characters back, not a mention
        # Someone typed the literal characters "&lt;": Slack escapes the & only.
        ("&amp;lt;", "&lt;"),
        ("&amp;amp;", "&amp;"),
        ("&amp;gt;&amp;lt;", "&gt;&lt;"),
        ("<@U1|bob>", "@bob"),
        ("<@U1>", "@U1"),
        ("<@W0123ABC|carol> please", "@carol please"),
        ("<#C1|general>", "#general"),
        ("<#C1>", "#C1"),
        ("<!channel>", "@channel"),
        ("<!here>", "@here"),
        ("<!everyone>", "@everyone"),
        ("<!subteam^S1|@nurses>", "@nurses"),
        ("<!date^1700000000^{date}|Nov 14>", "Nov 14"),
        ("<https://x.example|label>", "label (https://x.example)"),
        ("<https://x.example>", "https://x.example"),
        ("<https://x.example|https://x.example>", "https://x.example"),
        ("<mailto:a@b.c|a@b.c>", "a@b.c"),
        ("<https://x.example/?a=1&amp;b=2|x &amp; y>", "x & y (https://x.example/?a=1&b=2)"),
        (
            "Fridge on <#C1|ward-7> broken &amp; leaking, cc <@U1|bob> <!here>",
            "Fridge on #ward-7 broken & leaking, cc @bob @here",
        ),
    ],
)
def test_decode_slack_text(raw: str, plain: str) -> None:
    assert decode_slack_text(raw) == plain


def test_decode_leaves_unbalanced_angle_brackets_as_text() -> None:
    assert decode_slack_text("a > b and c < d") == "a > b and c < d"


# --- mentioned_user_ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "ids"),
    [
        ("", []),
        ("no mentions here, just @bob typed", []),
        ("<@U1|a>", ["U1"]),
        ("<@U1|a> and <@U2>", ["U1", "U2"]),
        ("<@U2> <@U1|x> <@U2|again>", ["U2", "U1"]),  # in order, without repeats
        ("<@W0123ABC|enterprise>", ["W0123ABC"]),
        ("<#C1|general> <!channel> <!subteam^S1|@nurses>", []),  # channels, specials and groups are not users
        ("&lt;@U1&gt;", []),  # typed characters, not a mention
    ],
)
def test_mentioned_user_ids(raw: str, ids: list[str]) -> None:
    assert mentioned_user_ids(raw) == ids


# --- escape -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plain", "escaped"),
    [
        ("", ""),
        ("plain", "plain"),
        ("a & b", "a &amp; b"),
        ("<!channel>", "&lt;!channel&gt;"),
        ("<@U1>", "&lt;@U1&gt;"),
        ("&lt;", "&amp;lt;"),
        ("@channel #general", "@channel #general"),
    ],
)
def test_escape(plain: str, escaped: str) -> None:
    assert escape(plain) == escaped


SLACKISH = st.sampled_from(
    [
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<!subteam^S1|@nurses>",
        "<!date^1700000000^{date}|Nov 14>",
        "<@U1|bob>",
        "<@U1>",
        "<#C1|general>",
        "<https://x.example|label>",
        "<https://x.example>",
        "<http://evil.example|click>",
        "<mailto:a@b.c|a@b.c>",
        "&lt;!channel&gt;",
        "&amp;lt;!here&amp;gt;",
        "&lt;@U1&gt;",
        "&lt;http://x&gt;",
        "&amp;",
        "&lt;",
        "&gt;",
        "&",
        "<",
        ">",
        "|",
        "!",
        "@",
        "#",
        "^",
    ]
)
SLACK_TEXT = st.lists(st.one_of(SLACKISH, st.text(max_size=8)), max_size=12).map("".join)
LIVE_MARKUP = ("<!", "<@", "<#", "<http")


@PROPERTY
@given(SLACK_TEXT)
def test_escaped_decoded_text_never_holds_live_markup(raw: str) -> None:
    out = escape(decode_slack_text(raw))
    for live in LIVE_MARKUP:
        assert live not in out
    assert "<" not in out and ">" not in out
    # every & left is the start of one of our three entities
    assert re.fullmatch(r"(?:[^&]|&amp;|&lt;|&gt;)*", out, flags=re.DOTALL)


@PROPERTY
@given(st.one_of(SLACK_TEXT, st.text()))
def test_decode_undoes_escape(plain: str) -> None:
    # Decoding also drops control characters (PostgreSQL refuses NUL; none shows on a card).
    assert decode_slack_text(escape(plain)) == text_plain(plain)


def _unescape(text: str) -> str:
    """The inverse of escape alone (decode_slack_text also drops control characters)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# --- clip / escape_clipped ----------------------------------------------------------------------------------


def test_clip_examples() -> None:
    assert clip("short", 10) == "short"
    assert clip("exactly10!", 10) == "exactly10!"
    assert clip("eleven chars", 11) == "eleven cha…"
    assert clip("abc", 1) == "…"


@PROPERTY
@given(st.text(), st.integers(min_value=1, max_value=60))
def test_clip_fits_and_marks_the_cut(text: str, limit: int) -> None:
    out = clip(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
    else:
        assert out.endswith(ELLIPSIS)
        assert out[:-1] == text[: limit - 1]


def test_escape_clipped_examples() -> None:
    assert escape_clipped("a & b", 20) == "a &amp; b"
    assert escape_clipped("a & b", 9) == "a &amp; b"
    out = escape_clipped("a & b", 8)  # "a &amp;" + "…" is 8, and would be fine; "a &am…" never
    assert out in ("a &amp;…", "a …")
    assert escape_clipped("<<<<", 3) == "…"  # not even one "&lt;" fits before the "…"


CUT_ENTITY = re.compile(r"&[a-z]*$")


@PROPERTY
@given(
    st.lists(st.one_of(st.sampled_from(["&", "<", ">", "&amp;", "…", " "]), st.text(max_size=5)), max_size=30).map(
        "".join
    ),
    st.integers(min_value=1, max_value=40),
)
def test_escape_clipped_fits_and_never_cuts_an_entity(text: str, limit: int) -> None:
    out = escape_clipped(text, limit)
    assert len(out) <= limit
    if len(escape(text)) <= limit:
        assert out == escape(text)
        return
    assert out.endswith(ELLIPSIS)
    kept = out[: -len(ELLIPSIS)]
    assert not CUT_ENTITY.search(kept), out
    # what is kept is exactly the escaped form of a prefix of the person's text
    prefix = _unescape(kept)
    assert text.startswith(prefix)
    assert escape(prefix) == kept


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("x<<<", 6, "x&lt;…"),
        ("ab&&", 8, "ab&amp;…"),
        ("temp < 5 & rising" + " <<<" * 200, 40, "temp &lt; 5 &amp; rising &lt;&lt;&lt; …"),
    ],
)
def test_escape_clipped_keeps_the_longest_prefix_that_fits(text: str, limit: int, expected: str) -> None:
    assert escape_clipped(text, limit) == expected


def test_escape_clipped_does_not_lose_the_text_when_the_overflow_is_mostly_entities() -> None:
    text = "The fridge door " + "<" * 1000
    out = escape_clipped(text, 2000)
    assert out.startswith("The fridge door &lt;")
    assert len(out) <= 2000


@PROPERTY
@given(
    st.lists(st.one_of(st.sampled_from(["&", "<", ">"]), st.text(max_size=5)), max_size=30).map("".join),
    st.integers(min_value=1, max_value=40),
)
def test_escape_clipped_keeps_as_much_as_fits(text: str, limit: int) -> None:
    out = escape_clipped(text, limit)
    if out == escape(text):
        return
    kept = _unescape(out[: -len(ELLIPSIS)])
    # one more character of the person's text would not have fitted
    assert len(escape(text[: len(kept) + 1])) + len(ELLIPSIS) > limit, (text, limit, out)


# --- line_sections / fit_blocks -----------------------------------------------------------------------------


def _texts(blocks: list[SectionBlock]) -> list[str]:
    return [block.text.text for block in blocks]  # type: ignore[union-attr]


def test_line_sections_packs_lines_in_order() -> None:
    assert line_sections([]) == []
    blocks = line_sections(["one", "two", "three"], limit=9)
    assert _texts(blocks) == ["one\ntwo", "three"]


def test_line_sections_clips_a_line_longer_than_the_limit() -> None:
    blocks = line_sections(["x" * 50, "y"], limit=10)
    assert _texts(blocks) == ["x" * 9 + ELLIPSIS, "y"]


def test_line_sections_default_limit_is_slacks_and_slack_sdk_accepts_them() -> None:
    lines = [f"#{n} " + "w" * 95 for n in range(200)]
    blocks = line_sections(lines)
    assert len(blocks) > 1
    for block in blocks:
        assert len(block.text.text) <= SECTION_TEXT  # type: ignore[union-attr]
        block.to_dict()  # slack_sdk validates the limits it knows
    assert "\n".join(_texts(blocks)) == "\n".join(lines)


@PROPERTY
@given(
    st.lists(st.text(alphabet=st.characters(blacklist_characters="\n"), min_size=1, max_size=40), max_size=30),
    st.integers(min_value=1, max_value=60),
)
def test_line_sections_fit_and_are_packed_greedily(lines: list[str], limit: int) -> None:
    blocks = line_sections(lines, limit=limit)
    texts = _texts(blocks)
    assert all(len(text) <= limit for text in texts)
    expected = [clip(line, limit) for line in lines]
    assert "\n".join(texts) == "\n".join(expected)
    assert [line for text in texts for line in text.split("\n")] == expected
    for text, following in itertools.pairwise(texts):
        # a section ends only because the next line would not have fitted in it
        assert len(text) + 1 + len(following.split("\n")[0]) > limit


def test_fit_blocks_leaves_a_message_that_fits_alone() -> None:
    blocks = [section(f"line {n}") for n in range(MESSAGE_BLOCKS)]
    assert fit_blocks(list(blocks), overflow_note="+1 more") == blocks


def test_fit_blocks_cuts_to_the_limit_and_says_so() -> None:
    blocks = [section(f"line {n}") for n in range(MESSAGE_BLOCKS + 7)]
    fitted = fit_blocks(list(blocks), overflow_note="+8 more — /kaizen list")
    assert len(fitted) == MESSAGE_BLOCKS
    assert fitted[:-1] == blocks[: MESSAGE_BLOCKS - 1]
    last = fitted[-1]
    assert isinstance(last, ContextBlock)
    assert [element.text for element in last.elements] == ["+8 more — /kaizen list"]  # type: ignore[union-attr]


@PROPERTY
@given(st.integers(min_value=0, max_value=120), st.integers(min_value=2, max_value=60))
def test_fit_blocks_never_exceeds_the_limit(count: int, limit: int) -> None:
    blocks = [section(str(n)) for n in range(count)]
    fitted = fit_blocks(list(blocks), limit=limit, overflow_note="more")
    assert len(fitted) == min(count, limit)
    if count > limit:
        assert isinstance(fitted[-1], ContextBlock)
        assert fitted[:-1] == blocks[: limit - 1]
    else:
        assert fitted == blocks
