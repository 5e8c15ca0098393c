#!/usr/bin/env bash
# Scale benchmarks (`make bench`): what a change costs with 100, 1,000 and 10,000 flags in one
# environment (each with targets, an admin rule and a 25 % rollout), and a kill reaching 1,000
# and 10,000 streams. Prints `name: value unit` lines; every phase is time-limited.
#   scale_<N>_toggle_p50/p99         the admin API's answer to on/off of one flag
#   scale_<N>_changes_toggle_p50/p99 the same through `…/changes` (turnOn/turnOff), as the CLI and console send it
#   scale_changes_p50_ratio_<MAX>_over_<MIN>  that p50 at the most flags over the fewest
#   scale_<N>_propagation_p50/p99    from that answer until the last of the streams has the event
#   scale_<N>_server_rss             the server's resident memory with N flags loaded
#   scale_<N>_snapshot_bytes         GET /sdk/v1/flags
#   streams_<S>_kill_p50/p99         a kill until the last of S streams has it
#   import_<N>_dry_run               POST /api/v1/import?dryRun=true of N such flags (curl)
#   import_per_flag_ratio_<N>_over_<M>  time per flag at N over time per flag at M (linear: about 1)
#   cli_import_over_curl             `clutch import` of a ~2 MB document into an empty server, over curl's
#   cli_explain_1000_over_curl       `clutch explain` of 1,000 contexts, over curl's 1,000 requests on one connection
#   client_*, ofrep_refetch_*        BENCH_CLIENT_STREAMS (default 100,000) client streams: `clientstreams.py`
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SIZES="${BENCH_SCALE_SIZES-100 1000 10000}"
STREAM_COUNTS="${BENCH_SCALE_STREAMS-1000 10000}"
TOGGLES="${BENCH_SCALE_TOGGLES:-100}"
IMPORT_SIZES="${BENCH_IMPORT_SIZES-1000 20000}"
read -r -a SWIFT_FLAGS <<<"${BENCH_SWIFT_FLAGS:-}"
log() { echo "# $*" >&2; }

ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 65536 2>/dev/null || true
# BENCH_CLUTCH_BIN runs another build of clutch (a debug one, to try the script).
BIN="${BENCH_CLUTCH_BIN:-$(cd "$ROOT" && swift build -c release "${SWIFT_FLAGS[@]}" --show-bin-path)/clutch}"
[ -x "$BIN" ] || (cd "$ROOT" && swift build -c release "${SWIFT_FLAGS[@]}" --product clutch >&2)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/clutch-scale.XXXXXX")"
SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
trap 'stop_server; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

start_server() { # NAME [LIMIT OPTIONS…]
    local dir="$WORK/$1"
    local limits=("${@:2}")
    [ "${#limits[@]}" -gt 0 ] || limits=(--max-streams-per-key 20000 --max-connections 25000)
    mkdir -p "$dir"
    PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    TOKEN="clutch_admin_bench_$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
    BASE="http://127.0.0.1:$PORT"
    CLUTCH_CONFIG="$dir/config.json" CLUTCH_BOOTSTRAP_TOKEN="$TOKEN" "$BIN" serve --host 127.0.0.1 --port "$PORT" \
        --db "$dir/clutch.db" "${limits[@]}" >"$dir/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do curl -fsS "$BASE/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done
    cat "$dir/server.log" >&2
    echo "server not ready" >&2
    exit 1
}
admin() { # METHOD PATH [BODY-FILE]
    curl -fsS --max-time 120 -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        ${3:+--data-binary "@$3"} "$BASE$2"
}
rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"; }

# N flags `scale-00000`…, each with three targeted customers, an admin rule and a 25 % rollout.
make_document() { # N FILE
    python3 - "$1" "$2" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
flags = [{
    "key": f"scale-{i:05d}", "type": "boolean", "description": f"Scale flag {i}",
    "environments": {"production": {
        "enabled": True,
        "targets": [{"variant": "on", "attribute": "customerId", "values": [f"c{i}", f"c{i + 1}", f"c{i + 2}"]}],
        "rules": [{"clauses": [{"attribute": "role", "operator": "in", "values": ["admin"]}], "serve": {"variant": "on"}}],
        "default": {"rollout": {"bucketBy": "customerId",
                                "weights": [{"variant": "on", "weight": 25000}, {"variant": "off", "weight": 75000}]}}}}}
    for i in range(n)]
json.dump({"flags": flags, "cohorts": {}}, open(path, "w"))
PY
}

