"""Benchmark: does a full `check` of a domain run its hosts concurrently?

A lab domain, bench.test, with nine hosts (the apex, www and the seven common
subdomains the zero-config audit discovers) is served by nginx with every HTTP
response held for D ms (`echo_sleep`, redirects included) and by Knot behind a
proxy that holds every DNS question for Q ms (tc netem does not exist on this
kernel). We run the real headless audit against it several times and compare
the median wall time with the critical-path bound: the longest chain of
requests that must follow one another (a name before its first request, each
redirect before the next hop, a page before the scripts it names), computed
from the same site plan that configures nginx. A perfectly concurrent audit
takes the bound plus a little CPU; the target is at most 1.3x.

    .venv/bin/python bench/audit.py [--runs 5] [--http-delay-ms 200] [--dns-delay-ms 50]
                                    [--profile] [--what-if]

It binds only 127.B.0.0/16 (B: the first free block from 200), starts and
stops its own servers, and takes about 25 s (under two minutes with --what-if).
Results go to stdout; exit code 1 when the ratio is above the target.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/secrets.py (named for what it measures) would shadow the standard library's
# `secrets` for scripts run from this folder: take the folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse
import asyncio
import contextlib
import functools
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dns.asyncquery
import dns.message

from launchtui.audit import CheckRequest, run_check_request
from launchtui.engine import Progress
from launchtui.lab import Lab
from launchtui.lab.world import AddressPlan, World
from launchtui.net.fetch import Prober
from launchtui.resolver import Nameserver, Resolver

DOMAIN = "bench.test"
PROVIDER = "hosting.test"  # a hosting provider's zone that two subdomains CNAME into
TARGET_RATIO = 1.3
FIRST_BLOCK = 200
PROXY_HOSTS = (60, 61)  # 127.B.0.60/.61: the delayed name servers (Knot is on .53/.54)
PING_PATH = "/__bench/ping"  # answered at once: measures connection set-up alone

PAGE = (
    '<!doctype html><html><head><link rel="stylesheet" href="/static/site.css">'
    '<script src="/static/app.3f9a.js"></script></head><body>Welcome</body></html>'
)
ASSET_BODY = "echo 'ok';"
JSON_BODY = """echo '{"ok": true}';"""
ASSETS = {"/static/site.css": "text/css", "/static/app.3f9a.js": "application/javascript"}
SECURE_HEADERS = (
    'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always; '
    "add_header X-Content-Type-Options nosniff always; "
    "add_header X-Frame-Options DENY always; "
    "add_header Referrer-Policy strict-origin-when-cross-origin always; "
    "add_header Content-Security-Policy \"default-src 'self'; frame-ancestors 'none'\" always; "
)


# -- the site plan: one source for the nginx config and for the bound ---------------


@dataclass(frozen=True)
class Site:
    """One host of bench.test and what https://host/ does."""

    label: str  # "" for the apex
    redirect_to: str | None = None  # https://host/ redirects here (a path or a full URL)
    landing: str = "page"  # what the final URL serves: "page" (loads ASSETS) or "json"
    cname: bool = False  # the name is a CNAME into the provider's zone

    @property
    def name(self) -> str:
        return f"{self.label}.{DOMAIN}" if self.label else DOMAIN

    @property
    def provider_name(self) -> str:
        return f"bench-{self.label}.{PROVIDER}"


SITES = (
    Site(""),
    Site("www", redirect_to=f"https://{DOMAIN}/"),
    Site("app", redirect_to="/login"),
    Site("api", landing="json"),
    Site("auth", redirect_to="/login"),
    Site("admin", redirect_to="/login"),
    Site("dashboard", redirect_to="/login", cname=True),
    Site("docs", cname=True),
    Site("status"),
)


def _delayed(delay: float, body: str) -> str:
    return f"echo_sleep {delay:.3f}; {body}"


