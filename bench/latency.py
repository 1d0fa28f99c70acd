"""Benchmark: does launchtui measure p95 the way an established load tool does?

On the planted lab's perf.test, the same route is measured by wrk (Debian `wrk`) and by
launchtui's own perf.latency check, at the same request count and the same average
rate: wrk runs first for a fixed time with a few connections (closed loop), and its
request count and rate become launchtui's plan (open loop). Both p95s are printed with
their ratio; the target is launchtui within 5 % of wrk.

Then launchtui's client overhead: the zero-delay route is requested N times one after
another on one connection by wrk and by launchtui's timed client (the exact code the
check uses), and the medians are compared (target: under 1 ms per request). The client
CPU time per request is printed too.

    .venv/bin/python bench/latency.py [--seconds 10] [--connections 4] [--requests 2000]

Needs root (ports 53/80/443 on 127.x addresses), the lab's packages and wrk
(`apt-get install -y wrk`). It uses the first free block from 127.230.0.0/16 up, only
loopback addresses, and takes about 50 s. Exit code 1 when a target is missed.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/secrets.py (named for what it measures) would shadow the standard library's
# `secrets` for scripts run from this folder: take the folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

from launchtui.checks import all_checks
from launchtui.context import context_for_domain
from launchtui.domains import parse_domain
from launchtui.engine import run_checks
from launchtui.lab import Lab, LabBlockInUse
from launchtui.lab.planted import build_planted_world
from launchtui.lab.planted_perf import PERF_DOMAIN
from launchtui.loadgen import ProbeLimits
from launchtui.net.timing import TimedClient, prepare
from launchtui.resolver import Resolver, parse_nameserver
from launchtui.runbook import default_profile_id, load_profiles
from launchtui.targets import Route

FIRST_BLOCK = 230
P95_TARGET = 0.05  # launchtui's p95 within 5 % of wrk's
OVERHEAD_TARGET_MS = 1.0

# wrk's Lua hooks: stop after WRK_LIMIT answers (when set) and print the percentiles
# (wrk keeps latencies in microseconds). `--latency` alone prints 50/75/90/99, no 95.
WRK_SCRIPT = """
local limit = tonumber(os.getenv("WRK_LIMIT") or "0")
local count = 0
response = function(status, headers, body)
  count = count + 1
  if limit > 0 and count >= limit then wrk.thread:stop() end
end
done = function(summary, latency, requests)
  io.write(string.format("WRK_RESULT %d %d %d %d %d %d\\n", summary.requests,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout))
end
"""


@dataclass(frozen=True)
class Percentiles:
    requests: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


def start_lab() -> Lab:
    for block in range(FIRST_BLOCK, 250):
        try:
            return Lab(build_planted_world, block=block).start()
        except LabBlockInUse:
            continue
    raise SystemExit(f"no free lab block from 127.{FIRST_BLOCK}.0.0 up")


def run_wrk(
    address: str, path: str, *, seconds: float, connections: int, limit: int = 0
) -> Percentiles:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        completed = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{seconds:g}s",
                "--latency",
                "-s",
                script.name,
                "-H",
                f"Host: {PERF_DOMAIN}",
                f"https://{address}{path}",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "WRK_LIMIT": str(limit)},
            timeout=seconds + 30,
            check=True,
        )
    finally:
        os.unlink(script.name)
    line = next(x for x in completed.stdout.splitlines() if x.startswith("WRK_RESULT"))
    requests, p50, p95, p99, worst, errors = (int(v) for v in line.split()[1:])
    if errors:
        raise SystemExit(f"wrk saw {errors} errors on {path}:\n{completed.stdout}")
    return Percentiles(requests, p50 / 1000, p95 / 1000, p99 / 1000, worst / 1000)


async def launchtui_p95(
    lab: Lab, path: str, requests: int, rate: float
) -> tuple[Percentiles, dict]:
    """The real perf.latency check through the engine, planned to wrk's count and rate."""
    resolver = Resolver([parse_nameserver(lab.nameserver)], timeout=2.0)
    seconds = requests / rate
    context = await context_for_domain(
        parse_domain(PERF_DOMAIN),
        resolver,
        load_profiles()[default_profile_id()],
        ca_bundle=lab.ca_bundle,
        routes=[Route("bench", f"https://{PERF_DOMAIN}{path}")],
        probe_limits=ProbeLimits(
            rate_per_s=rate,
            samples=requests,
            max_in_flight=64,
            route_time_cap_s=seconds + 5,
            run_time_cap_s=seconds + 10,
        ),
    )
    try:
        result = await run_checks(context, [all_checks()["perf.latency"]], time_limit=seconds + 60)
    finally:
        await context.aclose()
    [finding] = result.findings
    evidence = finding.evidence
    if "p95_ms" not in evidence:
        raise SystemExit(f"launchtui could not time {path}: {finding.summary}")
    return (
        Percentiles(
            evidence["samples"],
            evidence["p50_ms"],
            evidence["p95_ms"],
            evidence["p99_ms"],
            evidence["max_ms"],
        ),
        evidence,
    )


