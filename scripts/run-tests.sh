#!/usr/bin/env bash
# Runs each test target in turn (tests inside a target run in parallel). Starting all
# 230+ tests at once on a 2-core machine starts dozens of servers and subprocesses together
# and turns healthy waits into time-outs; one target at a time keeps the machine responsive.
# Prints a combined closing line `N passed, N failed`. Extra arguments go to the test binary
# (Swift Testing's options).
#
# The test binary is run directly rather than through `swift test`: `swift test` relays its
# output in blocks (a hung run's last lines stayed in its buffer) and starts it in a process
# group of its own (so killing a hung run's group left the test process and its children alive).
set -uo pipefail
SWIFT="${SWIFT:-swift}"
# The interop verifications (flagd's, LaunchDarkly's and Unleash's own evaluators over thousands of
# contexts) run on their own after the rest of ClutchServerTests: beside it, their bursts of
# evaluation and decoding starved the in-process servers of the other tests for 30 s at a time.
interop='ClutchServerTests\.(FlagdInteropTests|VendorInteropTests)'
# The browser suites (Chromium driving the console: the product owner's story and week, sign-in,
# single sign-on, axe on every page) likewise: a Chromium per test beside the other suites' servers
# turned their requests into time-outs ("recv() failed or timed out" after 43 s).
browser='ClutchServerTests\.(ConsoleBrowserTests|ConsoleAccessibilityTests|ConsoleTimeZoneBrowserTests)'
# The console's HTTP suites (a server each, pages that read flags, usage per variant, releases,
# requests and blocks): beside the other 50 suites of ClutchServerTests, their 15 s page reads timed
# out while the machine was busy; on their own they take about 30 s.
console='ClutchServerTests\.(Console[A-Za-z]*Tests|OIDCConsoleTests)'
targets=(ClutchCoreTests ClutchProtocolTests ClutchInteropTests ClutchStoreTests ClutchServerTests "$console" "$interop" "$browser" ClutchCLITests ClutchTests)
declare -A skip=([ClutchServerTests]='InteropTests|Console[A-Za-z]*Tests|OIDCConsoleTests' [$console]='ConsoleBrowserTests|ConsoleAccessibilityTests|ConsoleTimeZoneBrowserTests')
xctest="$("$SWIFT" build --show-bin-path)/ClutchPackageTests.xctest"
if [ ! -x "$xctest" ]; then
  echo "error: $xctest is not built (swift build --build-tests)"
  exit 1
fi
passed=0
failed=0
status=0
log=$(mktemp)
# What a hang leaves (tests still running, STALL lines, stacks) is printed again at the very end,
# where a CI log's tail shows it.
report=$(mktemp)
trap 'rm -f "$log" "$report"' EXIT
# The store commits with fsync (synchronous=FULL). Right after a clean build the page cache
# holds gigabytes of unwritten build output, and on ext4 a small fsync can wait for much of it:
# requests then take over 10 s and the CLI tests time out. Flushing once first keeps waits short.
sync
# Foundation's Process.run() on Linux (Swift 6.3.1) copies a whole 256-byte `d_name` from each
# /proc/self/fd entry (swift-corelibs-foundation PR #5472); when an entry sits at the end of
# glibc's heap-allocated readdir buffer and the next page is unmapped, the test process gets
# SIGSEGV in memcpy. The tests start hundreds of processes (the clutch binary, Python clients,
# Chromium, webhook receivers), and one such crash took a whole target down on a fresh machine.
# Allocations from 16 KiB up (the 32 KiB readdir buffer among them) are then their own mmap,
# rounded up to whole pages, so the over-read stays inside mapped memory.
export GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}glibc.malloc.mmap_threshold=16384"
# A test process that prints nothing for this long is hung, not slow (every test prints when it
# ends, and none runs for more than about a minute).
silence=${CLUTCH_TEST_SILENCE_SECONDS:-300}

# Shows every thread's stack of the hung test process (the .xctest in the session led by $1) when gdb
# is installed, so a hang in CI leaves evidence; the frames in Clutch's own code also go to the
# closing report. The STALL: lines the tests print say more.
backtraces() {
  command -v gdb >/dev/null || { echo "(gdb is not installed: no backtraces)" >>"$report"; return 0; }
  local process stacks
  for process in $(pgrep -s "$1" -f 'xctest' || true); do
    stacks=$(timeout 60 gdb -p "$process" -batch -ex "thread apply all bt 16" 2>/dev/null | grep -E '^(Thread|#)' | head -n 600)
    echo "=== threads of hung test process $process"
    echo "$stacks"
    {
      echo "frames in Clutch's code, per thread, of the hung process $process:"
      awk '/^Thread/ { thread = $0; next }
           /Clutch|Replica|Postgres|HTTPTest|Stall|TestServer|Console/ { if (thread != "") { print thread; thread = "" } print "    " substr($0, 1, 220) }' <<<"$stacks" | head -n 80
    } >>"$report"
  done
}

