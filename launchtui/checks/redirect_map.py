"""The redirect map: where every way of reaching the site ends, against the map recorded
when it was right.

"Nobody knows how to restore a broken redirect" starts with nobody knowing what right
looked like. The map records, for http and https on the apex, www and every subdomain, the
chain of redirects and the final URL; this check says in plain words what differs now.
"""

from __future__ import annotations

import asyncio

from ..context import CheckContext
from ..findings import Finding, Severity, Status
from ..net.fetch import Fetch
from ..targets import KnownRedirect
from .registry import CheckSpec, register

REDIRECT_MAP = CheckSpec("http.redirect-map", "Redirects as recorded", Severity.HIGH)
_NOT_RECORDED = (
    "No redirect map has been recorded as right yet, so there is nothing to compare with. "
    "Once the redirects are right, record them: launchtui redirects ENGAGEMENT --record."
)


def redirect_starts(context: CheckContext) -> list[str]:
    """http and https on every named host: every way people reach the product."""
    return [f"{scheme}://{host.name}/" for host in context.hosts for scheme in ("http", "https")]


def observed(start: str, fetch: Fetch) -> KnownRedirect:
    """What one start URL does now, in the shape the map keeps."""
    final = fetch.final
    chain = tuple(hop.location or "" for hop in fetch.hops if hop.is_redirect)
    if not fetch.ok or final is None:
        return KnownRedirect(start, "", 0, chain)
    return KnownRedirect(start, final.url, final.status, chain)


async def current_redirects(
    context: CheckContext, starts: list[str] | None = None
) -> list[KnownRedirect]:
    starts = starts if starts is not None else redirect_starts(context)
    fetches = await asyncio.gather(*(context.http.fetch(start) for start in starts))
    return [observed(start, fetch) for start, fetch in zip(starts, fetches, strict=True)]


@register(REDIRECT_MAP)
async def check_redirect_map(context: CheckContext) -> list[Finding]:
    known = context.known_redirects
    if not known:
        return [REDIRECT_MAP.finding(context.apex, Status.SKIPPED, _NOT_RECORDED)]
    live = await current_redirects(context, [entry.start for entry in known])
    return [_compare(then, now) for then, now in zip(known, live, strict=True)]


def _compare(then: KnownRedirect, now: KnownRedirect) -> Finding:
    evidence = {
        "known_final": then.final,
        "known_chain": list(then.chain),
        "live_final": now.final,
        "live_chain": list(now.chain),
        "live_status": now.status,
    }
    fix = (
        "Restore the redirect rule where your DNS or hosting provider keeps them, then check "
        "again (the restore-redirect runbook walks through it)."
    )
    if not now.final:
        return REDIRECT_MAP.finding(
            then.start,
            Status.FAIL,
            f"{then.start} used to end at {then.final}; now it does not answer.",
            evidence=evidence,
            fix=fix,
        )
    if now.final != then.final or now.status != then.status:
        return REDIRECT_MAP.finding(
            then.start,
            Status.FAIL,
            f"{then.start} used to end at {then.final} ({then.status}); now it ends at "
            f"{now.final} ({now.status}).",
            evidence=evidence,
            fix=fix,
        )
    if len(now.chain) != len(then.chain):
        return REDIRECT_MAP.finding(
            then.start,
            Status.WARN,
            f"{then.start} still ends at {then.final}, but through {len(now.chain)} "
            f"redirect(s) instead of {len(then.chain)}.",
            evidence=evidence,
            fix="Remove the extra step so visitors get there at once.",
        )
    return REDIRECT_MAP.finding(
        then.start, Status.PASS, f"{then.start} still ends at {then.final}.", evidence=evidence
    )
