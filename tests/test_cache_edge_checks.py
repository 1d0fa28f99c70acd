"""Caching safety, CDN detection and production-build leaks against the lab."""

from launchtui.engagement import Route
from launchtui.findings import Status
from launchtui.net.page import first_party_assets

from .conftest import by_target, findings_of


async def test_a_cookie_setting_page_cached_publicly_is_critical(audit_context):
    findings = by_target(await findings_of("cache.private-leak", await audit_context("bad.test")))
    finding = findings["https://bad.test/"]
    assert finding.status is Status.FAIL
    assert finding.severity.value == "critical"
    assert finding.evidence["sets_cookies"] == ["session"]


async def test_an_auth_route_cached_publicly_is_critical_even_without_cookies(audit_context):
    context = await audit_context(
        "good.test", routes=[Route("login", "https://good.test/static/login", kind="auth")]
    )
    findings = by_target(await findings_of("cache.private-leak", context))
    assert findings["https://good.test/static/login"].status is Status.FAIL
    assert findings["https://good.test/"].status is Status.PASS


async def test_static_files_without_long_caching_warn(audit_context):
    findings = by_target(await findings_of("cache.static", await audit_context("bad.test")))
    assert findings["https://bad.test/static/app.js"].status is Status.WARN
    assert "cdn.other.test" not in str(findings)  # third-party assets are never probed


async def test_no_cdn_in_front_warns(audit_context):
    [finding] = await findings_of("edge.cdn", await audit_context("bad.test"))
    assert finding.status is Status.WARN
    [clean] = await findings_of("edge.cdn", await audit_context("good.test"))
    assert clean.evidence["from_headers"] == ["Fastly"]


async def test_staging_and_local_urls_in_production_html_fail(audit_context):
    findings = by_target(await findings_of("deploy.staging-leak", await audit_context("bad.test")))
    finding = findings["https://bad.test/"]
    assert finding.status is Status.FAIL
    # Beside it, each clean page and script gets its own pass.
    assert findings["https://admin.bad.test/"].status is Status.PASS
    assert findings["https://bad.test/static/app.js"].status is Status.PASS
    assert set(finding.evidence["references"]) == {
        "http://localhost:3000",
        "https://staging.bad.test",
        "https://bad-app-git-feature-x.vercel.app",
    }


async def test_a_public_source_map_warns(audit_context):
    [finding] = await findings_of("deploy.sourcemaps", await audit_context("bad.test"))
    assert finding.status is Status.WARN
    assert finding.evidence["map_url"] == "https://bad.test/static/app.js.map"


def test_only_first_party_assets_are_collected():
    html = (
        '<script src="/a.js"></script><script src="https://cdn.x.com/b.js"></script>'
        '<link rel="preload stylesheet" href="https://static.shop.test/c.css">'
        '<link rel="icon" href="/i.png"><script src="/a.js"></script><script>inline</script>'
    )
    assets = first_party_assets("https://shop.test/page", html, "shop.test")
    assert [(a.url, a.kind) for a in assets] == [
        ("https://shop.test/a.js", "script"),
        ("https://static.shop.test/c.css", "stylesheet"),
    ]


def test_personal_responses_that_caches_must_revalidate_are_not_leaks():
    from launchtui.checks.cache import judge_private_leak
    from launchtui.net.fetch import Hop

    cookie = ("set-cookie", "sessionid=a; Secure; HttpOnly; SameSite=Lax")

    def verdict(cache_control: str) -> Status:
        hop = Hop("https://x.test/", 200, (("cache-control", cache_control), cookie), "", 0.0)
        return judge_private_leak(hop, False).status

    assert verdict("max-age=0, must-revalidate") is Status.PASS
    assert verdict("no-cache, max-age=600") is Status.PASS
    assert verdict("public, max-age=0, must-revalidate") is Status.PASS
    assert verdict("public, max-age=600") is Status.FAIL
    assert verdict("s-maxage=60, max-age=0") is Status.FAIL
