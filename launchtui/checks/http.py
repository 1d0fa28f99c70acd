"""HTTP behaviour of every host: redirects to HTTPS and one canonical URL, security
headers, version banners, CORS and session cookies."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
from collections.abc import Callable, Mapping

from ..context import CheckContext, Host
from ..findings import Finding, Severity, Status
from ..net.fetch import Fetch, Hop
from ..parsers.banner import leaked_versions
from ..parsers.cookies import Cookie, looks_like_session, parse_set_cookie
from ..parsers.cors import judge_cors
from ..parsers.hsts import parse_hsts
from .probing import apex_and_www, judge_every_address, reachable_hosts, web_hosts
from .registry import CheckSpec, register

HTTPS_REDIRECT = CheckSpec("http.https-redirect", "HTTP to HTTPS", Severity.HIGH)
CANONICAL = CheckSpec("http.canonical", "One canonical URL", Severity.MEDIUM)
REDIRECT_LOOP = CheckSpec(
    "http.redirect-loop", "Redirect loops", Severity.HIGH, metrics={"hops": "redirects"}
)
REDIRECT_CHAIN = CheckSpec("http.redirect-chain", "Redirect chains", Severity.LOW)
HSTS = CheckSpec("http.hsts", "HSTS", Severity.MEDIUM)
HEADERS = CheckSpec("http.headers", "Security headers", Severity.MEDIUM)
BANNER = CheckSpec("http.banner", "Version banners", Severity.LOW)
CORS = CheckSpec("http.cors", "CORS", Severity.HIGH)
COOKIES = CheckSpec("http.cookies", "Session cookies", Severity.HIGH)

HSTS_GOOD = 15552000  # 180 days, the usual minimum for preload lists and graders
HSTS_FLOOR = 86400
FOREIGN_ORIGIN = "https://launchtui-cors-probe.invalid"
TEMPORARY = (302, 303, 307)
MDN_HEADERS = "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers"


def variant_urls(context: CheckContext) -> list[str]:
    """http and https on the apex and www: the four ways people reach a site."""
    return [
        f"{scheme}://{host.name}/" for host in apex_and_www(context) for scheme in ("http", "https")
    ]


async def reachable_variants(context: CheckContext) -> dict[str, Fetch]:
    """Variant URLs whose host has an address, fetched with redirects followed."""
    reachable = set(await reachable_hosts(context))
    urls = [url for url in variant_urls(context) if _host(url) in reachable]
    fetches = await asyncio.gather(*(context.http.fetch(url) for url in urls))
    return dict(zip(urls, fetches, strict=True))


async def landing_fetches(context: CheckContext) -> dict[str, Fetch]:
    """https://host/ for every host that resolves, followed to the end, by that URL."""
    urls = [f"https://{host}/" for host in await reachable_hosts(context)]
    fetches = await asyncio.gather(*(context.http.fetch(url) for url in urls))
    return dict(zip(urls, fetches, strict=True))


async def landing_pages(context: CheckContext) -> list[Fetch]:
    """The landing pages that answered, one per final URL (www and the apex often share one)."""
    pages: dict[str, Fetch] = {}
    for fetch in (await landing_fetches(context)).values():
        if fetch.ok and fetch.final is not None:
            pages.setdefault(fetch.final.url, fetch)
    return list(pages.values())


def not_answered(spec: CheckSpec, target: str, fetch: Fetch) -> Finding:
    """The verdict for a target that gave no answer to judge: skipped, with why. Every
    check words it the same way, so a report shows one note for all the checks it stopped."""
    reason = fetch.error or f"{fetch.start_url} gave no answer."
    return spec.finding(
        target,
        Status.SKIPPED,
        f"Not judged: {reason}",
        evidence={"error": fetch.error, "error_kind": fetch.error_kind},
    )


def judge_final_pages(
    spec: CheckSpec, starts: Mapping[str, Fetch], judge: Callable[[str, Hop], Finding]
) -> list[Finding]:
    """`judge(start, page)` once for each page the `starts` end at (the apex and www often
    end at the same one), and `not_answered` for each start that reached no page."""
    judged: dict[str, Finding] = {}
    for url, fetch in starts.items():
        page = fetch.final if fetch.ok else None
        if page is None:
            judged[url] = not_answered(spec, url, fetch)
        elif page.url not in judged:
            judged[page.url] = judge(url, page)
    return list(judged.values())