def _redirect_block(match: str, delay: float, status: int, target: str, name: str) -> str:
    # `return` runs in the rewrite phase, before any content handler, so it cannot be
    # delayed in place: sleep in a content handler, then jump to a named location.
    return (
        f"location {match} {{ {_delayed(delay, f'echo_exec @{name};')} }}\n"
        f"location @{name} {{ {SECURE_HEADERS}return {status} {target}; }}\n"
    )


def _https_server(site: Site, delay: float) -> str:
    blocks = [f"location = {PING_PATH} {{ return 204; }}\n"]
    landing = "/"
    if site.redirect_to is not None:
        absolute = site.redirect_to.startswith("https://")
        # A host move is permanent (301); sending visitors to a login page is not (302).
        if absolute:
            status, target = 301, site.redirect_to.rstrip("/") + "$request_uri"
        else:
            status, target = 302, site.redirect_to
        blocks.append(_redirect_block("= /", delay, status, target, "moved"))
        landing = "" if absolute else site.redirect_to
    if site.landing == "page" and landing:
        blocks.append(
            f"location = {landing} {{ {SECURE_HEADERS}"
            'add_header Cache-Control "private, no-store" always; default_type text/html; '
            f"{_delayed(delay, f'echo {PAGE!r};')} }}\n"
        )
        for path, content_type in ASSETS.items():
            blocks.append(
                f"location = {path} {{ {SECURE_HEADERS}"
                'add_header Cache-Control "public, max-age=31536000, immutable" always; '
                f"default_type {content_type}; {_delayed(delay, ASSET_BODY)} }}\n"
            )
    elif site.landing == "json" and landing:
        blocks.append(
            f"location = {landing} {{ {SECURE_HEADERS}default_type application/json; "
            f"{_delayed(delay, JSON_BODY)} }}\n"
        )
    blocks.append(
        f"location / {{ {SECURE_HEADERS}{_delayed(delay, 'echo_status 404; echo missing;')} }}\n"
    )
    return "".join(blocks)


def _http_server(delay: float) -> str:
    return f"location = {PING_PATH} {{ return 204; }}\n" + _redirect_block(
        "/", delay, 301, "https://$host$request_uri", "https"
    )


def build(plan: AddressPlan, http_delay: float = 0.1) -> World:
    """bench.test: every site in SITES on its own address, each response `http_delay` late.

    The zone's NS records name the delay proxy, so even the audit's questions sent
    straight to "the zone's own servers" (SOA, ANY) pay the DNS delay.
    """
    world = World(plan)
    proxies = [f"127.{plan.block}.0.{host}" for host in PROXY_HOSTS]
    records = [f"@ NS ns{i}" for i in (1, 2)] + [f"ns{i} A {a}" for i, a in enumerate(proxies, 1)]
    provider_records: list[str] = []
    for site in SITES:
        vhost = world.host(
            site.name, http=_http_server(http_delay), https=_https_server(site, http_delay)
        )
        owner = site.label or "@"
        if site.cname:
            records.append(f"{owner} CNAME {site.provider_name}.")
            provider_records.append(
                f"{site.provider_name.removesuffix('.' + PROVIDER)} A {vhost.address}"
            )
        else:
            records.append(f"{owner} A {vhost.address}")
    records += [
        f"@ MX 10 mx1.{DOMAIN}.",
        f"mx1 A {plan.next_address()}",
        '@ TXT "v=spf1 mx -all"',
        f'_dmarc TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{DOMAIN}"',
    ]
    world.zone(DOMAIN, *records, ns=0)
    world.zone(PROVIDER, *provider_records, ns=0).add(*[f"@ NS ns{i}.{DOMAIN}." for i in (1, 2)])
    return world


# -- the critical-path bound ---------------------------------------------------------


@dataclass
class Chain:
    """One sequence of waits the audit cannot overlap, and what it costs."""

    what: str
    dns_queries: int
    http_hops: int
    seconds: float


def _dns_queries(host: str) -> int:
    """Sequential questions before the first address of `host` is known.

    Knot answers authoritatively and does not follow a CNAME into another zone, so
    the stub resolver must ask again for the target. A and AAAA go out together.
    """
    site = next((s for s in SITES if s.name == host), None)
    return 2 if site is not None and site.cname else 1


