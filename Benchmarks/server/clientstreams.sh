#!/usr/bin/env bash
# Client streams at scale (`make bench`, issue 28): BENCH_CLIENT_STREAMS (default 100,000) client streams
# against one server, each with its own context over source addresses 127.0.0.2-251, then a kill of a flag
# targeted at half of them; the same kill through OFREP's event stream and re-fetches for comparison.
#   client_stream_rss_per_idle_stream   the server's resident memory per idle client stream
#   client_streams_idle_cpu             the server's CPU with the streams open (heartbeats only)
#   client_streams_kill_p50/p99/all     from the kill's request until a stream has its `changed` event
#   ofrep_refetch_kill_p50/p99/all      the same kill until an OFREP provider has re-fetched its answers
# The count is capped by the descriptors this shell may open (the server and the client each hold one per
# stream); the figures name the count that ran (`client_streams_connected`).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STREAMS="${BENCH_CLIENT_STREAMS:-100000}"
IDLE_SECONDS="${BENCH_CLIENT_IDLE_SECONDS:-10}"
log() { echo "# $*" >&2; }

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
limit="$(ulimit -n)"
if [ "$limit" != "unlimited" ] && [ "$limit" -lt $((STREAMS + 1000)) ]; then
    log "ulimit -n is $limit: $STREAMS client streams capped at $((limit - 1000))"
    STREAMS=$((limit - 1000))
fi
BIN="${BENCH_CLUTCH_BIN:-$(cd "$ROOT" && swift build -c release --show-bin-path)/clutch}"
[ -x "$BIN" ] || (cd "$ROOT" && swift build -c release --product clutch >&2)

WORK="$(mktemp -d "${TMPDIR:-/tmp}/clutch-clientstreams.XXXXXX")"
SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
trap 'stop_server; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

start_server() { # NAME
    local dir="$WORK/$1"
    mkdir -p "$dir"
    PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    TOKEN="clutch_admin_bench_$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
    BASE="http://127.0.0.1:$PORT"
    CLUTCH_CONFIG="$dir/config.json" CLUTCH_BOOTSTRAP_TOKEN="$TOKEN" "$BIN" serve --host 127.0.0.1 --port "$PORT" \
        --db "$dir/clutch.db" --max-connections $((STREAMS + 500)) --max-client-streams "$STREAMS" \
        --max-client-streams-per-address "$STREAMS" --max-streams-per-key "$STREAMS" >"$dir/server.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 100); do curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fsS "$BASE/readyz" >/dev/null || { cat "$dir/server.log" >&2; echo "server not ready" >&2; exit 1; }
    admin() { curl -fsS --max-time 60 -X "$1" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' ${3:+--data "$3"} "$BASE$2"; }
    # Ten flags every stream gets, and the one targeted at half of them.
    for i in $(seq 0 9); do
        admin POST /api/v1/flags "{\"key\": \"steady-$i\", \"environments\": {\"production\": {\"enabled\": true}}}" >/dev/null
    done
    admin POST /api/v1/flags '{"key": "half-on", "environments": {"production": {"enabled": true, "rules": [{"clauses": [{"attribute": "half", "operator": "in", "values": ["yes"]}], "serve": {"variant": "on"}}], "default": {"variant": "off"}}}}' >/dev/null
    KEY="$(admin POST /api/v1/environments/production/keys '{"name": "devices", "kind": "client"}' | python3 -c 'import json, sys; print(json.load(sys.stdin)["key"])')"
}

run() { # MODE
    timeout 1200 python3 "$HERE/clientstreams.py" "$1" --port "$PORT" --admin-token "$TOKEN" --key "$KEY" --flag half-on \
        --streams "$STREAMS" --server-pid "$SERVER_PID" --idle-seconds "$IDLE_SECONDS" --timeout 600
}

log "client streams: $STREAMS"
start_server push
run push
stop_server
log "OFREP event streams and re-fetches: $STREAMS"
start_server herd
run herd
stop_server
