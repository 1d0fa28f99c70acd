"""Every named host and route is looked at, and every target a check covers gets a verdict.

Planted faults with clean twins in the lab: a signed-in route that a CDN may store
(bad.test/account, twin good.test/account), a login that bounces between two paths on a
subdomain (app.loop.test, twin app.good.test), and a host that leaks its software
version beside hosts that do not (bad.test beside admin.bad.test).
"""

from launchtui.engagement import Route
from launchtui.findings import Status

from .conftest import by_target, findings_of


async def test_a_listed_private_route_cached_publicly_fails_whatever_its_kind(audit_context):
    route = Route("account", "https://bad.test/account", kind="page")
    findings = by_target(
        await findings_of("cache.private-leak", await audit_context("bad.test", routes=[route]))
    )
    account = findings["https://bad.test/account"]
    assert account.status is Status.FAIL
    assert account.evidence["sets_cookies"] == ["session"]
    assert "public, max-age=600" in account.summary


async def test_the_same_route_marked_private_passes(audit_context):
    route = Route("account", "https://good.test/account", kind="page")
    findings = by_target(
        await findings_of("cache.private-leak", await audit_context("good.test", routes=[route]))
    )
    assert findings["https://good.test/account"].status is Status.PASS
    assert "private/no-store" in findings["https://good.test/account"].summary


async def test_every_landing_page_gets_a_caching_verdict(audit_context):
    findings = by_target(await findings_of("cache.private-leak", await audit_context("bad.test")))
    # app and auth fail TLS: they are said to be unjudged, not left out.
    assert findings["https://app.bad.test/"].status is Status.SKIPPED
    assert "Not judged" in findings["https://auth.bad.test/"].summary
    assert findings["https://admin.bad.test/"].status is Status.PASS


async def test_a_subdomain_login_loop_is_found_from_its_landing_page(audit_context):
    findings = by_target(await findings_of("http.redirect-loop", await audit_context("loop.test")))
    loop = findings["https://app.loop.test/"]
    assert loop.status is Status.FAIL
    assert loop.evidence["cycle"] == [
        "https://app.loop.test/login",
        "https://app.loop.test/signin",
        "https://app.loop.test/login",
    ]
    assert findings["http://app.loop.test/"].status is Status.FAIL
    chains = by_target(await findings_of("http.redirect-chain", await audit_context("loop.test")))
    assert chains["https://app.loop.test/"].status is Status.SKIPPED
    assert "http.redirect-loop" in chains["https://app.loop.test/"].summary


async def test_a_listed_route_inside_a_loop_fails_and_its_clean_twin_passes(audit_context):
    routes = [Route("signin", "https://app.loop.test/signin", kind="auth")]
    loop = by_target(
        await findings_of("http.redirect-loop", await audit_context("loop.test", routes=routes))
    )
    assert loop["https://app.loop.test/signin"].status is Status.FAIL
    twin = [Route("account", "https://app.good.test/account")]
    clean = by_target(
        await findings_of("http.redirect-loop", await audit_context("good.test", routes=twin))
    )
    assert clean["https://app.good.test/account"].status is Status.PASS
    assert clean["https://app.good.test/"].status is Status.PASS
    assert clean["http://app.good.test/"].status is Status.PASS


async def test_a_clean_host_beside_a_leaking_one_gets_its_own_pass(audit_context):
    findings = await findings_of("http.banner", await audit_context("bad.test"))
    by_host: dict[str, set[Status]] = {}
    for finding in findings:
        by_host.setdefault(finding.target, set()).add(finding.status)
    assert by_host["bad.test"] == {Status.WARN}
    assert by_host["admin.bad.test"] == {Status.PASS}
    assert set(by_host) == {"bad.test", "app.bad.test", "auth.bad.test", "admin.bad.test"}


async def test_every_reachable_host_gets_a_verdict_from_the_per_host_checks(audit_context):
    context = await audit_context("bad.test")
    reachable = {"bad.test", "app.bad.test", "auth.bad.test", "admin.bad.test"}
    cookies = {f.target.split(" ")[0] for f in await findings_of("http.cookies", context)}
    assert cookies >= reachable
    headers = {f.target for f in await findings_of("http.headers", context)}
    assert headers >= {f"https://{host}/" for host in reachable}
    loops = {f.target for f in await findings_of("http.redirect-loop", context)}
    assert loops == {f"{scheme}://{host}/" for host in reachable for scheme in ("http", "https")}


async def test_a_failed_fetch_is_never_called_a_pass(audit_context):
    findings = by_target(await findings_of("http.redirect-loop", await audit_context("bad.test")))
    # https://app.bad.test/ fails TLS: nothing was followed, so nothing is claimed.
    assert findings["https://app.bad.test/"].status is Status.SKIPPED
    assert "certificate" in findings["https://app.bad.test/"].summary


async def test_a_host_without_records_gets_a_ttl_note_not_silence(audit_context):
    findings = by_target(await findings_of("dns.ttl", await audit_context("bad.test")))
    missing = findings["www.bad.test A"]
    assert missing.status is Status.SKIPPED
    assert "no A record" in missing.summary
    assert findings["admin.bad.test A"].status is Status.WARN


async def test_a_route_listed_twice_is_never_loaded_past_the_login_budget(audit_context):
    routes = [
        Route("open-login", "https://perf.test/open-login", kind="auth"),
        Route("sign-in page", "https://perf.test/open-login", kind="page"),
    ]
    context = await audit_context("perf.test", routes=routes, active_probes=True, timeout=3.0)
    by_route = {f.evidence["route"]: f for f in await findings_of("perf.latency", context)}
    assert by_route["sign-in page"].status is Status.SKIPPED
    assert "listed as a login route" in by_route["sign-in page"].summary
    assert by_route["open-login"].status is Status.PASS
