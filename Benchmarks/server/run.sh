#!/usr/bin/env bash
# Server benchmarks (`make bench`): OFREP throughput and p99 against the same server's /healthz,
# change propagation to 1,000 SSE streams, and toggle latency. Prints `name: value unit` lines.
# Loopback only; every phase is time-limited; the server is stopped on exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# Throughput: ROUNDS rounds, each running /healthz then OFREP for DURATION. This shared VM has
# slow phases lasting seconds; alternating the two routes lets a phase hit both alike, and the
# ratio is the median of the rounds' ratios.
DURATION="${BENCH_DURATION:-5s}"
ROUNDS="${BENCH_ROUNDS:-5}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
STREAMS="${BENCH_STREAMS:-1000}"
CHANGES="${BENCH_CHANGES:-20}"
TOGGLES="${BENCH_TOGGLES:-200}"
# Extra `swift build` flags, e.g. `--scratch-path .build-bench` to build beside a busy .build.
read -r -a SWIFT_FLAGS <<<"${BENCH_SWIFT_FLAGS:-}"

log() { echo "# $*" >&2; }

if ! command -v wrk >/dev/null 2>&1; then
    log "installing wrk"
    apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

# 1,000 streams need 1,000 descriptors in the server and as many in the client.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 8192 || true
if [ "$(ulimit -n)" != "unlimited" ] && [ "$(ulimit -n)" -lt $((STREAMS + 200)) ]; then
    log "ulimit -n is $(ulimit -n); lowering streams"
    STREAMS=$(($(ulimit -n) - 200))
fi

log "building release"
(cd "$ROOT" && swift build -c release "${SWIFT_FLAGS[@]}" --product clutch >&2)
BIN="$(cd "$ROOT" && swift build -c release "${SWIFT_FLAGS[@]}" --show-bin-path)/clutch"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/clutch-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
TOKEN="clutch_admin_bench_$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
BASE="http://127.0.0.1:$PORT"

log "starting clutch serve on $BASE"
CLUTCH_HOST=127.0.0.1 CLUTCH_PORT="$PORT" CLUTCH_DB="$WORK/clutch.db" CLUTCH_CONFIG="$WORK/config.json" \
    CLUTCH_BOOTSTRAP_TOKEN="$TOKEN" "$BIN" serve --host 127.0.0.1 --port "$PORT" --db "$WORK/clutch.db" \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; echo "server exited" >&2; exit 1; }
    sleep 0.1
done
curl -fsS "$BASE/readyz" >/dev/null || { cat "$WORK/server.log" >&2; echo "server not ready after 10 s" >&2; exit 1; }

admin() { # METHOD PATH [BODY]
    curl -fsS --max-time 10 -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        ${3:+--data "$3"} "$BASE$2"
}

# A boolean flag with a rule and a 30 % rollout, so an evaluation does real work.
FLAG=bench-checkout
admin POST /api/v1/flags '{"key": "'$FLAG'", "type": "boolean", "environments": {"production": {"enabled": true,
    "rules": [{"clauses": [{"attribute": "email", "operator": "endsWith", "values": ["@example.com"]}], "serve": {"variant": "on"}}],
    "default": {"rollout": {"bucketBy": "targetingKey", "weights": [{"variant": "on", "weight": 30000}, {"variant": "off", "weight": 70000}]}}}}}' >/dev/null
SDK_KEY="$(admin POST /api/v1/environments/production/keys '{"name": "bench"}' | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')"

cat >"$WORK/ofrep.lua" <<EOF
wrk.method = "POST"
wrk.body = '{"context": {"targetingKey": "user-4711", "email": "someone@elsewhere.org", "plan": "pro"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $SDK_KEY"
EOF
# Check the evaluation works before measuring it.
curl -fsS --max-time 5 -X POST -H "Authorization: Bearer $SDK_KEY" -H 'Content-Type: application/json' \
    --data '{"context": {"targetingKey": "user-4711"}}' "$BASE/ofrep/v1/evaluate/flags/$FLAG" >/dev/null

