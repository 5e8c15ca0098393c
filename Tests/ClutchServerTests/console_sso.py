"""Single sign-on in real headless Chromium (Playwright): "Sign in with …" on the sign-in page,
the OpenID provider's own sign-in form, back to the console signed in, and the controls the flag
page shows in each environment.

Usage: console_sso.py BASE_URL SUBJECT FLAG ENV...

One browser, one page. Clicks "Sign in with …" on /ui/login, types SUBJECT into the provider's
form (oidc-provider-mock: the "sub" field, "Authorize"), waits to land on /ui/flags, then opens
FLAG in each ENV and records the controls it offers and the reasons the page gives for the
missing ones. Every step waits on a selector or a URL, never on time. Prints JSON. Uses the
system's Chromium; downloads nothing.
"""
import json
import sys

from playwright.sync_api import sync_playwright

from console_people import CONTROLS


def main() -> None:
    base, subject, flag, environments = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    result = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        # A loaded machine runs several servers and browsers at once: waits are on selectors,
        # with room to spare.
        page.set_default_timeout(60_000)
        page.goto(f"{base}/ui/login")
        sign_in = page.get_by_role("link", name="Sign in with")
        result["signInWith"] = sign_in.inner_text()
        sign_in.click()
        page.get_by_placeholder("sub").fill(subject)
        result["providerPage"] = page.url.split("?")[0]
        page.get_by_role("button", name="Authorize", exact=True).click()
        page.wait_for_url(f"{base}/ui/flags")
        result["signedInAs"] = page.locator(".who").inner_text()
        for env in environments:
            page.goto(f"{base}/ui/flags/{flag}?env={env}")
            page.locator("h1").wait_for()
            result[env] = {
                "controls": sorted(
                    name for name, button in CONTROLS.items()
                    if page.get_by_role("button", name=button.format(env=env), exact=True).count() > 0
                ),
                "reasons": page.locator("p.why").all_inner_texts(),
            }
        browser.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
