"""perf.latency: does each listed route answer within its p95 budget?

The measurement is the run's one load of the routes (`load.measure_routes`); this module
turns it into percentiles, says how far they can be trusted, and judges them against the
budget from the route or the profile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ...context import CheckContext
from ...findings import Finding, Severity, Status
from ...loadgen import (
    FATAL_KINDS,
    HISTOGRAM_EDGES_MS,
    LoadRun,
    histogram,
    percentile,
    quantile_bounds,
)
from ...net.timing import Timing
from ...targets import Route
from ..registry import CheckSpec, register
from .load import (
    RouteMeasurement,
    is_throttled,
    label,
    measure_routes,
    no_active_probes,
    no_routes,
    requests_phrase,
    route_target,
    status_counts,
)

LATENCY = CheckSpec(
    "perf.latency",
    "Response times (p95)",
    Severity.MEDIUM,
    active=True,
    metrics={"p95_ms": "ms"},
)
WARN_MARGIN = 0.10  # a p95 up to 10 % over budget warns instead of failing
SPEED_FIX = (
    "Find what the slow requests wait on (database queries, calls to other services, cold "
    "starts) with your host's request logs or an APM; add indexes, cache or precompute "
    "the answer, or move slow work to a background job."
)


@register(LATENCY)
async def check_latency(context: CheckContext) -> list[Finding]:
    if not context.routes:
        return [no_routes(LATENCY, context)]
    if not context.active_probes:
        return [no_active_probes(LATENCY, context)]
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
    answered = [
        s.timing.total_ms
        for s in run.samples
        if s.timing.answered and not is_throttled(route, s.timing)
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
    evidence["phases_ms"] = _phase_evidence(run, route)
    evidence["histogram"] = {
        "unit": "ms",
        "edges": list(HISTOGRAM_EDGES_MS),
        "counts": histogram([*answered, *timed_out]),
        "note": "bucket i counts requests from edges[i] up to edges[i+1]; the last is open",
    }
    numbers = (
        f"p50 {_ms(summary.p50)} ms, p99 {_ms(summary.p99)}"
        f"{'+' if summary.at_least(99) else ''} ms; {requests_phrase(summary.count)}"
    )
    p95 = f"{_ms(summary.p95)}{'+' if summary.at_least(95) else ''} ms"
    detail = _latency_detail(run, summary, route)
    caveat = _late_caveat(run) + _throttled_caveat(run, route)
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


def _throttled_caveat(run: LoadRun, route: Route) -> str:
    refused = sum(1 for s in run.samples if is_throttled(route, s.timing))
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


def _unmeasured_latency(
    measurement: RouteMeasurement, target: str, base: dict[str, Any]
) -> Finding:
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


def _run_evidence(run: LoadRun) -> dict[str, Any]:
    late = run.late
    return {
        "rate_per_s": run.plan.rate_per_s,
        "planned": run.plan.samples,
        "sent": len(run.samples),
        "warmup": len(run.warmup),
        "timeouts": run.timeouts,
        "statuses": status_counts(run.timings),
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


def _phase_evidence(run: LoadRun, route: Route) -> dict[str, Any]:
    """Median and p95 of each phase, new connections and reused ones apart."""
    groups: dict[str, list[Timing]] = {"new_connection": [], "reused_connection": []}
    for sample in run.samples:
        timing = sample.timing
        if not timing.answered or is_throttled(route, timing):
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


def _latency_detail(run: LoadRun, summary: LatencySummary, route: Route) -> str:
    lines = [trust_statement(summary)]
    phases = _phase_evidence(run, route)
    for name, heading in (("new_connection", "New connections"), ("reused_connection", "Reused")):
        entry = phases[name]
        if entry["count"]:
            parts = [
                f"{phase} {entry[phase]['p50']:g}"
                for phase in ("dns", "connect", "tls", "ttfb", "total")
                if phase in entry and (name == "new_connection" or phase in ("ttfb", "total"))
            ]
            lines.append(f"{heading} ({entry['count']}), medians in ms: {', '.join(parts)}.")
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


def _seconds(value: float) -> str:
    return f"{value:g} second" + ("" if value == 1 else "s")


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"
