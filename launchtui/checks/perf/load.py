"""The load engine the performance checks share: one measurement of the listed routes per
run, one burst of attempts per login route, and the request budget that guards login
routes from every check.

Nothing here judges: `latency`, `errors` and `rate_limit` turn what was measured into
findings.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from dataclasses import dataclass, field, replace

import httpx

from ...context import CheckContext
from ...findings import Finding, Status
from ...loadgen import FATAL_KINDS, LoadPlan, LoadRun, ProbeLimits, Sample, run_open_loop
from ...net.timing import PreparedRequest, TimedClient, Timing, prepare
from ...targets import Route
from ..registry import CheckSpec, before_every_check

# Methods we repeat freely: they read. A login POST with an empty form is a failed login,
# which is what throttling is for; any other write could create data, so we never repeat it.
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
WARMUP_ALLOWANCE_S = 1.0  # time planned per route for its warm-up requests
# Of a login route's budget, what the throttling burst leaves for the single looks other
# checks take (cookies, caching, CORS, redirects): one request each, give or take.
SINGLE_LOOK_RESERVE = 4
MIN_PLANNED_SAMPLES = 10
ROUTES_HINT = (
    "Add the routes that matter (home, login, a key API call, health) with "
    "`launchtui init … --route NAME=URL` or a [[routes]] table in the engagement file."
)


def limits_for(context: CheckContext) -> ProbeLimits:
    """The run's limits, held to the ceilings whatever the context says."""
    return context.probe_limits.clamped()


def budget_for(context: CheckContext, route: Route) -> tuple[int, str]:
    """The route's p95 budget in ms and where it came from: the route or the profile."""
    if route.budget_ms:
        return int(route.budget_ms), "route"
    profile = context.profile
    return profile.budget_ms(route.kind, route.method), f"profile {profile.id}"


def label(route: Route) -> str:
    """How sentences name a route: its path, with the user's name for it when that says more."""
    parsed = httpx.URL(route.url)
    path = parsed.path or "/"
    if route.name.strip("/").lower() == path.rstrip("/").rsplit("/", 1)[-1].lower():
        return path
    return f"{route.name} ({path})"


def route_target(route: Route) -> str:
    method = route.method.upper()
    return route.url if method == "GET" else f"{method} {route.url}"


def no_routes(spec: CheckSpec, context: CheckContext) -> Finding:
    return spec.finding(
        context.apex,
        Status.SKIPPED,
        "No key routes are listed, so there is nothing to measure.",
        fix=ROUTES_HINT,
    )


def no_active_probes(spec: CheckSpec, context: CheckContext) -> Finding:
    return spec.finding(
        context.apex,
        Status.SKIPPED,
        "Repeated requests are turned off (--no-active-probes), so this was not measured.",
    )


def is_throttled(route: Route, timing: Timing) -> bool:
    """On login routes a 429 is the rate limit doing its job, not an error or a latency."""
    return route.kind == "auth" and timing.status == 429


def status_counts(timings: list[Timing]) -> dict[str, int]:
    """How many answers had each status (or failed each way), for a finding's evidence."""
    counts = Counter(
        str(t.status) if t.status is not None else (t.error_kind or "error") for t in timings
    )
    return dict(sorted(counts.items()))


def requests_phrase(count: int) -> str:
    return f"{count} request" + ("" if count == 1 else "s")


# -- one shared measurement per run ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RouteMeasurement:
    route: Route
    budget_ms: int
    budget_source: str
    timeout_s: float
    run: LoadRun | None = None
    not_measured: str | None = None  # why no load was sent, as a sentence


@dataclass
class ProbeState:
    """One run's load (`context.run_state(ProbeState)`): the measurement both perf checks
    read, the burst per login route, and one lock per URL so that a load run and a login
    burst never hit the same route at the same time."""

    measurement: asyncio.Future[list[RouteMeasurement]] | None = None
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    bursts: dict[str, asyncio.Future[Burst | str]] = field(default_factory=dict)

    def lock_for(self, url: str) -> asyncio.Lock:
        return self.locks.setdefault(url, asyncio.Lock())


