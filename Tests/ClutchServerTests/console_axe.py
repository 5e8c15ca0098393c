"""Runs axe-core (axe-playwright-python) on every page of the web console in headless Chromium.

Usage: console_axe.py BASE_URL ADMIN_TOKEN FLAG COHORT INVITE_URL EMAIL

Visits, signed out, the sign-in page and an invite page (setting the password there); signed in
as the invited person, the flag list (with a search typed), one flag (its usage by day and by week), its history, the audit
log, the cohorts, one cohort, the SDK keys, the person's tokens, the change requests and one
request. Prints JSON: for each page,
the serious and critical violations (rule id, impact, how many elements, an element's HTML),
and every violation's rule id and impact. Uses the system's Chromium; downloads nothing.
"""
import json
import sys

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

PASSWORD = "correct horse battery staple"


def main() -> None:
    base, token, flag, cohort, invite, email = sys.argv[1:7]
    axe = Axe()
    result = {"pages": {}}

    def check(page, name):
        page.wait_for_load_state("load")
        found = axe.run(page).response.get("violations", [])
        result["pages"][name] = {
            "url": page.url,
            "serious": [
                {"id": v["id"], "impact": v["impact"], "nodes": len(v["nodes"]), "html": v["nodes"][0]["html"] if v["nodes"] else ""}
                for v in found
                if v.get("impact") in ("serious", "critical")
            ],
            "all": [f'{v["id"]}:{v.get("impact")}' for v in found],
        }

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        # axe is injected with page.evaluate; the console's CSP allows no script but its own.
        context = browser.new_context(viewport={"width": 1100, "height": 800}, bypass_csp=True)
        page = context.new_page()
        page.goto(base + "/ui/login")
        check(page, "sign-in")
        page.goto(invite)
        check(page, "invite")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Repeat password").fill(PASSWORD)
        page.get_by_role("button", name="Set password").click()
        page.wait_for_url("**/ui/login**")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_url("**/ui/flags**")
        check(page, "flags")
        # The search box answers as it is typed (the results fragment swapped in).
        page.get_by_label("Search").fill(flag)
        page.wait_for_function("document.getElementById('flag-results').getAttribute('data-query') !== null")
        result["searchURL"] = page.url
        result["searchRows"] = page.locator("#flag-results tbody tr").count()
        check(page, "flags-searched")
        for name, path in [
            ("flag", f"/ui/flags/{flag}?env=production"),
            ("flag-usage-week", f"/ui/flags/{flag}?env=production&usage=week"),
            ("history", f"/ui/flags/{flag}/history?env=production"),
            ("audit", "/ui/audit"),
            ("cohorts", "/ui/cohorts?env=production"),
            ("cohort", f"/ui/cohorts/{cohort}?env=production"),
            ("keys", "/ui/keys"),
            ("tokens", "/ui/tokens"),
            ("requests", "/ui/requests"),
            ("request", "/ui/requests/1"),
        ]:
            page.goto(base + path)
            check(page, name)
        browser.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
