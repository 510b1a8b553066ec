"""Take the README's picture of the walk-up form: `make docs-form` (writes docs/walkup-form.png).

The bot is composed on a temporary SQLite file with made-up settings (no Slack is contacted: showing the form asks
only the store), team #ward-7 gets a form address, and the bot's own web server serves it; headless Chromium
(Debian's chromium, `/usr/bin/chromium`) opens it as a phone 412 px wide would and takes the picture. With `error`
as second argument it sends the form empty first, to show how a mistake is announced.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from bot.composition import build_app, compose
from bot.settings import Settings
from bot.slack.server import bound_port, make_server, run_until_closed

CHROMIUM = "/usr/bin/chromium"


def main(out: Path, mistake: bool) -> None:
    """Serve a demo team's form and screenshot it to `out` (PNG)."""
    with tempfile.TemporaryDirectory() as folder:
        # Made-up credentials: no Slack is contacted to show the form.
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None, slack_bot_token="xoxb-demo", slack_signing_secret="demo",  # noqa: S106
            slack_api_url="http://127.0.0.1:9/api/", database_url=f"sqlite:///{folder}/demo.db",
            kaizen_public_url="https://kaizen.example-hospital.org",
        )  # fmt: skip
        kaizen = compose(settings)
        address = kaizen.form_addresses.new("T0001", "C0WARD7", "ward-7", "U0LEAD")
        server = make_server(build_app(kaizen), "127.0.0.1", 0, "demo", pages=kaizen.pages)
        threading.Thread(target=run_until_closed, args=(server,), daemon=True).start()
        url = f"http://127.0.0.1:{bound_port(server)}{address.path}"
        try:
            if mistake:
                from selenium import webdriver
                from selenium.webdriver.chrome.service import Service
                from selenium.webdriver.common.by import By

                options = webdriver.ChromeOptions()
                options.binary_location = CHROMIUM
                for argument in ("--headless=new", "--no-sandbox", "--window-size=412,1100", "--hide-scrollbars"):
                    options.add_argument(argument)
                driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
                try:
                    driver.get(url)
                    driver.find_element(By.ID, "name").send_keys("Ana")
                    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
                    driver.save_screenshot(str(out))
                finally:
                    driver.quit()
            else:
                subprocess.run(  # noqa: S603 (our own command line, no input)
                    [CHROMIUM, "--headless=new", "--no-sandbox", "--hide-scrollbars", "--window-size=412,1000",
                     f"--screenshot={out}", url],
                    check=True, capture_output=True, timeout=60,
                )  # fmt: skip
        finally:
            server.close()
            kaizen.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), len(sys.argv) > 2 and sys.argv[2] == "error")
