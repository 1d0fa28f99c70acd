"""Performance and resilience probes: the statistics on their own, then every check against
`perf.test` in the lab, whose routes have known delays, failure fractions and limits.

Tests raise the request rate and cut the request counts through `context.probe_limits`
so the file stays fast; tolerances are about what the server is known to do (a 200 ms
route is never faster than 200 ms), never about how fast this machine is.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from launchtui.audit import select_checks
from launchtui.checks import all_checks
from launchtui.checks.perf.health import find_leaks
from launchtui.checks.perf.latency import judge_latency, summarize, trust_statement
from launchtui.checks.perf.load import (
    SINGLE_LOOK_RESERVE,
    RouteMeasurement,
    limits_for,
    plan_for,
)
from launchtui.checks.secrets.redact import redact
from launchtui.context import CheckContext
from launchtui.engagement import Route
from launchtui.engine import run_checks
from launchtui.findings import Severity, Status
from launchtui.lab.planted_perf import FIXED_DELAY_S, LEAKY_HEALTH_BODY, MIXED_DELAY_S
from launchtui.loadgen import (
    HISTOGRAM_EDGES_MS,
    LoadPlan,
    LoadRun,
    ProbeLimits,
    Sample,
    histogram,
    percentile,
    quantile_bounds,
)
from launchtui.net.timing import TimedClient, Timing
from launchtui.resolver import Resolver, parse_nameserver
from launchtui.runbook import load_profiles, load_runbooks

from .conftest import default_profile, findings_of
from .secrets.planted import UPPER_DIGITS, Fakes

SITE = "https://perf.test"
# Fast enough for tests, slow enough that one process keeps the schedule: at most 8
# requests in flight on the 200 ms route.
QUICK = ProbeLimits(rate_per_s=40, samples=60, warmup=2, burst_requests=12)
FIXED_MS = FIXED_DELAY_S * 1000
MIXED_MS = MIXED_DELAY_S * 1000


@pytest.fixture
def perf_context(audit_context):
    """A context for perf.test with the given routes and the quick limits."""

    async def build(*routes: Route, limits: ProbeLimits = QUICK, **settings) -> CheckContext:
        settings.setdefault("timeout", 3.0)
        context = await audit_context("perf.test", routes=list(routes), **settings)
        context.probe_limits = limits
        return context

    return build


def route(path: str, kind: str = "page", **options) -> Route:
    return Route(path.strip("/") or "home", f"{SITE}{path}", kind=kind, **options)


# -- statistics, without the lab --------------------------------------------------------


def test_percentiles_are_nearest_rank_values_that_really_occurred():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile([7.0], 95) == 7.0


def test_an_upper_bound_on_p95_needs_about_a_hundred_samples():
    assert quantile_bounds(71)[1] is None
    assert quantile_bounds(72) == (64, 72)
    assert quantile_bounds(100) == (90, 100)
    lower, upper = quantile_bounds(1000)
    assert lower is not None and upper is not None
    assert lower < 950 < upper < 1000


def test_the_trust_statement_says_when_p95_cannot_be_bounded():
    few = summarize([float(v) for v in range(10)], [])
    some = summarize([float(v) for v in range(60)], [])
    many = summarize([float(v) for v in range(200)], [])
    assert "rough sign" in trust_statement(few)
    assert "cannot bound the p95 from above" in trust_statement(some)
    assert "About 100 requests" in trust_statement(some)
    assert "between" in trust_statement(many)


def test_timeouts_count_as_at_least_the_timeout():
    summary = summarize([10.0] * 90, [1000.0] * 10)
    assert summary.p95 == 1000.0
    assert summary.at_least(95)
    assert not summary.at_least(50)


def test_histogram_counts_every_value_once():
    counts = histogram([0.5, 1.0, 199.0, 200.0, 250.0, 20000.0])
    assert len(counts) == len(HISTOGRAM_EDGES_MS)
    assert sum(counts) == 6
    assert counts[HISTOGRAM_EDGES_MS.index(200)] == 1
    assert counts[HISTOGRAM_EDGES_MS.index(150)] == 1
    assert counts[-1] == 1


def _measured(latencies_ms: list[float], budget: int) -> RouteMeasurement:
    plan = LoadPlan(rate_per_s=10, samples=len(latencies_ms))
    samples = [
        Sample(i, i / 10, 0.0, Timing(status=200, total_ms=ms, ttfb_ms=ms))
        for i, ms in enumerate(latencies_ms)
    ]
    run = LoadRun(plan, samples=samples)
    return RouteMeasurement(route("/x"), budget, "route", 3.0, run=run)


@pytest.mark.parametrize(
    ("p95", "status"),
    [(100.0, Status.PASS), (109.0, Status.WARN), (111.0, Status.FAIL)],
)
def test_within_ten_percent_over_budget_warns(p95, status):
    latencies = [50.0] * 94 + [p95] * 6  # rank 95 of 100 is the first of the six
    finding = judge_latency(_measured(latencies, budget=100))
    assert finding.status is status, finding.summary
    assert finding.evidence["p95_ms"] == p95


def test_limits_can_be_overridden_but_not_past_the_ceilings():
    resolver = Resolver([parse_nameserver("127.0.0.1")])
    context = CheckContext("example.test", [], resolver, default_profile())
    assert limits_for(context) == ProbeLimits()
    context.probe_limits = ProbeLimits(samples=20, rate_per_s=10_000)
    limits = limits_for(context)
    assert limits.samples == 20
    assert limits.rate_per_s == 200.0
    context.probe_limits = ProbeLimits(burst_requests=1000)
    assert limits_for(context).burst_requests == 100


def test_many_routes_share_the_run_budget_instead_of_some_going_unmeasured():
    limits = ProbeLimits()
    assert plan_for(limits, 1).samples == 100
    crowded = plan_for(limits, 12)  # four waves of three routes in 20 s
    assert 10 <= crowded.samples < 100
    assert crowded.samples / limits.rate_per_s * 4 <= limits.run_time_cap_s


def test_the_leaky_health_body_is_caught_and_redacted():
    leaks = {leak.what: leak.excerpt for leak in find_leaks(LEAKY_HEALTH_BODY)}
    # The database URL also names a private address; it is reported once, as the graver leak.
    assert set(leaks) == {
        "a database address with its password",
        "the software version",
        "the environment name",
    }
    assert "hunter22" not in " ".join(leaks.values())
    # The secret scanner's redaction (no character of a database password), in its URL.
    shown = "postgres://app:" + redact("hunter22", keep=0) + "@10.0.4.12:5432/app"
    assert leaks["a database address with its password"] == shown
    [internal] = find_leaks('{"status":"ok","db_host":"10.0.4.12"}')
    assert (internal.what, internal.excerpt) == ("an internal address", "10.0.4.12")
    assert find_leaks('{"status":"ok"}') == []
    assert find_leaks('{"status":"ok","checks":{"db":"up","cache":"up"}}') == []


def test_keys_in_a_health_body_are_found_by_the_secret_rules_and_judged_as_public():
    fake = Fakes(97)
    key_id, password = "AK" + "IA" + fake.chars(16, UPPER_DIGITS), fake.chars(18)
    leaks = find_leaks(f'{{"aws": "{key_id}", "password": "{password}"}}')
    kinds = {leak.what: leak for leak in leaks}
    assert kinds["an AWS access key"].severity is Severity.CRITICAL
    assert key_id[4:] not in kinds["an AWS access key"].excerpt
    assert kinds["a password or key"].severity is Severity.HIGH
    assert password[2:] not in kinds["a password or key"].excerpt
    # Values documentation prints as examples are not keys, here as in the code.
    assert find_leaks('{"aws": "AKIAIOSFODNN7EXAMPLE"}') == []


async def test_without_routes_every_probe_asks_for_them(audit_context):
    context = await audit_context("perf.test")
    for check_id in ("perf.latency", "perf.errors", "auth.rate-limit", "health.endpoint"):
        [finding] = await findings_of(check_id, context)
        assert finding.status is Status.SKIPPED, check_id
        assert "--route NAME=URL" in finding.fix


def test_no_active_probes_drops_the_load_sending_checks():
    specs = all_checks()
    assert specs["perf.latency"].active and specs["auth.rate-limit"].active
    assert not specs["health.endpoint"].active
    runbook = load_runbooks([])["launch-ready"]
    chosen = {s.id for s in select_checks(runbook, [], active_probes=False)}
    assert "perf.latency" not in chosen and "auth.rate-limit" not in chosen
    assert "health.endpoint" in chosen


async def test_load_checks_stay_quiet_when_active_probes_are_off(perf_context):
    context = await perf_context(route("/slow"), route("/login", "auth"), active_probes=False)
    for check_id in ("perf.latency", "perf.errors", "auth.rate-limit"):
        [finding] = await findings_of(check_id, context)
        assert finding.status is Status.SKIPPED
        assert "--no-active-probes" in finding.summary


# -- perf.latency against the lab -------------------------------------------------------


async def test_a_fixed_delay_route_measures_its_delay(perf_context):
    [finding] = await findings_of("perf.latency", await perf_context(route("/slow")))
    evidence = finding.evidence
    assert finding.status is Status.PASS, finding.summary
    assert evidence["samples"] == QUICK.samples
    assert FIXED_MS <= evidence["p50_ms"] <= evidence["p95_ms"] <= FIXED_MS * 1.3
    assert evidence["p95_ms"] <= evidence["p99_ms"] <= evidence["max_ms"]
    assert evidence["budget_source"] == "profile community-launch"  # a bare domain's default
    assert "cannot bound the p95 from above" in evidence["trust"]
    assert sum(evidence["histogram"]["counts"]) == QUICK.samples
    phases = evidence["phases_ms"]
    new, reused = phases["new_connection"], phases["reused_connection"]
    assert new["count"] >= 1 and reused["count"] >= 1
    assert new["count"] + reused["count"] == QUICK.samples
    assert new["tls"]["p50"] > 0 and reused["tls"]["p50"] == 0
    assert reused["ttfb"]["p50"] >= FIXED_MS
    assert "p95" in finding.summary or "95 %" in finding.summary


async def test_the_mixed_route_p95_shows_the_slow_fifth(perf_context):
    [finding] = await findings_of("perf.latency", await perf_context(route("/mixed")))
    evidence = finding.evidence
    assert evidence["p50_ms"] < MIXED_MS / 3  # most requests are instant
    assert MIXED_MS <= evidence["p95_ms"] <= MIXED_MS * 1.3
    slow_bucket = HISTOGRAM_EDGES_MS.index(300)
    slow = sum(evidence["histogram"]["counts"][slow_bucket:])
    # Every 5th request on each connection is slow: 20 %, give or take a request per
    # connection opened while a slow one was outstanding.
    assert 0.1 <= slow / evidence["samples"] <= 0.3


async def test_budgets_decide_pass_warn_and_fail(perf_context, lab_resolver):
    marketplace = load_profiles()["marketplace-launch"]
    context = await perf_context(
        route("/fast", "api"),
        route("/slow", budget_ms=100),
        # 500 ms against 470: within 10 % over. At 20 requests/s there are at most 10 in
        # flight, under the cap, so the client keeps its schedule.
        route("/half", budget_ms=470),
        profile=marketplace,
        limits=replace(QUICK, rate_per_s=20, samples=30),
    )
    findings = {f.evidence["route"]: f for f in await findings_of("perf.latency", context)}
    assert findings["fast"].status is Status.PASS
    assert findings["fast"].evidence["budget_ms"] == marketplace.budget_ms("api")
    assert findings["fast"].evidence["budget_source"] == "profile marketplace-launch"
    assert findings["slow"].status is Status.FAIL
    assert "too slow" in findings["slow"].summary
    assert findings["slow"].fix
    assert findings["half"].status is Status.WARN, findings["half"].summary
    assert "over its 470 ms budget" in findings["half"].summary


async def test_late_sends_are_recorded_not_hidden(perf_context):
    # One request in flight at a time against a 200 ms route, scheduled every 50 ms: the
    # client cannot keep the schedule and must say so.
    limits = replace(QUICK, rate_per_s=20, samples=6, warmup=1, max_in_flight=1)
    [finding] = await findings_of("perf.latency", await perf_context(route("/slow"), limits=limits))
    late = finding.evidence["late_sends"]
    assert late["count"] >= 4
    assert late["worst_ms"] >= FIXED_MS
    assert "fell behind its schedule" in finding.summary
    assert "behind schedule" in finding.detail


async def test_a_hanging_route_fails_within_the_timeout(perf_context):
    context = await perf_context(route("/hang"), route("/hang", "health"), timeout=1.0)
    began = time.monotonic()
    result = await run_checks(
        context, [all_checks()[c] for c in ("perf.latency", "perf.errors", "health.endpoint")]
    )
    elapsed = time.monotonic() - began
    findings = {(f.check, f.evidence.get("route"), f.target): f for f in result.findings}
    latency = [f for f in result.findings if f.check == "perf.latency"]
    errors = [f for f in result.findings if f.check == "perf.errors"]
    health = [f for f in result.findings if f.check == "health.endpoint"]
    assert findings
    assert all(f.status is Status.FAIL for f in latency)
    assert "did not answer within 1 second" in latency[0].summary
    assert errors[0].status is Status.FAIL and errors[0].evidence["timeouts"] >= 1
    assert health[0].status is Status.FAIL and "does not answer in time" in health[0].summary
    # One timeout per route (the warm-up stops at the first), the two routes in parallel,
    # plus the health fetch: a few seconds, never the hour the server would take.
    assert elapsed < 3 * context.timeout + 5


async def test_writes_are_never_repeated(perf_context):
    create = Route("create", f"{SITE}/slow", method="POST", kind="api")
    [finding] = await findings_of("perf.latency", await perf_context(create))
    assert finding.status is Status.SKIPPED
    assert "changes data" in finding.summary


async def test_a_route_without_an_address_is_an_error_not_a_verdict(perf_context):
    nowhere = Route("nowhere", "https://nowhere.perf.test/")
    [finding] = await findings_of("perf.latency", await perf_context(nowhere))
    assert finding.status is Status.ERROR
    assert "no address" in finding.summary


# -- perf.errors ------------------------------------------------------------------------


async def test_errors_reuse_the_latency_load_and_judge_the_rate(perf_context, monkeypatch):
    sent = 0
    real_send = TimedClient.send

    async def counting_send(self, request):
        nonlocal sent
        sent += 1
        return await real_send(self, request)

    monkeypatch.setattr(TimedClient, "send", counting_send)
    limits = replace(QUICK, samples=50)
    context = await perf_context(route("/flaky"), route("/fast"), limits=limits)
    result = await run_checks(context, [all_checks()["perf.latency"], all_checks()["perf.errors"]])
    assert sent == 2 * (limits.warmup + limits.samples)  # the load went out once
    errors = {f.evidence["route"]: f for f in result.findings if f.check == "perf.errors"}
    flaky, fast = errors["flaky"], errors["fast"]
    assert flaky.status is Status.FAIL
    assert flaky.severity is Severity.HIGH
    # Every 10th request on a connection answers 500.
    assert 6.0 <= flaky.evidence["error_rate_pct"] <= 14.0
    assert flaky.evidence["statuses"]["500"] == flaky.evidence["errors"]
    assert "over the 1 % limit" in flaky.summary
    assert fast.status is Status.PASS
    assert fast.evidence["errors"] == 0


# -- auth.rate-limit --------------------------------------------------------------------


async def test_a_throttled_login_passes_and_an_open_one_fails(perf_context):
    context = await perf_context(
        route("/login", "auth"), route("/open-login", "auth"), route("/fast")
    )
    findings = {f.evidence["route"]: f for f in await findings_of("auth.rate-limit", context)}
    assert set(findings) == {"login", "open-login"}  # only routes of kind auth
    limited, open_login = findings["login"], findings["open-login"]
    assert limited.status is Status.PASS, limited.summary
    assert limited.evidence["status"] == 429
    assert limited.evidence["throttled_at"] <= 2  # nginx allows 1 request a second
    assert open_login.status is Status.FAIL
    assert open_login.severity is Severity.HIGH
    # One budget per login route and run: the ordinary look other checks share goes first,
    # and the burst leaves a few requests for the single looks that may come after it.
    assert open_login.evidence["attempts"] == QUICK.burst_requests - 1 - SINGLE_LOOK_RESERVE
    assert open_login.evidence["run_requests"] <= QUICK.burst_requests
    assert open_login.evidence["throttled_at"] is None
    assert "as fast as they like" in open_login.summary


async def test_rate_limit_needs_an_auth_route(perf_context):
    [finding] = await findings_of("auth.rate-limit", await perf_context(route("/fast")))
    assert finding.status is Status.SKIPPED
    assert 'kind = "auth"' in finding.fix


# -- health.endpoint --------------------------------------------------------------------


async def test_the_clean_health_endpoint_passes(perf_context):
    [finding] = await findings_of("health.endpoint", await perf_context(route("/health", "health")))
    assert finding.status is Status.PASS, finding.summary
    assert finding.evidence["cache_control"] == "no-store"


async def test_the_leaky_health_endpoint_fails_without_repeating_the_password(perf_context):
    [finding] = await findings_of(
        "health.endpoint", await perf_context(route("/health-leaky", "health"))
    )
    assert finding.status is Status.FAIL
    assert finding.severity is Severity.CRITICAL
    assert "password" in finding.summary
    assert "cached" in finding.detail
    assert "environment name" in finding.detail and "software version" in finding.detail
    assert "hunter22" not in str(finding.to_dict())


async def test_a_slow_health_endpoint_warns(perf_context):
    [finding] = await findings_of(
        "health.endpoint", await perf_context(route("/slow", "health", budget_ms=100))
    )
    assert finding.status is Status.WARN
    assert "over its 100 ms budget" in finding.summary


async def test_a_health_route_that_is_missing_fails(perf_context):
    [finding] = await findings_of(
        "health.endpoint", await perf_context(route("/healthz", "health"))
    )
    assert finding.status is Status.FAIL
    assert "answers 404" in finding.summary