async def launchtui_closed_loop(lab: Lab, path: str, requests: int) -> tuple[list[float], float]:
    """Back-to-back requests on one connection, as `wrk -c1` sends them: (latencies, CPU s)."""
    resolver = Resolver([parse_nameserver(lab.nameserver)], timeout=2.0)
    request = prepare(f"https://{PERF_DOMAIN}{path}")
    async with TimedClient(resolver, ca_bundle=str(lab.ca_bundle), max_connections=1) as client:
        for _ in range(20):  # connect, resolve, warm caches
            await client.send(request)
        cpu = time.process_time()
        latencies = []
        for _ in range(requests):
            timing = await client.send(request)
            if timing.status != 200:
                raise SystemExit(f"launchtui got {timing.status or timing.error} on {path}")
            latencies.append(timing.total_ms)
        return latencies, time.process_time() - cpu


def show(label: str, p: Percentiles) -> None:
    print(
        f"  {label:<10} {p.requests:>6} requests  p50 {p.p50_ms:8.2f}  p95 {p.p95_ms:8.2f}  "
        f"p99 {p.p99_ms:8.2f}  max {p.max_ms:8.2f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="wrk's run on each route")
    parser.add_argument("--connections", type=int, default=4, help="wrk's connections")
    parser.add_argument("--requests", type=int, default=2000, help="overhead run length")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench/latency.py needs wrk: apt-get install -y wrk", file=sys.stderr)
        return 2
    lab = start_lab()
    missed = []
    try:
        address = lab.address_of(PERF_DOMAIN)
        load = os.getloadavg()[0]
        print(
            f"launchtui latency benchmark: {PERF_DOMAIN}, lab {lab.world.plan.block}, "
            f"load average {load:.1f} on {os.cpu_count()} CPUs"
        )
        for path, note in (("/slow", "always 200 ms"), ("/mixed", "every 5th request 300 ms")):
            wrk = run_wrk(address, path, seconds=args.seconds, connections=args.connections)
            rate = wrk.requests / args.seconds
            ours, evidence = asyncio.run(launchtui_p95(lab, path, wrk.requests, rate))
            ratio = ours.p95_ms / wrk.p95_ms
            print(
                f"\n{path} ({note}): wrk -c{args.connections} for {args.seconds:g} s, then "
                f"launchtui open loop at {rate:.1f}/s for the same count"
            )
            show("wrk", wrk)
            show("launchtui", ours)
            late = evidence["late_sends"]["count"]
            target = "on target" if abs(ratio - 1) <= P95_TARGET else "OFF TARGET"
            print(
                f"  p95 ratio launchtui/wrk {ratio:.3f} ({target}, within ±5 %); late sends {late}"
            )
            if path == "/mixed":
                print(
                    "  (wrk's p50 is high here because wrk 4 corrects for coordinated omission "
                    "by adding synthetic samples after each slow answer; an open loop has "
                    "nothing to correct)"
                )
            if path == "/slow" and abs(ratio - 1) > P95_TARGET:
                missed.append("p95 ratio")

        wrk_fast = run_wrk(address, "/fast", seconds=3, connections=1, limit=args.requests)
        latencies, cpu = asyncio.run(launchtui_closed_loop(lab, "/fast", args.requests))
        latencies.sort()
        ours_fast = Percentiles(
            len(latencies),
            statistics.median(latencies),
            latencies[int(0.95 * len(latencies)) - 1],
            latencies[int(0.99 * len(latencies)) - 1],
            latencies[-1],
        )
        overhead = ours_fast.p50_ms - wrk_fast.p50_ms
        print(f"\n/fast (zero delay), one connection, back to back, {args.requests} requests")
        show("wrk", wrk_fast)
        show("launchtui", ours_fast)
        target = "on target" if overhead < OVERHEAD_TARGET_MS else "OFF TARGET"
        print(
            f"  client overhead {overhead:.3f} ms per request (median launchtui - median wrk; "
            f"{target}, < {OVERHEAD_TARGET_MS:g} ms)"
        )
        print(f"  launchtui client CPU {cpu / args.requests * 1000:.3f} ms per request")
        if overhead >= OVERHEAD_TARGET_MS:
            missed.append("overhead")
    finally:
        lab.stop()
    if missed:
        print(f"\nmissed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
