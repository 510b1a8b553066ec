"""The walk-up form's poster: `/kaizen form new` sends the leader a printable A4 PDF whose QR code decodes (zbar,
from Debian's zbar-tools) back to the form's address; `/kaizen form poster` says where it is; without
KAIZEN_PUBLIC_URL there is no poster and the leader is told what to set."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pypdfium2
import pytest

from bot.render.ids import ActionId
from bot.walkup.poster import wrapped
from tests.conftest import ALICE, TEAM_CHANNEL, eventually
from tests.flows import LEAD, shown
from tests.walkup import PUBLIC_URL, get, new_address, walkup_kaizen


def decoded(pdf: bytes, tmp_path: Path) -> list[str]:
    """What zbarimg reads in the PDF's first page, drawn at 150 dpi."""
    if not shutil.which("zbarimg"):
        if os.environ.get("CI"):
            pytest.fail("zbarimg is missing: .ci/run installs zbar-tools")
        pytest.skip("zbarimg is missing (apt-get install zbar-tools)")
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    try:
        assert len(document) == 1
        page = document[0]
        width, height = page.get_size()
        assert (round(width), round(height)) == (595, 842), "A4 in points"
        image = page.render(scale=150 / 72).to_pil()
        page.close()
    finally:
        document.close()
    picture = tmp_path / "poster.png"
    image.save(picture)
    read = subprocess.run(["zbarimg", "--quiet", "--raw", str(picture)], capture_output=True, text=True, timeout=60)
    return read.stdout.split()


def test_the_posters_qr_code_is_the_forms_address_and_a_visitor_reaches_the_form(bot_factory, double, clock,
                                                                                  tmp_path):  # fmt: skip
    k = walkup_kaizen(bot_factory, double, clock)

    path = new_address(k)

    [upload] = double.uploaded_files()
    assert upload["channel_id"] == f"D{LEAD}" and upload["filename"] == "kaizen-form-poster.pdf"
    assert upload["bytes"][:5] == b"%PDF-"
    assert decoded(upload["bytes"], tmp_path) == [PUBLIC_URL + path]
    assert get(k, path).status == 200
    asked = k.command("form poster", user_id=LEAD)
    assert "went to" in shown(asked) and path not in shown(asked)
    [button] = [e for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["action_id"] == ActionId.WALKUP_NEW_POSTER and "confirm" in button, "moving the form is confirmed"

    refused = k.slack.block_action(ActionId.WALKUP_NEW_POSTER, user_id=ALICE, channel_id=TEAM_CHANNEL,
                                   message={"type": "message", "ts": "1.000001", **asked})  # fmt: skip
    assert refused.status == 200
    [told] = double.wait_for_response(str(k.slack.last_response_url))
    assert "Only this team's leaders" in shown(told) and len(double.uploaded_files()) == 1
    pressed = k.slack.block_action(ActionId.WALKUP_NEW_POSTER, user_id=LEAD, channel_id=TEAM_CHANNEL,
                                   message={"type": "message", "ts": "1.000001", **asked})  # fmt: skip
    assert pressed.status == 200
    second = eventually(lambda: double.uploaded_files()[1:])[0]
    [new_url] = decoded(second["bytes"], tmp_path)
    assert new_url != PUBLIC_URL + path and get(k, new_url.removeprefix(PUBLIC_URL)).status == 200
    assert get(k, path).status == 410, "the old posters say the form has moved"


def test_a_poster_for_a_team_without_a_form_opens_one(bot_factory, double, clock, tmp_path):
    k = walkup_kaizen(bot_factory, double, clock)

    told = shown(k.command("form poster", user_id=LEAD))

    [upload] = double.uploaded_files()
    [url] = decoded(upload["bytes"], tmp_path)
    assert url.removeprefix(PUBLIC_URL) in told and get(k, url.removeprefix(PUBLIC_URL)).status == 200
    assert "Only this team's leaders" in shown(k.command("form off", user_id=ALICE))


def test_the_poster_is_in_the_teams_language(bot_factory, double, clock, tmp_path):
    k = walkup_kaizen(bot_factory, double, clock)
    k.command("team language ja", user_id=LEAD)

    path = new_address(k)

    [upload] = double.uploaded_files()
    assert decoded(upload["bytes"], tmp_path) == [PUBLIC_URL + path]
    document = pypdfium2.PdfDocument(io.BytesIO(upload["bytes"]))
    try:
        page = document[0]
        text = page.get_textpage().get_text_range()
        page.close()
    finally:
        document.close()
    assert any("\u3040" <= character <= "\u30ff" or "\u4e00" <= character <= "\u9fff" for character in text), text


def test_no_poster_without_a_public_url_and_the_reply_says_what_to_set(bot_factory, double, clock):
    k = walkup_kaizen(bot_factory, double, clock, kaizen_public_url=None)

    reply = shown(k.command("form new", user_id=LEAD))

    assert "KAIZEN_PUBLIC_URL" in reply and double.uploaded_files() == []
    assert "set KAIZEN_PUBLIC_URL" in shown(k.command("form poster", user_id=LEAD))


@pytest.mark.parametrize(
    "text",
    [
        "3. Your name, if you'd like thanks. No patient details, please.",
        "3. お礼用に、よければお名前を。患者さんの情報は書かないでください。",
        "Ist dir ein Problem aufgefallen? Hast du eine Idee?",
        "x" * 100,
    ],
)
def test_poster_lines_fit_the_page_in_any_language(text):
    lines = wrapped(text, 32).split("\n")
    assert all(sum(2 if ord(c) > 0x2E80 else 1 for c in line) <= 32 for line in lines), lines
    assert "".join(lines).replace(" ", "") == text.replace(" ", ""), "nothing lost or added"