def _redirects(url: str) -> list[str]:
    """The URLs a followed fetch of `url` requests, in order (from the site plan)."""
    scheme, _, rest = url.partition("://")
    host, _, tail = rest.partition("/")
    path = "/" + tail
    site = next(s for s in SITES if s.name == host)
    if scheme == "http":
        return [url, *_redirects(f"https://{host}{path}")]
    if path == "/" and site.redirect_to is not None:
        target = site.redirect_to
        return [url, *_redirects(target if "://" in target else f"https://{host}{target}")]
    return [url]


def _serves_page(url: str) -> bool:
    host = url.split("://", 1)[1].split("/", 1)[0]
    return next(s for s in SITES if s.name == host).landing == "page"


def critical_path(dns_cost: float, hop_cost: float) -> list[Chain]:
    """Every chain of waits in a full audit of bench.test, longest first.

    The audit fetches http:// and https:// of every host, following redirects, and
    the scripts and stylesheets of every landing page. An ideal audit starts all of
    it at once and asks every name's A and AAAA at the start, so a request waits
    for its host's name (one DNS wait per question that must follow another), then
    for the request before it, then costs `hop_cost`. A page's assets are fetched
    together: one more hop.
    """
    chains = []
    for site in SITES:
        for scheme in ("http", "https"):
            urls = _redirects(f"{scheme}://{site.name}/")
            hosts = [url.split("://", 1)[1].split("/", 1)[0] for url in urls]
            elapsed = 0.0
            for host in hosts:
                elapsed = max(elapsed, _dns_queries(host) * dns_cost) + hop_cost
            assets = scheme == "https" and _serves_page(urls[-1])
            elapsed += hop_cost if assets else 0.0
            route = " -> ".join(url.removesuffix("/") for url in urls)
            route += " -> assets" if assets else ""
            queries = max(_dns_queries(host) for host in hosts)
            chains.append(Chain(route, queries, len(urls) + assets, elapsed))
    # Lookups with no web request after them, each two questions deep: the name server
    # check (NS, then SOA at each server, whose address comes as glue with the NS
    # answer) and mail (MX, then each exchange's address).
    chains.append(Chain("dns.ns: NS -> SOA at each name server", 2, 0, 2 * dns_cost))
    chains.append(Chain("dns.mx, email.spf: MX -> exchange address", 2, 0, 2 * dns_cost))
    return sorted(chains, key=lambda chain: -chain.seconds)


# -- running the lab -----------------------------------------------------------------


def free_block() -> int:
    for block in range(FIRST_BLOCK, 255):
        if not Lab.block_in_use(block):
            return block
    raise SystemExit("No free lab address block in 127.200-254.x.x")


@contextlib.contextmanager
def delay_proxy(block: int, delay: float) -> Iterator[str]:
    """The DNS delay proxy as our child process; yields the nameserver address to use."""
    listen = [f"127.{block}.0.{host}" for host in PROXY_HOSTS]
    argv = [sys.executable, str(Path(__file__).with_name("dns_delay_proxy.py"))]
    argv += [arg for address in listen for arg in ("--listen", address)]
    argv += ["--upstream", f"127.{block}.0.53", "--delay-ms", f"{delay * 1000:g}"]
    argv += ["--lifetime", "240"]
    proxy = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert proxy.stdout is not None
        if proxy.stdout.readline().strip() != b"ready":
            raise SystemExit(f"the DNS delay proxy did not start (exit {proxy.wait()})")
        yield listen[0]
    finally:
        assert proxy.stdin is not None
        proxy.stdin.close()  # the proxy exits when its stdin closes
        try:
            proxy.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proxy.kill()
            proxy.wait()


@contextlib.contextmanager
def bench_lab(http_delay: float, dns_delay: float) -> Iterator[tuple[Lab, str]]:
    lab = Lab(functools.partial(build, http_delay=http_delay), free_block()).start()
    try:
        with delay_proxy(lab.world.plan.block, dns_delay) as nameserver:
            yield lab, nameserver
    finally:
        lab.stop()


