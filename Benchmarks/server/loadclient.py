#!/usr/bin/env python3
"""Load client for Clutch's server benchmarks (stdlib only).

Measures, against a running `clutch serve` on loopback:
  propagation  from the admin API's response (and from its request) to receipt of the
               change on N connected SSE streams (`GET /sdk/v1/stream`), over C changes;
  toggle       round-trip latency of `POST /api/v1/flags/{key}/environments/{env}/on|off`
               (write, commit, snapshot swap), over T toggles.

Figures are printed as `name: value unit` lines. Every wait is bounded, so a server that
stops answering makes this exit non-zero instead of hanging.

The streams are read by one asyncio process on the same 2-core machine as the server, so
the figures include the client's own time to read 1,000 sockets: they are upper bounds.
"""

import argparse
import asyncio
import http.client
import json
import statistics
import sys
import time


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


class Tally:
    """Counts streams that received the current change; wakes the waiter when all did."""

    def __init__(self, expected):
        self.expected = expected
        self.arrivals = []
        self.done = asyncio.Event()

    def reset(self):
        self.arrivals = []
        self.done = asyncio.Event()

    def record(self, now):
        self.arrivals.append(now)
        if len(self.arrivals) >= self.expected:
            self.done.set()


class Stream:
    """One SSE connection; decodes chunked transfer encoding and SSE events."""

    def __init__(self, tally):
        self.tally = tally
        self.reader = None
        self.writer = None
        self.task = None
        self.first = None

    async def open(self, host, port, key):
        self.reader, self.writer = await asyncio.open_connection(host, port)
        self.writer.write(
            f"GET /sdk/v1/stream HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {key}\r\n"
            f"Accept: text/event-stream\r\n\r\n".encode())
        await self.writer.drain()
        status = await self.reader.readline()
        if b" 200" not in status:
            raise RuntimeError(f"stream refused: {status!r}")
        chunked = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            if line.lower().startswith(b"transfer-encoding:") and b"chunked" in line.lower():
                chunked = True
        self.first = asyncio.get_running_loop().create_future()
        self.task = asyncio.create_task(self.pump(chunked))
        await asyncio.wait_for(self.first, 30)

    async def body(self, chunked):
        """Yields body bytes as they arrive."""
        if not chunked:
            while True:
                data = await self.reader.read(65536)
                if not data:
                    return
                yield data
        while True:
            size_line = await self.reader.readline()
            if not size_line:
                return
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
            if size == 0:
                return
            data = await self.reader.readexactly(size)
            await self.reader.readexactly(2)
            yield data

    async def pump(self, chunked):
        buffer = b""
        has_event = False
        async for data in self.body(chunked):
            now = time.perf_counter()
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                line = line.rstrip(b"\r")
                if line == b"":
                    if has_event:
                        self.dispatch(now)
                    has_event = False
                elif not line.startswith(b":"):  # comments are heartbeats
                    has_event = True

    def dispatch(self, now):
        if not self.first.done():
            self.first.set_result(now)  # the initial snapshot
        else:
            self.tally.record(now)

    def close(self):
        if self.task:
            self.task.cancel()
        if self.writer:
            self.writer.close()


async def propagation(args, admin):
    tally = Tally(args.streams)
    streams = [Stream(tally) for _ in range(args.streams)]
    started = time.perf_counter()
    # Open in batches so the server's accept queue is not flooded all at once.
    for i in range(0, len(streams), 100):
        await asyncio.gather(*(s.open(args.host, args.port, args.sdk_key) for s in streams[i:i + 100]))
    print(f"streams_connected: {len(streams)} streams", flush=True)
    print(f"streams_connect_seconds: {time.perf_counter() - started:.2f} s", flush=True)

    loop = asyncio.get_running_loop()
    record = admin.request("GET", f"/api/v1/flags/{args.flag}")
    enabled = record["flag"].get("environments", {}).get(args.environment, {}).get("enabled", False)
    from_response, from_request = [], []
    for n in range(args.changes):
        enabled = not enabled
        path = f"/api/v1/flags/{args.flag}/environments/{args.environment}/{'on' if enabled else 'off'}"
        tally.reset()
        sent = time.perf_counter()
        # The admin call blocks; run it in a thread so the streams keep being read meanwhile.
        await loop.run_in_executor(None, admin.request, "POST", path)
        answered = time.perf_counter()
        try:
            await asyncio.wait_for(tally.done.wait(), args.change_timeout)
        except asyncio.TimeoutError:
            raise RuntimeError(
                f"change {n}: only {len(tally.arrivals)}/{len(streams)} streams received it within {args.change_timeout}s")
        latest = max(tally.arrivals[:len(streams)])
        from_response.append(max(0.0, latest - answered) * 1000)
        from_request.append((latest - sent) * 1000)
        await asyncio.sleep(0.05)
    for s in streams:
        s.close()
    print(f"propagation_changes: {len(from_response)} changes")
    print(f"propagation_p50: {statistics.median(from_response):.2f} ms")
    print(f"propagation_p99: {percentile(from_response, 99):.2f} ms")
    print(f"propagation_from_request_p50: {statistics.median(from_request):.2f} ms")
    print(f"propagation_from_request_p99: {percentile(from_request, 99):.2f} ms", flush=True)


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
    print(f"toggles: {len(latencies)} toggles")
    print(f"toggle_p50: {statistics.median(latencies):.2f} ms")
    print(f"toggle_p99: {percentile(latencies, 99):.2f} ms", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("phase", choices=["propagation", "toggle"])
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
    args = parser.parse_args()
    admin = Admin(args.host, args.port, args.admin_token)
    if args.phase == "propagation":
        asyncio.run(asyncio.wait_for(propagation(args, admin), args.phase_timeout))
    else:
        toggles(args, admin)


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # one line on stderr, non-zero exit
        print(f"loadclient: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
