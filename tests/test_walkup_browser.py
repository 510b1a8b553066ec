"""The walk-up form in a real browser (headless Chromium): a visitor fills it in with the keyboard and sends it, the
card appears in the team channel with their name as plain text; the page has no serious accessibility violations
(axe-core); and it works without JavaScript."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sqlalchemy import func, select

from storage.models import Idea
from tests.browser import axe_source, headless_chromium
from tests.conftest import TEAM_CHANNEL, eventually
from tests.flows import shown
from tests.walkup import new_address, walkup_kaizen


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    yield from headless_chromium(tmp_path)


def test_a_visitor_fills_the_form_with_the_keyboard_and_the_card_appears(bot_factory, double, clock, browser):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)
    browser.get(k.running.url + path)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Spotted a problem? Got an idea?"

    problem = browser.find_element(By.ID, "problem")
    problem.click()
    problem.send_keys("The sharps bin in bay 3 is always full by noon <!channel>")
    problem.send_keys(Keys.TAB, "Empty it at 11")  # the next field by keyboard: the idea
    browser.switch_to.active_element.send_keys(Keys.TAB, "Ana *Ruiz*")  # then the name
    assert browser.switch_to.active_element.get_attribute("id") == "name"
    browser.switch_to.active_element.send_keys(Keys.ENTER)  # Enter in a text field sends the form

    eventually(lambda: browser.current_url.endswith(path + "/thanks"), timeout=10)
    assert "Thank you!" in browser.page_source and "sharps" not in browser.page_source

    def card() -> dict | None:
        return next((m for m in double.messages(TEAM_CHANNEL) if "sharps bin" in shown(m)), None)

    said = shown(eventually(card, timeout=10))
    assert "Raised on the ward form by Ana *Ruiz*" in said
    assert "<!channel>" not in said and "&lt;!channel&gt;" in said


def test_the_form_has_no_serious_accessibility_violations(bot_factory, double, clock, browser, tmp_path: Path):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)
    browser.get(k.running.url + path)
    # The page itself runs no script (its policy says so); axe is run by the driver, outside the page's policy.
    browser.execute_script(axe_source())
    report = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r)).catch(e => done({error: String(e)}));"
    )
    assert "error" not in report, report
    serious = [v for v in report["violations"] if v["impact"] in ("serious", "critical")]
    (tmp_path / "axe.json").write_text(json.dumps(report["violations"], indent=1))
    assert serious == [], json.dumps(serious, indent=1)[:3000]
    # The same after a mistake: errors are announced and tied to their fields.
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    eventually(lambda: "Please check the form" in browser.page_source, timeout=10)
    browser.execute_script(axe_source())
    again = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r)).catch(e => done({error: String(e)}));"
    )
    assert [v["id"] for v in again["violations"] if v["impact"] in ("serious", "critical")] == []


def test_the_form_works_with_javascript_turned_off(bot_factory, double, clock, browser):
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    browser.get(k.running.url + path)
    browser.find_element(By.ID, "problem").send_keys("Night staff can't find the spare hoist battery")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    eventually(lambda: browser.current_url.endswith(path + "/thanks"), timeout=10)
    eventually(lambda: any("spare hoist battery" in shown(m) for m in double.messages(TEAM_CHANNEL)), timeout=10)


def test_back_after_sending_shows_nobody_the_form_as_typed_and_cannot_raise_it_twice(bot_factory, double, clock,
                                                                                     browser):  # fmt: skip
    k = walkup_kaizen(bot_factory, double, clock)
    path = new_address(k)
    browser.get(k.running.url + path)
    browser.find_element(By.ID, "problem").send_keys("The shared kiosk's keyboard is sticky")
    browser.find_element(By.ID, "name").send_keys("Priya")
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    eventually(lambda: browser.current_url.endswith(path + "/thanks"), timeout=10)

    browser.back()
    eventually(lambda: browser.current_url.endswith(path), timeout=10)
    shown_problem = browser.find_element(By.ID, "problem").get_attribute("value")
    shown_name = browser.find_element(By.ID, "name").get_attribute("value")
    if shown_problem:  # a browser that restored the page anyway: sending it again raises nothing more
        browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        eventually(lambda: browser.current_url.endswith(path + "/thanks"), timeout=10)
    assert (shown_problem, shown_name) == ("", ""), "the next person at the kiosk sees nothing"
    eventually(lambda: any("keyboard is sticky" in shown(m) for m in double.messages(TEAM_CHANNEL)), timeout=10)
    with k.running.kaizen.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Idea)) == 1
