"""Drives the web console in real headless Chromium (Playwright), as a person would.

Usage: console_browser.py BASE_URL ADMIN_TOKEN FLAG ENV [SCREENSHOT_DIR]

Signs in through the form, opens FLAG in ENV, switches it on with the labelled button (then
applies that pending change), and
prints JSON about what the pages showed. Uses the system's Chromium; downloads nothing.
"""
import json
import sys

from playwright.sync_api import sync_playwright


def main() -> None:
    base, token, flag, env = sys.argv[1:5]
    shots = sys.argv[5] if len(sys.argv) > 5 else None
    result = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        page.goto(base + "/")
        result["signedOutURL"] = page.url
        page.get_by_label("Token", exact=True).fill(token)
        page.get_by_role("button", name="Sign in with the token").click()
        page.wait_for_url("**/ui/flags")
        result["listURL"] = page.url
        result["listHasFlag"] = page.get_by_role("link", name=flag).count() > 0
        if shots:
            page.screenshot(path=f"{shots}/console-flags.png", full_page=True)
        page.get_by_role("link", name=flag).first.click()
        page.get_by_role("link", name=f"{env} Off").click()
        # The switch adds to the pending change; it is applied with its one message.
        page.get_by_role("button", name=f"Turn on in {env}").click()
        pending = page.locator("#pending")
        pending.wait_for()
        pending.get_by_label("Message (optional, kept in the history)").fill("from the browser test")
        pending.get_by_role("button", name=f"Apply the change in {env}").click()
        page.wait_for_selector("p.notice")
        result["notice"] = page.locator("p.notice").inner_text()
        result["state"] = page.locator("h2#gets .state").inner_text()
        if shots:
            page.screenshot(path=f"{shots}/console-flag.png", full_page=True)
        # A phone-sized view of the list stays usable (no horizontal overflow of the page itself).
        phone = browser.new_page(viewport={"width": 390, "height": 800})
        phone.context.add_cookies(page.context.cookies())
        phone.goto(base + "/ui/flags?env=" + env)
        result["phoneOverflow"] = phone.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        browser.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
