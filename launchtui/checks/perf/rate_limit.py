"""auth.rate-limit: can anyone try passwords on a login route as fast as they like?

Each login route (kind `auth`) gets one quick burst of attempts per run (`load.burst_for`),
within the route's request budget; a 429, a Retry-After or answers that slow down pass.
"""

from __future__ import annotations

import asyncio
import statistics
from typing import Any

from ...context import CheckContext
from ...findings import Finding, Severity, Status
from ...net.timing import Timing
from ...targets import Route
from ..registry import CheckSpec, register
from .load import (
    Burst,
    burst_for,
    label,
    no_active_probes,
    no_routes,
    route_target,
    status_counts,
)

RATE_LIMIT = CheckSpec(
    "auth.rate-limit", "Login and sign-up throttling", Severity.HIGH, active=True
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


@register(RATE_LIMIT)
async def check_rate_limit(context: CheckContext) -> list[Finding]:
    if not context.routes:
        return [no_routes(RATE_LIMIT, context)]
    if not context.active_probes:
        return [no_active_probes(RATE_LIMIT, context)]
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
    return [judge_burst(route, burst) for route, burst in zip(auth_routes, bursts, strict=True)]


def judge_burst(route: Route, burst: Burst | str) -> Finding:
    target = route_target(route)
    if isinstance(burst, str):
        return RATE_LIMIT.finding(target, Status.ERROR, burst)
    attempts = burst.attempts
    evidence: dict[str, Any] = {
        "route": route.name,
        "url": route.url,
        "method": route.method.upper(),
        "attempts": len(attempts),
        "throttled_at": burst.throttled_at,
        "seconds": round(burst.seconds, 2),
        "limits": {"requests": burst.limit_requests, "seconds": burst.limit_seconds},
        "statuses": status_counts(list(attempts)),
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
