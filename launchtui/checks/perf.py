"""Performance and resilience of the routes the user listed: p95 against the profile's
budget, error rate under a polite load, throttling on login, and an honest health endpoint.

Load is only ever sent to routes the user named (`[[routes]]` or `init --route`), never
to anything we discovered, and every probe is bounded: a rate, a number of requests, a
time per route and per run, and a number of timeouts after which we stop. The limits
live in `ProbeLimits`; a caller (tests, the benchmark, a future setting) overrides them
by setting `context.probe_limits` to a `ProbeLimits` or a mapping of field names, and a
route may carry `rate_per_s`, `samples` or `route_time_cap_s` attributes of its own.

perf.latency and perf.errors read the same measurement: the first of them to run sends
the load, the other waits for it, so a run loads each route once. Login routes (kind
`auth`) are not loaded at all: their timings are auth.rate-limit's attempts, and every
request any check sends to them counts against one budget per run (`net.budget`).
"""

from __future__ import annotations

import asyncio
import functools
import math
import re
import statistics
import time
import weakref
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import httpx

from ..context import CheckContext
from ..engagement import Route
from ..findings import Finding, Severity, Status
from ..loadgen import (
    FATAL_KINDS,
    HISTOGRAM_EDGES_MS,
    LoadPlan,
    LoadRun,
    Sample,
    histogram,
    percentile,
    quantile_bounds,
    run_open_loop,
)
from ..net.fetch import Fetch
from ..net.timing import PreparedRequest, TimedClient, Timing, prepare
from ..parsers.cache_control import parse_cache_control
from ..runbook import Profile, RunbookError, default_profile_id, load_profiles
from .registry import CheckSpec, before_every_check, register

LATENCY = CheckSpec(
    "perf.latency",
    "performance",
    "Response times (p95)",
    Severity.MEDIUM,
    active=True,
    metrics={"p95_ms": "ms"},
)
ERRORS = CheckSpec("perf.errors", "performance", "Error rate under load", Severity.HIGH)
RATE_LIMIT = CheckSpec(
    "auth.rate-limit", "security", "Login and sign-up throttling", Severity.HIGH, active=True
)
HEALTH = CheckSpec("health.endpoint", "monitoring", "Health endpoint", Severity.MEDIUM)

# Methods we repeat freely: they read. A login POST with an empty form is a failed login,
# which is what throttling is for; any other write could create data, so we never repeat it.
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
WARN_MARGIN = 0.10  # a p95 up to 10 % over budget warns instead of failing
DEFAULT_ERROR_RATE_LIMIT_PCT = 1.0
# The shipped default profile (community-launch) at the time of writing; used only if the
# profiles file cannot be read.
FALLBACK_BUDGETS_MS = {"page": 1200, "api": 400, "auth": 600, "health": 200, "static": 150}
WARMUP_ALLOWANCE_S = 1.0  # time planned per route for its warm-up requests
# Of a login route's budget, what the throttling burst leaves for the single looks other
# checks take (cookies, caching, CORS, redirects): one request each, give or take.
SINGLE_LOOK_RESERVE = 4
MIN_PLANNED_SAMPLES = 10
ROUTES_HINT = (
    "Add the routes that matter (home, login, a key API call, health) with "
    "`launchtui init … --route NAME=URL` or a [[routes]] table in the engagement file."
)
SPEED_FIX = (
    "Find what the slow requests wait on (database queries, calls to other services, cold "
    "starts) with your host's request logs or an APM; add indexes, cache or precompute "
    "the answer, or move slow work to a background job."
)
THROTTLE_FIX = (
    "Limit login, sign-up and password-reset attempts per IP address and per account (for "
    "example 5 a minute) and answer 429 with a Retry-After header. Frameworks have "
    "middleware for it (rack-attack, express-rate-limit, django-ratelimit); nginx has "
    "limit_req; Cloudflare and Vercel have rate-limiting rules."
)
OWASP_AUTOMATION = (
    "https://cheatsheetseries.owasp.org/cheatsheets/"
    "Authentication_Cheat_Sheet.html#protect-against-automated-attacks"
)


@dataclass(frozen=True, slots=True)
class ProbeLimits:
    """How much load a run may send. The defaults are polite to a small production site."""

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


DEFAULT_LIMITS = ProbeLimits()
ROUTE_OVERRIDES = ("rate_per_s", "samples", "route_time_cap_s")


def limits_for(context: CheckContext, route: Route | None = None) -> ProbeLimits:
    """The run's limits: defaults, then `context.probe_limits`, then the route's own."""
    override = getattr(context, "probe_limits", None)
    if isinstance(override, ProbeLimits):
        limits = override
    elif isinstance(override, Mapping):
        known = {f.name for f in fields(ProbeLimits)}
        limits = replace(DEFAULT_LIMITS, **{k: v for k, v in override.items() if k in known})
    else:
        limits = DEFAULT_LIMITS
    if route is not None:
        own = {name: getattr(route, name, None) for name in ROUTE_OVERRIDES}
        limits = replace(limits, **{k: v for k, v in own.items() if v is not None})
    return limits.clamped()