# The tests of the run in $1 that started and never ended (Swift Testing prints "◇ Test X started."
# and then "✔ Test X passed…" or "✘ Test X failed…").
unfinished() {
  sed -n -E '/^◇ Test (case |run started)/d; s/^◇ Test (.*) started\.$/\1/p' "$1" | sort -u >"$log.started"
  sed -n -E 's/^[✔✘↷] Test (.*) (passed|failed|skipped|recorded).*/\1/p' "$1" | sed -E 's/ with [0-9]+ test cases?$//' | sort -u >"$log.ended"
  comm -23 "$log.started" "$log.ended"
  rm -f "$log.started" "$log.ended"
}

# Adds to the closing report what the run logged in $log says about where it stopped: $1 heads it.
report_run() {
  {
    echo "--- $1; tests that started and never ended:"
    unfinished "$log" | sed 's/^/    /' | head -n 40
    echo "STALL lines it printed (last 30):"
    grep -E 'STALL' "$log" | tail -n 30 | cut -c1-300 | sed 's/^/    /'
  } >>"$report"
}

# Runs one target's tests in a session of their own, shows their output as it comes, and
# returns 124 after killing the session (the test process and every program it started) when it
# has printed nothing for `silence` seconds.
run_target() {
  local target=$1
  shift
  : >"$log"
  local skipping=()
  [ -n "${skip[$target]:-}" ] && skipping=(--skip "${skip[$target]}")
  setsid "$xctest" --testing-library swift-testing --filter "^$target[./]" "${skipping[@]}" "$@" >"$log" 2>&1 &
  local pid=$!
  tail -n +1 --pid="$pid" -f "$log" &
  local tailer=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    local quiet=$(( $(date +%s) - $(stat -c %Y "$log") ))
    if [ "$quiet" -gt "$silence" ] && kill -0 "$pid" 2>/dev/null; then
      report_run "$target hung (silent ${quiet} s)"
      backtraces "$pid"
      pkill -KILL -s "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      wait "$tailer" 2>/dev/null
      echo "error: $target printed nothing for ${quiet} s: killed as hung"
      return 124
    fi
  done
  wait "$pid"
  local rc=$?
  wait "$tailer" 2>/dev/null
  return $rc
}

hung=()
for target in "${targets[@]}"; do
  echo "=== $target"
  run_target "$target" "$@"
  rc=$?
  # A hang is reported and the target run once more, so one stall does not hide the results
  # of every other test. The hangs seen so far are fixed (URLSession's data(for:) deadlocking
  # on task cancellation, see Tests/HTTPTestSupport; a PostgreSQL transaction whose answer never
  # came, see TransactionAnswer); this stays as a bound on CI time.
  if [ "$rc" -eq 124 ]; then
    hung+=("$target")
    echo "=== $target again, after a hang"
    run_target "$target" "$@"
    rc=$?
  fi
  summary=$(grep -E "Test run with [0-9]+ tests?" "$log" | tail -n 1)
  count=$(sed -E 's/.*Test run with ([0-9]+) tests?.*/\1/' <<<"$summary")
  if [ -z "$summary" ] || [ "${count:-0}" -eq 0 ]; then
    echo "error: $target ran no tests"
    report_run "$target ended (exit $rc) without its closing line"
    { echo "its last lines:"; tail -n 15 "$log" | cut -c1-300 | sed 's/^/    /'; } >>"$report"
    status=1
    continue
  fi
  issues=$(grep -cE "^✘ Test .* (failed|recorded an issue)" "$log" || true)
  if [ "$rc" -ne 0 ] || grep -q "failed after" <<<"$summary"; then
    status=1
    # Failed tests, not the run's own closing line ("✘ Test run with N tests … failed after").
    bad=$(grep -E "^✘ Test .* failed after" "$log" | grep -vc "^✘ Test run with" || true)
    [ "$bad" -eq 0 ] && bad=1
    failed=$((failed + bad))
    passed=$((passed + count - bad))
  else
    passed=$((passed + count))
  fi
  : "$issues"
done
echo "$passed passed, $failed failed"
cat "$report"
if [ "${#hung[@]}" -gt 0 ]; then
  echo "hung and run again: ${hung[*]}"
fi
exit $status