async def measured_dns_cost(nameserver: str, samples: int = 7) -> float:
    """One question through the proxy, median seconds: the delay plus Knot and the relay."""
    times = []
    for _ in range(samples):
        query = dns.message.make_query(f"www.{DOMAIN}", "A")
        began = time.perf_counter()
        await dns.asyncquery.udp(query, nameserver, timeout=2)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


async def measured_setup_cost(lab: Lab, samples: int = 7) -> float:
    """One fresh HTTPS connection and an undelayed request through launchtui's own prober.

    Loopback has no round-trip time, so this is the CPU cost of TCP, TLS and
    HTTP in this process and nginx: what each hop adds on top of D.
    """
    knot = Resolver([Nameserver(lab.world.plan.dns_addresses[0])])
    times = []
    for _ in range(samples):
        prober = Prober(knot, ca_bundle=str(lab.ca_bundle))
        fetch = await prober.fetch(f"https://{DOMAIN}{PING_PATH}")
        await prober.aclose()
        assert fetch.ok and fetch.final is not None, fetch.error
        times.append(fetch.final.seconds)
    return statistics.median(times)


# -- one audit, with an optional timeline of its checks -------------------------------


@dataclass
class Timeline:
    began: float = field(default_factory=time.perf_counter)
    started: dict[str, float] = field(default_factory=dict)
    finished: dict[str, float] = field(default_factory=dict)

    def __call__(self, progress: Progress) -> None:
        offset = time.perf_counter() - self.began
        (self.finished if progress.finished else self.started)[progress.check] = offset


@dataclass
class Run:
    seconds: float
    cpu_seconds: float  # this process only: the audit (the servers and proxy run elsewhere)
    counts: dict[str, int]
    timeline: Timeline


async def audit_once(lab: Lab, nameserver: str, timeline: Timeline | None = None) -> Run:
    request = CheckRequest(
        target=DOMAIN, nameservers=[nameserver], ca_bundle=lab.ca_bundle, active_probes=False
    )
    timeline = timeline or Timeline()
    cpu = time.process_time()
    timeline.began = time.perf_counter()
    report = (await run_check_request(request, progress=timeline)).report
    seconds = time.perf_counter() - timeline.began
    counts: dict[str, int] = {}
    for finding in report.findings:
        counts[finding.status.value] = counts.get(finding.status.value, 0) + 1
    return Run(seconds, time.process_time() - cpu, counts, timeline)


async def audits(lab: Lab, nameserver: str, runs: int) -> list[Run]:
    return [await audit_once(lab, nameserver) for _ in range(runs)]


# -- diagnostics: what the audit waits on -----------------------------------------------


@dataclass
class WaitLog:
    """Per fetch or TLS inspection: when it was asked for, got a prober slot, finished."""

    asked: dict[tuple, float] = field(default_factory=dict)
    running: dict[tuple, float] = field(default_factory=dict)
    done: dict[tuple, float] = field(default_factory=dict)
    dns_queries: int = 0
    loop_stalls: list[float] = field(default_factory=list)  # event loop late by this much


@contextlib.contextmanager
def wait_log(began: Callable[[], float]) -> Iterator[WaitLog]:
    """Wrap private methods of Prober and Resolver (diagnostics only; never a product path)."""
    from launchtui.net import fetch as fetch_module

    log = WaitLog()
    saved = (Prober._fetch_bounded, Prober._follow, Prober._tls_bounded, Resolver._query_once)
    original_inspect = fetch_module.inspect_tls

    def now() -> float:
        return time.perf_counter() - began()

    async def bounded(self, url, address, method, headers, follow):
        key = (url, address, method, tuple(sorted(headers.items())), follow)
        log.asked[key] = now()
        try:
            return await saved[0](self, url, address, method, headers, follow)
        finally:
            log.done[key] = now()

    async def following(self, url, address, method, headers, follow):
        log.running[(url, address, method, tuple(sorted(headers.items())), follow)] = now()
        return await saved[1](self, url, address, method, headers, follow)

    async def tls_bounded(self, host, address, port):
        key = ("tls", host, address, port)
        log.asked[key] = now()
        try:
            return await saved[2](self, host, address, port)
        finally:
            log.done[key] = now()

    async def inspect(host, address, port, *rest):
        log.running[("tls", host, address, port)] = now()
        return await original_inspect(host, address, port, *rest)

    async def query(self, name, rdtype):
        log.dns_queries += 1
        return await saved[3](self, name, rdtype)

    Prober._fetch_bounded, Prober._follow, Prober._tls_bounded = bounded, following, tls_bounded
    Resolver._query_once = query
    fetch_module.inspect_tls = inspect
    try:
        yield log
    finally:
        Prober._fetch_bounded, Prober._follow, Prober._tls_bounded = saved[:3]
        Resolver._query_once = saved[3]
        fetch_module.inspect_tls = original_inspect