def budget_for(context: CheckContext, route: Route) -> tuple[int, str]:
    """The route's p95 budget in ms and where it came from: route, profile or default."""
    if route.budget_ms:
        return int(route.budget_ms), "route"
    if context.profile is not None:
        try:
            return context.profile.budget_ms(
                route.kind, route.method
            ), f"profile {context.profile.id}"
        except RunbookError:
            pass
    profile = _default_profile()
    if profile is not None:
        try:
            return profile.budget_ms(route.kind, route.method), f"default profile {profile.id}"
        except RunbookError:
            pass
    return FALLBACK_BUDGETS_MS.get(route.kind, FALLBACK_BUDGETS_MS["page"]), "default"


@functools.lru_cache(maxsize=1)
def _default_profile() -> Profile | None:
    """The profile an engagement without one would get (read once per process)."""
    try:
        return load_profiles()[default_profile_id()]
    except (RunbookError, KeyError, OSError):
        return None


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


def _no_routes(spec: CheckSpec, context: CheckContext) -> Finding:
    return spec.finding(
        context.apex,
        Status.SKIPPED,
        "No key routes are listed, so there is nothing to measure.",
        fix=ROUTES_HINT,
    )


def _no_active_probes(spec: CheckSpec, context: CheckContext) -> Finding:
    return spec.finding(
        context.apex,
        Status.SKIPPED,
        "Repeated requests are turned off (--no-active-probes), so this was not measured.",
    )


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
class _ProbeState:
    """Per-run state: the measurement both perf checks read, and one lock per URL so that
    a load run and a login burst never hit the same route at the same time."""

    measurement: asyncio.Future[list[RouteMeasurement]] | None = None
    locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    bursts: dict[str, asyncio.Future[Burst | Finding]] = field(default_factory=dict)

    def lock_for(self, url: str) -> asyncio.Lock:
        return self.locks.setdefault(url, asyncio.Lock())


# Keyed by id(context): contexts compare by value, so they cannot be dict keys themselves;
# the finalizer drops the entry when the context is collected.
_STATES: dict[int, _ProbeState] = {}


def _state(context: CheckContext) -> _ProbeState:
    key = id(context)
    state = _STATES.get(key)
    if state is None:
        state = _STATES[key] = _ProbeState()
        weakref.finalize(context, _STATES.pop, key, None)
    return state


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
    state = _state(context)
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


async def _measure_all(context: CheckContext, state: _ProbeState) -> list[RouteMeasurement]:
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
            if isinstance(burst, Finding):
                return replace(measurement, not_measured=burst.summary)
            return replace(measurement, run=burst.as_load_run(limits))
        try:
            request = prepare(route.url, route.method)
        except ValueError as exc:
            return replace(measurement, not_measured=f"{exc}.")
        plan = plan_for(limits_for(context, route), len(loadable))
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


# -- perf.latency ---------------------------------------------------------------------------


@register(LATENCY)
async def check_latency(context: CheckContext) -> list[Finding]:
    if not context.routes:
        return [_no_routes(LATENCY, context)]
    if not context.active_probes:
        return [_no_active_probes(LATENCY, context)]
    return [judge_latency(m) for m in await measure_routes(context)]


@dataclass(frozen=True, slots=True)
class LatencySummary:
    """Percentiles of one route's measured requests, in milliseconds."""

    count: int
    p50: float
    p95: float
    p99: float
    max: float
    p95_bounds: tuple[float | None, float | None]
    censored_from_rank: int | None  # ranks at or above this timed out: "at least" values

    def at_least(self, q: float) -> bool:
        if self.censored_from_rank is None:
            return False
        return math.ceil(q / 100 * self.count) >= self.censored_from_rank


def summarize(latencies_ms: list[float], timeouts_ms: list[float]) -> LatencySummary:
    """Percentiles over answers plus timeouts, which count as at least the timeout."""
    values = sorted(latencies_ms) + sorted(timeouts_ms)
    lower, upper = quantile_bounds(len(values))
    return LatencySummary(
        count=len(values),
        p50=percentile(values, 50),
        p95=percentile(values, 95),
        p99=percentile(values, 99),
        max=values[-1],
        p95_bounds=(
            values[lower - 1] if lower else None,
            values[upper - 1] if upper else None,
        ),
        censored_from_rank=len(latencies_ms) + 1 if timeouts_ms else None,
    )


def trust_statement(summary: LatencySummary) -> str:
    """How far the p95 of `summary.count` requests can be believed, in one sentence."""
    n = summary.count
    lower, upper = summary.p95_bounds
    if n < 20:
        return (
            f"Only {n} requests were timed, so the p95 is little more than the slowest one: "
            "treat it as a rough sign, not a measurement."
        )
    if upper is None:
        return (
            f"{n} requests cannot bound the p95 from above: the true p95 is at least "
            f"{_ms(lower or summary.p50)} ms (95 % confidence) but could be higher than the "
            "slowest request seen. About 100 requests are needed to bound it."
        )
    return (
        f"From {n} requests, the true p95 lies between {_ms(lower or summary.p50)} and "
        f"{_ms(upper)} ms with 95 % confidence."
    )