declare -A CHANGES_P50=()
for n in $SIZES; do
    log "scale: $n flags"
    start_server "flags-$n"
    make_document "$n" "$WORK/doc-$n.json"
    admin POST /api/v1/import "$WORK/doc-$n.json" >/dev/null
    echo '{"name": "bench"}' >"$WORK/key.json"
    SDK_KEY="$(admin POST /api/v1/environments/production/keys "$WORK/key.json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')"
    echo "scale_${n}_snapshot_bytes: $(curl -fsS -H "Authorization: Bearer $SDK_KEY" "$BASE/sdk/v1/flags" | wc -c) bytes"
    echo "scale_${n}_server_rss: $(rss_mib) MiB"
    toggled="$(timeout 300 python3 "$HERE/loadclient.py" toggle --prefix "scale_${n}_" --port "$PORT" --admin-token "$TOKEN" \
        --flag scale-00000 --toggles "$TOGGLES" --phase-timeout 240)"
    echo "$toggled"
    CHANGES_P50["$n"]="$(awk '/changes_toggle_p50:/ { print $2 }' <<<"$toggled")"
    timeout 300 python3 "$HERE/loadclient.py" propagation --prefix "scale_${n}_" --port "$PORT" --admin-token "$TOKEN" \
        --sdk-key "$SDK_KEY" --flag scale-00001 --streams 100 --changes 20 --phase-timeout 240 \
        | grep -E "propagation_(p50|p99)|streams_connected"
    stop_server
done

# A change costs what it changes: `…/changes` at the most flags over the fewest (goal: at most 1.5).
read -r -a sizes <<<"$SIZES"
if [ "${#sizes[@]}" -ge 2 ] && [ -n "${CHANGES_P50[${sizes[0]}]:-}" ] && [ -n "${CHANGES_P50[${sizes[-1]}]:-}" ]; then
    echo "scale_changes_p50_ratio_${sizes[-1]}_over_${sizes[0]}: $(python3 -c "print(f'{${CHANGES_P50[${sizes[-1]}]} / ${CHANGES_P50[${sizes[0]}]}:.2f}')") x"
fi

for s in $STREAM_COUNTS; do
    if [ "$(ulimit -n)" != "unlimited" ] && [ "$(ulimit -n)" -lt $((s + 500)) ]; then
        log "ulimit -n is $(ulimit -n): skipping $s streams"
        continue
    fi
    log "kill to $s streams"
    start_server "streams-$s"
    make_document 100 "$WORK/doc-streams.json"
    admin POST /api/v1/import "$WORK/doc-streams.json" >/dev/null
    echo '{"name": "bench"}' >"$WORK/key.json"
    SDK_KEY="$(admin POST /api/v1/environments/production/keys "$WORK/key.json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')"
    timeout 400 python3 "$HERE/loadclient.py" propagation --prefix "streams_${s}_kill_" --port "$PORT" --admin-token "$TOKEN" \
        --sdk-key "$SDK_KEY" --flag scale-00000 --kill --streams "$s" --changes 10 --change-timeout 30 --phase-timeout 360 \
        | grep -E "propagation_(p50|p99)|streams_connected" | sed 's/_kill_propagation_/_kill_/'
    echo "streams_${s}_server_rss: $(rss_mib) MiB"
    stop_server
done

# Seconds a command takes (its output discarded).
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    python3 -c "print(f'{$end - $start:.3f}')"
}
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

# Import grows with the flags it holds, not with their square.
if [ -n "$IMPORT_SIZES" ]; then
    start_server "import"
    first=""
    for n in $IMPORT_SIZES; do
        make_document "$n" "$WORK/import-$n.json"
        took="$(seconds curl -fsS --max-time 600 -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
            --data-binary "@$WORK/import-$n.json" "$BASE/api/v1/import?dryRun=true")"
        echo "import_${n}_dry_run: $took s"
        if [ -z "$first" ]; then
            first="$n $took"
        else
            read -r n0 t0 <<<"$first"
            echo "import_per_flag_ratio_${n}_over_${n0}: $(python3 -c "print(f'{($took / $n) / ($t0 / $n0):.2f}')") x"
        fi
    done
    stop_server
fi

# The CLI against curl on the same requests: a ~2 MB import (4,400 flags) into an empty server each,
# and 1,000 explains (the CLI several at a time, curl one after another on one connection).
make_document 4400 "$WORK/import-2mb.json"
start_server "cli-curl"
curl_import="$(seconds admin POST /api/v1/import "$WORK/import-2mb.json")"
stop_server
start_server "cli-import"
cli_import="$(seconds env CLUTCH_URL="$BASE" CLUTCH_TOKEN="$TOKEN" CLUTCH_CONFIG="$WORK/none.json" "$BIN" import "$WORK/import-2mb.json" --json)"
echo "cli_import_2mb_seconds: $cli_import s"
echo "curl_import_2mb_seconds: $curl_import s"
echo "cli_import_over_curl: $(ratio "$cli_import" "$curl_import") x"
python3 - "$WORK" "$BASE" "$TOKEN" <<'PY'
import json, sys
work, base, token = sys.argv[1:4]
contexts = [{"targetingKey": f"u{i}", "customerId": f"c{i % 50}", "role": "admin" if i % 9 == 0 else "member"} for i in range(1000)]
json.dump(contexts, open(f"{work}/contexts.json", "w"))
# One curl, 1,000 transfers on one kept-alive connection: a config file with `next` between them.
with open(f"{work}/curl-explain.cfg", "w") as config:
    for i, context in enumerate(contexts):
        if i:
            config.write("next\n")
        config.write(f'url = "{base}/api/v1/environments/production/explain"\nsilent\nfail\noutput = "/dev/null"\n')
        config.write(f'header = "Authorization: Bearer {token}"\nheader = "Content-Type: application/json"\n')
        config.write("data = " + json.dumps(json.dumps({"flag": "scale-00001", "context": context})) + "\n")