async def watch_loop(log: WaitLog, tick: float = 0.005) -> None:
    """Record how late the event loop wakes us: time it spent running something else."""
    while True:
        due = time.perf_counter() + tick
        await asyncio.sleep(tick)
        log.loop_stalls.append(time.perf_counter() - due)


async def profiled_audit(lab: Lab, nameserver: str) -> tuple[Run, WaitLog]:
    timeline = Timeline()
    with wait_log(lambda: timeline.began) as log:
        watcher = asyncio.create_task(watch_loop(log))
        try:
            run = await audit_once(lab, nameserver, timeline)
        finally:
            watcher.cancel()
    return run, log


def print_profile(run: Run, log: WaitLog, hop: float) -> None:
    timeline = run.timeline
    ms = 1000
    print("\nProfile of one run (ms from the start of run_check_request):")
    first_start = min(timeline.started.values())
    print(f"  discovery and context, before the first check starts: {first_start * ms:.0f}")
    stalls = [stall for stall in log.loop_stalls if stall > 0.010]
    print(
        f"  CPU: {run.cpu_seconds * ms:.0f} ms in this process; the event loop was busy "
        f">10 ms at a stretch {len(stalls)} times, {sum(stalls) * ms:.0f} ms in all, "
        f"longest {max(log.loop_stalls, default=0) * ms:.0f} ms"
    )
    fetches = [key for key in log.asked if key[0] != "tls"]
    inspections = [key for key in log.asked if key[0] == "tls"]
    print(
        f"  DNS questions {log.dns_queries}; distinct fetches {len(fetches)}; "
        f"TLS inspections {len(inspections)}"
    )
    waits = {key: log.running[key] - log.asked[key] for key in log.asked if key in log.running}
    if waits:
        peak = max(
            sum(1 for key in log.asked if log.asked[key] <= moment < log.done.get(key, 1e9))
            for moment in log.asked.values()
        )
        print(
            f"  prober slots ({Prober.concurrency}, held for a whole redirect chain or TLS "
            f"inspection): {peak} wanted at peak; {sum(w > 0.005 for w in waits.values())} of "
            f"{len(waits)} waited > 5 ms, longest {max(waits.values()) * ms:.0f} ms"
        )
    print(f"  {'check':24} {'start':>6} {'end':>6} {'ran':>6}")
    for check, start in sorted(timeline.started.items(), key=lambda item: item[1]):
        end = timeline.finished.get(check, float("nan"))
        print(f"  {check:24} {start * ms:6.0f} {end * ms:6.0f} {(end - start) * ms:6.0f}")
    print(f"  the latest-finishing requests (one hop is about {hop * ms:.0f} ms):")
    for key in sorted(log.done, key=lambda key: log.done[key], reverse=True)[:8]:
        if key[0] == "tls":
            label = f"TLS inspection of {key[1]}"
        else:
            url, address, _, headers, follow = key
            label = url + (" pinned" if address else "") + ("" if follow else " no-follow")
            label += " +origin" if headers else ""
        asked, done = log.asked[key], log.done[key]
        slot = log.running.get(key, asked)
        print(f"    {label:50} asked {asked * ms:5.0f} slot {slot * ms:5.0f} done {done * ms:5.0f}")


