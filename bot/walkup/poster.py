"""The walk-up form's poster: a printable A4 PDF with the team's name, the QR code of the form's address (segno),
three lines on what to write and the address itself, laid out with matplotlib on the charts' drawing thread, in the
team's language (`with reading(language):` around the call)."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

from bot.i18n import _, reading
from bot.measures import chart_style
from bot.measures.charts import draw_apart
from bot.slack.gateway import SlackGateway
from bot.teams.languages import Languages
from storage.models import Team

A4_INCHES = (8.27, 11.69)
# Columns (a wide character is two) that fit the page's width at each text's size, with margins.
HEADING_COLUMNS = 32
TEAM_COLUMNS = 58
LINE_COLUMNS = 62
INK = "#1b1b1b"
ACCENT = "#0b5394"


def poster_words(team_name: str) -> dict[str, Any]:
    """What the poster says, in the reader's language."""
    where = team_name or _("your team")
    return {
        # Translators: the walk-up form's poster, its big heading
        "heading": _("Spotted a problem? Got an idea?"),
        # Translators: the walk-up form's poster, under the heading; {team} is the team's name
        "team": _("Tell {team}: scan the code with your phone's camera", team=where),
        "lines": [
            # Translators: the walk-up form's poster: the first of three lines on what to write
            _("1. What gets in the way? What happened?"),
            # Translators: the walk-up form's poster: the second of three lines on what to write
            _("2. Any idea to fix it? (optional)"),
            # Translators: the walk-up form's poster: the third of three lines on what to write
            _("3. Your name, if you'd like thanks. No patient details, please."),
        ],
    }


def poster_pdf(team_name: str, url: str) -> bytes:
    """The poster for the form at `url` (its QR code encodes exactly `url`), as one A4 page of PDF."""
    import segno  # only where a poster is made (`/kaizen form new`): not loaded by a process that makes none

    words = poster_words(team_name)
    matrix = [list(row) for row in segno.make(url, error="m").matrix]
    return draw_apart(_draw, words, matrix, url)


def _columns(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(character) in ("W", "F") else 1 for character in text)


def wrapped(text: str, width: int) -> str:
    """`text` broken into lines of at most `width` columns, a wide (CJK) character counting two: at spaces, and
    anywhere in a run of wide characters (Japanese has no spaces; matplotlib breaks only at them)."""
    lines: list[str] = []
    line, columns = "", 0
    pieces: list[str] = []
    for word in re.findall(r"\S+\s*", text):
        # Japanese breaks between any two characters; a word too long for a line, too.
        wide = _columns(word) > len(word) or _columns(word) > width
        pieces += list(word) if wide else [word]
    for word in pieces:
        size = _columns(word.rstrip())
        if line and columns + size > width:
            lines.append(line.rstrip())
            line, columns = "", 0
        line += word
        columns += size + (len(word) - len(word.rstrip()))
    return "\n".join([*lines, line.rstrip()])


def _draw(words: dict[str, Any], matrix: list[list[int]], url: str) -> bytes:
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    texts = [words["heading"], words["team"], *words["lines"]]
    with rc_context({"font.family": chart_style.font_families(texts), "pdf.fonttype": 42}):
        figure = Figure(figsize=A4_INCHES)
        figure.text(0.5, 0.875, wrapped(words["heading"], HEADING_COLUMNS), ha="center", va="bottom", fontsize=28,
                    weight="bold", color=INK, linespacing=1.2)  # fmt: skip
        figure.text(0.5, 0.86, wrapped(words["team"], TEAM_COLUMNS), ha="center", va="top", fontsize=16,
                    color=ACCENT)  # fmt: skip
        code = figure.add_axes((0.2, 0.34, 0.6, 0.6 * A4_INCHES[0] / A4_INCHES[1]))
        # A quiet zone of four modules around the code, as the QR standard asks.
        size = len(matrix)
        framed = [[0] * (size + 8) for _ in range(4)]
        framed += [[0] * 4 + row + [0] * 4 for row in matrix]
        framed += [[0] * (size + 8) for _ in range(4)]
        code.imshow(framed, cmap="binary", interpolation="nearest", vmin=0, vmax=1)
        code.set_axis_off()
        for number, line in enumerate(words["lines"]):
            figure.text(0.1, 0.26 - number * 0.06, wrapped(line, LINE_COLUMNS), ha="left", va="center", fontsize=15,
                        color=INK)  # fmt: skip
        figure.text(0.5, 0.06, url, ha="center", va="center", fontsize=10, color=INK, family="DejaVu Sans Mono")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="pdf", facecolor="white")
        figure.clear()
    return buffer.getvalue()


class FormPosters:
    """Sends a leader the poster of their team's form by direct message."""

    def __init__(self, gateway: SlackGateway, languages: Languages) -> None:
        self._gateway = gateway
        self._languages = languages

    def send(self, workspace_id: str, user_id: str, team: Team, url: str, comment: str) -> None:
        """Upload the poster of the form at `url` (in the team's language) to a DM with `user_id`, with `comment`
        (mrkdwn we wrote) as its message. Raises the gateway's SlackError or SlackUnreachable."""
        with reading(self._languages.of_team(team)):
            pdf = poster_pdf(team.name, url)
            # Translators: the title of the walk-up form's poster file; {team} is the team's name
            title = _("Kaizen poster · {team}", team=team.name or _("your team"))
        slack = self._gateway.workspace(workspace_id)
        slack.upload(slack.open_dm(user_id), pdf, filename="kaizen-form-poster.pdf", title=title, comment=comment)