def judge_latency(measurement: RouteMeasurement) -> Finding:
    route = measurement.route
    target = route_target(route)
    budget = measurement.budget_ms
    base = {
        "route": route.name,
        "url": route.url,
        "method": route.method.upper(),
        "kind": route.kind,
        "budget_ms": budget,
        "budget_source": measurement.budget_source,
    }
    run = measurement.run
    if run is None:
        return LATENCY.finding(
            target,
            Status.SKIPPED,
            f"{label(route)} was not timed: {measurement.not_measured}",
            evidence=base,
        )
    if not run.samples:
        return _unmeasured_latency(measurement, target, base)
    throttled = _throttled(route)
    answered = [
        s.timing.total_ms
        for s in run.samples
        if s.timing.answered and not (throttled and s.timing.status == 429)
    ]
    timed_out = [s.timing.total_ms for s in run.samples if s.timing.timed_out]
    if not answered and not timed_out:
        refused = sum(1 for s in run.samples if s.timing.status == 429)
        reason = (
            f"every request was refused with 429 (throttled, {refused} times)"
            if refused
            else (run.samples[0].timing.error or "no request got an answer")
        )
        return LATENCY.finding(
            target,
            Status.SKIPPED if refused else Status.ERROR,
            f"{label(route)} could not be timed: {reason[0].lower()}{reason[1:]}",
            evidence={**base, **_run_evidence(run)},
        )
    summary = summarize(answered, timed_out)
    evidence = {**base, **_run_evidence(run), **_summary_evidence(summary)}
    evidence["phases_ms"] = _phase_evidence(run, throttled)
    evidence["histogram"] = {
        "unit": "ms",
        "edges": list(HISTOGRAM_EDGES_MS),
        "counts": histogram([*answered, *timed_out]),
        "note": "bucket i counts requests from edges[i] up to edges[i+1]; the last is open",
    }
    numbers = (
        f"p50 {_ms(summary.p50)} ms, p99 {_ms(summary.p99)}"
        f"{'+' if summary.at_least(99) else ''} ms; {_requests(summary.count)}"
    )
    p95 = f"{_ms(summary.p95)}{'+' if summary.at_least(95) else ''} ms"
    detail = _latency_detail(run, summary, throttled)
    caveat = _late_caveat(run) + _throttled_caveat(run, throttled)
    if summary.p95 <= budget:
        return LATENCY.finding(
            target,
            Status.PASS,
            f"{label(route)} is fast enough: 95 % of requests took at most {p95} "
            f"(budget {budget} ms; {numbers}).{caveat}",
            detail=detail,
            evidence=evidence,
        )
    over = (summary.p95 - budget) / budget
    fix = SPEED_FIX + _handshake_hint(evidence["phases_ms"])
    if over <= WARN_MARGIN:
        return LATENCY.finding(
            target,
            Status.WARN,
            f"{label(route)} is slightly slow: 95 % of requests took at most {p95}, "
            f"{over:.0%} over its {budget} ms budget ({numbers}).{caveat}",
            detail=detail,
            evidence=evidence,
            fix=fix,
        )
    return LATENCY.finding(
        target,
        Status.FAIL,
        f"{label(route)} is too slow: at least 1 request in 20 takes {p95} or more, against a "
        f"{budget} ms budget ({numbers}).{caveat}",
        detail=detail,
        evidence=evidence,
        fix=fix,
    )


def _throttled_caveat(run: LoadRun, throttled: bool) -> str:
    refused = sum(1 for s in run.samples if throttled and s.timing.status == 429)
    if not refused:
        return ""
    return (
        f" {refused} of {len(run.samples)} requests were refused with 429 by the rate limit "
        "and are not timed."
    )


def _late_caveat(run: LoadRun) -> str:
    """Say so in the summary when launchtui itself could not keep up with its schedule."""
    late = len(run.late)
    if late * 10 <= len(run.samples):
        return ""
    return (
        f" launchtui fell behind its schedule on {late} of {len(run.samples)} requests, so "
        "these figures may include its own delays."
    )


def _unmeasured_latency(measurement: RouteMeasurement, target: str, base: dict) -> Finding:
    """The warm-up failed (or the time budget ran out) before anything was measured."""
    run = measurement.run
    assert run is not None
    last = run.warmup[-1] if run.warmup else None
    evidence = {**base, **_run_evidence(run)}
    route = measurement.route
    if last is not None and last.timed_out:
        return LATENCY.finding(
            target,
            Status.FAIL,
            f"{label(route)} did not answer within {_seconds(measurement.timeout_s)}, so "
            "visitors see a spinner and then an error.",
            severity=Severity.HIGH,
            evidence=evidence,
            fix="Find why the route hangs (a stuck database query, a call to a service that "
            "never answers) and give every outgoing call a timeout.",
        )
    if last is not None and last.error_kind in FATAL_KINDS:
        return LATENCY.finding(
            target,
            Status.ERROR,
            f"{label(route)} could not be timed: {last.error}",
            evidence=evidence,
        )
    return LATENCY.finding(
        target,
        Status.SKIPPED,
        f"{label(route)} was not timed: {run.stopped or 'no request was sent'}.",
        evidence=evidence,
        fix="List fewer routes, or run the performance stage on its own.",
    )


