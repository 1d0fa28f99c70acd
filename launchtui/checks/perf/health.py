"""health.endpoint: does the health route tell a monitor the truth, quickly, and nothing else?

It must answer 200 within its budget, never from a cache, and reveal nothing an attacker
can use. Keys and passwords in its body are found by the secret scanner's own rules and
shown only as the scanner redacts them; what is not a secret but still should not be
public (a database address, an internal host, versions, the environment's name) is
matched here.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Any

from ...context import CheckContext
from ...findings import Finding, Severity, Status
from ...net.fetch import Fetch
from ...parsers.cache_control import parse_cache_control
from ...targets import Route
from ...urls import redact_urls_in
from ..problems import Problem, fold_problems
from ..registry import CheckSpec, register
from ..secrets.scanner import DEFAULT_SCANNER
from .load import budget_for, label, no_routes, route_target

HEALTH = CheckSpec("health.endpoint", "Health endpoint", Severity.MEDIUM)

EXCERPT_LENGTH = 120
# A secret is reported with the value around it (a database URL's host, a setting's name)
# up to one of these, so a reader can tell which connection or setting it is.
_VALUE_ENDS = frozenset(" \t\r\n\"'<>,;{}[]()")


@dataclass(frozen=True, slots=True)
class Disclosure:
    """Something a public page should not show that is not a secret in itself."""

    what: str  # a phrase that completes "shows ..."
    severity: Severity
    pattern: re.Pattern[str]


_ENV_WORDS = r"production|staging|development|preprod|pre-production"
DISCLOSURES = (
    Disclosure(
        "a database or queue address",
        Severity.MEDIUM,
        re.compile(
            r"\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|"
            r"sqlserver|jdbc:[a-z]+)://[^\s\"'<>,}]+",
            re.I,
        ),
    ),
    Disclosure(
        "an internal address",
        Severity.MEDIUM,
        re.compile(
            r"\b(?:10\.\d{1,3}|192\.168|172\.(?:1[6-9]|2\d|3[01]))\.\d{1,3}\.\d{1,3}\b|"
            r"\b[\w-]+\.(?:internal|local|lan|corp)\b"
        ),
    ),
    Disclosure(
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
    Disclosure(
        "the environment name",
        Severity.LOW,
        re.compile(
            r"\b(?:NODE_ENV|RAILS_ENV|RACK_ENV|APP_ENV|FLASK_ENV|DJANGO_SETTINGS_MODULE|"
            rf"ASPNETCORE_ENVIRONMENT)\b|\b(?:{_ENV_WORDS})\b",
            re.I,
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Leak:
    what: str  # completes "shows ..."
    severity: Severity
    excerpt: str  # enough to recognise it, never the secret itself


def find_leaks(body: str) -> list[Leak]:
    """What the body reveals, one leak per kind, gravest first: every key the secret
    scanner finds (at the severity it has where anyone can read it), then each kind of
    disclosure; text already reported as a graver leak (the host inside a database URL
    with its password) is not reported again."""
    found: list[Leak] = []
    claimed: list[tuple[int, int]] = []
    content = body.encode("utf-8", "surrogateescape")
    kinds: set[str] = set()
    for hit in DEFAULT_SCANNER.scan(content):
        severity = hit.severity_in_public
        if severity is None or hit.rule.id in kinds:
            continue  # a key meant to be public (a publishable key), or a kind already told
        kinds.add(hit.rule.id)
        start = len(content[: hit.start].decode("utf-8", "surrogateescape"))
        end = len(content[: hit.end].decode("utf-8", "surrogateescape"))
        value_start, value_end = _value_around(body, start, end)
        claimed.append((value_start, value_end))
        excerpt = body[value_start:start] + hit.redacted + body[end:value_end]
        what = hit.rule.what[:1].lower() + hit.rule.what[1:]
        found.append(Leak(what, severity, excerpt[:EXCERPT_LENGTH]))
    found.sort(key=lambda leak: -leak.severity.rank)
    for disclosure in DISCLOSURES:
        for match in disclosure.pattern.finditer(body):
            start, end = match.span()
            if any(start < taken_end and taken_start < end for taken_start, taken_end in claimed):
                continue
            claimed.append((start, end))
            excerpt = redact_urls_in(match.group(0).replace('"', "").replace("'", ""))
            found.append(Leak(disclosure.what, disclosure.severity, excerpt[:EXCERPT_LENGTH]))
            break
    return found


def _value_around(body: str, start: int, end: int) -> tuple[int, int]:
    """The span of the value a secret sits in: out to the nearest space, quote or bracket."""
    while start > 0 and body[start - 1] not in _VALUE_ENDS:
        start -= 1
    while end < len(body) and body[end] not in _VALUE_ENDS:
        end += 1
    return start, end


@register(HEALTH)
async def check_health(context: CheckContext) -> list[Finding]:
    if not context.routes:
        return [no_routes(HEALTH, context)]
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
    subject = f"The health endpoint {label(route)}"
    if hop is None:
        evidence["error"] = fetch.error
        timed_out = fetch.error_kind == "timeout"
        return HEALTH.finding(
            target,
            Status.FAIL,
            f"{subject} "
            + ("does not answer in time" if timed_out else "cannot be reached")
            + f": {fetch.error} Uptime monitors will report you down.",
            severity=Severity.HIGH,
            evidence=evidence,
            fix="Make the health endpoint answer within a second, and give its own checks "
            "(database ping, cache ping) short timeouts.",
        )
    elapsed_ms = hop.seconds * 1000
    control = parse_cache_control(hop.header_values("cache-control"))
    leaks = find_leaks(fetch.text())
    evidence.update(
        status=hop.status,
        ms=round(elapsed_ms, 1),
        cache_control=", ".join(hop.header_values("cache-control")) or None,
        leaks=[{"what": leak.what, "excerpt": leak.excerpt} for leak in leaks],
    )
    problems: list[Problem] = []
    if 300 <= hop.status < 400:
        problems.append(
            Problem(
                Status.WARN,
                Severity.MEDIUM,
                f"{subject} redirects ({hop.status}) instead of answering; many monitors do "
                "not follow.",
                "Point monitors at the final URL, or serve the health answer directly.",
            )
        )
    elif hop.status != 200:
        problems.append(
            Problem(
                Status.FAIL,
                Severity.HIGH,
                f"{subject} answers {hop.status}, so monitors see the product as down.",
                "Check the URL, and that the endpoint answers 200 when the app is healthy "
                "(503 only when a dependency is down).",
            )
        )
    if elapsed_ms > budget_ms:
        problems.append(
            Problem(
                Status.WARN,
                Severity.MEDIUM,
                f"{subject} took {elapsed_ms:.0f} ms, over its {budget_ms} ms budget; monitors "
                "with short timeouts will raise false alarms.",
                "Keep the health check cheap: ping dependencies with short timeouts, no heavy "
                "queries.",
            )
        )
    shared = control.is_shared_cacheable or (control.max_age or 0) > 0 or control.public
    if shared and not control.no_store:
        problems.append(
            Problem(
                Status.FAIL,
                Severity.MEDIUM,
                f"{subject} may be cached (Cache-Control: {evidence['cache_control']}), so a "
                "cache can keep answering 'ok' after the app has gone down.",
                "Send Cache-Control: no-store on the health endpoint.",
            )
        )
    problems += [
        Problem(
            Status.FAIL,
            leak.severity,
            f"{subject} shows {leak.what} to anyone ({leak.excerpt}).",
            'Answer only a status (e.g. {"status":"ok"}); keep versions, environment names '
            "and connection details in private logs. Rotate any password or key it has shown.",
        )
        for leak in leaks
    ]
    return fold_problems(
        HEALTH,
        target,
        problems,
        pass_summary=f"{subject} answers 200 in {elapsed_ms:.0f} ms, is not cached and "
        "reveals nothing internal.",
        evidence=evidence,
    )