WHAT_IFS = {
    "ssl-context-once": "SSL contexts made once, not per host and run (tls.py, fetch.py)",
    "sniffio": "sniffio importable (httpcore retries the import per lock)",
    "prober-64": "Prober.concurrency 16 -> 64",
    "pool-100": "PinnedTransport max_connections 20 -> 100 (net/transport.py)",
    "engine-64": "run_checks concurrency 8 -> 64",
    "warm-discovery": "context_for_domain asks A+AAAA of every name at once",
}


@contextlib.contextmanager
def what_if(names: tuple[str, ...]) -> Iterator[None]:
    """Run the audit as if suggested changes were made, patched in only while measuring."""
    import ssl
    import types

    import launchtui.audit as audit_module
    import launchtui.context as context_module
    from launchtui.net import fetch as fetch_module
    from launchtui.net import tls as tls_module

    saved_audit = dict(vars(audit_module))
    saved_semaphore, saved_ssl = Prober._semaphore, tls_module.ssl
    saved_make_ssl_context = fetch_module.make_ssl_context
    saved_transport = fetch_module.PinnedTransport
    saved_sniffio = sys.modules.get("sniffio")
    if "engine-64" in names:
        audit_module.run_checks = functools.partial(saved_audit["run_checks"], concurrency=64)
    if "prober-64" in names:

        def wide(self: Prober) -> asyncio.Semaphore:
            if self._bound is None:
                self._bound = asyncio.Semaphore(64)
            return self._bound

        Prober._semaphore = wide
    if "pool-100" in names:
        fetch_module.PinnedTransport = functools.partial(saved_transport, max_connections=100)
    if "warm-discovery" in names:
        discover = saved_audit["context_for_domain"]

        async def warm(domain, resolver, profile, **settings):
            names = [domain.name, f"www.{domain.name}"]
            names += [f"{label}.{domain.name}" for label in context_module.COMMON_SUBDOMAINS]
            await asyncio.gather(*(resolver.addresses(name) for name in names))
            return await discover(domain, resolver, profile, **settings)

        audit_module.context_for_domain = warm
    if "ssl-context-once" in names:
        contexts: dict[str, ssl.SSLContext] = {}

        class OnceSsl(types.ModuleType):
            def __getattr__(self, name: str):
                return getattr(ssl, name)

            @staticmethod
            def create_default_context() -> ssl.SSLContext:
                # inspect_tls loads the same CA bundle into it again: a cheap no-op.
                if "verifying" not in contexts:
                    contexts["verifying"] = ssl.create_default_context()
                return contexts["verifying"]

        tls_module.ssl = OnceSsl("ssl")
        fetch_module.make_ssl_context = functools.lru_cache(saved_make_ssl_context)
    if "sniffio" in names and saved_sniffio is None:
        sniffio = types.ModuleType("sniffio")
        sniffio.current_async_library = lambda: "asyncio"  # type: ignore[attr-defined]
        sys.modules["sniffio"] = sniffio
    try:
        yield
    finally:
        vars(audit_module).update(saved_audit)
        Prober._semaphore, tls_module.ssl = saved_semaphore, saved_ssl
        fetch_module.make_ssl_context = saved_make_ssl_context
        fetch_module.PinnedTransport = saved_transport
        if saved_sniffio is None:
            sys.modules.pop("sniffio", None)


# -- main -----------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