PY
curl_explain="$(seconds curl -K "$WORK/curl-explain.cfg")"
cli_explain="$(seconds env CLUTCH_URL="$BASE" CLUTCH_TOKEN="$TOKEN" CLUTCH_CONFIG="$WORK/none.json" "$BIN" explain scale-00001 --env production --context-json "$(cat "$WORK/contexts.json")" --json)"
echo "cli_explain_1000_seconds: $cli_explain s"
echo "curl_explain_1000_seconds: $curl_explain s"
echo "cli_explain_1000_over_curl: $(ratio "$cli_explain" "$curl_explain") x"
stop_server

# Client streams at scale (issue 28): BENCH_CLIENT_STREAMS (default 100,000; "" skips) client streams, each with
# its own context over source addresses 127.0.0.2-251, then a kill of a flag targeted at half of them; the same
# kill through OFREP's event stream and re-fetches for comparison. The server and the client each hold one
# descriptor per stream: the count is capped by what this shell may open, and the figures name the count that
# ran (`client_streams_connected`).
#   client_stream_rss_per_idle_stream   the server's resident memory per idle client stream
#   client_streams_idle_cpu             the server's CPU with the streams open (heartbeats only), over
#                                       BENCH_CLIENT_IDLE_SECONDS (default 30: two heartbeat intervals)
#   client_streams_kill_p50/p99/all     from the kill's request until a stream has its `changed` event
#   ofrep_refetch_kill_p50/p99/all      the same kill until an OFREP provider has re-fetched its answers
#   client_…_500_flags                  push again with BENCH_CLIENT_MANY_FLAGS (default 500; "" skips) flags
#                                       and at most 5,000 streams: what a stream costs does not grow with flags
CLIENT_STREAMS="${BENCH_CLIENT_STREAMS-100000}"
if [ -n "$CLIENT_STREAMS" ]; then
    limit="$(ulimit -n)"
    if [ "$limit" != "unlimited" ] && [ "$limit" -lt $((CLIENT_STREAMS + 1000)) ]; then
        # The soft limit was raised to the hard one above; only a process with CAP_SYS_RESOURCE
        # (or a higher `ulimit -Hn` given to the shell running `make bench`) can go beyond it.
        log "ulimit -n is $limit (hard limit $(ulimit -Hn)): $CLIENT_STREAMS client streams capped at $((limit - 1000))"
        echo "client_streams_requested: $CLIENT_STREAMS streams"
        echo "client_streams_descriptor_limit: $limit descriptors"
        CLIENT_STREAMS=$((limit - 1000))
    fi
    # push and herd with ten flags and every stream; then push again with 500 flags and at most
    # 5,000 streams (`…_500_flags`): a stream keeps no answers, so an idle one costs what it did.
    MANY_FLAGS="${BENCH_CLIENT_MANY_FLAGS:-500}"
    for run in push herd ${MANY_FLAGS:+many}; do
        mode="$run" flags=10 streams="$CLIENT_STREAMS" label=""
        if [ "$run" = many ]; then
            mode=push flags="$MANY_FLAGS" streams=$((CLIENT_STREAMS < 5000 ? CLIENT_STREAMS : 5000)) label="${MANY_FLAGS}_flags"
        fi
        log "client streams ($run): $streams streams, $flags flags"
        start_server "clients-$run" --max-connections $((streams + 500)) --max-client-streams "$streams" \
            --max-client-streams-per-address "$streams" --max-streams-per-key "$streams"
        # The flags every stream gets, and one targeted at half of them.
        for i in $(seq 0 $((flags - 1))); do
            echo "{\"key\": \"steady-$i\", \"environments\": {\"production\": {\"enabled\": true}}}" >"$WORK/flag.json"
            admin POST /api/v1/flags "$WORK/flag.json" >/dev/null
        done
        echo '{"key": "half-on", "environments": {"production": {"enabled": true, "rules": [{"clauses": [{"attribute": "half", "operator": "in", "values": ["yes"]}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}}}' >"$WORK/flag.json"
        admin POST /api/v1/flags "$WORK/flag.json" >/dev/null
        echo '{"name": "devices", "kind": "client"}' >"$WORK/key.json"
        CLIENT_KEY="$(admin POST /api/v1/environments/production/keys "$WORK/key.json" | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')"
        timeout 1200 python3 "$HERE/clientstreams.py" "$mode" --port "$PORT" --admin-token "$TOKEN" --key "$CLIENT_KEY" \
            --flag half-on --streams "$streams" --server-pid "$SERVER_PID" --label "$label" \
            --idle-seconds "${BENCH_CLIENT_IDLE_SECONDS:-30}" --timeout 600
        stop_server
    done
fi
