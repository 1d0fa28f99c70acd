"""The smoke test: does the product still work right after a deploy or a rotated key?

The homepage and every listed GET route (health pages, the login page, a signed-in page
whose cookie or token comes from the keyring) are each asked a few times; each must
answer without a TLS or redirect problem, with a good status, within its p95 budget.
A route stops at its first bad answer, so a broken deploy is reported in seconds.
"""

from __future__ import annotations

import asyncio

from ..context import CheckContext
from ..findings import Finding, Severity, Status
from .registry import CheckSpec, register

SMOKE = CheckSpec(
    "smoke.routes",
    "Smoke test: key pages answer",
    Severity.HIGH,
    metrics={"slowest_ms": "ms"},
)
ATTEMPTS = 3
# An API asked without signing in may answer "who are you?": it is up, just private.
_PRIVATE_BUT_UP = (401, 403)


@register(SMOKE)
async def check_smoke(context: CheckContext) -> list[Finding]:
    targets = smoke_targets(context)
    return list(await asyncio.gather(*(_smoke(context, *target) for target in targets)))


def smoke_targets(context: CheckContext) -> list[tuple[str, str, str, int]]:
    """(name, url, kind, budget ms): the homepage, then every listed GET route, each once."""
    profile = context.profile
    targets = [
        ("homepage", f"https://{context.canonical_host}/", "page", profile.budget_ms("page"))
    ]
    for route in context.routes:
        if route.method != "GET":
            continue
        budget = route.budget_ms or profile.budget_ms(route.kind)
        targets.append((route.name, route.url, route.kind, budget))
    seen: set[str] = set()
    unique = []
    for target in targets:
        if target[1] not in seen:
            seen.add(target[1])
            unique.append(target)
    return unique


async def _smoke(context: CheckContext, name: str, url: str, kind: str, budget: int) -> Finding:
    signed_in = context.credentials.get(url, {})
    slowest = 0.0
    for attempt in range(1, ATTEMPTS + 1):
        # The attempt number keeps each request its own (the prober answers a repeated
        # request from its run cache); it is a plain header a server ignores.
        fetch = await context.http.fetch(
            url, headers={**signed_in, "x-launchtui-smoke": str(attempt)}
        )
        final = fetch.final
        if not fetch.ok or final is None:
            return SMOKE.finding(
                url,
                Status.FAIL,
                f"{name} does not work: {fetch.error or 'no answer'}",
                evidence={"route": name, "attempt": attempt, "error_kind": fetch.error_kind},
                fix="Look at the last deploy first: roll it back if it broke this page.",
            )
        elapsed_ms = sum(hop.seconds for hop in fetch.hops) * 1000
        slowest = max(slowest, elapsed_ms)
        allowed = final.status < 400 or (
            kind == "api" and not signed_in and final.status in _PRIVATE_BUT_UP
        )
        if not allowed:
            return SMOKE.finding(
                url,
                Status.FAIL,
                f"{name} answers {final.status} instead of the page.",
                evidence={
                    "route": name,
                    "attempt": attempt,
                    "status": final.status,
                    "final_url": final.url,
                },
                fix="Look at the last deploy and the server's logs for this page.",
            )
        if elapsed_ms > budget:
            return SMOKE.finding(
                url,
                Status.FAIL,
                f"{name} took {elapsed_ms:.0f} ms; its budget is {budget} ms.",
                evidence={
                    "route": name,
                    "attempt": attempt,
                    "slowest_ms": round(elapsed_ms),
                    "budget_ms": budget,
                },
                fix="Compare with the release before: a slow deploy is a reason to roll back.",
            )
    return SMOKE.finding(
        url,
        Status.PASS,
        f"{name} answered well {ATTEMPTS} times (slowest {slowest:.0f} ms, budget {budget} ms).",
        evidence={
            "route": name,
            "slowest_ms": round(slowest),
            "budget_ms": budget,
            "signed_in": bool(signed_in),
        },
    )
