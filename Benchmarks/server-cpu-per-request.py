#!/usr/bin/env python3
"""Server CPU per request of two authd binaries, alternating: a figure that a shared, noisy
machine moves far less than throughput. Each run starts `authd serve` (WAL_FSYNC=always, no
limits), drives it with `bench SCENARIO -t1 -c64 -d6`, and divides the server's CPU time
(utime + stime from /proc/PID/stat) by the requests it answered.

Usage: python3 Benchmarks/server-cpu-per-request.py SCENARIO ROUNDS BEFORE AFTER   (two authd binaries)
"""
import json, os, subprocess, sys, tempfile, time, socket, urllib.request, shutil
BENCH="/work/main/.build/release/bench"
def free_port():
    s=socket.socket(); s.bind(("127.0.0.1",0)); p=s.getsockname()[1]; s.close(); return p
def cpu(pid):
    f=open(f"/proc/{pid}/stat").read().split(")")[1].split()
    return (int(f[11])+int(f[12]))/os.sysconf("SC_CLK_TCK")
def run(binary, scenario):
    d=tempfile.mkdtemp(); port=free_port()
    env=dict(os.environ, HOST="127.0.0.1", PORT=str(port), DATA_DIR=d+"/data", RATE_LIMIT_MAX_REQUESTS="0", LOGIN_MAX_ATTEMPTS="0", LOG_LEVEL="warning", WAL_FSYNC="always")
    p=subprocess.Popen([binary,"serve"],env=env,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/ready",timeout=1); break
        except OSError: time.sleep(0.05)
    # warm: bench does its own setup + warmup; measure CPU over the whole bench run incl. setup, subtract nothing
    c0=cpu(p.pid)
    subprocess.run([BENCH,scenario,"--url",f"http://127.0.0.1:{port}","-t","1","-c","64","-d","6","--warmup","1","--no-progress","--json",d+"/r.json"],capture_output=True,check=True)
    c1=cpu(p.pid)
    r=json.load(open(d+"/r.json"))["runs"][0]
    p.terminate(); p.wait(10); shutil.rmtree(d,ignore_errors=True)
    total=r["requests"]*(7/6)+r.get("setupRequests",0)
    return r["requestsPerSecond"], 1e6*(c1-c0)/total
scenario=sys.argv[1] if len(sys.argv)>1 else "refresh"
binaries={"before":sys.argv[3],"after":sys.argv[4]}
res={"before":[],"after":[]}
for i in range(int(sys.argv[2]) if len(sys.argv)>2 else 3):
    for b in ("before","after"):
        rps,us=run(binaries[b],scenario); res[b].append((rps,us)); print(b, round(rps), f"{us:.1f} us CPU/request", flush=True)
for b in res:
    xs=sorted(x[1] for x in res[b]); print(b,"median CPU/request",f"{xs[len(xs)//2]:.1f} us", "median rps", sorted(x[0] for x in res[b])[len(xs)//2])
