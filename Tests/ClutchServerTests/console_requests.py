"""Issue 26 in real headless Chromium (Playwright): a change request opened from a flag page and
approved and applied from the Requests page, by two people, in two visits.

Usage: console_requests.py BASE_URL PHASE EMAIL PASSWORD FLAG [SCREENSHOT_DIR]

PHASE "request": EMAIL (an editor of protected production) signs in, opens FLAG in production,
clicks "Turn on in production"; the pending change offers "Request review" instead of applying;
she writes a message and sends it. PHASE "approve": EMAIL (another editor) signs in, follows
"Requests" in the navigation, approves the request there and applies it. Waits on selectors,
never sleeps. Prints JSON; the Swift test asserts on it (and checks OFREP between the visits).
Uses the system's Chromium; downloads nothing.
"""
import json
import sys

from playwright.sync_api import sync_playwright

ENV = "production"


def main() -> None:
    base, phase, email, password, flag = sys.argv[1:6]
    shots = sys.argv[6] if len(sys.argv) > 6 else None
    result = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base + "/ui/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url("**/ui/flags*")
        result["signedInAs"] = page.locator(".who").inner_text()

        if phase == "request":
            page.goto(f"{base}/ui/flags/{flag}?env={ENV}")
            page.locator("#live-switch").get_by_role("button", name=f"Turn on in {ENV}").click()
            pending = page.locator("#pending")
            pending.wait_for()
            result["pendingDiff"] = pending.locator("#pending-diff").inner_text()
            result["reviewHint"] = pending.locator("#review-hint").inner_text()
            result["applyOffered"] = pending.get_by_role("button", name=f"Apply the change in {ENV}").count()
            pending.get_by_label("Message (optional, shown to the reviewers and kept in the history)").fill("launch day")
            pending.get_by_role("button", name="Request review").click()
            page.wait_for_selector("p.notice")
            result["notice"] = page.locator("p.notice").inner_text()
            banner = page.locator("article.request")
            result["bannerDiff"] = banner.locator(".request-diff").inner_text()
            result["bannerStatus"] = banner.locator(".request-status").inner_text()
            result["ownApproveOffered"] = banner.get_by_role("button", name="Approve request 1").count()
            result["cancelOffered"] = banner.get_by_role("button", name="Cancel request 1").count()
            result["stateAfterRequest"] = page.locator("#gets .state").inner_text()
        elif phase == "approve":
            page.get_by_role("navigation", name="Sections").get_by_role("link", name="Requests").click()
            page.wait_for_url("**/ui/requests*")
            card = page.locator("article.request", has_text="Change request 1")
            card.wait_for()
            result["listDiff"] = card.locator(".request-diff").inner_text()
            result["listMeta"] = card.locator("p.meta").inner_text()
            result["listMessage"] = card.locator(".message").inner_text()
            if shots:
                page.screenshot(path=f"{shots}/console-requests.png", full_page=True)
            card.get_by_label("Comment on request 1").fill("ship it")
            card.get_by_role("button", name="Approve request 1").click()
            page.wait_for_selector("p.notice")
            result["approvedNotice"] = page.locator("p.notice").inner_text()
            approved = page.locator("article.request", has_text="Change request 1")
            result["approvedStatus"] = approved.locator(".request-status").inner_text()
            approved.get_by_role("button", name=f"Apply request 1 in {ENV}").click()
            page.wait_for_selector("p.notice")
            result["appliedNotice"] = page.locator("p.notice").inner_text()
            page.goto(f"{base}/ui/flags/{flag}?env={ENV}")
            result["stateAfterApply"] = page.locator("#gets .state").inner_text()
            result["historyTop"] = page.locator("#live-history li").first.inner_text()
        result["dialogs"] = dialogs
        browser.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