@before_every_check
def guard_login_routes(context: CheckContext) -> None:
    """Put every login route on the run's request budget before any check sends to it."""
    auth_routes = [route for route in context.routes if route.kind == "auth"]
    if auth_routes:
        limit = limits_for(context).burst_requests
        for route in auth_routes:
            context.http.budget.guard(route.url, limit)


async def measure_routes(context: CheckContext) -> list[RouteMeasurement]:
    """Load every listed route once per run (shared by perf.latency and perf.errors)."""
    state = context.run_state(ProbeState)
    if state.measurement is None:
        state.measurement = asyncio.ensure_future(_measure_all(context, state))
    return await asyncio.shield(state.measurement)


def plan_for(limits: ProbeLimits, route_count: int) -> LoadPlan:
    """Spread the run's time budget over the routes: with many routes each gets fewer
    requests (and says so in its trust statement) rather than some getting none."""
    waves = math.ceil(max(route_count, 1) / limits.parallel_routes)
    window = min(limits.route_time_cap_s, limits.run_time_cap_s / waves - WARMUP_ALLOWANCE_S)
    affordable = int(limits.rate_per_s * max(window, 0.0))
    samples = min(limits.samples, max(affordable, min(MIN_PLANNED_SAMPLES, limits.samples)))
    return LoadPlan(
        rate_per_s=limits.rate_per_s,
        samples=samples,
        warmup=limits.warmup,
        time_cap_s=limits.route_time_cap_s,
        max_in_flight=limits.max_in_flight,
        late_after_ms=limits.late_after_ms,
        max_timeouts=limits.max_timeouts,
    )


async def _measure_all(context: CheckContext, state: ProbeState) -> list[RouteMeasurement]:
    limits = limits_for(context)
    deadline = time.perf_counter() + limits.run_time_cap_s
    loadable = [
        route
        for route in context.routes
        if _may_load(route) and not context.http.budget.is_guarded(route.url)
    ]
    turns = asyncio.Semaphore(limits.parallel_routes)

    async def one(route: Route) -> RouteMeasurement:
        budget, source = budget_for(context, route)
        measurement = RouteMeasurement(route, budget, source, context.timeout)
        if not _may_load(route):
            return replace(
                measurement,
                not_measured=f"{route.method.upper()} changes data, so launchtui does not send "
                "it repeatedly; time it with a test account instead.",
            )
        if route.kind != "auth" and context.http.budget.is_guarded(route.url):
            return replace(
                measurement,
                not_measured="the same URL is listed as a login route, whose requests are "
                "limited; its timing is reported there.",
            )
        if route.kind == "auth":
            burst = await burst_for(context, route)
            if isinstance(burst, str):
                return replace(measurement, not_measured=burst)
            return replace(measurement, run=burst.as_load_run(limits))
        try:
            request = prepare(route.url, route.method)
        except ValueError as exc:
            return replace(measurement, not_measured=f"{exc}.")
        plan = plan_for(limits, len(loadable))
        async with (
            turns,
            state.lock_for(route.url),
            _client(context, plan.max_in_flight) as client,
        ):
            run = await run_open_loop(lambda: client.send(request), plan, deadline=deadline)
        return replace(measurement, run=run)

    return list(await asyncio.gather(*(one(route) for route in context.routes)))


def _may_load(route: Route) -> bool:
    return route.method.upper() in SAFE_METHODS or route.kind == "auth"


def _client(context: CheckContext, max_connections: int) -> TimedClient:
    return TimedClient(
        context.resolver,
        ca_bundle=str(context.ca_bundle) if context.ca_bundle else None,
        timeout=context.timeout,
        max_connections=max_connections,
    )


