#!/usr/bin/env bash
# Runs each test target in turn (tests inside a target run in parallel). Starting all
# 230+ tests at once on a 2-core machine starts dozens of servers and subprocesses together
# and turns healthy waits into time-outs; one target at a time keeps the machine responsive.
# Prints a combined closing line `N passed, N failed`. Extra arguments go to `swift test`.
set -uo pipefail
SWIFT="${SWIFT:-swift}"
targets=(ClutchCoreTests ClutchProtocolTests ClutchStoreTests ClutchServerTests ClutchCLITests ClutchTests)
passed=0
failed=0
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
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

# Shows every thread's stack of the hung test process (the .xctest in the group led by $1) when gdb
# is installed, so a hang in CI leaves evidence. The STALL: lines the tests print say more.
backtraces() {
  command -v gdb >/dev/null || return 0
  local xctest
  for xctest in $(pgrep -g "$1" -f 'xctest' || true); do
    echo "=== threads of hung test process $xctest"
    timeout 60 gdb -p "$xctest" -batch -ex "thread apply all bt 12" 2>/dev/null | grep -E '^(Thread|#)' | head -n 400
  done
}

# Runs one target's tests in a process group of its own, shows their output as it comes, and
# returns 124 after killing the group when it has printed nothing for `silence` seconds.
run_target() {
  local target=$1
  shift
  : >"$log"
  setsid "$SWIFT" test --skip-build --filter "^$target\\." "$@" >"$log" 2>&1 &
  local pid=$!
  tail -n +1 --pid="$pid" -f "$log" &
  local tailer=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    local quiet=$(( $(date +%s) - $(stat -c %Y "$log") ))
    if [ "$quiet" -gt "$silence" ] && kill -0 "$pid" 2>/dev/null; then
      backtraces "$pid"
      kill -KILL -- "-$pid" 2>/dev/null
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
  # of every other test. The one hang seen so far (URLSession's data(for:) deadlocking on task
  # cancellation, see Tests/HTTPTestSupport) is fixed; this stays as a bound on CI time.
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
    status=1
    continue
  fi
  issues=$(grep -cE "^✘ Test .* (failed|recorded an issue)" "$log" || true)
  if [ "$rc" -ne 0 ] || grep -q "failed after" <<<"$summary"; then
    status=1
    bad=$(grep -cE "^✘ Test .* failed after" "$log" || true)
    [ "$bad" -eq 0 ] && bad=1
    failed=$((failed + bad))
    passed=$((passed + count - bad))
  else
    passed=$((passed + count))
  fi
  : "$issues"
done
echo "$passed passed, $failed failed"
if [ "${#hung[@]}" -gt 0 ]; then
  echo "hung and run again: ${hung[*]}"
fi
exit $status
