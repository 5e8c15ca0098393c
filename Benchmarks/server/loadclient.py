#!/usr/bin/env python3
"""Load client for Clutch's server benchmarks (stdlib only).

Measures, against a running `clutch serve` on loopback:
  propagation  from the admin API's response (and from its request) to receipt of the
               change on N connected SSE streams (`GET /sdk/v1/stream`), over C changes;
  toggle       round-trip latency of `POST /api/v1/flags/{key}/environments/{env}/on|off`
               (write, commit, snapshot swap), over T toggles.
  idle-streams the server's resident memory with N streams that never read, on a snapshot of
               about 5 MB (a large cohort), and after they are closed.

Figures are printed as `name: value unit` lines. Every wait is bounded, so a server that
stops answering makes this exit non-zero instead of hanging.

The streams are read by one epoll loop on the same 2-core machine as the server, so the
figures include the client's own time to read 1,000 sockets: they are upper bounds.
`propagation_p50/p99` is, per change, the time until the last of the streams has it;
`propagation_delivery_*` is over every (change, stream) delivery.
"""

import argparse
import http.client
import json
import selectors
import signal
import socket
import statistics
import sys
import threading
import time


PREFIX = ""


def emit(line):
    """Prints one `name: value unit` line, the name prefixed with --prefix."""
    print(PREFIX + line, flush=True)


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


class Admin:
    """A keep-alive connection to the admin API."""

    def __init__(self, host, port, token):
        self.conn = http.client.HTTPConnection(host, port, timeout=10)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        self.conn.request(method, path, body=data, headers=self.headers)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status}: {payload[:300]!r}")
        return json.loads(payload) if payload else None


class Streams:
    """N SSE connections read with one epoll loop (no per-event Python objects, so the client's
    own delay stays small next to what it measures). An event is counted when its `event:` line
    arrives; heartbeats are comments and never match."""

    MARKER = b"event: "

    def __init__(self, host, port, key, count):
        self.selector = selectors.EpollSelector()
        self.sockets = []
        self.counts = {}
        self.tails = {}
        self.arrival = {}  # fd -> perf_counter() of the latest event
        request = (f"GET /sdk/v1/stream HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {key}\r\n"
                   f"Accept: text/event-stream\r\n\r\n").encode()
        for _ in range(count):
            sock = socket.create_connection((host, port), timeout=10)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.sendall(request)
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ)
            self.sockets.append(sock)
            self.counts[sock.fileno()] = 0
            self.tails[sock.fileno()] = b""

    def pump(self, timeout):
        """Reads whatever arrived within `timeout` seconds."""
        for key, _ in self.selector.select(timeout):
            sock = key.fileobj
            now = time.perf_counter()
            try:
                data = sock.recv(262144)
            except BlockingIOError:
                continue
            if not data:
                raise RuntimeError("a stream was closed by the server")
            fd = sock.fileno()
            if fd == -1:
                continue
            if self.counts[fd] == 0 and b" 200" not in data.split(b"\r\n", 1)[0] and self.tails[fd] == b"":
                raise RuntimeError(f"stream refused: {data[:80]!r}")
            joined = self.tails[fd] + data
            found = joined.count(self.MARKER)
            if found:
                self.counts[fd] += found
                self.arrival[fd] = now
            self.tails[fd] = joined[-(len(self.MARKER) - 1):]

    def drain(self, quiet, deadline):
        """Reads until nothing has arrived for `quiet` seconds (or the deadline passes)."""
        last = time.perf_counter()
        while time.perf_counter() < deadline and time.perf_counter() - last < quiet:
            before = dict(self.tails)
            self.pump(0.05)
            if self.tails != before:
                last = time.perf_counter()

    def wait_all(self, events, deadline):
        """Pumps until every stream has received `events` events; False at the deadline."""
        while time.perf_counter() < deadline:
            if all(n >= events for n in self.counts.values()):
                return True
            self.pump(0.01)
        return all(n >= events for n in self.counts.values())

    def close(self):
        for sock in self.sockets:
            self.selector.unregister(sock)
            sock.close()
        self.selector.close()