async def redirect_starts(context: CheckContext) -> dict[str, Fetch]:
    """Every reachable host's landing page over http and https, and every listed route,
    each followed to the end: where a redirect loop or a long chain can hide."""
    hosts = await reachable_hosts(context)
    urls = [f"{scheme}://{host}/" for host in hosts for scheme in ("http", "https")]
    urls = list(dict.fromkeys([*urls, *(route.url for route in context.routes)]))
    fetches = await asyncio.gather(*(context.http.fetch(url) for url in urls))
    return dict(zip(urls, fetches, strict=True))


def _host(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[0].split(":")[0]


# -- http.https-redirect ------------------------------------------------------------


@register(HTTPS_REDIRECT)
async def check_https_redirect(context: CheckContext) -> list[Finding]:
    async def judge(host: Host, address: str) -> Finding:
        fetch = await context.http.fetch(f"http://{host.name}/", address=address, follow=False)
        return judge_https_redirect(host.name, fetch)

    return await judge_every_address(context, HTTPS_REDIRECT, web_hosts(context), judge)


def judge_https_redirect(host: str, fetch: Fetch) -> Finding:
    first = fetch.first
    if first is None:
        if fetch.error_kind == "connect":
            return HTTPS_REDIRECT.finding(
                host,
                Status.WARN,
                f"Nothing answers on http://{host}, so people who type the "
                "address without https:// get an error page.",
                severity=Severity.MEDIUM,
                evidence={"error": fetch.error},
                fix="Listen on port 80 and redirect every request to https:// with a 301.",
            )
        return HTTPS_REDIRECT.finding(
            host, Status.ERROR, fetch.error or "No answer.", evidence={"error": fetch.error}
        )
    evidence = {"status": first.status, "location": first.location}
    if first.is_redirect and first.location and first.location.startswith("https://"):
        return HTTPS_REDIRECT.finding(
            host,
            Status.PASS,
            f"http://{host} sends visitors to HTTPS straight away.",
            evidence=evidence,
        )
    if first.is_redirect:
        return HTTPS_REDIRECT.finding(
            host,
            Status.FAIL,
            f"http://{host} redirects to {first.location}, still without "
            "HTTPS, so the first request travels unencrypted.",
            severity=Severity.MEDIUM,
            evidence=evidence,
            fix="Make the first redirect go straight to https://.",
        )
    if 200 <= first.status < 300:
        return HTTPS_REDIRECT.finding(
            host,
            Status.FAIL,
            f"http://{host} serves pages over plain HTTP, so logins and "
            "cookies can be read or changed on public Wi-Fi.",
            evidence=evidence,
            fix=f"Redirect every http://{host} request to https:// with a 301.",
        )
    return HTTPS_REDIRECT.finding(
        host,
        Status.WARN,
        f"http://{host} answers {first.status} instead of redirecting to HTTPS.",
        severity=Severity.MEDIUM,
        evidence=evidence,
        fix=f"Redirect every http://{host} request to https:// with a 301.",
    )


# -- http.canonical ---------------------------------------------------------------


@register(CANONICAL)
async def check_canonical(context: CheckContext) -> list[Finding]:
    variants = await reachable_variants(context)
    if not variants:
        return [
            CANONICAL.finding(
                context.apex,
                Status.SKIPPED,
                "Neither the apex nor www has an address, so there is no URL to compare.",
            )
        ]
    broken = {url: fetch.error for url, fetch in variants.items() if not fetch.ok}
    endings = {
        url: fetch.final.url
        for url, fetch in variants.items()
        if fetch.ok and fetch.final is not None
    }
    evidence = {"endings": endings, "broken": broken}
    distinct = sorted(set(endings.values()))
    if broken:
        return [
            CANONICAL.finding(
                context.apex,
                Status.FAIL,
                f"{len(broken)} of the {len(variants)} ways to type your "
                f"address do not reach the site ({', '.join(broken)}).",
                evidence=evidence,
                fix="Make http/https on the apex and www all redirect to one working URL.",
            )
        ]
    if len(distinct) > 1:
        return [
            CANONICAL.finding(
                context.apex,
                Status.FAIL,
                f"Your site answers at {len(distinct)} different "
                f"addresses ({', '.join(distinct)}), which splits search ranking and logins.",
                evidence=evidence,
                fix="Pick one canonical host and 301-redirect every other variant to it.",
            )
        ]
    final = distinct[0]
    final_host = _host(final)
    if context.canonical_declared and final_host != context.canonical_host:
        return [
            CANONICAL.finding(
                context.apex,
                Status.FAIL,
                f"Every variant ends at {final}, but the engagement says "
                f"the canonical host is {context.canonical_host}.",
                evidence=evidence,
                fix="Fix the redirects, or correct domain.canonical in the engagement file.",
            )
        ]
    if not final.startswith("https://"):
        return [
            CANONICAL.finding(
                context.apex,
                Status.FAIL,
                f"Every variant ends at {final}, which is not HTTPS.",
                severity=Severity.HIGH,
                evidence=evidence,
                fix="Redirect to the https:// URL.",
            )
        ]
    return [
        CANONICAL.finding(
            context.apex,
            Status.PASS,
            f"All {len(variants)} variants end at {final}.",
            evidence=evidence,
        )
    ]


# -- http.redirect-loop and http.redirect-chain ---------------------------------------


@register(REDIRECT_LOOP)
async def check_redirect_loops(context: CheckContext) -> list[Finding]:
    starts = await redirect_starts(context)
    return [judge_loop(url, fetch) for url, fetch in starts.items()] or [
        REDIRECT_LOOP.finding(context.apex, Status.SKIPPED, "No reachable URL to follow.")
    ]


# Why a chain stopped that says nothing about loops or hops: judged by other checks.
NO_CHAIN_TO_JUDGE = ("no-address", "connect", "tls", "timeout", "protocol", "budget")


def judge_loop(url: str, fetch: Fetch) -> Finding:
    if fetch.error_kind == "loop":
        return REDIRECT_LOOP.finding(
            url,
            Status.FAIL,
            f"{url} redirects in a circle, so browsers show "
            "'too many redirects' and nobody reaches the site.",
            evidence={"cycle": list(fetch.loop)},
            detail=" -> ".join(fetch.loop),
            fix="Check the redirect rules at the CDN, the host and the app: two of them "
            "disagree about the canonical URL or about HTTPS.",
        )
    if fetch.error_kind == "too-many":
        return REDIRECT_LOOP.finding(
            url,
            Status.FAIL,
            f"{url} redirects more than {len(fetch.hops)} times; browsers give up.",
            evidence={"hops": [hop.url for hop in fetch.hops]},
            fix="Redirect straight to the final URL in one step.",
        )
    if fetch.error_kind in NO_CHAIN_TO_JUDGE:
        return not_answered(REDIRECT_LOOP, url, fetch)
    return REDIRECT_LOOP.finding(
        url, Status.PASS, f"{url} does not loop.", evidence={"hops": len(fetch.hops)}
    )


@register(REDIRECT_CHAIN)
async def check_redirect_chains(context: CheckContext) -> list[Finding]:
    starts = await redirect_starts(context)
    return [judge_chain(url, fetch) for url, fetch in starts.items()] or [
        REDIRECT_CHAIN.finding(context.apex, Status.SKIPPED, "No reachable URL to follow.")
    ]


def judge_chain(url: str, fetch: Fetch) -> Finding:
    redirects = [hop for hop in fetch.hops if hop.is_redirect]
    path = [hop.url for hop in fetch.hops]
    evidence = {"hops": [f"{hop.status} {hop.url}" for hop in fetch.hops]}
    if fetch.error_kind in ("loop", "too-many"):
        return REDIRECT_CHAIN.finding(
            url,
            Status.SKIPPED,
            f"{url} never reaches a page (see http.redirect-loop), so there is no chain to judge.",
            evidence=evidence,
        )
    if fetch.error_kind in NO_CHAIN_TO_JUDGE:
        return not_answered(REDIRECT_CHAIN, url, fetch)
    if fetch.error_kind == "bad-scheme":
        target = fetch.final.location if fetch.final else ""
        return REDIRECT_CHAIN.finding(
            url,
            Status.FAIL,
            f"{url} redirects to a non-web address ({(target or '')[:40]}), "
            "so visitors end nowhere (or somewhere dangerous).",
            severity=Severity.HIGH,
            evidence={**evidence, "location": target},
            fix="Redirect only to https:// URLs of your own site.",
        )
    if len(redirects) > 2:
        return REDIRECT_CHAIN.finding(
            url,
            Status.WARN,
            f"{url} takes {len(redirects)} redirects to reach the page, "
            "adding a round trip each for every new visitor.",
            evidence=evidence,
            detail=" -> ".join(path),
            fix="Redirect every variant straight to the final URL.",
        )
    moves = [hop for hop in redirects if hop.status in TEMPORARY and _moves_site(hop)]
    if moves:
        return REDIRECT_CHAIN.finding(
            url,
            Status.WARN,
            f"{url} uses a temporary redirect ({moves[0].status}) for a "
            "permanent move, so search engines keep the old address.",
            evidence=evidence,
            fix="Use 301 (or 308) for host and HTTPS redirects.",
        )
    return REDIRECT_CHAIN.finding(
        url,
        Status.PASS,
        f"{url} reaches the page in {len(redirects)} redirect(s).",
        evidence=evidence,
    )


def _moves_site(hop: Hop) -> bool:
    """A redirect that changes scheme or host, as canonical redirects do."""
    assert hop.location is not None
    return hop.url.split("/", 3)[:3] != hop.location.split("/", 3)[:3]


# -- http.hsts ----------------------------------------------------------------------


@register(HSTS)
async def check_hsts(context: CheckContext) -> list[Finding]:
    async def judge(host: Host, address: str) -> Finding:
        fetch = await context.http.fetch(f"https://{host.name}/", address=address, follow=False)
        return judge_hsts(host.name, fetch)

    return await judge_every_address(context, HSTS, web_hosts(context), judge)


def judge_hsts(host: str, fetch: Fetch) -> Finding:
    first = fetch.first
    if first is None:
        return not_answered(HSTS, host, fetch)
    value = first.header("strict-transport-security")
    fix = (
        "Send Strict-Transport-Security: max-age=31536000; includeSubDomains on every "
        "HTTPS response."
    )
    refs = ("https://www.rfc-editor.org/rfc/rfc6797", f"{MDN_HEADERS}/Strict-Transport-Security")
    if value is None:
        return HSTS.finding(
            host,
            Status.FAIL,
            f"https://{host} does not tell browsers to "
            "insist on HTTPS (no HSTS), so a first visit can be downgraded.",
            fix=fix,
            refs=refs,
        )
    hsts = parse_hsts(value)
    evidence = {"header": value, "max_age": hsts.max_age, "problems": list(hsts.problems)}
    if not hsts.valid or hsts.max_age is None:
        return HSTS.finding(
            host,
            Status.FAIL,
            f"https://{host} sends an HSTS header that browsers ignore: {'; '.join(hsts.problems)}",
            evidence=evidence,
            fix=fix,
            refs=refs,
        )
    if hsts.max_age < HSTS_FLOOR:
        return HSTS.finding(
            host,
            Status.FAIL,
            f"https://{host}'s HSTS lasts only "
            f"{hsts.max_age} s, so browsers forget it within a day.",
            evidence=evidence,
            fix=fix,
            refs=refs,
        )
    if hsts.max_age < HSTS_GOOD:
        return HSTS.finding(
            host,
            Status.WARN,
            f"https://{host}'s HSTS lasts "
            f"{hsts.max_age // 86400} days; 180 days or more is expected.",
            severity=Severity.LOW,
            evidence=evidence,
            fix=fix,
            refs=refs,
        )
    return HSTS.finding(
        host,
        Status.PASS,
        f"https://{host} tells browsers to use HTTPS for {hsts.max_age // 86400} days.",
        evidence=evidence,
    )


# -- http.headers -------------------------------------------------------------------


@register(HEADERS)
async def check_security_headers(context: CheckContext) -> list[Finding]:
    landings = await landing_fetches(context)
    return judge_final_pages(HEADERS, landings, lambda _start, page: judge_headers(page)) or [
        HEADERS.finding(
            context.apex, Status.SKIPPED, "No host has an address, so no headers could be read."
        )
    ]


def judge_headers(page: Hop) -> Finding:
    headers = page.header_map
    csp = headers.get("content-security-policy", "")
    missing_core = []
    if headers.get("x-content-type-options", "").strip().lower() != "nosniff":
        missing_core.append("X-Content-Type-Options: nosniff")
    if "x-frame-options" not in headers and "frame-ancestors" not in csp.lower():
        missing_core.append("frame protection (X-Frame-Options or CSP frame-ancestors)")
    missing_extra = [
        name
        for name, present in (
            ("Referrer-Policy", "referrer-policy" in headers),
            ("Content-Security-Policy", bool(csp)),
        )
        if not present
    ]
    evidence = {"missing": missing_core + missing_extra, "status": page.status}
    if missing_core:
        return HEADERS.finding(
            page.url,
            Status.WARN,
            f"{page.url} is missing {', '.join(missing_core)}, so it can "
            "be framed by other sites (clickjacking) or have files misread as scripts.",
            evidence=evidence,
            refs=(MDN_HEADERS,),
            fix="Add X-Content-Type-Options: nosniff and X-Frame-Options: DENY (or CSP "
            "frame-ancestors 'none') at the server or CDN.",
        )
    if missing_extra:
        return HEADERS.finding(
            page.url,
            Status.WARN,
            f"{page.url} has the essential headers but no {' or '.join(missing_extra)}.",
            severity=Severity.LOW,
            evidence=evidence,
            refs=(MDN_HEADERS,),
            fix="Add Referrer-Policy: strict-origin-when-cross-origin and a "
            "Content-Security-Policy (start with report-only).",
        )
    return HEADERS.finding(
        page.url,
        Status.PASS,
        f"{page.url} sends the recommended security headers.",
        evidence=evidence,
    )


# -- http.banner --------------------------------------------------------------------


@register(BANNER)
async def check_banners(context: CheckContext) -> list[Finding]:
    """One verdict per host: its leaks, or a pass, or why it could not be read."""
    hosts = await reachable_hosts(context)
    hops_by_host = await _hops_by_host(context, hosts)
    findings: list[Finding] = []
    for host in hosts:
        hops = hops_by_host.get(host, [])
        if not hops:
            findings.append(
                not_answered(BANNER, host, await context.http.fetch(f"https://{host}/"))
            )
            continue
        leaks: dict[tuple[str, str], Finding] = {}
        for hop in hops:
            for leak in leaked_versions(hop.header_map):
                leaks.setdefault(
                    (leak.header, leak.value),
                    BANNER.finding(
                        host,
                        Status.WARN,
                        leak.summary,
                        severity=Severity.LOW,
                        evidence={"header": leak.header, "value": leak.value, "url": hop.url},
                        fix="Hide product and version headers (server_tokens off, "
                        "expose_php = Off, app.disable('x-powered-by')).",
                    ),
                )
        findings += list(leaks.values()) or [
            BANNER.finding(
                host,
                Status.PASS,
                f"{host} does not reveal software versions.",
                evidence={"urls": list(dict.fromkeys(hop.url for hop in hops))},
            )
        ]
    return findings or [BANNER.finding(context.apex, Status.SKIPPED, "No host has an address.")]


async def _hops_by_host(context: CheckContext, hosts: list[str]) -> dict[str, list[Hop]]:
    """Every answer seen on http and https of `hosts`, redirects included, by the host that
    sent it (a redirect to another host of the audit counts for that host)."""
    urls = [f"{scheme}://{host}/" for host in hosts for scheme in ("https", "http")]
    fetches = await asyncio.gather(*(context.http.fetch(url) for url in urls))
    by_host: dict[str, list[Hop]] = {}
    for fetch in fetches:
        for hop in fetch.hops:
            by_host.setdefault(hop.host, []).append(hop)
    return by_host


# -- http.cors --------------------------------------------------------------------


@register(CORS)
async def check_cors(context: CheckContext) -> list[Finding]:
    urls = [f"https://{host}/" for host in await reachable_hosts(context)]
    urls += [route.url for route in context.routes if route.kind in ("api", "auth")]
    urls = list(dict.fromkeys(urls))
    fetches = await asyncio.gather(
        *(context.http.fetch(url, headers={"origin": FOREIGN_ORIGIN}) for url in urls)
    )
    return [judge_cors_on(url, fetch) for url, fetch in zip(urls, fetches, strict=True)] or [
        CORS.finding(context.apex, Status.SKIPPED, "No URL to probe.")
    ]


def judge_cors_on(url: str, fetch: Fetch) -> Finding:
    if fetch.final is None:
        return not_answered(CORS, url, fetch)
    verdict = judge_cors(FOREIGN_ORIGIN, fetch.final.header_map)
    evidence = {
        "sent_origin": FOREIGN_ORIGIN,
        "allow_origin": verdict.allowed_origin,
        "allow_credentials": verdict.allows_credentials,
    }
    if verdict.wildcard and verdict.allows_credentials and not verdict.dangerous:
        return CORS.finding(
            url,
            Status.WARN,
            verdict.summary,
            severity=Severity.LOW,
            evidence=evidence,
            fix="Drop Access-Control-Allow-Credentials, or list your own origins instead of *.",
        )
    if verdict.dangerous:
        return CORS.finding(
            url,
            Status.FAIL,
            verdict.summary,
            evidence=evidence,
            fix="Allow only your own origins by exact match, and never reflect the request's "
            "Origin together with Access-Control-Allow-Credentials: true.",
            refs=("https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS",),
        )
    return CORS.finding(url, Status.PASS, verdict.summary, evidence=evidence)


# -- http.cookies -------------------------------------------------------------------


@register(COOKIES)
async def check_cookies(context: CheckContext) -> list[Finding]:
    """A verdict per session cookie, and for each host that set none, a pass saying so."""
    hosts = await reachable_hosts(context)
    urls = [f"https://{h}/" for h in hosts] + [r.url for r in context.routes]
    fetches = await asyncio.gather(*(context.http.fetch(url) for url in dict.fromkeys(urls)))
    judged: dict[tuple[str, str], Finding] = {}
    answered: dict[str, list[str]] = {}
    for fetch in fetches:
        for hop in fetch.hops:
            answered.setdefault(hop.host, []).append(hop.url)
            for header in hop.header_values("set-cookie"):
                cookie = parse_set_cookie(header)
                verdict = judge_cookie(hop, cookie) if looks_like_session(cookie) else None
                if verdict is not None:
                    judged.setdefault((hop.host, cookie.name), verdict)
    with_cookies = {host for host, _name in judged}
    quiet = [
        COOKIES.finding(
            host,
            Status.PASS,
            f"No session cookie was set on the {len(set(pages))} page(s) of {host} visited, "
            "so there is nothing to protect there.",
            evidence={"pages": list(dict.fromkeys(pages))},
        )
        for host, pages in answered.items()
        if host not in with_cookies and host in context.host_names
    ]
    silent = [
        not_answered(COOKIES, host, await context.http.fetch(f"https://{host}/"))
        for host in hosts
        if host not in answered
    ]
    return [*judged.values(), *quiet, *silent] or [
        COOKIES.finding(context.apex, Status.SKIPPED, "No host has an address to visit.")
    ]


def judge_cookie(hop: Hop, cookie: Cookie) -> Finding | None:
    """None for a cookie being deleted (a logout): there is nothing left to protect."""
    if (cookie.max_age is not None and cookie.max_age <= 0) or _expired(cookie.expires):
        return None
    target = f"{hop.host} cookie {cookie.name}"
    evidence = {
        "problems": list(cookie.problems),
        "secure": cookie.secure,
        "httponly": cookie.http_only,
        "samesite": cookie.same_site,
        "url": hop.url,
    }
    missing = [
        flag
        for flag, present in (
            ("Secure", cookie.secure),
            ("HttpOnly", cookie.http_only),
            ("SameSite", cookie.same_site is not None),
        )
        if not present
    ]
    fix = "Set session cookies with Secure; HttpOnly; SameSite=Lax (or Strict)."
    refs = ("https://developer.mozilla.org/en-US/docs/Web/HTTP/Cookies#security",)
    prefix_problems = [p for p in cookie.problems if "__Host-" in p or "__Secure-" in p]
    if missing:
        severity = Severity.HIGH if {"Secure", "HttpOnly"} & set(missing) else Severity.MEDIUM
        return COOKIES.finding(
            target,
            Status.FAIL,
            f"The login cookie {cookie.name} on {hop.host} lacks "
            f"{', '.join(missing)}, so it is easier to steal or to misuse from another site.",
            severity=severity,
            evidence=evidence,
            fix=fix,
            refs=refs,
        )
    if prefix_problems:
        return COOKIES.finding(
            target,
            Status.FAIL,
            f"Browsers reject the cookie {cookie.name} on {hop.host}: {prefix_problems[0]}",
            severity=Severity.HIGH,
            evidence=evidence,
            fix="Follow the prefix rules: __Host- needs Secure, Path=/ and no Domain.",
            refs=refs,
        )
    if (cookie.same_site or "").lower() == "none":
        return COOKIES.finding(
            target,
            Status.WARN,
            f"The login cookie {cookie.name} on {hop.host} is sent on "
            "requests from other sites (SameSite=None), so it gets no cross-site protection.",
            severity=Severity.MEDIUM,
            evidence=evidence,
            fix=fix,
            refs=refs,
        )
    return COOKIES.finding(
        target,
        Status.PASS,
        f"The session cookie {cookie.name} is Secure, HttpOnly and SameSite.",
        evidence=evidence,
    )


def _expired(expires: str | None) -> bool:
    if not expires:
        return False
    try:
        moment = email.utils.parsedate_to_datetime(expires)
    except (TypeError, ValueError):
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment < dt.datetime.now(dt.UTC)
