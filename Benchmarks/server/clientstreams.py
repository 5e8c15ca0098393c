#!/usr/bin/env python3
"""Client streams at scale (issue 28), stdlib only: `scale.sh` runs it against a `clutch serve`.

  push   opens N client streams (`POST /sdk/v1/client/stream`), each with its own context, spread over
         the source addresses 127.0.0.2-127.0.0.251 (for enough source ports), waits for every `values`
         event, measures the server's resident memory and CPU while they sit idle (heartbeats only),
         then kills a flag targeted at half of them and measures, per stream, the time from the kill's
         request until its `changed` event has arrived.
  herd   the same kill through OFREP's event stream: N `GET /ofrep/v1/events` streams, and each one
         that hears `refetchEvaluation` re-fetches its bulk evaluation (`POST /ofrep/v1/evaluate/flags`)
         over a pool of keep-alive connections; the time until each has its new answer.

Figures are `name: value unit` lines. Every wait is bounded. The streams are read by one epoll loop on
the same 2-core machine as the server, so the latencies include the client's own time: upper bounds.
"""

import argparse
import http.client
import json
import os
import selectors
import socket
import sys
import threading
import time

from loadclient import Streams, percentile


# `--label L` names every figure `<name>_L` (a second run with other settings, e.g. more flags).
LABEL = ""


def emit(line):
    name, rest = line.split(":", 1)
    print(f"{name}{LABEL}:{rest}", flush=True)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def admin(args, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
    conn.request(method, path, body=None if body is None else json.dumps(body).encode(),
                 headers={"Authorization": f"Bearer {args.admin_token}", "Content-Type": "application/json"})
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    if response.status >= 300:
        raise RuntimeError(f"{method} {path} -> {response.status}: {payload[:200]!r}")
    return payload


def context(i):
    """Each stream's own person; the even ones are in the targeted half."""
    return {"targetingKey": f"person-{i}", "half": "yes" if i % 2 == 0 else "no"}


class StreamSet(Streams):
    """N SSE connections on one epoll loop, each with its own request and source address; counts
    `args.marker` per connection (loadclient's `Streams` waits and closes)."""

    def __init__(self, args, requests):
        self.selector = selectors.EpollSelector()
        self.sockets = []
        self.socks = {}
        self.counts = {}
        self.tails = {}
        self.arrival = {}
        self.marker = args.marker.encode()
        for index, request in enumerate(requests):
            source = f"127.0.0.{2 + index % 250}"
            sock = socket.create_connection(("127.0.0.1", args.port), timeout=30, source_address=(source, 0))
            sock.sendall(request)
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ, index)
            self.socks[index] = sock
            self.sockets.append(sock)
            self.counts[index] = 0
            self.tails[index] = b""
            if index % 1000 == 999:
                self.pump(0)

    def pump(self, timeout):
        ready = []
        for key, _ in self.selector.select(timeout):
            index = key.data
            try:
                data = key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                raise RuntimeError(f"stream {index} was closed by the server")
            if self.counts[index] == 0 and self.tails[index] == b"" and not data.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"stream {index} refused: {data[:120]!r}")
            joined = self.tails[index] + data
            found = joined.count(self.marker)
            if found:
                self.counts[index] += found
                self.arrival[index] = time.perf_counter()
                ready.append(index)
            self.tails[index] = joined[-(len(self.marker) - 1):]
        return ready


def kill_later(args, started):
    """Kills the flag in a thread, so the streams are read while the request is in flight."""
    def call():
        started.append(time.perf_counter())
        admin(args, "POST", f"/api/v1/flags/{args.flag}/kill", {"environments": ["production"]})
    thread = threading.Thread(target=call)
    thread.start()
    return thread