def _throttled(route: Route) -> bool:
    """On login routes a 429 is the rate limit doing its job, not an error or a latency."""
    return route.kind == "auth"


def _run_evidence(run: LoadRun) -> dict[str, Any]:
    late = run.late
    return {
        "rate_per_s": run.plan.rate_per_s,
        "planned": run.plan.samples,
        "sent": len(run.samples),
        "warmup": len(run.warmup),
        "timeouts": run.timeouts,
        "statuses": _status_counts(run.timings),
        "late_sends": {
            "count": len(late),
            "tolerance_ms": run.plan.late_after_ms,
            "worst_ms": round(max((s.lateness_ms for s in late), default=0.0), 1),
        },
        "stopped_early": run.stopped,
        "seconds": round(run.elapsed_s, 2),
    }


def _summary_evidence(summary: LatencySummary) -> dict[str, Any]:
    lower, upper = summary.p95_bounds
    return {
        "samples": summary.count,
        "p50_ms": round(summary.p50, 1),
        "p95_ms": round(summary.p95, 1),
        "p99_ms": round(summary.p99, 1),
        "max_ms": round(summary.max, 1),
        "p95_ci_ms": [
            None if lower is None else round(lower, 1),
            None if upper is None else round(upper, 1),
        ],
        "p95_at_least": summary.at_least(95),
        "trust": trust_statement(summary),
    }


def _phase_evidence(run: LoadRun, throttled: bool) -> dict[str, Any]:
    """Median and p95 of each phase, new connections and reused ones apart."""
    groups: dict[str, list[Timing]] = {"new_connection": [], "reused_connection": []}
    for sample in run.samples:
        timing = sample.timing
        if not timing.answered or (throttled and timing.status == 429):
            continue
        groups["new_connection" if timing.new_connection else "reused_connection"].append(timing)
    phases: dict[str, Any] = {}
    for name, timings in groups.items():
        entry: dict[str, Any] = {"count": len(timings)}
        if timings:
            columns = {
                "dns": [t.dns_ms for t in timings],
                "connect": [t.connect_ms for t in timings],
                "tls": [t.tls_ms for t in timings],
                "ttfb": [t.ttfb_ms for t in timings if t.ttfb_ms is not None],
                "total": [t.total_ms for t in timings],
            }
            for phase, values in columns.items():
                if values:
                    ordered = sorted(values)
                    entry[phase] = {
                        "p50": round(percentile(ordered, 50), 2),
                        "p95": round(percentile(ordered, 95), 2),
                    }
        phases[name] = entry
    return phases


def _latency_detail(run: LoadRun, summary: LatencySummary, throttled: bool) -> str:
    lines = [trust_statement(summary)]
    phases = _phase_evidence(run, throttled)
    for name, label in (("new_connection", "New connections"), ("reused_connection", "Reused")):
        entry = phases[name]
        if entry["count"]:
            parts = [
                f"{phase} {entry[phase]['p50']:g}"
                for phase in ("dns", "connect", "tls", "ttfb", "total")
                if phase in entry and (name == "new_connection" or phase in ("ttfb", "total"))
            ]
            lines.append(f"{label} ({entry['count']}), medians in ms: {', '.join(parts)}.")
    late = run.late
    if late:
        worst = max(s.lateness_ms for s in late)
        lines.append(
            f"{len(late)} of {len(run.samples)} requests left more than "
            f"{run.plan.late_after_ms:g} ms behind schedule (worst {worst:.0f} ms): the client "
            "could not keep the planned rate, so real visitors may queue longer than this shows."
        )
    if run.timeouts:
        lines.append(f"{run.timeouts} requests timed out; they count as at least the timeout.")
    if run.stopped:
        lines.append(f"Sending stopped early: {run.stopped}.")
    lines.append(
        run.schedule
        or f"Planned {run.plan.samples} requests at {run.plan.rate_per_s:g}/s after "
        f"{len(run.warmup)} warm-up requests (not counted)."
    )
    return "\n".join(lines)


def _handshake_hint(phases: dict[str, Any]) -> str:
    new = phases.get("new_connection", {}).get("total", {}).get("p50")
    reused = phases.get("reused_connection", {}).get("total", {}).get("p50")
    if new is not None and reused is not None and new > 2 * reused and new - reused > 50:
        return (
            " New connections are much slower than reused ones: enable keep-alive, TLS 1.3 "
            "and session resumption, or put a CDN close to your visitors."
        )
    return ""


def _status_counts(timings: list[Timing]) -> dict[str, int]:
    counts = Counter(
        str(t.status) if t.status is not None else (t.error_kind or "error") for t in timings
    )
    return dict(sorted(counts.items()))


