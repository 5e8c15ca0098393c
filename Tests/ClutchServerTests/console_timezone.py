"""Scheduling in the viewer's time zone, in real headless Chromium (Playwright).

Usage: console_timezone.py BASE_URL ADMIN_TOKEN FLAG LOCAL_TIME TIME_ZONE

Signs in, stages "turn on" for FLAG in staging, and schedules it for LOCAL_TIME (a
datetime-local value) in a browser whose time zone is TIME_ZONE. Prints JSON: the field's label
before scheduling, the notice, and the scheduled time as the page then shows it. Waits on
selectors, never sleeps. Uses the system's Chromium.
"""
import json
import sys

from playwright.sync_api import sync_playwright

ENV = "staging"


def main() -> None:
    base, token, flag, local_time, zone = sys.argv[1:6]
    result = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900}, timezone_id=zone)
        page.goto(base + "/")
        page.get_by_label("Token", exact=True).fill(token)
        page.get_by_role("button", name="Sign in with the token").click()
        page.wait_for_url("**/ui/flags")
        page.goto(f"{base}/ui/flags/{flag}?env={ENV}")
        page.locator("#live-switch").get_by_role("button", name=f"Turn on in {ENV}").click()
        pending = page.locator("#pending")
        pending.wait_for()
        field = pending.locator("label", has=page.locator("input[name=at]"))
        result["label"] = field.inner_text()
        pending.get_by_label("Date and time").fill(local_time)
        pending.get_by_role("button", name="Schedule the change").click()
        page.wait_for_selector("p.notice")
        result["notice"] = page.locator("p.notice").inner_text()
        # console.js marks the time once it has put the viewer's local time before the UTC one.
        page.wait_for_selector("#schedules time[data-wired]")
        result["shown"] = page.locator("#schedules time").first.inner_text()
        browser.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
