"""The soak run behind Benchmarks/soak.sh: peak measurement, the half-peak mixed load, a sample
every 10 s, the bounds, the CSV, the table and the plot.

Usage: python3 Benchmarks/soak.py BIN_DIR MINUTES OUT_DIR
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "EndToEnd"))
from authd_process import Server  # noqa: E402

BIN, MINUTES, OUT = os.path.abspath(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
MIX = "me=80,refresh=15,login=5"
CONNECTIONS = 16
EVERY = 10
# A run shorter than 5 minutes (the 2-minute one in `make test`, on a debug build) uses 64 KiB
# segments and a snapshot every 128 KiB, so it still sees several snapshots and segments removed
# behind them.
SHORT = MINUTES < 5
SEGMENT_BYTES = 64 << 10 if SHORT else 1 << 20
SNAPSHOT_EVERY = 128 << 10 if SHORT else 4 << 20
SETTINGS = {
    "METRICS_ENABLED": "true", "LOG_LEVEL": "warn", "WAL_FSYNC": "always",
    "WAL_SEGMENT_BYTES": str(SEGMENT_BYTES), "SNAPSHOT_EVERY_BYTES": str(SNAPSHOT_EVERY), "SNAPSHOT_KEEP": "2",
    "SESSION_RETENTION": "60s", "SESSION_SWEEP_INTERVAL": "5s", "MAX_SESSIONS_PER_USER": "100",
}
COLUMNS = ["seconds", "rss_mib", "fds", "wal_bytes", "wal_written", "wal_segments", "snapshot_files", "snapshots_taken",
           "users", "active", "expired", "revoked", "compromised", "requests", "p99_ms"]


def metrics(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def value(text, name, labels=None):
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name):
            continue
        match = re.match(r'^([a-z_]+)(\{[^}]*\})?\s+([0-9.e+-]+)$', line)
        if not match or match.group(1) != name:
            continue
        if labels and not all(f'{k}="{v}"' in (match.group(2) or "") for k, v in labels.items()):
            continue
        total += float(match.group(3))
    return total


def buckets(text):
    """Cumulative request-duration buckets summed over routes: {le: count}."""
    out = {}
    for line in text.splitlines():
        match = re.match(r'^authd_http_request_duration_seconds_bucket\{(.*)\}\s+([0-9.e+-]+)$', line)
        if match:
            le = re.search(r'le="([^"]+)"', match.group(1)).group(1)
            bound = float("inf") if le == "+Inf" else float(le)
            out[bound] = out.get(bound, 0.0) + float(match.group(2))
    return out


def p99(now, before):
    """The 99th percentile (ms) of the requests between two bucket readings, interpolated
    linearly inside its bucket as Prometheus's histogram_quantile does."""
    deltas = {le: now.get(le, 0) - before.get(le, 0) for le in now}
    total = deltas.get(float("inf"), 0)
    if total <= 0:
        return 0.0
    rank = 0.99 * total
    lower, below = 0.0, 0.0
    for le in sorted(deltas):
        if deltas[le] >= rank:
            if le == float("inf"):
                return lower * 1000
            inside = deltas[le] - below
            return (lower + (le - lower) * ((rank - below) / inside if inside > 0 else 1)) * 1000
        lower, below = le, deltas[le]
    return lower * 1000


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def wal(data_dir):
    directory = os.path.join(data_dir, "wal")
    names = [n for n in os.listdir(directory) if n.endswith(".wal")] if os.path.isdir(directory) else []
    return sum(os.path.getsize(os.path.join(directory, n)) for n in names), len(names)


def snapshot_files(data_dir):
    found = 0
    for root, _, files in os.walk(data_dir):
        found += sum(1 for f in files if f.endswith(".snap"))
    return found


def bench(port, *args):
    return [os.path.join(BIN, "bench"), "mixed", "--mix", MIX, "--url", f"http://127.0.0.1:{port}", "-c", str(CONNECTIONS),
            "--no-progress", *args]