async def bench(args: argparse.Namespace) -> int:
    http_delay, dns_delay = args.http_delay_ms / 1000, args.dns_delay_ms / 1000
    with bench_lab(0.0, 0.0) as (lab, nameserver):
        await audit_once(lab, nameserver)  # warm-up: imports, first connections
        floor = statistics.median(r.seconds for r in await audits(lab, nameserver, 3))
    with bench_lab(http_delay, dns_delay) as (lab, nameserver):
        dns_cost = await measured_dns_cost(nameserver)
        setup = await measured_setup_cost(lab)
        hop = http_delay + setup
        chains = critical_path(dns_cost, hop)
        bound = chains[0].seconds
        warmup = await audit_once(lab, nameserver)
        runs = await audits(lab, nameserver, args.runs)
        wall = statistics.median(run.seconds for run in runs)
        cpu = statistics.median(run.cpu_seconds for run in runs)
        ratio = wall / bound

        print(
            f"launchtui audit benchmark: {DOMAIN}, {len(SITES)} hosts, "
            f"lab 127.{lab.world.plan.block}.0.0/16, {len(runs)} runs after a warm-up"
        )
        print(
            f"  injected: HTTP D = {args.http_delay_ms:g} ms per response (echo_sleep, "
            f"redirects too); DNS Q = {args.dns_delay_ms:g} ms per question (proxy)"
        )
        print(
            f"  measured: DNS question {dns_cost * 1000:.1f} ms; fresh HTTPS connection "
            f"+ request {setup * 1000:.1f} ms; so one hop = {hop * 1000:.1f} ms"
        )
        print(f"  findings per run: {json.dumps(warmup.counts, sort_keys=True)}")
        load, cores = os.getloadavg()[0], os.cpu_count() or 1
        busy = "  (busy: other work shares the CPUs, figures run high)" if load > cores else ""
        print(f"  machine: load average {load:.1f} on {cores} CPUs{busy}")
        print("\nCritical path: the longest chains of waits an ideal audit cannot overlap")
        for chain in chains[:5]:
            print(
                f"  {_ms(chain.seconds):>7}  {chain.dns_queries}Q + {chain.http_hops} hops  "
                f"{chain.what}"
            )
        print(
            f"\n  wall time  {_ms(wall)} (median; min {_ms(min(r.seconds for r in runs))}, "
            f"max {_ms(max(r.seconds for r in runs))})"
        )
        print(f"  bound      {_ms(bound)}")
        print(
            f"  ratio      {ratio:.2f}x (target <= {TARGET_RATIO}x): "
            f"{'OK' if ratio <= TARGET_RATIO else 'ABOVE TARGET'}"
        )
        print(
            f"  breakdown  audit CPU in this process {_ms(cpu)} per run; the same audit "
            f"with no injected delay takes {_ms(floor)}; wall - bound = {_ms(wall - bound)}"
        )

        if args.profile or ratio > TARGET_RATIO:
            try:
                print_profile(*await profiled_audit(lab, nameserver), hop)
            except (AttributeError, TypeError) as exc:  # the private hooks moved
                print(f"\nProfile unavailable: {type(exc).__name__}: {exc}")

        if args.what_if:
            print(
                "\nWhat if (each change patched in while measuring; median of "
                f"{args.what_if_runs} runs):"
            )
            everything = tuple(WHAT_IFS)
            variants = [(name,) for name in everything] + [everything]
            variants += [tuple(n for n in everything if n != name) for name in everything]
            for names in variants:
                try:
                    with what_if(names):
                        runs_if = await audits(lab, nameserver, args.what_if_runs)
                except (AttributeError, KeyError, TypeError) as exc:  # the patched names moved
                    print(f"  {', '.join(names)}: unavailable ({type(exc).__name__}: {exc})")
                    continue
                median = statistics.median(run.seconds for run in runs_if)
                if len(names) == 1:
                    label, about = names[0], WHAT_IFS[names[0]]
                elif names == everything:
                    label, about = "all of them", ""
                else:
                    label = "all but " + next(n for n in everything if n not in names)
                    about = ""
                print(f"  {label:26} {_ms(median):>8}  {median / bound:.2f}x  {about}")
    return 0 if ratio <= TARGET_RATIO else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="measured audits (after a warm-up)")
    parser.add_argument("--http-delay-ms", type=float, default=200.0, help="D, per response")
    parser.add_argument("--dns-delay-ms", type=float, default=50.0, help="Q, per DNS question")
    parser.add_argument("--profile", action="store_true", help="always print one run's profile")
    parser.add_argument("--what-if", action="store_true", help="measure the suggested changes")
    parser.add_argument("--what-if-runs", type=int, default=3)
    return asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
