"""What sits in front of the site, and what the production build gives away."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx

from ..context import CheckContext
from ..findings import Finding, Severity, Status
from ..net.fetch import Fetch, Hop
from ..net.page import first_party_assets
from .http import landing_pages, not_answered
from .registry import CheckSpec, register

CDN = CheckSpec("edge.cdn", "CDN / WAF in front", Severity.MEDIUM)
STAGING_LEAK = CheckSpec("deploy.staging-leak", "Staging references in production", Severity.MEDIUM)
SOURCEMAPS = CheckSpec("deploy.sourcemaps", "Public source maps", Severity.MEDIUM)

# (provider, header name, value pattern or None for "present")
CDN_SIGNATURES: tuple[tuple[str, str, str | None], ...] = (
    ("Cloudflare", "cf-ray", None),
    ("Cloudflare", "server", r"^cloudflare"),
    ("Fastly", "x-served-by", r"cache-"),
    ("Fastly", "x-fastly-request-id", None),
    ("Amazon CloudFront", "x-amz-cf-id", None),
    ("Amazon CloudFront", "via", r"cloudfront"),
    ("Vercel", "x-vercel-id", None),
    ("Vercel", "server", r"^vercel"),
    ("Netlify", "x-nf-request-id", None),
    ("Netlify", "server", r"^netlify"),
    ("Akamai", "server", r"akamai"),
    ("Akamai", "x-akamai-transformed", None),
    ("Azure Front Door", "x-azure-ref", None),
    ("Google Cloud CDN", "via", r"1\.1 google"),
    ("Bunny CDN", "server", r"^bunnycdn"),
    ("Fly.io", "fly-request-id", None),
    ("Sucuri WAF", "x-sucuri-id", None),
    ("Imperva", "x-iinfo", None),
    ("Varnish cache", "via", r"varnish"),
)
CDN_NAME_SERVERS = {
    "cloudflare.com": "Cloudflare",
    "awsdns": "Amazon Route 53",
    "vercel-dns.com": "Vercel",
    "nsone.net": "NS1",
}

# URLs that belong to development and preview builds, not production.
STAGING_PATTERNS = (
    re.compile(r"https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::\d+)?[/\"'`]", re.I),
    re.compile(r"https?://[a-z0-9.-]*\b(?:staging|stage|preview|dev|qa|uat)[.-][a-z0-9.-]+", re.I),
    re.compile(r"https?://[a-z0-9-]+(?:-git-[a-z0-9-]+)?\.vercel\.app", re.I),
    re.compile(r"https?://deploy-preview-\d+--[a-z0-9-]+\.netlify\.app", re.I),
    re.compile(r"https?://[a-z0-9-]+\.ngrok(?:-free)?\.(?:io|app|dev)", re.I),
)
SOURCE_MAP_COMMENT = re.compile(rb"[#@]\s*sourceMappingURL\s*=\s*(\S+)\s*(?:\*/)?\s*$")


def detect_cdn(hop: Hop) -> list[str]:
    providers = []
    headers = hop.header_map
    for provider, name, pattern in CDN_SIGNATURES:
        value = headers.get(name)
        if value is not None and (pattern is None or re.search(pattern, value, re.I)):
            providers.append(provider)
    return list(dict.fromkeys(providers))


@register(CDN)
async def check_cdn(context: CheckContext) -> list[Finding]:
    pages = await landing_pages(context)
    hops = [hop for page in pages for hop in page.hops]
    providers = list(dict.fromkeys(p for hop in hops for p in detect_cdn(hop)))
    ns = await context.resolver.lookup(context.apex, "NS")
    dns_providers = sorted(
        {
            provider
            for record in ns.texts()
            for key, provider in CDN_NAME_SERVERS.items()
            if key in record.lower()
        }
    )
    evidence = {"from_headers": providers, "dns_provider": dns_providers}
    if not pages:
        return [CDN.finding(context.apex, Status.SKIPPED, "No page answered over HTTPS.")]
    if providers:
        return [
            CDN.finding(
                context.apex,
                Status.PASS,
                f"{context.apex} is served through {', '.join(providers)}.",
                evidence=evidence,
            )
        ]
    return [
        CDN.finding(
            context.apex,
            Status.WARN,
            f"No CDN or web application firewall was detected in front "
            f"of {context.apex}, so traffic spikes and attacks hit your server directly.",
            evidence=evidence,
            fix="Put a CDN/WAF (Cloudflare, Fastly, CloudFront, or your host's edge network) in "
            "front, and lock the origin so it only accepts traffic from it.",
        )
    ]


async def page_and_scripts(context: CheckContext) -> list[tuple[str, Fetch]]:
    """The landing pages and the first-party scripts they load, fetched once per run."""
    pages = await landing_pages(context)
    scripts = list(
        dict.fromkeys(
            asset.url
            for page in pages
            if page.final is not None
            for asset in first_party_assets(page.final.url, page.text(), context.apex)
            if asset.kind == "script"
        )
    )
    fetched = await asyncio.gather(*(context.http.fetch(url) for url in scripts))
    return [(p.final.url, p) for p in pages if p.final] + list(zip(scripts, fetched, strict=True))


@register(STAGING_LEAK)
async def check_staging_leak(context: CheckContext) -> list[Finding]:
    documents = await page_and_scripts(context)
    findings = []
    clean = []
    for url, fetch in documents:
        if not fetch.ok:
            findings.append(not_answered(STAGING_LEAK, url, fetch))
            continue
        found = sorted(
            {
                match.group(0).rstrip("/\"'`")
                for pattern in STAGING_PATTERNS
                for match in pattern.finditer(fetch.text())
            }
        )
        found = [ref for ref in found if not _is_own_production(ref, context)]
        if not found:
            clean.append(url)
        else:
            findings.append(
                STAGING_LEAK.finding(
                    url,
                    Status.FAIL,
                    f"{url} refers to non-production addresses ({', '.join(found[:4])}"
                    f"), so the live site may call test servers or leak their names.",
                    evidence={"references": found[:20]},
                    fix="Build production with production environment variables only, and search "
                    "the build for localhost, staging and preview URLs before deploying.",
                )
            )
    if not documents:
        return [STAGING_LEAK.finding(context.apex, Status.SKIPPED, "No page answered.")]
    if clean and not findings:
        return [
            STAGING_LEAK.finding(
                context.apex,
                Status.PASS,
                f"The {len(clean)} page(s) and scripts checked mention no staging, preview or "
                "local addresses.",
                evidence={"checked": clean},
            )
        ]
    # Beside a leaking page, each clean one says so itself: the report shows what was read.
    return findings + [
        STAGING_LEAK.finding(
            url, Status.PASS, f"{url} mentions no staging, preview or local addresses."
        )
        for url in clean
    ]


def _is_own_production(reference: str, context: CheckContext) -> bool:
    host = reference.split("://", 1)[-1].split("/", 1)[0].split(":")[0].lower()
    return host in context.host_names


@register(SOURCEMAPS)
async def check_sourcemaps(context: CheckContext) -> list[Finding]:
    scripts = [
        (url, fetch)
        for url, fetch in await page_and_scripts(context)
        if url.split("?")[0].endswith((".js", ".mjs"))
    ]
    if not scripts:
        return [
            SOURCEMAPS.finding(
                context.apex, Status.SKIPPED, "The landing pages load no first-party scripts."
            )
        ]
    loaded = [(url, fetch) for url, fetch in scripts if fetch.ok and fetch.final]
    judged = await asyncio.gather(*(_judge_script(context, url, f) for url, f in loaded))
    unjudged = [not_answered(SOURCEMAPS, url, f) for url, f in scripts if (url, f) not in loaded]
    return [*judged, *unjudged]


async def _judge_script(context: CheckContext, url: str, fetch: Fetch) -> Finding:
    assert fetch.final is not None
    reference = fetch.final.header("sourcemap") or fetch.final.header("x-sourcemap")
    if reference is None:
        match = SOURCE_MAP_COMMENT.search(fetch.body[-4096:].rstrip())
        reference = match.group(1).decode("utf-8", "replace") if match else None
    if reference is None:
        return SOURCEMAPS.finding(url, Status.PASS, f"{url} points to no source map.")
    if reference.startswith("data:"):
        return _public_map(url, "inline in the script itself", {"inline": True})
    map_url = str(httpx.URL(url).join(reference))
    map_fetch = await context.http.fetch(map_url)
    final = map_fetch.final
    if final is not None and final.status == 200 and b'"mappings"' in map_fetch.body[:65536]:
        return _public_map(url, f"at {map_url}", {"map_url": map_url})
    status = final.status if final else map_fetch.error
    return SOURCEMAPS.finding(
        url,
        Status.PASS,
        f"{url} names a source map, but it is not served publicly ({status}).",
        evidence={"map_url": map_url},
    )


def _public_map(url: str, where: str, evidence: dict[str, Any]) -> Finding:
    return SOURCEMAPS.finding(
        url,
        Status.WARN,
        f"The source map for {url} is public ({where}), so anyone can read "
        "your original front-end source code, comments and internal URLs included.",
        evidence=evidence,
        fix="Stop uploading .map files to production (or restrict them), e.g. "
        "productionBrowserSourceMaps: false / build.sourcemap: false.",
    )
