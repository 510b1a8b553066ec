"""Headless Chromium for the walk-up form's tests: Debian's chromium and chromium-driver (nothing downloaded at run
time), driven by Selenium; and axe-core (installed by `make install-test` into .tools/) for the accessibility
check. Outside CI a machine without them skips those tests, saying what to install; in CI (CI=true) a missing
browser fails them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE = Path(__file__).resolve().parent.parent / ".tools" / "node_modules" / "axe-core" / "axe.min.js"


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: .ci/run installs it")
    pytest.skip(f"{what} is missing (apt-get install chromium chromium-driver; make install-test for axe-core)")


def axe_source() -> str:
    """axe-core's script, to inject into a page."""
    if not AXE.is_file():
        _missing("axe-core")
    return AXE.read_text(encoding="utf-8")


def headless_chromium(tmp_path: Path) -> Iterator[Any]:
    """A headless Chromium (a Selenium driver) with a fresh profile in `tmp_path`, quit when the generator closes."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists() and shutil.which("chromium")):
        _missing("chromium")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     f"--user-data-dir={tmp_path / 'profile'}", "--window-size=412,915", "--lang=en-GB"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