def propagation(args, admin):
    started = time.perf_counter()
    streams = Streams(args.host, args.port, args.sdk_key, args.streams)
    try:
        if not streams.wait_all(1, time.perf_counter() + 60):
            raise RuntimeError("not every stream received its first snapshot within 60 s")
        emit(f"streams_connected: {len(streams.sockets)} streams")
        emit(f"streams_connect_seconds: {time.perf_counter() - started:.2f} s")
        # A large snapshot is still arriving after its `event:` line: read it all before the
        # first change, so that no change is timed behind a backlog of snapshot bytes.
        streams.drain(quiet=0.5, deadline=time.perf_counter() + 120)

        record = admin.request("GET", f"/api/v1/flags/{args.flag}")
        enabled = record["flag"].get("environments", {}).get(args.environment, {}).get("enabled", False)
        last_stream, deliveries, from_request = [], [], []
        for n in range(args.changes):
            enabled = not enabled
            path = f"/api/v1/flags/{args.flag}/environments/{args.environment}/{'on' if enabled else 'off'}"
            if args.kill and not enabled:
                path = f"/api/v1/flags/{args.flag}/kill"  # off everywhere, as on-call would
            result = {}

            def call():
                result["sent"] = time.perf_counter()
                try:
                    admin.request("POST", path)
                except Exception as error:  # reported below
                    result["error"] = error
                result["answered"] = time.perf_counter()

            # The admin call runs in a thread so the streams are read while it is in flight.
            worker = threading.Thread(target=call)
            worker.start()
            ok = streams.wait_all(n + 2, time.perf_counter() + args.change_timeout)
            worker.join(args.change_timeout)
            if "error" in result:
                raise result["error"]
            if not ok or "answered" not in result:
                got = sum(1 for c in streams.counts.values() if c >= n + 2)
                raise RuntimeError(f"change {n}: {got}/{len(streams.sockets)} streams received it within {args.change_timeout}s")
            answered, sent = result["answered"], result["sent"]
            arrivals = list(streams.arrival.values())
            last_stream.append(max(0.0, max(arrivals) - answered) * 1000)
            from_request.append((max(arrivals) - sent) * 1000)
            deliveries.extend(max(0.0, t - answered) * 1000 for t in arrivals)
            end = time.perf_counter() + 0.05
            while time.perf_counter() < end:
                streams.pump(0.01)
    finally:
        streams.close()
    emit(f"propagation_changes: {len(last_stream)} changes")
    emit(f"propagation_p50: {statistics.median(last_stream):.2f} ms")
    emit(f"propagation_p99: {percentile(last_stream, 99):.2f} ms")
    emit(f"propagation_delivery_p50: {statistics.median(deliveries):.2f} ms")
    emit(f"propagation_delivery_p99: {percentile(deliveries, 99):.2f} ms")
    emit(f"propagation_from_request_p50: {statistics.median(from_request):.2f} ms")
    emit(f"propagation_from_request_p99: {percentile(from_request, 99):.2f} ms")


def toggles(args, admin):
    latencies = []
    record = admin.request("GET", f"/api/v1/flags/{args.flag}")
    enabled = record["flag"].get("environments", {}).get(args.environment, {}).get("enabled", False)
    deadline = time.perf_counter() + args.phase_timeout
    for _ in range(args.toggles):
        enabled = not enabled
        started = time.perf_counter()
        admin.request("POST", f"/api/v1/flags/{args.flag}/environments/{args.environment}/{'on' if enabled else 'off'}")
        latencies.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline:
            break
    emit(f"toggles: {len(latencies)} toggles")
    emit(f"toggle_p50: {statistics.median(latencies):.2f} ms")
    emit(f"toggle_p99: {percentile(latencies, 99):.2f} ms")
    # The same toggles as the CLI and the console send them: instructions to `…/changes`.
    latencies = []
    deadline = time.perf_counter() + args.phase_timeout
    for _ in range(args.toggles):
        enabled = not enabled
        started = time.perf_counter()
        admin.request("POST", f"/api/v1/flags/{args.flag}/environments/{args.environment}/changes",
                      {"instructions": [{"kind": "turnOn" if enabled else "turnOff"}]})
        latencies.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline:
            break
    emit(f"changes_toggle_p50: {statistics.median(latencies):.2f} ms")
    emit(f"changes_toggle_p99: {percentile(latencies, 99):.2f} ms")


