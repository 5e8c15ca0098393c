#!/usr/bin/env bash
# The rolling-upgrade drill of issue 14, with its figures (`name: value unit` lines):
# PostgreSQL (Debian's, started in a temporary directory on 127.0.0.1), three release-built
# `clutch serve --db postgres://…` replicas and HAProxy configured from
# examples/replicas/haproxy.cfg. Under steady OFREP load and with SDK clients streaming through
# the proxy, each replica is drained (SIGTERM), stopped, started and brought back one at a time,
# twice over; then a change through replica A is timed to streams on replica C, and one replica
# is killed with SIGKILL under load. Progress goes to stderr. `make drill` runs this.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT="${SWIFT:-swift}"
bash scripts/ensure-deps.sh bench
"$SWIFT" build -c release --product clutch
"$SWIFT" build -c release --product clutch-bench
bin="$("$SWIFT" build -c release --show-bin-path)"
# HAProxy (maxconn 4096 in the example) needs about 8,200 descriptors; the replica benchmark
# holds a thousand streams.
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 16384 ]; then ulimit -n 16384 2>/dev/null || true; fi
"$bin/clutch-bench" drill
