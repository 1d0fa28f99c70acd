"""perf.errors: under a polite load, how many requests to each listed route fail?

It reads the run's one load of the routes (`load.measure_routes`), so a route is loaded
once for both this check and perf.latency; the limit is the profile's error rate.
"""

from __future__ import annotations

from collections import Counter

from ...context import CheckContext
from ...findings import Finding, Severity, Status
from ...net.timing import Timing
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

ERRORS = CheckSpec("perf.errors", "Error rate under load", Severity.HIGH)


@register(ERRORS)
async def check_errors(context: CheckContext) -> list[Finding]:
    if not context.routes:
        return [no_routes(ERRORS, context)]
    if not context.active_probes:
        return [no_active_probes(ERRORS, context)]
    limit = context.profile.error_rate_limit_pct
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
    throttled = [t for t in timings if is_throttled(route, t)]
    failures = [t for t in timings if _is_error(t) and t not in throttled]
    rate = 100 * len(failures) / len(timings)
    evidence = {
        **base,
        "requests": len(timings),
        "errors": len(failures),
        "error_rate_pct": round(rate, 2),
        "timeouts": sum(1 for t in timings if t.timed_out),
        "throttled": len(throttled),
        "statuses": status_counts(timings),
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
            f"{label(route)}: {len(failures)} of {requests_phrase(len(timings))} failed "
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
        f"{label(route)}: no errors in {requests_phrase(len(timings))}{refused}."
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
