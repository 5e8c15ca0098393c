"""A product owner's week in real headless Chromium (Playwright), in two visits.

Usage: console_week.py BASE_URL ADMIN_TOKEN PHASE MORNING [SCREENSHOT_DIR]

PHASE "plan" (day one): sign in -> "New flag" -> create summer-sale -> in production target two
customers (acme, globex) and apply that one change with one confirmation -> switch it on, and
schedule that change for MORNING (a datetime-local value, UTC). PHASE "morning" (after the test
moved the server's clock past MORNING, with SDK usage reported on both days): the flag is on in
production; read the usage chart (the week per day and variant, then the day) -> restore
yesterday's revision (the targeting, before the switch) from the history. PHASE "release"
(release_phase): start a guarded release of the flag in production from its release card and
watch its chart fill in as the test reports usage and turns the server's release runner. Waits on selectors,
never sleeps.
Prints JSON; the Swift test asserts on it. Uses the system's Chromium.
"""
import json
import sys

from playwright.sync_api import sync_playwright

ENV = "production"
FLAG = "summer-sale"


def release_phase(page, base, shots, result):
    """Starts a guarded release from the flag page and watches its error-rate chart: the card
    refreshes itself while the release runs, and the test reports usage and turns the runner."""
    page.goto(base + f"/ui/flags/{FLAG}?env={ENV}")
    card = page.locator("#release")
    form = card.locator("#release-start")
    form.get_by_label("Variant to release").select_option("on")
    form.get_by_label("Steps").fill("10,50,100")
    form.get_by_label("Each step lasts at least").fill("1m")
    form.get_by_label("Evaluations each side needs per step").fill("100")
    form.get_by_label("Roll back above this multiple of the other side's error rate").fill("3")
    form.get_by_label("Message (optional, kept in the history)").fill("summer sale, guarded")
    form.get_by_label(f"To start it, type {ENV}").fill(ENV)
    form.get_by_role("button", name=f"Start the release in {ENV}").click()
    page.wait_for_selector("p.notice")
    result["releaseStarted"] = page.locator("p.notice").inner_text()
    # The test now reports usage and turns the runner: the chart appears and grows.
    # (A locator, not wait_for_function: the console's CSP allows no evaluated script.)
    page.locator("#release-chart circle.new").nth(2).wait_for(timeout=90000)
    card = page.locator("#release")
    result["releaseState"] = card.locator("#release-state").inner_text()
    result["releasePercent"] = card.locator("#release-percent").inner_text()
    result["releaseChart"] = card.locator("figcaption").inner_text()
    result["releasePoints"] = card.locator("#release-chart circle.new").count()
    if shots:
        card.scroll_into_view_if_needed()
        page.screenshot(path=f"{shots}/console-week-release.png")


def read_usage(page, result, shots) -> None:
    """Reads the flag page's usage card: switches to the week, reads its summary, legend and
    table (one row per day), takes the screenshot, and switches back to the day."""
    card = page.locator("#usage")
    card.get_by_role("link", name="Week", exact=True).click()
    page.wait_for_selector("#usage[data-window=week]")
    usage = {
        "weekSummary": card.locator("figcaption").inner_text(),
        "weekLegend": card.locator("ul.legend li").all_inner_texts(),
        "weekBars": card.locator("svg.chart rect").count(),
        "weekRows": card.locator("details table tbody tr").count(),
        "variants": card.locator("table.variants tbody tr").all_inner_texts(),
        "current": card.locator("a[aria-current]").inner_text(),
    }
    card.locator("details summary").click()
    usage["weekTable"] = card.locator("details table").inner_text()
    if shots:
        card.scroll_into_view_if_needed()
        card.screenshot(path=f"{shots}/console-week-usage.png")
    card.get_by_role("link", name="Day", exact=True).click()
    page.wait_for_selector("#usage[data-window=day]")
    usage["daySummary"] = page.locator("#usage figcaption").inner_text()
    result["usage"] = usage


def main() -> None:
    base, token, phase, morning = sys.argv[1:5]
    shots = sys.argv[5] if len(sys.argv) > 5 else None
    result = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        # MORNING is UTC: the browser says so, whatever zone the machine is in.
        page = browser.new_page(viewport={"width": 1100, "height": 900}, timezone_id="UTC")
        page.goto(base + "/")
        page.get_by_label("Token", exact=True).fill(token)
        page.get_by_role("button", name="Sign in with the token").click()
        page.wait_for_url("**/ui/flags")

        def apply(message, later=None):
            """Applies (or schedules) the pending change with its one message and confirmation."""
            pending = page.locator("#pending")
            pending.wait_for()
            result.setdefault("pendingTexts", []).append(pending.locator("#pending-diff").inner_text())
            pending.get_by_label("Message (optional, kept in the history)").fill(message)
            pending.get_by_label(f"Type {ENV} to confirm").fill(ENV)
            if later:
                pending.get_by_label("Date and time").fill(later)
                pending.get_by_role("button", name="Schedule the change").click()
            else:
                pending.get_by_role("button", name=f"Apply the change in {ENV}").click()
            page.wait_for_selector("p.notice")
            return page.locator("p.notice").inner_text()

        if phase == "plan":
            page.get_by_role("link", name="New flag").click()
            form = page.locator("#flag-form")
            form.get_by_label("Key").fill(FLAG)
            form.get_by_label("Description").fill("The summer sale banner")
            form.get_by_label("Tags").fill("marketing")
            form.get_by_role("button", name="Create flag").click()
            page.wait_for_selector("p.notice")
            result["created"] = page.locator("p.notice").inner_text()
            page.locator("#live-customers").get_by_label("Customers").fill("acme, globex")
            page.locator("#live-customers").get_by_role("button", name="Add customers").click()
            result["targeted"] = apply("two pilot customers")
            page.locator("#live-switch").get_by_role("button", name=f"Turn on in {ENV}").click()
            result["scheduled"] = apply("on for the sale", later=morning)
            result["schedules"] = page.locator("#schedules").inner_text()
            if shots:
                page.screenshot(path=f"{shots}/console-week-scheduled.png")
        elif phase == "release":
            release_phase(page, base, shots, result)
        else:
            page.goto(base + f"/ui/flags/{FLAG}?env={ENV}")
            result["stateInMorning"] = page.locator("h2#gets .state").inner_text()
            read_usage(page, result, shots)
            page.get_by_role("link", name="History", exact=True).click()
            page.wait_for_url("**/history**")
            revision = page.locator("li.revision", has_text="two pilot customers")
            revision.get_by_role("link", name=f"Restore in {ENV}…").click()
            preview = page.locator("#preview")
            preview.wait_for()
            result["preview"] = preview.locator("ul.diff").inner_text()
            if shots:
                page.screenshot(path=f"{shots}/console-week-restore.png")
            preview.get_by_label("Message (optional, kept in the history)").fill("back to yesterday")
            preview.get_by_label(f"Type {ENV} to confirm").fill(ENV)
            preview.get_by_role("button", name="Restore revision").click()
            page.wait_for_selector("p.notice")
            result["restored"] = page.locator("p.notice").inner_text()
        browser.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