def _seconds(value: float) -> str:
    return f"{value:g} second" + ("" if value == 1 else "s")


def _requests(count: int) -> str:
    return f"{count} request" + ("" if count == 1 else "s")


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


# -- perf.errors ----------------------------------------------------------------------------


@register(ERRORS)
async def check_errors(context: CheckContext) -> list[Finding]:
    if not context.routes:
        return [_no_routes(ERRORS, context)]
    if not context.active_probes:
        return [_no_active_probes(ERRORS, context)]
    profile = context.profile or _default_profile()
    limit = profile.error_rate_limit_pct if profile else DEFAULT_ERROR_RATE_LIMIT_PCT
    return [judge_errors(m, limit) for m in await measure_routes(context)]


def judge_errors(measurement: RouteMeasurement, limit_pct: float) -> Finding:
    route = measurement.route
    target = route_target(route)
    run = measurement.run
    base = {"route": route.name, "url": route.url, "limit_pct": limit_pct}
    if run is None:
        return ERRORS.finding(
            target,
            Status.SKIPPED,
            f"{label(route)} was not loaded: {measurement.not_measured}",
            evidence=base,
        )
    timings = [s.timing for s in run.samples] or run.warmup
    if not timings:
        return ERRORS.finding(
            target,
            Status.SKIPPED,
            f"{label(route)} was not loaded: {run.stopped or 'no request was sent'}.",
            evidence=base,
        )
    throttled = [t for t in timings if _throttled(route) and t.status == 429]
    failures = [t for t in timings if _is_error(t) and t not in throttled]
    rate = 100 * len(failures) / len(timings)
    evidence = {
        **base,
        "requests": len(timings),
        "errors": len(failures),
        "error_rate_pct": round(rate, 2),
        "timeouts": sum(1 for t in timings if t.timed_out),
        "throttled": len(throttled),
        "statuses": _status_counts(timings),
        "examples": list(dict.fromkeys(_error_words(t) for t in failures))[:5],
        "resolution_pct": round(100 / len(timings), 2),
    }
    what = _error_breakdown(failures)
    floor = 100 / len(timings)
    resolution = (
        f" With {len(timings)} requests one failure is already {floor:.1f} %, above the "
        f"{limit_pct:g} % limit, so this is a rough test."
        if floor > limit_pct
        else ""
    )
    if rate > limit_pct:
        visitors = round(100 / rate)
        reach = (
            "every visitor sees an error"
            if visitors <= 1
            else (f"about 1 visitor in {visitors} sees an error")
        )
        return ERRORS.finding(
            target,
            Status.FAIL,
            f"{label(route)}: {len(failures)} of {_requests(len(timings))} failed "
            f"({rate:.1f} %: {what}), over the {limit_pct:g} % limit, so {reach}.",
            detail=(
                "Counted as errors: answers outside 2xx/3xx, timeouts and broken connections"
                + (", but not 429 on login routes (that is throttling)" if throttled else "")
                + f".{resolution}"
            ),
            evidence=evidence,
            fix="Read the server's error logs for these requests (5xx are crashes or "
            "overloaded dependencies; timeouts are hangs) and add alerting on the error rate.",
        )
    refused = (
        f" ({len(throttled)} were refused with 429: the login rate limit at work, not errors)"
        if throttled
        else ""
    )
    summary = (
        f"{label(route)}: no errors in {_requests(len(timings))}{refused}."
        if not failures
        else f"{label(route)}: {len(failures)} of {len(timings)} requests failed ({rate:.1f} %), "
        f"within the {limit_pct:g} % limit{refused}."
    )
    return ERRORS.finding(
        target, Status.PASS, summary, detail=resolution.strip(), evidence=evidence
    )


def _is_error(timing: Timing) -> bool:
    return timing.status is None or not 200 <= timing.status < 400


def _error_words(timing: Timing) -> str:
    if timing.status is not None:
        return f"HTTP {timing.status}"
    return timing.error or timing.error_kind or "no answer"


def _error_breakdown(failures: list[Timing]) -> str:
    counts = Counter(
        str(t.status) if t.status is not None else (t.error_kind or "error") for t in failures
    )
    return ", ".join(f"{n} × {kind}" for kind, n in counts.most_common())


# -- auth.rate-limit ------------------------------------------------------------------------


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


@register(RATE_LIMIT)
async def check_rate_limit(context: CheckContext) -> list[Finding]:
    if not context.routes:
        return [_no_routes(RATE_LIMIT, context)]
    if not context.active_probes:
        return [_no_active_probes(RATE_LIMIT, context)]
    auth_routes = [route for route in context.routes if route.kind == "auth"]
    if not auth_routes:
        return [
            RATE_LIMIT.finding(
                context.apex,
                Status.SKIPPED,
                "None of the listed routes is a login, sign-up or password reset, so "
                "throttling was not tested.",
                fix='Mark those routes with kind = "auth" in the engagement file.',
            )
        ]
    bursts = await asyncio.gather(*(burst_for(context, route) for route in auth_routes))
    return [judge_burst(burst) for burst in bursts]


