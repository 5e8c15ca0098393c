#!/usr/bin/env bash
# Installs what Clutch needs on a fresh Debian machine, and nothing that is already there.
#   scripts/ensure-deps.sh build   system libraries for building (libsqlite3-dev)
#   scripts/ensure-deps.sh test    + the Python OpenFeature OFREP provider used by the interop test,
#                                    Chromium and Playwright for Python for the web console's browser test,
#                                    PostgreSQL (the tests start their own server in a temporary directory),
#                                    HAProxy (the rolling-upgrade drill puts it in front of the replicas),
#                                    gdb (stacks of a hung test process)
#   scripts/ensure-deps.sh bench   + wrk for the HTTP benchmark, PostgreSQL for the store benchmark,
#                                    HAProxy for the replica benchmarks and the drill (scripts/drill.sh)
set -euo pipefail
what="${1:-build}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

packages=()
dpkg -s libsqlite3-dev >/dev/null 2>&1 || packages+=(libsqlite3-dev)
if [ "$what" = bench ]; then
  command -v wrk >/dev/null 2>&1 || packages+=(wrk)
  command -v curl >/dev/null 2>&1 || packages+=(curl)
fi
if [ "$what" = test ] || [ "$what" = bench ]; then
  command -v python3 >/dev/null 2>&1 || packages+=(python3 python3-pip)
  command -v sqlite3 >/dev/null 2>&1 || packages+=(sqlite3)
fi
if [ "$what" = test ]; then
  # The console's browser test drives Debian's Chromium; Playwright never downloads a browser.
  [ -x /usr/bin/chromium ] || packages+=(chromium)
fi
if [ "$what" = test ] || [ "$what" = bench ]; then
  # The store suite, the replica tests and the store benchmark run initdb/postgres from Debian's
  # package (as the `postgres` user it creates, when they run as root).
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || packages+=(postgresql)
  # The drill runs Debian's haproxy in the foreground with its own configuration; the package's
  # service is not used.
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || packages+=(haproxy)
fi
if [ "$what" = test ]; then
  # scripts/run-tests.sh shows the stacks of a test process that stops printing (a hang), so a
  # hang on a CI machine leaves evidence.
  command -v gdb >/dev/null 2>&1 || packages+=(gdb)
fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "Installing: ${packages[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${packages[@]}" >/dev/null
fi

if [ "$what" = test ] || [ "$what" = bench ]; then
  if ! python3 -c "import openfeature, openfeature.contrib.provider.ofrep" >/dev/null 2>&1; then
    echo "Installing the Python OpenFeature SDK and OFREP provider"
    python3 -m pip install -q --disable-pip-version-check openfeature-sdk openfeature-provider-ofrep \
      || python3 -m pip install -q --disable-pip-version-check --break-system-packages openfeature-sdk openfeature-provider-ofrep
  fi
fi

if [ "$what" = test ]; then
  # flagd's own evaluator checks Clutch's flagd export (FlagdInteropTests). Pinned: 0.6 and later
  # (openfeature-flagd-core 2) hash `fractional` as the v3 proposal does (CBOR), not as flagd does.
  if ! python3 -c "import importlib.metadata as m; assert m.version('openfeature-provider-flagd') == '0.5.2'" >/dev/null 2>&1; then
    echo "Installing flagd's OpenFeature provider (in-process evaluator)"
    python3 -m pip install -q --disable-pip-version-check "openfeature-provider-flagd==0.5.2" \
      || python3 -m pip install -q --disable-pip-version-check --break-system-packages "openfeature-provider-flagd==0.5.2"
  fi
  # The vendors' own SDKs check what `clutch import --format launchdarkly|unleash` carries over
  # (VendorInteropTests). Pinned to the versions the tests were written against.
  if ! python3 -c "import importlib.metadata as m; assert m.version('launchdarkly-server-sdk') == '9.20.0' and m.version('UnleashClient') == '6.9.1'" >/dev/null 2>&1; then
    echo "Installing LaunchDarkly's and Unleash's Python SDKs"
    python3 -m pip install -q --disable-pip-version-check "launchdarkly-server-sdk==9.20.0" "UnleashClient==6.9.1" \
      || python3 -m pip install -q --disable-pip-version-check --break-system-packages "launchdarkly-server-sdk==9.20.0" "UnleashClient==6.9.1"
  fi
  if ! python3 -c "import playwright.sync_api" >/dev/null 2>&1; then
    echo "Installing Playwright for Python (the system's Chromium is used; no browser is downloaded)"
    python3 -m pip install -q --disable-pip-version-check playwright \
      || python3 -m pip install -q --disable-pip-version-check --break-system-packages playwright
  fi
fi

if [ "$what" = test ]; then
  # Single sign-on's tests run a real OpenID Connect provider (oidc_provider.py).
  if ! python3 -c "import oidc_provider_mock" >/dev/null 2>&1; then
    echo "Installing oidc-provider-mock (the OpenID provider of the single sign-on tests)"
    python3 -m pip install -q --disable-pip-version-check oidc-provider-mock \
      || python3 -m pip install -q --disable-pip-version-check --break-system-packages oidc-provider-mock
  fi
  # axe-core on every console page (ConsoleAccessibilityTests, console_axe.py).
  if ! python3 -c "import axe_playwright_python" >/dev/null 2>&1; then
    echo "Installing axe-playwright-python (the console's accessibility test)"
    python3 -m pip install -q --disable-pip-version-check axe-playwright-python \
      || python3 -m pip install -q --disable-pip-version-check --break-system-packages axe-playwright-python
  fi
fi
