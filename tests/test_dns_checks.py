"""Every DNS check against the lab: planted faults fail, clean twins pass."""

from launchtui.checks import all_checks
from launchtui.context import CheckContext, Host
from launchtui.engine import run_checks
from launchtui.findings import Status

from .conftest import by_target, default_profile, findings_of


async def test_clean_domain_passes_every_dns_check(audit_context):
    context = await audit_context("good.test")
    assert context.host_names == ["good.test", "www.good.test", "app.good.test", "api.good.test"]
    for check_id in (
        "dns.resolves",
        "dns.ns",
        "dns.cname-conflict",
        "dns.dangling-cname",
        "dns.mx",
        "dns.ttl",
    ):
        findings = await findings_of(check_id, context)
        assert findings, check_id
        assert {f.status for f in findings} == {Status.PASS}, [f.summary for f in findings]


async def test_missing_www_and_missing_target_fail_resolution(audit_context):
    findings = by_target(await findings_of("dns.resolves", await audit_context("bad.test")))
    assert findings["bad.test"].status is Status.PASS
    assert findings["www.bad.test"].status is Status.FAIL
    assert "does not exist" in findings["www.bad.test"].summary
    assert findings["api.bad.test"].status is Status.FAIL
    assert "gone-app.provider.test" in findings["api.bad.test"].summary


async def test_a_dead_name_server_is_caught_and_the_live_one_passes(audit_context):
    findings = by_target(await findings_of("dns.ns", await audit_context("bad.test")))
    assert findings["ns1.bad.test"].status is Status.PASS
    assert findings["ns3.bad.test"].status is Status.FAIL
    assert "does not answer" in findings["ns3.bad.test"].summary


async def test_a_single_name_server_warns(audit_context):
    findings = by_target(await findings_of("dns.ns", await audit_context("solo.test")))
    assert findings["solo.test"].status is Status.WARN
    assert "only one name server" in findings["solo.test"].summary


async def test_cname_beside_other_data_fails_and_a_lone_cname_passes(audit_context):
    findings = by_target(await findings_of("dns.cname-conflict", await audit_context("bad.test")))
    assert findings["app.bad.test"].status is Status.FAIL
    assert findings["app.bad.test"].evidence["other_types"] == ["A"]
    assert findings["api.bad.test"].status is Status.PASS


async def test_cname_to_a_vanished_provider_name_is_a_takeover_risk(audit_context):
    findings = by_target(await findings_of("dns.dangling-cname", await audit_context("bad.test")))
    dangling = findings["api.bad.test"]
    assert dangling.status is Status.FAIL
    assert dangling.severity.value == "critical"
    assert "takeover" in dangling.summary
    assert findings["app.bad.test"].status is Status.PASS


async def test_cname_into_a_takeover_prone_provider_names_it(lab, lab_resolver):
    from launchtui.checks.dns import takeover_prone_provider

    assert takeover_prone_provider("old-shop.herokuapp.com") == "Heroku"
    assert (
        takeover_prone_provider("myapp.s3-website-us-east-1.amazonaws.com") == "Amazon S3 website"
    )
    assert takeover_prone_provider("good.test") is None


async def test_mx_faults_each_get_their_own_finding(audit_context):
    findings = await findings_of("dns.mx", await audit_context("bad.test"))
    statuses = {f.evidence["exchange"]: f.status for f in findings}
    assert statuses == {"mail.bad.test": Status.WARN, "nowhere.bad.test": Status.FAIL}


async def test_no_mx_fails_when_email_is_in_scope_and_is_skipped_otherwise(audit_context):
    [in_scope] = await findings_of("dns.mx", await audit_context("solo.test"))
    assert in_scope.status is Status.FAIL
    [out_of_scope] = await findings_of(
        "dns.mx", await audit_context("solo.test", email_in_scope=False)
    )
    assert out_of_scope.status is Status.SKIPPED


async def test_null_mx_is_recognised(audit_context):
    [finding] = await findings_of(
        "dns.mx", await audit_context("nullmx.test", email_in_scope=False)
    )
    assert finding.status is Status.PASS
    assert "receives no mail" in finding.summary


async def test_long_and_very_short_ttls_are_flagged(audit_context):
    findings = by_target(await findings_of("dns.ttl", await audit_context("bad.test")))
    assert findings["admin.bad.test A"].status is Status.WARN
    assert "2 days" in findings["admin.bad.test A"].summary
    assert findings["auth.bad.test A"].status is Status.WARN
    assert findings["auth.bad.test A"].severity.value == "info"
    assert findings["bad.test A"].status is Status.PASS


async def test_a_failing_zone_gives_error_findings_not_a_crash(audit_context):
    context = await audit_context("broken.test")
    for check_id in ("dns.resolves", "dns.ns", "dns.mx"):
        findings = await findings_of(check_id, context)
        assert {f.status for f in findings} == {Status.ERROR}, (check_id, findings)
        assert all("SERVFAIL" in f.summary for f in findings)


async def test_an_unreachable_resolver_gives_errors_in_bounded_time(lab):
    from launchtui.resolver import Nameserver, Resolver

    resolver = Resolver([Nameserver(lab.world.plan.silent_address)], timeout=0.5)
    context = CheckContext(
        apex="good.test",
        hosts=[Host("good.test", "apex")],
        resolver=resolver,
        profile=default_profile(),
    )
    result = await run_checks(context, [all_checks()["dns.resolves"]])
    assert [f.status for f in result.findings] == [Status.ERROR]