def check(rows, warmup_seconds, peak, rate, soak_report):
    """The bounds after warm-up; returns the list of broken ones (empty: all hold)."""
    after = [r for r in rows if r["seconds"] >= warmup_seconds]
    problems = []
    if len(after) < 6:
        return [f"only {len(after)} samples after the warm-up"]
    third = max(2, len(after) // 3)
    first, last = after[:third], after[-third:]

    def mean(rs, key):
        return sum(r[key] for r in rs) / len(rs)

    rss_first, rss_last = mean(first, "rss_mib"), mean(last, "rss_mib")
    if rss_last > rss_first * 1.15 + 8:
        problems.append(f"RSS grew from {rss_first:.1f} MiB to {rss_last:.1f} MiB after warm-up (bound: +15% + 8 MiB)")
    fds = [r["fds"] for r in after]
    if max(fds) - min(fds) > 8:
        problems.append(f"open descriptors moved between {min(fds)} and {max(fds)} after warm-up (bound: 8)")
    # SNAPSHOT_KEEP=2: the segments from the older kept snapshot on stay, about two snapshot
    # intervals' worth, plus the one being written. An interval's worth is measured: the bytes
    # written to segments (after lz4) per snapshot taken over the run, in segments, rounded up
    # (SNAPSHOT_EVERY_BYTES counts payload bytes before compression and framing, so it is not
    # SNAPSHOT_EVERY / SEGMENT_BYTES; and a short run takes several snapshots per sample).
    snapshots = rows[-1]["snapshots_taken"] - rows[0]["snapshots_taken"]
    written = rows[-1]["wal_written"] - rows[0]["wal_written"]
    interval = -(-int(written / snapshots) // SEGMENT_BYTES) if snapshots > 0 else SNAPSHOT_EVERY // SEGMENT_BYTES
    bound = 2 * interval + 3
    segments = [r["wal_segments"] for r in after]
    if max(segments) > bound:
        problems.append(f"{max(segments)} WAL segments on disk (bound {bound}, two snapshot intervals of {interval}: "
                        "they are not removed behind snapshots)")
    if max(r["wal_segments"] for r in last) > max(r["wal_segments"] for r in first) + 2:
        problems.append("the WAL segments on disk keep growing after warm-up")
    if rows[-1]["snapshots_taken"] < 2:
        problems.append(f"only {rows[-1]['snapshots_taken']:.0f} snapshots taken")
    # Segments started during the run (from the bytes written) against how many more are on disk:
    # at a low write rate a removal and the next segment's start can fall between the same two
    # samples, so a falling count in the samples is not the only evidence of removal.
    started = int(rows[-1]["wal_written"] // SEGMENT_BYTES) - int(rows[0]["wal_written"] // SEGMENT_BYTES)
    grown = rows[-1]["wal_segments"] - rows[0]["wal_segments"]
    fell = any(b["wal_segments"] < a["wal_segments"] for a, b in zip(rows, rows[1:]))
    if not fell and (started < 2 or grown >= started):
        problems.append(f"no WAL segment was ever removed ({started} segments started, {grown} more on disk)")
    p99_first = sorted(r["p99_ms"] for r in first)[len(first) // 2]
    p99_last = sorted(r["p99_ms"] for r in last)[len(last) // 2]
    if p99_last > 2 * p99_first + 10:
        problems.append(f"p99 rose from {p99_first:.1f} ms to {p99_last:.1f} ms (bound: x2 + 10 ms)")
    run = soak_report["runs"][0]
    errors = sum(run["errors"].values()) + sum(run["unexpectedStatuses"].values())
    if errors > max(10, run["requests"] // 1000):
        problems.append(f"{errors} errors or unexpected statuses in {run['requests']} requests")
    if run["requestsPerSecond"] < 0.9 * rate:
        problems.append(f"the load reached {run['requestsPerSecond']:.0f} req/s of the {rate:.0f} asked")
    return problems


def plot(rows, path, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    minutes = [r["seconds"] / 60 for r in rows]
    figure, axes = plt.subplots(4, 1, figsize=(9, 10), sharex=True)
    axes[0].plot(minutes, [r["rss_mib"] for r in rows], label="RSS (MiB)")
    axes[0].plot(minutes, [r["fds"] for r in rows], label="open descriptors")
    axes[0].legend(loc="upper left")
    axes[1].plot(minutes, [r["wal_bytes"] / (1 << 20) for r in rows], label="WAL on disk (MiB)")
    axes[1].plot(minutes, [r["wal_segments"] for r in rows], label="WAL segments")
    axes[1].plot(minutes, [r["snapshots_taken"] for r in rows], label="snapshots taken")
    axes[1].legend(loc="upper left")
    for key in ("active", "revoked", "compromised", "expired"):
        axes[2].plot(minutes, [r[key] for r in rows], label=f"sessions {key.upper()}")
    axes[2].legend(loc="upper left")
    axes[3].plot(minutes, [r["p99_ms"] for r in rows], label="server p99 per 10 s (ms, interpolated in its bucket)")
    axes[3].legend(loc="upper left")
    axes[3].set_xlabel("minutes")
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def main():
    data_dir = tempfile.mkdtemp(prefix="authd-soak-")
    server = Server(BIN, data_dir=data_dir, env=SETTINGS)
    server.start()
    work = tempfile.mkdtemp(prefix="authd-soak-json-")
    try:
        peak_json = os.path.join(work, "peak.json")
        subprocess.run(bench(server.port, "-d", "20", "--warmup", "5", "--json", peak_json), check=True, timeout=300,
                       stdout=subprocess.DEVNULL)
        peak = json.load(open(peak_json))["runs"][0]["requestsPerSecond"]
        rate = peak / 2
        print(f"peak (closed loop, {CONNECTIONS} connections, {MIX}): {peak:.0f} req/s; soak at {rate:.0f} req/s for {MINUTES:g} min",
              flush=True)
        soak_json = os.path.join(work, "soak.json")
        seconds = int(MINUTES * 60)
        load = subprocess.Popen(bench(server.port, "--rate", str(int(rate)), "-d", str(seconds), "--warmup", "0",
                                      "--json", soak_json), stdout=subprocess.DEVNULL)
        rows = []
        started = time.time()
        previous = buckets(metrics(server.port))
        deadline = started + seconds + 120
        while load.poll() is None and time.time() < deadline:
            time.sleep(EVERY - ((time.time() - started) % EVERY))
            if load.poll() is not None:
                break
            text = metrics(server.port)
            now = buckets(text)
            wal_bytes, wal_segments = wal(data_dir)
            row = {
                "seconds": round(time.time() - started), "rss_mib": round(rss_mib(server.proc.pid), 1),
                "fds": len(os.listdir(f"/proc/{server.proc.pid}/fd")), "wal_bytes": wal_bytes,
                "wal_written": value(text, "authd_wal_bytes_compressed"), "wal_segments": wal_segments,
                "snapshot_files": snapshot_files(data_dir), "snapshots_taken": value(text, "authd_snapshots"),
                "users": value(text, "authd_users"),
                "active": value(text, "authd_sessions", {"status": "ACTIVE"}),
                "expired": value(text, "authd_sessions", {"status": "EXPIRED"}),
                "revoked": value(text, "authd_sessions", {"status": "REVOKED"}),
                "compromised": value(text, "authd_sessions", {"status": "COMPROMISED"}),
                "requests": value(text, "authd_http_requests_total"), "p99_ms": round(p99(now, previous), 1),
            }
            previous = now
            rows.append(row)
            print(" ".join(f"{k}={row[k]}" for k in COLUMNS), flush=True)
        if load.poll() is None:
            load.kill()
            load.wait()
            raise SystemExit("the load generator did not finish in time")
        if load.returncode != 0:
            raise SystemExit(f"bench exited {load.returncode}")
        report = json.load(open(soak_json))
        shutil.copy(soak_json, os.path.join(OUT, "soak-bench.json"))
        run = report["runs"][0]
        with open(os.path.join(OUT, "soak.csv"), "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        warmup = 30 if SHORT else max(60, seconds // 5)
        problems = check(rows, warmup, peak, rate, report)
        title = f"authd soak: {MIX} at {rate:.0f} req/s (half of {peak:.0f}), {MINUTES:g} min"
        plot(rows, os.path.join(OUT, "soak.png"), title)
        lines = [
            title,
            f"client: {run['requests']} requests, {run['requestsPerSecond']:.0f} req/s, p50 {run['latency']['p50Ms']:.2f} ms, "
            f"p99 {run['latency']['p99Ms']:.2f} ms, p99.9 {run['latency']['p999Ms']:.2f} ms, max {run['latency']['maxMs']:.1f} ms, "
            f"errors {sum(run['errors'].values())}, unexpected statuses {sum(run['unexpectedStatuses'].values())}",
            f"warm-up excluded from the bounds: first {warmup} s",
            "",
            "| min | RSS MiB | fds | WAL MiB | segments | snapshots | users | ACTIVE | REVOKED | COMPROMISED | p99 ms (server, 10 s) |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in rows[::6] + ([rows[-1]] if (len(rows) - 1) % 6 else []):
            lines.append(f"| {r['seconds'] / 60:.1f} | {r['rss_mib']:.1f} | {r['fds']} | {r['wal_bytes'] / (1 << 20):.1f} | "
                         f"{r['wal_segments']} | {r['snapshots_taken']:.0f} | {r['users']:.0f} | {r['active']:.0f} | "
                         f"{r['revoked']:.0f} | {r['compromised']:.0f} | {r['p99_ms']:g} |")
        lines.append("")
        lines.append("bounds: " + ("all hold" if not problems else "BROKEN: " + "; ".join(problems)))
        with open(os.path.join(OUT, "soak.txt"), "w") as f:
            f.write("\n".join(lines) + "\n")
        print("\n".join(lines), flush=True)
        return 1 if problems else 0
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