async def burst_for(context: CheckContext, route: Route) -> Burst | Finding:
    """The run's one burst on a login route, shared by auth.rate-limit and the perf checks."""
    state = _state(context)
    future = state.bursts.get(route.url)
    if future is None:
        future = state.bursts[route.url] = asyncio.ensure_future(_burst(context, state, route))
    return await asyncio.shield(future)


async def _burst(context: CheckContext, state: _ProbeState, route: Route) -> Burst | Finding:
    limits = limits_for(context, route)
    try:
        request: PreparedRequest = prepare(route.url, route.method)
    except ValueError as exc:
        return RATE_LIMIT.finding(route_target(route), Status.ERROR, f"{exc}.")
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


def judge_burst(burst: Burst | Finding) -> Finding:
    if isinstance(burst, Finding):
        return burst
    route = burst.route
    target = route_target(route)
    attempts = burst.attempts
    evidence: dict[str, Any] = {
        "route": route.name,
        "url": route.url,
        "method": route.method.upper(),
        "attempts": len(attempts),
        "throttled_at": burst.throttled_at,
        "seconds": round(burst.seconds, 2),
        "limits": {"requests": burst.limit_requests, "seconds": burst.limit_seconds},
        "statuses": _status_counts(list(attempts)),
        "run_requests": burst.run_requests,
    }
    if burst.throttled_elsewhere is not None:
        how, after, status = burst.throttled_elsewhere
        evidence.update(status=status, throttled_elsewhere={"by": how, "after_requests": after})
        return RATE_LIMIT.finding(
            target,
            Status.PASS,
            f"{label(route)} asked launchtui to slow down ({how}) after {after} "
            f"request{'s' if after != 1 else ''} in this run, so password guessing is slowed "
            "down.",
            evidence=evidence,
        )
    if burst.throttled_at is not None:
        refused = attempts[burst.throttled_at - 1]
        evidence["status"] = refused.status
        evidence["retry_after"] = refused.retry_after
        how = f"HTTP {refused.status}" + (
            f", Retry-After {refused.retry_after}" if refused.retry_after else ""
        )
        allowed = burst.throttled_at - 1
        when = (
            "refused the very first quick attempt"
            if allowed == 0
            else f"starts refusing after {allowed} quick attempt{'s' if allowed != 1 else ''}"
        )
        return RATE_LIMIT.finding(
            target,
            Status.PASS,
            f"{label(route)} {when} ({how}), so password guessing is slowed down.",
            evidence=evidence,
        )
    if not attempts:
        return RATE_LIMIT.finding(
            target,
            Status.SKIPPED,
            f"Throttling on {label(route)} was not tested: {burst.stopped or 'nothing was sent'}.",
            evidence=evidence,
        )
    if burst.stopped and not any(t.answered for t in attempts):
        return RATE_LIMIT.finding(
            target,
            Status.ERROR,
            f"Throttling on {label(route)} could not be tested: {burst.stopped}",
            evidence=evidence,
        )
    answered = [t for t in attempts if t.answered]
    if _slows_down(answered):
        first = statistics.median(t.total_ms for t in answered[:5])
        last = statistics.median(t.total_ms for t in answered[-5:])
        evidence["slowdown_ms"] = [round(first), round(last)]
        return RATE_LIMIT.finding(
            target,
            Status.PASS,
            f"{label(route)} answers quick attempts more and more slowly ({first:.0f} ms at "
            f"first, {last:.0f} ms after {len(answered)}), which slows password guessing.",
            detail="No 429 was sent; a 429 with Retry-After tells honest clients when to retry.",
            evidence=evidence,
        )
    unusable = [t for t in answered if t.status in (404, 405) or (t.status or 0) >= 500]
    if answered and len(unusable) == len(answered):
        return RATE_LIMIT.finding(
            target,
            Status.WARN,
            f"Throttling on {label(route)} could not be judged: every attempt was answered "
            f"{answered[0].status}, so the URL or method may be wrong.",
            severity=Severity.MEDIUM,
            evidence=evidence,
            fix="Check the route's URL and method (a login form usually takes POST).",
        )
    statuses = ", ".join(f"{n} × {s}" for s, n in evidence["statuses"].items())
    return RATE_LIMIT.finding(
        target,
        Status.FAIL,
        f"Anyone can try passwords on {label(route)} as fast as they like: {len(attempts)} "
        f"attempts in {burst.seconds:.2g} s were all answered ({statuses}) without being "
        "slowed down or refused.",
        detail=(
            f"launchtui sends a login route at most {burst.limit_requests} requests per run, "
            "all checks together (this time "
            f"{burst.run_requests}), one after another within {burst.limit_seconds:g} s, and "
            "stops at the first 429 or Retry-After. A limit above that rate would not show here."
        ),
        evidence=evidence,
        fix=THROTTLE_FIX,
        refs=(OWASP_AUTOMATION, "https://www.rfc-editor.org/rfc/rfc6585#section-4"),
    )


