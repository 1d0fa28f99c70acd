"""TLS checks against nginx with certificates from the lab CA: each fault and its twin."""

import datetime as dt

from launchtui.findings import Status
from launchtui.net.tls import CertInfo, TlsReport, name_matches

from .conftest import by_target, findings_of


async def test_a_good_certificate_passes_all_three_checks(audit_context):
    context = await audit_context("good.test")
    for check_id in ("tls.valid", "tls.hostname", "tls.expiry"):
        findings = by_target(await findings_of(check_id, context))
        assert findings["good.test"].status is Status.PASS, (check_id, findings["good.test"])
        assert findings["good.test"].evidence["certificate"]["issuer"] == "launchtui lab CA"


async def test_an_expired_certificate_fails_expiry_and_shows_the_date(audit_context):
    finding = by_target(await findings_of("tls.expiry", await audit_context("expired.test")))[
        "expired.test"
    ]
    assert finding.status is Status.FAIL
    assert finding.severity.value == "critical"
    expired_on = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).strftime("%Y-%m-%d")
    assert f"expired on {expired_on}" in finding.summary


async def test_expiry_fails_inside_a_week_and_warns_inside_a_month(audit_context):
    expiring = by_target(await findings_of("tls.expiry", await audit_context("expiring.test")))[
        "expiring.test"
    ]
    soon = by_target(await findings_of("tls.expiry", await audit_context("soon.test")))["soon.test"]
    assert expiring.status is Status.FAIL and "in 3 days" in expiring.summary
    assert soon.status is Status.WARN and "in 20 days" in soon.summary


async def test_a_certificate_for_another_name_fails_hostname_and_lists_its_names(audit_context):
    finding = by_target(await findings_of("tls.hostname", await audit_context("wronghost.test")))[
        "wronghost.test"
    ]
    assert finding.status is Status.FAIL
    assert "other-site.wronghost.test" in finding.summary
    assert finding.evidence["certificate"]["sans"] == ["other-site.wronghost.test"]


async def test_an_untrusted_issuer_fails_validity_with_the_issuer_named(audit_context):
    finding = by_target(await findings_of("tls.valid", await audit_context("selfsigned.test")))[
        "selfsigned.test"
    ]
    assert finding.status is Status.FAIL
    assert "Untrusted Self CA" in finding.summary
    assert finding.evidence["verify_error"].startswith(("19", "20", "2:", "21"))


async def test_tls_1_0_and_1_1_still_accepted_warns(audit_context):
    finding = by_target(await findings_of("tls.valid", await audit_context("oldtls.test")))[
        "oldtls.test"
    ]
    assert finding.status is Status.WARN
    assert finding.evidence["legacy_versions"] == ["TLS 1", "TLS 1.1"]


async def test_plain_http_on_443_is_a_failure_not_a_crash(audit_context):
    finding = by_target(await findings_of("tls.valid", await audit_context("plainhttps.test")))[
        "plainhttps.test"
    ]
    assert finding.status is Status.FAIL
    assert "does not speak TLS" in finding.summary


async def test_a_handshake_that_hangs_becomes_an_error_in_bounded_time(audit_context):
    finding = by_target(
        await findings_of("tls.valid", await audit_context("hang.test", timeout=0.5))
    )["hang.test"]
    assert finding.status is Status.ERROR
    assert "did not finish a TLS handshake within 0.5 seconds" in finding.summary


async def test_the_pool_never_reuses_one_names_tls_session_for_another(audit_context):
    """The LAB-NOTES pitfall: a pooled connection must not serve a different SNI name."""
    context = await audit_context("good.test")
    good = await context.http.fetch("https://good.test/")
    expired = await context.http.fetch("https://expired.test/")
    good_again = await context.http.fetch("https://www.good.test/", follow=False)
    assert good.ok and good.final.status == 200
    assert expired.error_kind == "tls" and "not trusted" in expired.error
    assert good_again.ok and good_again.final.status == 301
    await context.aclose()


def test_wildcards_match_exactly_one_left_label():
    assert name_matches("app.example.com", "*.example.com")
    assert not name_matches("example.com", "*.example.com")
    assert not name_matches("a.b.example.com", "*.example.com")
    assert name_matches("Example.COM.", "example.com")


def test_expiry_uses_the_profile_thresholds():
    from launchtui.checks.tls import judge_expiry

    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = CertInfo("x.test", "CA", ("x.test",), now, now + dt.timedelta(days=40), False)
    report = TlsReport("x.test", "127.0.0.1", 443, verified=True, cert=cert)
    assert judge_expiry("x.test", report, 30, 7, now).status is Status.PASS
    assert judge_expiry("x.test", report, 45, 7, now).status is Status.WARN
