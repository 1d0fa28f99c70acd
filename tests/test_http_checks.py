"""Redirects, headers, banners, CORS and cookies against nginx: faults and clean twins."""

import pytest

from launchtui.checks.http import judge_cookie, judge_cors_on
from launchtui.findings import Status
from launchtui.net.fetch import Fetch, Hop
from launchtui.parsers.cookies import parse_set_cookie

from .conftest import by_target, findings_of

WEB_CHECKS = (
    "http.https-redirect",
    "http.canonical",
    "http.redirect-loop",
    "http.redirect-chain",
    "http.hsts",
    "http.headers",
    "http.banner",
    "http.cors",
    "http.cookies",
    "cache.private-leak",
    "cache.static",
    "edge.cdn",
    "deploy.staging-leak",
    "deploy.sourcemaps",
)


@pytest.mark.parametrize("check_id", WEB_CHECKS)
async def test_the_clean_site_passes(audit_context, check_id):
    findings = await findings_of(check_id, await audit_context("good.test"))
    assert findings
    assert {f.status for f in findings} == {Status.PASS}, [f.summary for f in findings]


async def test_plain_http_that_serves_pages_fails(audit_context):
    findings = by_target(await findings_of("http.https-redirect", await audit_context("bad.test")))
    assert findings["bad.test"].status is Status.FAIL
    assert "plain HTTP" in findings["bad.test"].summary
    assert findings["admin.bad.test"].status is Status.PASS


async def test_a_first_hop_that_stays_on_http_fails(audit_context):
    finding = by_target(
        await findings_of("http.https-redirect", await audit_context("chain.test"))
    )["chain.test"]
    assert finding.status is Status.FAIL
    assert finding.evidence["location"] == "http://www.chain.test/"


async def test_variants_ending_in_different_places_fail_canonical(audit_context):
    finding = by_target(await findings_of("http.canonical", await audit_context("bad.test")))[
        "bad.test"
    ]
    assert finding.status is Status.FAIL
    assert "2 different addresses" in finding.summary


async def test_a_declared_canonical_host_that_redirects_elsewhere_fails(audit_context):
    context = await audit_context(
        "good.test", canonical_host="www.good.test", canonical_declared=True
    )
    [finding] = await findings_of("http.canonical", context)
    assert finding.status is Status.FAIL
    assert "www.good.test" in finding.summary


async def test_a_redirect_loop_is_caught_and_the_cycle_shown(audit_context):
    findings = by_target(await findings_of("http.redirect-loop", await audit_context("loop.test")))
    loop = findings["https://loop.test/"]
    assert loop.status is Status.FAIL
    assert loop.evidence["cycle"] == [
        "https://loop.test/",
        "https://www.loop.test/",
        "https://loop.test/",
    ]


async def test_endless_redirects_stop_at_the_hop_limit(audit_context):
    findings = by_target(
        await findings_of("http.redirect-loop", await audit_context("manyhops.test"))
    )
    assert findings["https://manyhops.test/"].status is Status.FAIL
    assert "more than 10" in findings["https://manyhops.test/"].summary


async def test_long_and_temporary_redirect_chains_warn(audit_context):
    findings = by_target(
        await findings_of("http.redirect-chain", await audit_context("chain.test"))
    )
    assert findings["http://chain.test/"].status is Status.WARN
    assert "3 redirects" in findings["http://chain.test/"].summary
    assert findings["http://www.chain.test/"].status is Status.WARN
    assert "temporary redirect (302)" in findings["http://www.chain.test/"].summary
    assert findings["https://chain.test/"].status is Status.PASS


async def test_a_redirect_to_javascript_is_refused(audit_context):
    findings = by_target(
        await findings_of("http.redirect-chain", await audit_context("jsredirect.test"))
    )
    assert findings["https://jsredirect.test/"].status is Status.FAIL
    assert "javascript:" in findings["https://jsredirect.test/"].summary


