"""Polite, bounded load: an open-loop request schedule and the statistics of what came back.

Open loop means request i is due at `start + i / rate` whether or not earlier answers
have arrived, the way real visitors arrive. A closed loop (send, wait, send) quietly
slows down when the server does and so never sees the queue it builds: the classic
"coordinated omission" that flatters percentiles. When we cannot keep the schedule
(the in-flight cap is reached, or the event loop is busy) the send is recorded as
late, with by how much, instead of being hidden.

Every run is bounded three ways: a number of requests, a time after which nothing new
is sent, and a number of timeouts after which we stop (a hanging route gets a verdict
in one timeout, not in a hundred).

Nothing here knows about checks or findings; `checks/perf/` turns runs into verdicts.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace

from .net.timing import Timing

# Warm-up failures that mean there is nothing to measure (an HTTP error status is not one).
FATAL_KINDS = ("timeout", "no-address", "connect", "tls")

# Latency histogram edges in milliseconds: bucket i holds [EDGES[i], EDGES[i + 1]), the last
# bucket everything from EDGES[-1] up. Fixed edges let the UI compare runs and routes.
HISTOGRAM_EDGES_MS = (
    0, 1, 2, 5, 10, 20, 50, 75, 100, 150, 200, 250, 300, 400, 500, 750,
    1000, 1500, 2000, 3000, 5000, 10000,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class LoadPlan:
    rate_per_s: float
    samples: int  # measured requests (after the warm-up)
    warmup: int = 3  # sent one after another first, and not counted
    time_cap_s: float = 15.0  # nothing is sent after this many seconds
    max_in_flight: int = 16
    late_after_ms: float = 10.0  # a send this far behind schedule counts as late
    max_timeouts: int = 5  # stop sending after this many timeouts

    @property
    def interval_s(self) -> float:
        return 1.0 / self.rate_per_s


@dataclass(frozen=True, slots=True)
class ProbeLimits:
    """How much load one run may send, whatever its routes. The defaults are polite to a
    small production site; tests and benchmarks set their own on the check context."""

    rate_per_s: float = 10.0  # open-loop arrival rate per route
    samples: int = 100  # measured requests per route (about what a p95 needs)
    warmup: int = 3  # sent first, one at a time, and not counted
    route_time_cap_s: float = 15.0  # no request to a route is started after this
    run_time_cap_s: float = 20.0  # no load at all is started after this, whatever the routes
    parallel_routes: int = 3  # routes loaded at the same time
    max_in_flight: int = 16  # open requests per route; more would be a flood, so we wait
    late_after_ms: float = 10.0  # a send this far behind schedule is recorded as late
    max_timeouts: int = 5  # stop loading a route after this many timeouts
    burst_requests: int = 30  # auth.rate-limit: at most this many attempts...
    burst_time_cap_s: float = 10.0  # ...in at most this many seconds

    def clamped(self) -> ProbeLimits:
        """Overrides are for tests and benchmarks; these ceilings hold whatever they say."""
        return replace(
            self,
            rate_per_s=min(max(self.rate_per_s, 0.1), 200.0),
            samples=min(max(self.samples, 1), 2000),
            warmup=min(max(self.warmup, 0), 20),
            route_time_cap_s=min(max(self.route_time_cap_s, 0.1), 120.0),
            run_time_cap_s=min(max(self.run_time_cap_s, 0.1), 300.0),
            parallel_routes=min(max(self.parallel_routes, 1), 8),
            max_in_flight=min(max(self.max_in_flight, 1), 64),
            max_timeouts=max(self.max_timeouts, 1),
            burst_requests=min(max(self.burst_requests, 1), 100),
            burst_time_cap_s=min(max(self.burst_time_cap_s, 0.1), 60.0),
        )


@dataclass(frozen=True, slots=True)
class Sample:
    """One measured request: when it was due, how late it left, and what it got."""

    index: int
    due_s: float  # seconds after the measured phase began
    lateness_ms: float
    timing: Timing


@dataclass
class LoadRun:
    plan: LoadPlan
    warmup: list[Timing] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    stopped: str | None = None  # why sending ended before the plan was done
    elapsed_s: float = 0.0
    first: Timing | None = None  # the very first (cold) request, reported for context
    schedule: str | None = None  # how the requests were sent, when not by `plan`'s schedule

    @property
    def late(self) -> list[Sample]:
        return [s for s in self.samples if s.lateness_ms > self.plan.late_after_ms]

    @property
    def timings(self) -> list[Timing]:
        return [sample.timing for sample in self.samples]

    @property
    def timeouts(self) -> int:
        return sum(1 for s in self.samples if s.timing.timed_out)


Send = Callable[[], Awaitable[Timing]]


async def run_open_loop(send: Send, plan: LoadPlan, *, deadline: float | None = None) -> LoadRun:
    """Warm up, then send `plan.samples` requests on an open-loop schedule.

    `deadline` (a `time.perf_counter()` value) ends sending early, e.g. when a run's
    overall time budget is spent; in-flight requests still finish (each is bounded by
    the sender's own timeout).
    """
    began = time.perf_counter()
    stop_at = began + plan.time_cap_s
    if deadline is not None:
        stop_at = min(stop_at, deadline)
    run = LoadRun(plan)
    for _ in range(plan.warmup):
        if time.perf_counter() >= stop_at:
            break
        timing = await send()
        run.warmup.append(timing)
        run.first = run.first or timing
        if timing.error_kind in FATAL_KINDS:
            run.stopped = timing.error or timing.error_kind
            run.elapsed_s = time.perf_counter() - began
            return run

    slots = asyncio.Semaphore(max(1, plan.max_in_flight))
    pending: set[asyncio.Task[None]] = set()
    timeouts = 0

    async def measure(index: int, due: float, start: float) -> None:
        nonlocal timeouts
        sent = time.perf_counter()
        try:
            timing = await send()
        finally:
            slots.release()
        if timing.timed_out:
            timeouts += 1
        run.first = run.first or timing
        run.samples.append(Sample(index, due - start, max(0.0, (sent - due) * 1000), timing))

    own_cap = deadline is None or began + plan.time_cap_s <= deadline
    start = time.perf_counter()
    try:
        for index in range(plan.samples):
            due = start + index * plan.interval_s
            if due >= stop_at:
                run.stopped = (
                    f"the limit of {plan.time_cap_s:g} s per route was reached"
                    if own_cap
                    else "the run's time budget for load was spent"
                )
                break
            wait = due - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            await slots.acquire()
            if timeouts >= plan.max_timeouts:
                slots.release()
                run.stopped = f"{timeouts} requests timed out, so we stopped sending"
                break
            task = asyncio.create_task(measure(index, due, start))
            pending.add(task)
            task.add_done_callback(pending.discard)
        if pending:
            await asyncio.gather(*pending)
    finally:
        for task in pending:
            task.cancel()
    run.samples.sort(key=lambda sample: sample.index)
    run.elapsed_s = time.perf_counter() - began
    return run


# -- statistics -------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of values sorted ascending; never interpolates,
    so the answer is always a latency some request really had."""
    if not sorted_values:
        raise ValueError("no values")
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def quantile_bounds(
    n: int, q: float = 0.95, confidence: float = 0.95
) -> tuple[int | None, int | None]:
    """Ranks (1-based, ascending) of the order statistics that bracket the true q-quantile
    with `confidence`, distribution-free: the number of samples below the true quantile is
    Binomial(n, q). None for a side that `n` samples cannot bound: with 95 % confidence
    two-sided, the p95 needs at least 72 samples before the slowest one is an upper bound.
    """
    tail = (1 - confidence) / 2
    cdf = _binomial_cdf(n, q)
    upper = next((u for u in range(1, n + 1) if cdf[u - 1] >= 1 - tail), None)
    lower = None
    for rank in range(1, n + 1):
        if cdf[rank - 1] <= tail:
            lower = rank
        else:
            break
    return lower, upper


def _binomial_cdf(n: int, p: float) -> list[float]:
    """P(X <= k) for k = 0..n, X ~ Binomial(n, p), in log space so n in the thousands is fine."""
    if n == 0:
        return [1.0]
    log_p, log_q = math.log(p), math.log1p(-p)
    total = 0.0
    cdf: list[float] = []
    for k in range(n + 1):
        log_pmf = (
            math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + k * log_p + (n - k) * log_q
        )  # fmt: skip
        total += math.exp(log_pmf)
        cdf.append(min(total, 1.0))
    return cdf


def histogram(values_ms: Sequence[float], edges: Sequence[float] = HISTOGRAM_EDGES_MS) -> list[int]:
    """Counts per bucket: bucket i is [edges[i], edges[i + 1]), the last is open-ended."""
    counts = [0] * len(edges)
    for value in values_ms:
        index = len(edges) - 1
        for i in range(len(edges) - 1):
            if value < edges[i + 1]:
                index = i
                break
        counts[index] += 1
    return counts
