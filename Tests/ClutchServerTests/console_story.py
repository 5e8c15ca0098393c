"""The product owner's story in real headless Chromium (Playwright), as a person would do it.

Usage: console_story.py BASE_URL ADMIN_TOKEN SDK_KEY FLAG [SCREENSHOT_DIR]

FLAG exists already (created with the `clutch` CLI, off). In production: sign in -> admins only
-> switch on -> two named customers -> 10 % of customers -> kill -> restore the 10 % revision
from the history. After each step an OFREP evaluation over HTTP (not the page) records what apps
get. Then a change made through the admin API (someone else) must show on an open flag page
without reloading it. Prints JSON; the Swift test asserts on it. Uses the system's Chromium.
"""
import json
import sys
import time
import urllib.parse
import urllib.request

from playwright.sync_api import sync_playwright

ENV = "production"
CUSTOMERS = ["c%03d" % i for i in range(200)]


def post(base, path, body, headers):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method="POST")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name, value)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def main() -> None:
    base, token, sdk_key, flag = sys.argv[1:5]
    shots = sys.argv[5] if len(sys.argv) > 5 else None
    ofrep_headers = {"Authorization": "Bearer " + sdk_key}

    def value(context):
        answer = post(base, "/ofrep/v1/evaluate/flags/" + flag, {"context": context}, ofrep_headers)
        return answer.get("value")

    def apps():
        """What apps get now: an admin, the two named customers, another customer, and the
        share of 200 other customers that get the flag."""
        share = sum(1 for c in CUSTOMERS if value({"targetingKey": "u-" + c, "customerId": c}) is True)
        return {
            "admin": value({"targetingKey": "boss", "role": "admin"}),
            "acme": value({"targetingKey": "u1", "customerId": "acme"}),
            "globex": value({"targetingKey": "u2", "customerId": "globex"}),
            "other": value({"targetingKey": "u3", "customerId": "initech"}),
            "share": share / len(CUSTOMERS),
        }

    result = {"steps": {}}
    dialogs = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})

        def on_dialog(dialog):
            dialogs.append(dialog.message)
            dialog.accept()

        page.on("dialog", on_dialog)

        def change(section, button, message=None, confirm=True):
            """Adds the edit of `section`'s form to the pending change, then applies that change
            with its one message and the production confirmation."""
            page.locator(section).get_by_role("button", name=button).first.click()
            pending = page.locator("#pending")
            pending.wait_for()
            if message:
                pending.get_by_label("Message (optional, kept in the history)").fill(message)
            if confirm:
                pending.get_by_label("Type production to confirm").fill(ENV)
            pending.get_by_role("button", name=f"Apply the change in {ENV}").click()
            page.wait_for_load_state("domcontentloaded")
            page.wait_for_selector("p.notice")
            return page.locator("p.notice").inner_text()

        page.goto(base + "/")
        result["signedOutURL"] = page.url
        page.get_by_label("Token", exact=True).fill(token)
        page.get_by_role("button", name="Sign in with the token").click()
        page.wait_for_url("**/ui/flags")
        result["steps"]["created"] = apps()
        if shots:
            page.screenshot(path=f"{shots}/console-flags.png", full_page=True)
        page.get_by_role("link", name=flag, exact=True).first.click()
        page.get_by_role("link", name=f"{ENV} Off").click()
        page.wait_for_url(f"**/ui/flags/{flag}?env={ENV}")

        # Keyboard: the admins button is reachable and labelled; the message field has its label.
        result["adminsNotice"] = change("#live-admins", "Serve to admins only", "admins first")
        result["steps"]["admins"] = apps()
        result["onNotice"] = change("#live-switch", f"Turn on in {ENV}", "live for admins")
        result["steps"]["on"] = apps()

        page.locator("#live-customers").get_by_label("Customers").fill("acme,\nglobex")
        result["customersNotice"] = change("#live-customers", "Add customers", "two pilot customers")
        result["targeted"] = page.locator("#live-customers .chip").all_inner_texts()
        result["steps"]["customers"] = apps()

        page.locator("#live-rollout").get_by_label("Rollout").fill("10")
        result["stickyDefault"] = page.locator("#live-rollout select[name=bucketBy]").input_value()
        result["rolloutNotice"] = change("#live-rollout", "Set rollout", "10 percent of customers")
        result["steps"]["rollout"] = apps()

        # The Rollout control counts the evaluations apps just made (OFREP usage is written in
        # batches: reload until it shows), and recomputes the figure as a percentage is typed.
        for _ in range(60):
            page.goto(base + f"/ui/flags/{flag}?env={ENV}")
            if page.locator("#coverage[data-reachable]").count() and "reached the rollout" in page.locator("#coverage").inner_text():
                break
            time.sleep(0.5)
        coverage = page.locator("#coverage")
        result["coverage"] = {"text": coverage.inner_text(), "reachable": int(coverage.get_attribute("data-reachable") or "-1")}
        page.locator("#live-rollout").get_by_label("Rollout").fill("50")
        result["coverage"]["typed"] = page.locator("#coverage-figure").inner_text()
        page.goto(base + f"/ui/flags/{flag}?env={ENV}")

        # Try it: the explain box says who decides.
        box = page.locator("#try")
        box.get_by_label("customerId").fill("acme")
        box.get_by_role("button", name="Evaluate").click()
        page.wait_for_selector("#try-result")
        result["tryVariant"] = page.locator("#try-variant").inner_text()
        result["tryExplanation"] = page.locator("#try-explanation").inner_text()
        if shots:
            page.goto(base + f"/ui/flags/{flag}?env={ENV}")
            page.screenshot(path=f"{shots}/console-flag.png", full_page=True)

        # Kill switch: the button stays disabled until the flag's key is typed; Enter sends it.
        kill = page.locator("section[aria-labelledby=kill]")
        kill.get_by_label("Message (optional, kept in the history)").fill("errors spiking")
        kill_button = kill.get_by_role("button", name="Kill switch: off everywhere")
        result["killDisabledUntilTyped"] = kill_button.is_disabled()
        kill_confirm = kill.get_by_label(f"Type the flag's key, {flag}, to confirm")
        kill_confirm.fill(flag)
        result["killEnabledWhenTyped"] = kill_button.is_enabled()
        kill_confirm.press("Enter")
        page.wait_for_selector("p.notice")
        result["killNotice"] = page.locator("p.notice").inner_text()
        result["killDialogs"] = list(dialogs)
        result["steps"]["killed"] = apps()

        # History: find the 10 % revision, preview restoring it in production, confirm.
        page.get_by_role("link", name="History", exact=True).click()
        page.wait_for_url("**/history**")
        if shots:
            page.screenshot(path=f"{shots}/console-history.png", full_page=True)
        revision = page.locator("li.revision", has_text="10 percent of customers")
        result["rolloutRevision"] = revision.locator("h2").inner_text()
        revision.get_by_role("link", name=f"Restore in {ENV}…").click()
        page.wait_for_selector("#preview")
        result["preview"] = page.locator("#preview ul.diff").inner_text()
        preview = page.locator("#preview")
        preview.get_by_label("Message (optional, kept in the history)").fill("back to 10 %")
        preview.get_by_label("Type production to confirm").fill(ENV)
        preview.get_by_role("button", name="Restore revision").click()
        page.wait_for_selector("p.notice")
        result["restoreNotice"] = page.locator("p.notice").inner_text()
        result["steps"]["restored"] = apps()
        result["historyTop"] = page.locator("li.revision").first.inner_text()

        # Live: another person switches the flag off through the API while the page is open.
        page.goto(base + f"/ui/flags/{flag}?env={ENV}")
        page.wait_for_selector("#flag-page[data-live-ready]", timeout=30000)
        before = page.locator("h2#gets .state").inner_text()
        started = time.monotonic()
        post(base, f"/api/v1/flags/{flag}/environments/{ENV}/off", None, {"Authorization": "Bearer " + token, "X-Clutch-Message": "someone else"})
        # A selector, not a function: the page's CSP allows no eval, which wait_for_function needs.
        page.wait_for_selector("h2#gets .state.off", timeout=30000)
        result["live"] = {"before": before, "after": page.locator("h2#gets .state").inner_text(),
                          "seconds": round(time.monotonic() - started, 3),
                          "status": page.locator("#live-status").inner_text()}
        # A change in another environment updates the open page's summary of every environment.
        post(base, f"/api/v1/flags/{flag}/environments/staging/on", None, {"Authorization": "Bearer " + token})
        page.wait_for_selector('nav.envs a[href$="env=staging"] span.on', timeout=30000)
        result["liveOther"] = page.locator('nav.envs a[href$="env=staging"]').inner_text()

        # Hostile text typed into free-text fields executes nothing and adds no attribute in the browser.
        payloads = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '"\u0301 onmouseover=alert(1) x="', 'javascript:alert(1)']
        hostile = " | ".join(payloads)
        page.goto(base + "/ui/cohorts?env=staging")
        form = page.locator("section[aria-labelledby=new-cohort]")
        form.get_by_label("Cohort key").fill("hostile")
        form.get_by_label("Description").fill(hostile)
        form.get_by_label("First members").fill("\n".join(payloads))
        form.get_by_label("Message (optional, kept in the history)").fill(hostile)
        form.get_by_role("button", name="Create cohort").click()
        page.wait_for_selector("p.notice")
        dialogs_before = len(dialogs)
        injected = {}
        try_url = base + f"/ui/flags/{flag}?env={ENV}&try=1&" + "&".join(
            f"{name}={urllib.parse.quote(hostile)}" for name in ["try-targetingKey", "try-customerId", "try-role"])
        for url in [base + "/ui/cohorts/hostile?env=staging", base + "/ui/cohorts?env=staging", base + "/ui/audit", try_url]:
            page.goto(url)
            injected[url] = page.evaluate("""() => document.querySelectorAll('[onerror], [onmouseover], img, script:not([src="/ui/static/console.js"]), a[href^="javascript"]').length""")
        page.goto(base + "/ui/cohorts/hostile?env=staging")
        result["xss"] = {"injected": injected, "dialogs": len(dialogs) - dialogs_before,
                         "membersShown": page.locator("ul.chips .chip").all_inner_texts()}

        # A phone-sized view of the flag and history pages stays usable (no horizontal overflow).
        phone = browser.new_page(viewport={"width": 390, "height": 800})
        phone.context.add_cookies(page.context.cookies())
        overflow = {}
        for path in [f"/ui/flags?env={ENV}", f"/ui/flags/{flag}?env={ENV}", f"/ui/flags/{flag}/history?env={ENV}", "/ui/audit"]:
            phone.goto(base + path)
            overflow[path] = phone.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1")
        result["phoneOverflow"] = overflow
        # Every form control has an accessible name.
        result["unlabelled"] = page.evaluate("""() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea, button'))
            .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !(e.textContent || '').trim()).length""")
        browser.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