def resident_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def idle_streams(args, admin):
    """Adds a cohort until the snapshot is ~5 MB, then opens N streams that never read."""
    chunk, members, created = 40000, 0, False
    while True:
        names = [f"bench-customer-{i:07d}" for i in range(members, members + chunk)]
        if not created:
            admin.request("POST", f"/api/v1/environments/{args.environment}/cohorts", {"key": "bench-everyone", "members": names})
            created = True
        else:
            admin.request("POST", f"/api/v1/environments/{args.environment}/cohorts/bench-everyone/members", {"add": names})
        members += chunk
        if members * 25 >= 5_000_000:
            break
    sdk = http.client.HTTPConnection(args.host, args.port, timeout=30)
    sdk.request("GET", "/sdk/v1/flags", headers={"Authorization": f"Bearer {args.sdk_key}"})
    snapshot = sdk.getresponse().read()
    print(f"idle_streams_snapshot_bytes: {len(snapshot)} bytes")
    time.sleep(1)
    before = resident_mib(args.server_pid)
    request = (f"GET /sdk/v1/stream HTTP/1.1\r\nHost: {args.host}:{args.port}\r\nAuthorization: Bearer {args.sdk_key}\r\n"
               f"Accept: text/event-stream\r\n\r\n").encode()
    sockets = []
    for _ in range(args.streams):
        sock = socket.create_connection((args.host, args.port), timeout=10)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(request)
        sockets.append(sock)
    time.sleep(5)
    with_streams = resident_mib(args.server_pid)
    health = http.client.HTTPConnection(args.host, args.port, timeout=10)
    started = time.perf_counter()
    health.request("GET", "/healthz")
    health.getresponse().read()
    health_ms = (time.perf_counter() - started) * 1000
    for sock in sockets:
        sock.close()
    time.sleep(3)
    after = resident_mib(args.server_pid)
    print(f"idle_streams_count: {args.streams} streams")
    print(f"idle_streams_rss_before: {before:.1f} MiB")
    print(f"idle_streams_rss_with_streams: {with_streams:.1f} MiB")
    print(f"idle_streams_rss_per_stream: {(with_streams - before) * 1024 / max(1, args.streams):.1f} KiB")
    print(f"idle_streams_rss_after_close: {after:.1f} MiB")
    print(f"idle_streams_healthz_latency: {health_ms:.2f} ms", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phase", choices=["propagation", "toggle", "idle-streams"])
    parser.add_argument("--server-pid", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--admin-token", required=True)
    parser.add_argument("--sdk-key", default="")
    parser.add_argument("--flag", required=True)
    parser.add_argument("--environment", default="production")
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--toggles", type=int, default=200)
    parser.add_argument("--change-timeout", type=float, default=10.0)
    parser.add_argument("--phase-timeout", type=float, default=60.0)
    parser.add_argument("--prefix", default="", help="prefix for every figure's name")
    parser.add_argument("--kill", action="store_true", help="propagation: turn the flag off with the kill switch")
    args = parser.parse_args()
    global PREFIX
    PREFIX = args.prefix
    admin = Admin(args.host, args.port, args.admin_token)
    # The whole phase is bounded: SIGALRM ends it with an error instead of a hang.
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError(f"phase exceeded {args.phase_timeout:.0f} s")))
    signal.alarm(max(1, int(args.phase_timeout)))
    if args.phase == "propagation":
        propagation(args, admin)
    elif args.phase == "idle-streams":
        idle_streams(args, admin)
    else:
        toggles(args, admin)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # one line on stderr, non-zero exit
        print(f"loadclient: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
