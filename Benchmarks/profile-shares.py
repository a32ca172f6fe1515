#!/usr/bin/env python3
"""Shares of a server profile by layer: where each sample's time went, counted once.

Reads a `perf record -g` profile (Benchmarks/profile-server.sh) and gives each sample to the
innermost frame on its stack that belongs to one of the layers below (tried in this order per
frame), so a `swift_retain` called from the JSON writer counts for the JSON writer. Samples
whose stack has none of them are "other".

Usage: python3 Benchmarks/profile-shares.py OUT.perf
"""
import collections
import re
import subprocess
import sys

LAYERS = [
    ("metrics", r"ServerMetrics|Prometheus|CoreMetrics|CatalogMetrics|Histogram"),
    ("correlation ids", r"CorrelationID"),
    ("router", r"Router"),
    ("logging", r"Logging|Logger|JSONLogHandler"),
    ("JSON (writer, reader, answers)", r"JSONWriter|JSONSink|AuthJSON|4JSON"),
    ("engine", r"6Engine"),
    ("deadline handler", r"RequestDeadlineHandler"),
    ("response serializer", r"ResponseSerializer"),
    ("NIO request decoder", r"HTTPDecoder|HTTPRequestDecoder|llhttp|ByteToMessage"),
    ("request processor", r"RequestProcessor"),
    ("authd's HTTP handler", r"HTTPServerHandler"),
    ("socket write and flush", r"flushNow|PendingWrites|writev|BaseStreamSocketChannel.*write|flush0"),
    ("socket read", r"readFromSocket|readable0|BaseStreamSocketChannel.*read"),
    ("NIO pipeline and loop tasks", r"runTasks|_run|SelectableEventLoop.*execute|EventLoopFuture|Promise"),
    ("epoll", r"epoll|whenReady|Selector"),
]


def stacks(path):
    out = subprocess.run(["perf", "script", "-i", path, "-F", "ip,sym"], capture_output=True, text=True, check=True).stdout
    stack = []
    for line in out.split("\n"):
        line = line.strip()
        if not line:
            if stack:
                yield stack
            stack = []
            continue
        parts = line.split(None, 1)
        stack.append(parts[1] if len(parts) > 1 else parts[0])
    if stack:
        yield stack


def main():
    patterns = [(name, re.compile(pattern)) for name, pattern in LAYERS]
    counts = collections.Counter()
    total = 0
    for stack in stacks(sys.argv[1]):
        total += 1
        layer = next((name for frame in stack for name, pattern in patterns if pattern.search(frame)), "other")
        counts[layer] += 1
    for name, count in counts.most_common():
        print(f"{100 * count / max(1, total):5.1f}% {name}")
    print(f"({total} samples)")


if __name__ == "__main__":
    main()
