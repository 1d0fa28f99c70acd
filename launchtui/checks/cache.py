"""Caching safety: no personal page cached for everyone, static files cached for long.

A CDN that stores a response which set a session cookie hands that session to
the next visitor. No mainstream checker tests this, and it is the launch
roadmap's sharpest warning, so we look at every response we see.
"""

from __future__ import annotations

import asyncio

from ..context import CheckContext
from ..findings import Finding, Severity, Status
from ..net.fetch import Fetch, Hop
from ..net.page import first_party_assets
from ..parsers.cache_control import CacheControl, parse_cache_control
from .http import judge_final_pages, landing_fetches, landing_pages
from .registry import CheckSpec, register

PRIVATE_LEAK = CheckSpec("cache.private-leak", "Private data in shared caches", Severity.CRITICAL)
STATIC = CheckSpec(
    "cache.static",
    "Static asset caching",
    Severity.LOW,
    metrics={"lifetime_seconds": "seconds"},
)

LONG_LIFETIME = 7 * 86400
# Headers CDNs use to say "this answer came from my cache".
CACHE_STATUS_HEADERS = (
    "x-cache",
    "cf-cache-status",
    "x-vercel-cache",
    "x-nf-cache-status",
    "cdn-cache",
    "x-proxy-cache",
    "x-cache-status",
    "akamai-cache-status",
)


def cache_hit(hop: Hop) -> str | None:
    """The header that reports a shared-cache hit, as `name: value`, or None."""
    for name in CACHE_STATUS_HEADERS:
        value = hop.header(name)
        if value and "hit" in value.lower() and "miss" not in value.lower():
            return f"{name}: {value}"
    return None


@register(PRIVATE_LEAK)
async def check_private_leak(context: CheckContext) -> list[Finding]:
    """Every landing page and every listed GET route, whatever its kind: an /account page
    that sets a cookie is as personal as a login page."""
    private_urls = {route.url for route in context.routes if route.kind == "auth"}
    route_urls = [route.url for route in context.routes if route.method.upper() in ("GET", "HEAD")]
    routes = await asyncio.gather(*(context.http.fetch(url) for url in route_urls))
    # Routes first: when a login route and a landing page end on the same URL, it is judged
    # as the private page it is.
    starts = dict(zip(route_urls, routes, strict=True))
    for url, fetch in (await landing_fetches(context)).items():
        starts.setdefault(url, fetch)

    def judge(start: str, page: Hop) -> Finding:
        return judge_private_leak(page, page.url in private_urls or start in private_urls)

    return judge_final_pages(PRIVATE_LEAK, starts, judge) or [
        PRIVATE_LEAK.finding(
            context.apex, Status.SKIPPED, "No host has an address, so caching could not be judged."
        )
    ]


def judge_private_leak(hop: Hop, private_route: bool) -> Finding:
    cookies = [value.split("=", 1)[0].strip() for value in hop.header_values("set-cookie")]
    control = parse_cache_control(hop.header_values("cache-control"))
    hit = cache_hit(hop)
    evidence = {
        "cache_control": ", ".join(hop.header_values("cache-control")) or None,
        "sets_cookies": cookies,
        "cache_status": hit,
        "private_route": private_route,
    }
    personal = bool(cookies) or private_route
    protected = control.private or control.no_store
    shared = control.reusable_by_shared_caches or hit is not None
    if personal and shared and not protected:
        why = f"sets cookie {cookies[0]}" if cookies else "is a login/private route"
        how = hit or f"Cache-Control: {evidence['cache_control']}"
        return PRIVATE_LEAK.finding(
            hop.url,
            Status.FAIL,
            f"{hop.url} {why} but may be stored by a shared cache "
            f"({how}), so one visitor's session or data can be served to the next.",
            evidence=evidence,
            fix="Send Cache-Control: private, no-store on any response that sets a cookie or "
            "shows personal data, and exclude those paths from CDN caching.",
            refs=("https://www.rfc-editor.org/rfc/rfc9111#section-3",),
        )
    summary = (
        f"{hop.url} is personal and marked private/no-store."
        if personal and protected
        else f"{hop.url} is not cached by shared caches with personal data."
    )
    return PRIVATE_LEAK.finding(hop.url, Status.PASS, summary, evidence=evidence)


@register(STATIC)
async def check_static_caching(context: CheckContext) -> list[Finding]:
    assets = []
    for page in await landing_pages(context):
        if page.final is not None:
            assets += first_party_assets(page.final.url, page.text(), context.apex)
    urls = list(dict.fromkeys(asset.url for asset in assets))
    fetches = await asyncio.gather(*(context.http.fetch(url) for url in urls))
    return [judge_static(url, fetch) for url, fetch in zip(urls, fetches, strict=True)] or [
        STATIC.finding(
            context.apex,
            Status.SKIPPED,
            "The landing pages load no first-party scripts or stylesheets to judge.",
        )
    ]


def judge_static(url: str, fetch: Fetch) -> Finding:
    final = fetch.final
    if final is None or final.status != 200:
        status = final.status if final else fetch.error
        return STATIC.finding(
            url,
            Status.WARN,
            f"{url} is linked from your page but does not load ({status}).",
            severity=Severity.MEDIUM,
            evidence={"status": status},
            fix="Fix the link or deploy the missing file.",
        )
    control = parse_cache_control(final.header_values("cache-control"))
    lifetime = control.lifetime_seconds
    evidence = {
        "cache_control": ", ".join(final.header_values("cache-control")) or None,
        "lifetime_seconds": lifetime,
    }
    if lifetime is None or lifetime < LONG_LIFETIME or control.no_store or control.no_cache:
        return STATIC.finding(
            url,
            Status.WARN,
            f"{url} is cached for {_lifetime(lifetime, control)}, so repeat "
            "visitors download it again and pages load slower.",
            evidence=evidence,
            fix="Give fingerprinted static files Cache-Control: public, max-age=31536000, "
            "immutable.",
        )
    return STATIC.finding(
        url, Status.PASS, f"{url} is cached for {lifetime // 86400} days.", evidence=evidence
    )


def _lifetime(seconds: int | None, control: CacheControl) -> str:
    if control.no_store or control.no_cache:
        return "no time at all (no-store/no-cache)"
    if not seconds:
        return "no set time"
    return f"only {seconds // 3600} h" if seconds >= 3600 else f"only {seconds} s"
