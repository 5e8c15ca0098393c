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
for target in "${targets[@]}"; do
  echo "=== $target"
  "$SWIFT" test --skip-build --filter "^$target\\." "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
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
exit $status