def _slows_down(answered: list[Timing]) -> bool:
    """A tarpit: the last attempts take at least 3× as long as the first, and 300 ms more."""
    if len(answered) < 10:
        return False
    first = statistics.median(t.total_ms for t in answered[:5])
    last = statistics.median(t.total_ms for t in answered[-5:])
    return last >= 3 * first and last - first >= 300


# -- health.endpoint ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeakPattern:
    what: str  # a phrase that completes "shows ..."
    severity: Severity
    pattern: re.Pattern[str]


_ENV_WORDS = r"production|staging|development|preprod|pre-production"
LEAK_PATTERNS = (
    LeakPattern(
        "a connection string with its password",
        Severity.CRITICAL,
        re.compile(r"\b[a-z][a-z0-9+.-]{1,20}://[^\s:/@\"'<>]+:[^\s@/\"'<>]+@[^\s\"'<>,}]+", re.I),
    ),
    LeakPattern("a private key", Severity.CRITICAL, re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY")),
    LeakPattern(
        "an AWS access key", Severity.CRITICAL, re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
    ),
    LeakPattern(
        "an API secret",
        Severity.CRITICAL,
        re.compile(
            r"\b(?:sk_live_[0-9A-Za-z]{16,}|gh[pousr]_[A-Za-z0-9]{36}|"
            r"xox[abprs]-[0-9A-Za-z-]{10,}|AIza[0-9A-Za-z_-]{35})"
        ),
    ),
    LeakPattern(
        "a secret setting",
        Severity.HIGH,
        re.compile(
            r"[\"']?\b(?:password|passwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|"
            r"client[_-]?secret)\b[\"']?\s*[:=]\s*[\"']?(?!null\b|none\b|true\b|false\b|\*)"
            r"[^\s\"',}]{4,}",
            re.I,
        ),
    ),
    LeakPattern(
        "a database or queue address",
        Severity.MEDIUM,
        re.compile(
            r"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|"
            r"sqlserver|jdbc:[a-z]+)://[^\s\"'<>,}]+",
            re.I,
        ),
    ),
    LeakPattern(
        "an internal address",
        Severity.MEDIUM,
        re.compile(
            r"\b(?:10\.\d{1,3}|192\.168|172\.(?:1[6-9]|2\d|3[01]))\.\d{1,3}\.\d{1,3}\b|"
            r"\b[\w-]+\.(?:internal|local|lan|corp)\b"
        ),
    ),
    LeakPattern(
        "the software version",
        Severity.LOW,
        re.compile(
            r"[\"']?\b(?:version|app[_-]?version|build|commit|git[_-]?(?:sha|commit)|"
            r"revision|release)\b[\"']?\s*[:=]\s*[\"']?v?[0-9][\w.+-]*|"
            r"\b(?:node(?:\.js)?|python|ruby|php|java|django|rails|express|nginx|apache|"
            r"postgres(?:ql)?|mysql|redis|spring)[ /:\"'v]{0,4}\d+\.\d+(?:\.\d+)?",
            re.I,
        ),
    ),
    LeakPattern(
        "the environment name",
        Severity.LOW,
        re.compile(
            r"\b(?:NODE_ENV|RAILS_ENV|RACK_ENV|APP_ENV|FLASK_ENV|DJANGO_SETTINGS_MODULE|"
            rf"ASPNETCORE_ENVIRONMENT)\b|\b(?:{_ENV_WORDS})\b",
            re.I,
        ),
    ),
)


def find_leaks(body: str) -> list[tuple[LeakPattern, str]]:
    """What the body reveals, one (pattern, redacted excerpt) per kind of leak; text already
    reported under a graver kind (a database URL with its password) is not reported again."""
    found: list[tuple[LeakPattern, str]] = []
    claimed: list[tuple[int, int]] = []
    for leak in LEAK_PATTERNS:
        for match in leak.pattern.finditer(body):
            start, end = match.span()
            if any(start < taken_end and taken_start < end for taken_start, taken_end in claimed):
                continue
            claimed.append((start, end))
            found.append((leak, redact(match.group(0))))
            break
    return found


def redact(text: str) -> str:
    """Enough to recognise the leak, not enough to use it."""
    text = text.replace('"', "").replace("'", "")
    # scheme://user:password@host -> scheme://user:****@host
    text = re.sub(r"(://[^\s:/@]+:)[^\s@/]+@", r"\1****@", text)
    # password=hunter22 / "api_key": "abcd..." -> keep the name and 4 characters
    text = re.sub(
        r"((?:password|passwd|secret|key|token)\s*[:=]\s*)(\S{4})\S+", r"\1\2…", text, flags=re.I
    )
    # Provider keys: keep the recognisable prefix only.
    text = re.sub(r"\b(AKIA|ASIA|sk_live_|gh[pousr]_|xox[abprs]-|AIza)[\w-]+", r"\1…", text)
    return text[:120]


@dataclass(frozen=True, slots=True)
class _Problem:
    status: Status
    severity: Severity
    sentence: str  # completes "<route> ..."
    fix: str


@register(HEALTH)
async def check_health(context: CheckContext) -> list[Finding]:
    if not context.routes:
        return [_no_routes(HEALTH, context)]
    health_routes = [route for route in context.routes if route.kind == "health"]
    if not health_routes:
        return [
            HEALTH.finding(
                context.apex,
                Status.SKIPPED,
                "No health endpoint is listed, so uptime monitors can only watch the home page.",
                fix='Add the health route with kind = "health" in [[routes]] (or create one: '
                "an endpoint that checks the app and its database and answers 200 or 503).",
            )
        ]

    async def judge(route: Route) -> Finding:
        method = route.method.upper() if route.method.upper() in ("GET", "HEAD") else "GET"
        fetch = await context.http.fetch(route.url, method=method, follow=False)
        budget, _source = budget_for(context, route)
        return judge_health(route, fetch, budget)

    return list(await asyncio.gather(*(judge(route) for route in health_routes)))


def judge_health(route: Route, fetch: Fetch, budget_ms: int) -> Finding:
    target = route_target(route)
    hop = fetch.first
    evidence: dict[str, Any] = {"route": route.name, "url": route.url, "budget_ms": budget_ms}
    if hop is None:
        evidence["error"] = fetch.error
        timed_out = fetch.error_kind == "timeout"
        return HEALTH.finding(
            target,
            Status.FAIL,
            f"The health endpoint {label(route)} "
            + ("does not answer in time" if timed_out else "cannot be reached")
            + f": {fetch.error} Uptime monitors will report you down.",
            severity=Severity.HIGH,
            evidence=evidence,
            fix="Make the health endpoint answer within a second, and give its own checks "
            "(database ping, cache ping) short timeouts.",
        )
    elapsed_ms = hop.seconds * 1000
    control = parse_cache_control(hop.header_values("cache-control"))
    body = fetch.text()
    leaks = find_leaks(body)
    evidence.update(
        status=hop.status,
        ms=round(elapsed_ms, 1),
        cache_control=", ".join(hop.header_values("cache-control")) or None,
        leaks=[{"what": leak.what, "excerpt": excerpt} for leak, excerpt in leaks],
    )
    problems: list[_Problem] = []
    if 300 <= hop.status < 400:
        problems.append(
            _Problem(
                Status.WARN,
                Severity.MEDIUM,
                f"redirects ({hop.status}) instead of answering; many monitors do not follow.",
                "Point monitors at the final URL, or serve the health answer directly.",
            )
        )
    elif hop.status != 200:
        problems.append(
            _Problem(
                Status.FAIL,
                Severity.HIGH,
                f"answers {hop.status}, so monitors see the product as down.",
                "Check the URL, and that the endpoint answers 200 when the app is healthy "
                "(503 only when a dependency is down).",
            )
        )
    if elapsed_ms > budget_ms:
        problems.append(
            _Problem(
                Status.WARN,
                Severity.MEDIUM,
                f"took {elapsed_ms:.0f} ms, over its {budget_ms} ms budget; monitors with short "
                "timeouts will raise false alarms.",
                "Keep the health check cheap: ping dependencies with short timeouts, no heavy "
                "queries.",
            )
        )
    shared = control.is_shared_cacheable or (control.max_age or 0) > 0 or control.public
    if shared and not control.no_store:
        problems.append(
            _Problem(
                Status.FAIL,
                Severity.MEDIUM,
                f"may be cached (Cache-Control: {evidence['cache_control']}), so a cache can "
                "keep answering 'ok' after the app has gone down.",
                "Send Cache-Control: no-store on the health endpoint.",
            )
        )
    for leak, excerpt in leaks:
        problems.append(
            _Problem(
                Status.FAIL,
                leak.severity,
                f"shows {leak.what} to anyone ({excerpt}).",
                'Answer only a status (e.g. {"status":"ok"}); keep versions, '
                "environment names and connection details in private logs. Rotate any "
                "password or key it has shown.",
            )
        )
    if not problems:
        return HEALTH.finding(
            target,
            Status.PASS,
            f"The health endpoint {label(route)} answers 200 in {elapsed_ms:.0f} ms, is not "
            "cached and reveals nothing internal.",
            evidence=evidence,
        )
    problems.sort(key=lambda p: (p.status is not Status.FAIL, -p.severity.rank))
    worst = problems[0]
    status = Status.FAIL if any(p.status is Status.FAIL for p in problems) else Status.WARN
    severity = max((p.severity for p in problems), key=lambda s: s.rank)
    more = len(problems) - 1
    summary = f"The health endpoint {label(route)} {worst.sentence}" + (
        f" ({more} more problem{'s' if more != 1 else ''} in the detail.)" if more else ""
    )
    return HEALTH.finding(
        target,
        status,
        summary,
        severity=severity,
        detail="\n".join(f"- It {p.sentence}" for p in problems),
        evidence=evidence,
        fix=" ".join(dict.fromkeys(p.fix for p in problems)),
    )