async def test_missing_and_short_hsts_fail(audit_context):
    findings = by_target(await findings_of("http.hsts", await audit_context("bad.test")))
    assert findings["bad.test"].status is Status.FAIL
    assert "no HSTS" in findings["bad.test"].summary
    assert findings["admin.bad.test"].status is Status.FAIL
    assert "3600 s" in findings["admin.bad.test"].summary


async def test_every_address_of_a_host_is_checked(audit_context):
    findings = await findings_of("http.hsts", await audit_context("multi.test"))
    findings = [f for f in findings if f.target.startswith("multi.test")]
    assert sorted(f.status.value for f in findings) == ["fail", "pass"]
    assert all(f.target.startswith("multi.test (127.") for f in findings)


async def test_missing_security_headers_warn(audit_context):
    findings = by_target(await findings_of("http.headers", await audit_context("bad.test")))
    finding = findings["https://bad.test/"]
    assert finding.status is Status.WARN
    assert "X-Content-Type-Options: nosniff" in finding.evidence["missing"]


async def test_version_banners_are_reported(audit_context):
    findings = await findings_of("http.banner", await audit_context("bad.test"))
    values = {f.evidence["value"] for f in findings if f.status is Status.WARN}
    assert {"nginx/1.22.1", "PHP/8.1.2"} <= values


async def test_reflected_origin_with_credentials_fails_cors(audit_context):
    findings = by_target(await findings_of("http.cors", await audit_context("bad.test")))
    finding = findings["https://bad.test/"]
    assert finding.status is Status.FAIL
    assert finding.evidence["allow_credentials"] is True
    assert finding.evidence["allow_origin"] == "https://launchtui-cors-probe.invalid"


async def test_a_session_cookie_without_flags_fails(audit_context):
    findings = by_target(await findings_of("http.cookies", await audit_context("bad.test")))
    finding = findings["bad.test cookie session"]
    assert finding.status is Status.FAIL
    assert "Secure, HttpOnly, SameSite" in finding.summary


async def test_huge_bodies_are_capped_not_downloaded(audit_context):
    context = await audit_context("huge.test")
    fetch = await context.http.fetch("https://huge.test/")
    assert fetch.ok and fetch.body_truncated
    assert len(fetch.body) == context.http.body_cap
    await context.aclose()


async def test_invalid_header_bytes_are_an_error_finding(audit_context):
    finding = by_target(
        await findings_of("http.https-redirect", await audit_context("garbage.test"))
    )["garbage.test"]
    assert finding.status is Status.ERROR
    assert "not valid HTTP" in finding.summary


async def test_a_host_without_address_is_skipped_not_probed(audit_context):
    findings = by_target(await findings_of("http.hsts", await audit_context("bad.test")))
    assert findings["www.bad.test"].status is Status.SKIPPED


HOP = Hop("https://good.test/", 200, (), "127.0.0.1", 0.0)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("sessionid=; Max-Age=0; Path=/", None),
        ("sessionid=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT", None),
        ("sessionid=abc; Secure; HttpOnly; SameSite=None", Status.WARN),
        (
            "__Host-session=abc; Secure; HttpOnly; SameSite=Lax; Domain=good.test; Path=/",
            Status.FAIL,
        ),
        ("sessionid=abc; Secure; HttpOnly; SameSite=Lax", Status.PASS),
    ],
)
def test_cookie_verdicts_follow_what_browsers_do(header, expected):
    verdict = judge_cookie(HOP, parse_set_cookie(header))
    assert (verdict.status if verdict else None) is expected


def test_wildcard_cors_with_credentials_warns_because_browsers_refuse_it():
    hop = Hop(
        "https://api.good.test/",
        200,
        (("access-control-allow-origin", "*"), ("access-control-allow-credentials", "true")),
        "",
        0.0,
    )
    finding = judge_cors_on("https://api.good.test/", Fetch("https://api.good.test/", (hop,)))
    assert finding.status is Status.WARN