# -- one burst per login route ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Burst:
    """What a quick series of attempts on one login route got."""

    route: Route
    attempts: tuple[Timing, ...]
    throttled_at: int | None  # 1-based attempt that was refused (429 or Retry-After)
    seconds: float
    stopped: str | None  # why the burst ended without being throttled, if not the cap
    limit_requests: int
    limit_seconds: float
    # The server said "slow down" to another request of this run (before the burst's own
    # attempts), as the budget recorded it: "HTTP 429", with how many requests it allowed.
    throttled_elsewhere: tuple[str, int, int | None] | None = None  # how, after, status
    run_requests: int = 0  # every request this run sent to the route, all checks together

    def as_load_run(self, limits: ProbeLimits) -> LoadRun:
        """The attempts as a measurement for perf.latency and perf.errors, so a login route
        is timed from the requests already sent instead of being loaded a second time."""
        rate = len(self.attempts) / self.seconds if self.seconds > 0 else limits.rate_per_s
        plan = LoadPlan(
            rate_per_s=max(rate, 0.1),
            samples=len(self.attempts),
            warmup=0,
            time_cap_s=self.limit_seconds,
            max_in_flight=1,
            late_after_ms=limits.late_after_ms,
            max_timeouts=limits.max_timeouts,
        )
        elapsed = 0.0
        samples = []
        for index, timing in enumerate(self.attempts):
            samples.append(Sample(index, elapsed, 0.0, timing))
            elapsed += timing.total_ms / 1000
        stopped = self.stopped
        if self.throttled_at is not None:
            stopped = f"the route refused attempt {self.throttled_at} (rate limit)"
        return LoadRun(
            plan,
            samples=samples,
            stopped=stopped,
            elapsed_s=self.seconds,
            first=self.attempts[0] if self.attempts else None,
            schedule=(
                "These are auth.rate-limit's attempts, sent one after another: a login route "
                "is timed from them, not loaded a second time."
            ),
        )


async def burst_for(context: CheckContext, route: Route) -> Burst | str:
    """The run's one burst on a login route, shared by auth.rate-limit and the perf checks;
    a sentence instead when no attempt could be prepared."""
    state = context.run_state(ProbeState)
    future = state.bursts.get(route.url)
    if future is None:
        future = state.bursts[route.url] = asyncio.ensure_future(_burst(context, state, route))
    return await asyncio.shield(future)


async def _burst(context: CheckContext, state: ProbeState, route: Route) -> Burst | str:
    limits = limits_for(context)
    try:
        request: PreparedRequest = prepare(route.url, route.method)
    except ValueError as exc:
        return f"{exc}."
    budget = context.http.budget
    # The ordinary look other checks take at the route (cookies, caching, redirects) goes
    # first: it is shared, and a route that throttles fast still gets those verdicts.
    await context.http.fetch(route.url)
    attempts: list[Timing] = []
    throttled_at = None
    stopped = None
    async with state.lock_for(route.url), _client(context, 1) as client:
        began = time.perf_counter()
        for number in range(1, limits.burst_requests + 1):
            if time.perf_counter() - began >= limits.burst_time_cap_s:
                break
            async with budget.turn(route.url, keep=SINGLE_LOOK_RESERVE) as turn:
                if turn.refused is not None:
                    stopped = None if attempts else turn.refused
                    break
                timing = await client.send(request)
                turn.record(timing.status, timing.retry_after)
            attempts.append(timing)
            if timing.status == 429 or timing.retry_after is not None:
                throttled_at = number
                break
            if timing.error_kind in FATAL_KINDS:
                stopped = timing.error
                break
        seconds = time.perf_counter() - began
    spent = budget.spent(route.url)
    elsewhere = None
    if throttled_at is None and spent is not None and spent.stopped_by is not None:
        elsewhere = (spent.stopped_by, spent.stopped_after or 0, spent.stopped_status)
    return Burst(
        route,
        tuple(attempts),
        throttled_at,
        seconds,
        stopped,
        limits.burst_requests,
        limits.burst_time_cap_s,
        throttled_elsewhere=elsewhere,
        run_requests=spent.sent if spent is not None else len(attempts),
    )