# wrk prints `Requests/sec: 12345.67` and, with --latency, `     99%    1.23ms`.
requests_per_second() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
p99_ms() {
    awk '$1 == "99%" { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
        if (u == "us") v /= 1000; else if (u == "s") v *= 1000; else if (u == "m") v *= 60000; printf "%.2f", v }' "$1"
}
errors() { awk '/Non-2xx|Socket errors/ { print }' "$1"; }
# The server's CPU time (user + system, clock ticks) from /proc: CPU per request depends far less on
# what else the machine is doing than requests per second do.
server_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
CLK_TCK="$(getconf CLK_TCK)"
run_wrk() { # NAME DURATION ARGS...
    local name="$1" duration="$2"; shift 2
    log "wrk $name ($CONNECTIONS connections, $THREADS threads, $duration)"
    local before; before="$(server_ticks)"
    timeout 60 wrk -t "$THREADS" -c "$CONNECTIONS" -d "$duration" --latency "$@" >"$WORK/$name.txt"
    echo $(($(server_ticks) - before)) >"$WORK/$name.ticks"
    if [ -n "$(errors "$WORK/$name.txt")" ]; then log "$name: $(errors "$WORK/$name.txt")"; fi
}

# Other work on this 2-core machine skews every figure; print the load so a reader can tell.
echo "server_bench_load_average_1m: $(cut -d' ' -f1 /proc/loadavg) processes"
run_wrk warmup 2s "$BASE/healthz"
for round in $(seq 1 "$ROUNDS"); do
    run_wrk "healthz-$round" "$DURATION" "$BASE/healthz"
    run_wrk "ofrep-$round" "$DURATION" -s "$WORK/ofrep.lua" "$BASE/ofrep/v1/evaluate/flags/$FLAG"
done

# Microseconds of server CPU per completed request (wrk prints `123456 requests in 10.00s`).
cpu_us() {
    awk -v ticks="$(cat "$WORK/$1.ticks")" -v hz="$CLK_TCK" '/ requests in / { printf "%.1f", ticks / hz * 1e6 / $1 }' "$WORK/$1.txt"
}
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
maximum() { sort -g | tail -n 1; }
per_round() { # FIGURE ROUTE: one value per round
    for round in $(seq 1 "$ROUNDS"); do echo "$("$1" "$WORK/$2-$round.txt")"; done
}
cpu_per_round() { for round in $(seq 1 "$ROUNDS"); do cpu_us "$1-$round"; echo; done; }
ratios() {
    for round in $(seq 1 "$ROUNDS"); do
        awk -v a="$(requests_per_second "$WORK/ofrep-$round.txt")" -v b="$(requests_per_second "$WORK/healthz-$round.txt")" \
            'BEGIN { printf "%.3f\n", (b > 0 ? a / b : 0) }'
    done
}
echo "server_bench_rounds: $ROUNDS x $DURATION per route"
echo "healthz_requests_per_second: $(per_round requests_per_second healthz | median) req/s"
echo "healthz_p99: $(per_round p99_ms healthz | median) ms"
echo "ofrep_requests_per_second: $(per_round requests_per_second ofrep | median) req/s"
echo "ofrep_p99: $(per_round p99_ms ofrep | median) ms"
echo "ofrep_p99_worst_round: $(per_round p99_ms ofrep | maximum) ms"
echo "ofrep_vs_baseline_ratio: $(ratios | median)"
echo "ofrep_vs_baseline_ratio_per_round: $(ratios | tr '\n' ' ')"
HEALTHZ_CPU="$(cpu_per_round healthz | median)"
OFREP_CPU="$(cpu_per_round ofrep | median)"
echo "healthz_server_cpu_per_request: $HEALTHZ_CPU us"
echo "ofrep_server_cpu_per_request: $OFREP_CPU us"
echo "ofrep_vs_baseline_cpu_ratio: $(awk -v a="$OFREP_CPU" -v b="$HEALTHZ_CPU" 'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }')"

log "change propagation to $STREAMS streams over $CHANGES changes"
timeout 180 python3 "$HERE/loadclient.py" propagation --port "$PORT" --admin-token "$TOKEN" --sdk-key "$SDK_KEY" \
    --flag "$FLAG" --streams "$STREAMS" --changes "$CHANGES" --phase-timeout 150

log "toggle latency over $TOGGLES toggles"
timeout 120 python3 "$HERE/loadclient.py" toggle --port "$PORT" --admin-token "$TOKEN" \
    --flag "$FLAG" --toggles "$TOGGLES" --phase-timeout 100

# Last, because it leaves a ~5 MB cohort in the snapshot.
log "server memory with $STREAMS streams that never read, on a ~5 MB snapshot"
timeout 180 python3 "$HERE/loadclient.py" idle-streams --port "$PORT" --admin-token "$TOKEN" --sdk-key "$SDK_KEY" \
    --flag "$FLAG" --streams "$STREAMS" --server-pid "$SERVER_PID" --phase-timeout 150