def push(args):
    requests = []
    for i in range(args.streams):
        body = json.dumps({"context": context(i)}).encode()
        requests.append((f"POST /sdk/v1/client/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {args.key}\r\n"
                         f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
    before = rss_kib(args.server_pid)
    opened = time.perf_counter()
    args.marker = "event: "
    streams = StreamSet(args, requests)
    if not streams.wait_all(1, time.perf_counter() + args.timeout):
        got = sum(1 for n in streams.counts.values() if n >= 1)
        raise RuntimeError(f"only {got}/{args.streams} client streams got their values")
    emit(f"client_streams_connected: {args.streams} streams")
    emit(f"client_streams_connect_seconds: {time.perf_counter() - opened:.2f} s")
    time.sleep(2)
    with_streams = rss_kib(args.server_pid)
    emit(f"client_stream_rss_per_idle_stream: {(with_streams - before) / args.streams:.2f} KiB")
    emit(f"client_streams_server_rss: {with_streams / 1024:.1f} MiB")
    cpu_before, wall_before = cpu_seconds(args.server_pid), time.perf_counter()
    deadline = wall_before + args.idle_seconds
    while time.perf_counter() < deadline:
        streams.pump(0.2)
    cpu = (cpu_seconds(args.server_pid) - cpu_before) / (time.perf_counter() - wall_before)
    emit(f"client_streams_idle_cpu: {cpu * 100:.1f} % of one core")
    started = []
    thread = kill_later(args, started)
    if not streams.wait_all(2, time.perf_counter() + args.timeout):
        got = sum(1 for n in streams.counts.values() if n >= 2)
        raise RuntimeError(f"only {got}/{args.streams} client streams got the kill")
    thread.join()
    latencies = [(streams.arrival[i] - started[0]) * 1000 for i in streams.socks]
    emit(f"client_streams_kill_p50: {percentile(latencies, 50):.1f} ms")
    emit(f"client_streams_kill_p99: {percentile(latencies, 99):.1f} ms")
    emit(f"client_streams_kill_all: {max(latencies):.1f} ms")
    streams.close()


class Refetcher:
    """Keep-alive connections that re-fetch bulk evaluations for the streams that heard a change."""

    def __init__(self, args, count):
        self.args = args
        self.selector = selectors.EpollSelector()
        self.idle = []
        self.pending = []
        self.buffers = {}
        self.busy = {}
        self.done = {}
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", args.port), timeout=30)
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ)
            self.buffers[sock] = b""
            self.idle.append(sock)

    def want(self, index):
        self.pending.append(index)

    def start(self):
        while self.idle and self.pending:
            sock, index = self.idle.pop(), self.pending.pop()
            body = json.dumps({"context": context(index)}).encode()
            sock.sendall((f"POST /ofrep/v1/evaluate/flags HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {self.args.key}\r\n"
                          f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
            self.busy[sock] = index

    def pump(self, timeout):
        self.start()
        for key, _ in self.selector.select(timeout):
            sock = key.fileobj
            try:
                data = sock.recv(1 << 20)
            except BlockingIOError:
                continue
            if not data:
                raise RuntimeError("a re-fetch connection was closed")
            buffer = self.buffers[sock] + data
            head_end = buffer.find(b"\r\n\r\n")
            if head_end < 0:
                self.buffers[sock] = buffer
                continue
            length = 0
            for line in buffer[:head_end].split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if len(buffer) < head_end + 4 + length:
                self.buffers[sock] = buffer
                continue
            if not buffer.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"re-fetch refused: {buffer[:120]!r}")
            self.buffers[sock] = buffer[head_end + 4 + length:]
            self.done[self.busy.pop(sock)] = time.perf_counter()
            self.idle.append(sock)
        self.start()


def herd(args):
    request = (f"GET /ofrep/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {args.key}\r\n"
               f"Accept: text/event-stream\r\n\r\n").encode()
    args.marker = "refetchEvaluation"
    streams = StreamSet(args, [request] * args.streams)
    if not streams.wait_all(1, time.perf_counter() + args.timeout):
        raise RuntimeError("not every OFREP event stream got its first message")
    refetch = Refetcher(args, args.refetch_connections)
    started = []
    thread = kill_later(args, started)
    deadline = time.perf_counter() + args.timeout
    while len(refetch.done) < args.streams and time.perf_counter() < deadline:
        for index in streams.pump(0.002):
            if streams.counts[index] >= 2:
                refetch.want(index)
        refetch.pump(0.002)
    thread.join()
    if len(refetch.done) < args.streams:
        raise RuntimeError(f"only {len(refetch.done)}/{args.streams} providers re-fetched in time")
    latencies = [(at - started[0]) * 1000 for at in refetch.done.values()]
    emit(f"ofrep_refetch_kill_p50: {percentile(latencies, 50):.1f} ms")
    emit(f"ofrep_refetch_kill_p99: {percentile(latencies, 99):.1f} ms")
    emit(f"ofrep_refetch_kill_all: {max(latencies):.1f} ms")
    streams.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["push", "herd"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--admin-token", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--flag", required=True)
    parser.add_argument("--streams", type=int, required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--refetch-connections", type=int, default=64)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    global LABEL
    LABEL = f"_{args.label}" if args.label else ""
    push(args) if args.mode == "push" else herd(args)


if __name__ == "__main__":
    try:
        main()
    except RuntimeError as error:
        print(f"clientstreams: {error}", file=sys.stderr)
        sys.exit(1)
