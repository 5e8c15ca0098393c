"""Each invited person, in real headless Chromium (Playwright): the invite link, a password,
signing in with it, and the controls the flag page shows them.

Usage: console_people.py BASE_URL FLAG ENV PEOPLE_JSON

PEOPLE_JSON is a list of {"role", "email", "inviteUrl"}. For each person: opens the invite link,
sets a password ("Password", "Repeat password", "Set password"), signs in on the sign-in page
("Email", "Password", "Sign in"), opens FLAG in ENV, and records which controls it offers and
the reasons the page gives for the missing ones. Prints JSON keyed by role. Uses the system's
Chromium; downloads nothing.
"""
import json
import sys

from playwright.sync_api import sync_playwright

# The flag page's controls, by the button that sends each.
CONTROLS = {
    "turnOff": "Turn off in {env}",
    "turnOn": "Turn on in {env}",
    "admins": "Serve to admins only",
    "customers": "Add customers",
    "rollout": "Set rollout",
    "rule": "Add rule",
    "kill": "Kill switch: off everywhere",
}


def main() -> None:
    base, flag, env, people = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    result = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for person in people:
            context = browser.new_context(viewport={"width": 1100, "height": 800})
            page = context.new_page()
            password = "correct horse battery staple " + person["role"]
            seen = {}
            page.goto(person["inviteUrl"])
            seen["invitePage"] = page.locator("h1").inner_text()
            page.get_by_label("Password", exact=True).fill(password)
            page.get_by_label("Repeat password").fill(password)
            page.get_by_role("button", name="Set password").click()
            page.wait_for_url("**/ui/login*")
            seen["afterInvite"] = page.locator("p.notice").inner_text() if page.locator("p.notice").count() else ""
            page.get_by_label("Email").fill(person["email"])
            page.get_by_label("Password", exact=True).fill(password)
            page.get_by_role("button", name="Sign in", exact=True).click()
            page.wait_for_url("**/ui/flags*")
            seen["signedInAs"] = page.locator(".who").inner_text()
            page.goto(f"{base}/ui/flags/{flag}?env={env}")
            seen["controls"] = sorted(
                name for name, button in CONTROLS.items()
                if page.get_by_role("button", name=button.format(env=env), exact=True).count() > 0
            )
            seen["reasons"] = page.locator("p.why").all_inner_texts()
            # The invite works once: opening it again offers no password form.
            page.goto(person["inviteUrl"])
            seen["inviteAgain"] = page.get_by_role("button", name="Set password").count()
            result[person["role"]] = seen
            context.close()
        browser.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
