"""Every email check against the lab: planted faults fail, clean twins pass.

The zones are planted in launchtui/lab/planted_email.py; each fault zone is clean apart
from the one fault its name says.
"""

import pytest

from launchtui.findings import Finding, Severity, Status
from launchtui.runbook import load_profiles

from .conftest import by_target, findings_of

EMAIL_CHECKS = (
    "email.spf",
    "email.spf.lookups",
    "email.spf.all",
    "email.dmarc",
    "email.dmarc.policy",
    "email.dmarc.rua",
    "email.dkim",
)


async def only_finding(check_id: str, context) -> Finding:
    findings = await findings_of(check_id, context)
    assert len(findings) == 1, [f.summary for f in findings]
    return findings[0]


async def test_clean_domain_passes_every_email_check(audit_context):
    context = await audit_context("good.test")
    for check_id in EMAIL_CHECKS:
        findings = await findings_of(check_id, context)
        assert findings, check_id
        assert {f.status for f in findings} == {Status.PASS}, [f.summary for f in findings]


async def test_unreachable_zone_makes_every_email_check_an_error(audit_context):
    context = await audit_context("broken.test")
    for check_id in EMAIL_CHECKS:
        findings = await findings_of(check_id, context)
        assert [f.status for f in findings] == [Status.ERROR], check_id
        assert "SERVFAIL" in findings[0].summary


# -- email.spf --------------------------------------------------------------------


async def test_spf_strings_are_joined_without_a_separator(audit_context):
    """good.test's SPF is split mid-name into two strings; joined with a space, the
    include would name _spf.mai and the lookup tree would differ."""
    finding = await only_finding("email.spf", await audit_context("good.test"))
    assert finding.status is Status.PASS
    assert finding.evidence["record"] == "v=spf1 mx include:_spf.mailer.test -all"


async def test_missing_spf_fails_when_email_is_in_scope(audit_context):
    finding = await only_finding("email.spf", await audit_context("noauth.test"))
    assert finding.status is Status.FAIL
    assert finding.severity is Severity.HIGH
    assert "anyone can send mail that claims to be from you" in finding.summary
    assert "v=spf1 -all" in finding.fix


async def test_missing_spf_is_skipped_out_of_scope_with_the_no_mail_advice(audit_context):
    context = await audit_context("noauth.test", email_in_scope=False)
    finding = await only_finding("email.spf", context)
    assert finding.status is Status.SKIPPED
    assert '"v=spf1 -all"' in finding.detail


async def test_a_domain_that_sends_no_mail_passes_with_spf_minus_all(audit_context):
    context = await audit_context("nomail.test", email_in_scope=False)
    finding = await only_finding("email.spf", context)
    assert finding.status is Status.PASS
    assert "nobody may send mail as it" in finding.summary
    in_scope = await only_finding("email.spf", await audit_context("nomail.test"))
    assert in_scope.status is Status.WARN
    assert "fails SPF" in in_scope.summary


async def test_two_spf_records_fail_and_the_record_checks_stand_aside(audit_context):
    context = await audit_context("twospf.test")
    finding = await only_finding("email.spf", context)
    assert finding.status is Status.FAIL
    assert len(finding.evidence["records"]) == 2
    assert "ignore all of them" in finding.summary
    assert "section-4.5" in finding.refs[0]
    for check_id in ("email.spf.lookups", "email.spf.all"):
        assert (await only_finding(check_id, context)).status is Status.SKIPPED


async def test_spf_syntax_error_fails_and_names_the_bad_term(audit_context):
    finding = await only_finding("email.spf", await audit_context("spf-syntax.test"))
    assert finding.status is Status.FAIL
    assert "incldue:_spf.mailer.test" in finding.summary  # what is wrong, up front
    assert finding.evidence["problems"]


async def test_an_invisible_character_in_spf_is_shown_and_pointed_at(audit_context):
    finding = await only_finding("email.spf", await audit_context("spf-invisible.test"))
    assert finding.status is Status.FAIL
    assert r'"\ra:mta.spfchain.test"' in finding.summary
    assert "a carriage return (U+000D) at character 1" in finding.summary
    assert "not a known SPF mechanism" not in finding.summary


async def test_a_redirect_to_the_domain_itself_by_macro_is_followed(audit_context):
    context = await audit_context("spf-macro.test")
    decided = await only_finding("email.spf.all", context)
    assert decided.status is Status.PASS
    assert decided.evidence["decided_by"] == "_spf.spf-macro.test"
    lookups = await only_finding("email.spf.lookups", context)
    assert lookups.status is Status.PASS
    assert "redirect:_spf.spf-macro.test" in lookups.evidence["by_include"]


# -- email.spf.lookups ------------------------------------------------------------


async def test_clean_spf_counts_its_lookups_per_include(audit_context):
    finding = await only_finding("email.spf.lookups", await audit_context("good.test"))
    assert finding.status is Status.PASS
    assert finding.evidence["lookup_count"] == 2  # mx + include
    assert finding.evidence["by_include"] == {"include:_spf.mailer.test": 1}
    assert finding.evidence["void_lookup_count"] == 0
    assert finding.evidence["tree"]["terms"] == ["mx", "include:_spf.mailer.test"]


async def test_nested_includes_over_ten_lookups_fail_with_the_costly_branch_named(
    audit_context,
):
    finding = await only_finding("email.spf.lookups", await audit_context("spf-deep.test"))
    assert finding.status is Status.FAIL
    assert finding.evidence["lookup_count"] == 12
    assert finding.evidence["by_include"] == {
        "include:_spf.mailer.test": 1,
        "include:one.spfchain.test": 11,
    }
    assert "12 DNS lookups" in finding.summary
    assert "include:one.spfchain.test (11)" in finding.summary
    # The tree goes four includes deep, each branch with its own count.
    branch = finding.evidence["tree"]["includes"][1]
    depths = []
    while branch:
        depths.append((branch["domain"], branch["lookups"]))
        branch = branch["includes"][0] if branch["includes"] else None
    assert depths == [
        ("one.spfchain.test", 11),
        ("two.spfchain.test", 9),
        ("three.spfchain.test", 7),
        ("four.spfchain.test", 3),
    ]


async def test_exactly_ten_lookups_is_allowed_but_warns(audit_context):
    finding = await only_finding("email.spf.lookups", await audit_context("spf-near.test"))
    assert finding.status is Status.WARN
    assert finding.evidence["lookup_count"] == 10
    assert "one more mail provider" in finding.summary


async def test_include_loop_is_detected_and_shown(audit_context):
    finding = await only_finding("email.spf.lookups", await audit_context("spf-loop.test"))
    assert finding.status is Status.FAIL
    assert finding.evidence["loops"] == [
        "spf-loop.test -> loop-a.spfchain.test -> loop-b.spfchain.test -> loop-a.spfchain.test"
    ]
    assert "loop back" in finding.summary


async def test_more_than_two_void_lookups_fail(audit_context):
    finding = await only_finding("email.spf.lookups", await audit_context("spf-void.test"))
    assert finding.status is Status.FAIL
    assert finding.evidence["void_lookup_count"] == 3
    assert finding.evidence["void_lookups"] == [
        "a:gone1.spf-void.test",
        "mx:nomx.spf-void.test",
        "exists:gone2.spf-void.test",
    ]
    assert finding.evidence["lookup_count"] == 3


async def test_an_mx_term_with_more_than_ten_hosts_fails(audit_context):
    finding = await only_finding("email.spf.lookups", await audit_context("spf-mx.test"))
    assert finding.status is Status.FAIL
    assert finding.evidence["mx_over_limit"] == [
        {"domain": "spf-mx.test", "term": "mx", "mx_hosts": 11}
    ]
    assert finding.evidence["lookup_count"] == 1


async def test_an_include_without_spf_fails(audit_context):
    context = await audit_context("spf-badinclude.test")
    finding = await only_finding("email.spf.lookups", context)
    assert finding.status is Status.FAIL
    assert "include:not-spf.spfchain.test" in finding.summary
    assert "publishes no SPF record" in finding.summary


async def test_redirect_is_followed_and_counted(audit_context):
    finding = await only_finding("email.spf.lookups", await audit_context("spf-redirect.test"))
    assert finding.status is Status.PASS
    assert finding.evidence["lookup_count"] == 1
    assert finding.evidence["by_include"] == {"redirect:_spf.mailer.test": 1}


async def test_lookups_are_still_counted_when_the_record_has_a_syntax_error(audit_context):
    findings = by_target(await findings_of("email.spf.lookups", await audit_context("bad.test")))
    finding = findings["bad.test"]
    assert finding.status is Status.FAIL
    assert finding.evidence["lookup_count"] == 12
    assert "see email.spf" in finding.detail


# -- email.spf.all ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "status", "ending", "words"),
    [
        ("good.test", Status.PASS, "-all", "reject mail from servers you did not list"),
        ("spf-redirect.test", Status.PASS, "-all", "through _spf.mailer.test"),
        ("plusall.test", Status.FAIL, "+all", "anyone can send mail as you"),
        ("neutralall.test", Status.FAIL, "?all", "neutral"),
        ("bad.test", Status.FAIL, "?all", "neutral"),
        ("noall.test", Status.FAIL, None, 'does not end in "~all" or "-all"'),
    ],
)
async def test_spf_all_judges_what_happens_to_unlisted_servers(
    audit_context, domain, status, ending, words
):
    finding = await only_finding("email.spf.all", await audit_context(domain))
    assert finding.status is status, finding.summary
    assert finding.evidence["all"] == ending
    assert words in finding.summary


async def test_plus_all_is_critical(audit_context):
    finding = await only_finding("email.spf.all", await audit_context("plusall.test"))
    assert finding.severity is Severity.CRITICAL
    assert "every server on the internet" in finding.summary


async def test_spf_all_follows_redirect_to_the_record_that_decides(audit_context):
    finding = await only_finding("email.spf.all", await audit_context("spf-redirect.test"))
    assert finding.evidence["decided_by"] == "_spf.mailer.test"
    assert finding.evidence["redirects"] == ["_spf.mailer.test"]


# -- email.dmarc ------------------------------------------------------------------


async def test_clean_dmarc_record_passes(audit_context):
    finding = await only_finding("email.dmarc", await audit_context("good.test"))
    assert finding.status is Status.PASS
    assert finding.evidence["policy"] == "reject"
    assert finding.evidence["name"] == "_dmarc.good.test"


async def test_missing_dmarc_fails_in_scope_and_is_skipped_out_of_scope(audit_context):
    finding = await only_finding("email.dmarc", await audit_context("noauth.test"))
    assert finding.status is Status.FAIL
    assert "no DMARC record" in finding.summary
    assert "_dmarc.noauth.test" in finding.fix
    context = await audit_context("noauth.test", email_in_scope=False)
    assert (await only_finding("email.dmarc", context)).status is Status.SKIPPED


@pytest.mark.parametrize(
    ("domain", "published", "problem"),
    [
        ("dmarc-nosemicolon.test", "v=DMARC1 p=none", "not separated by semicolons"),
        ("dmarc-misspelt.test", "v=DAMRC1; p=none", "must be exactly v=DMARC1"),
        ("dmarc-order.test", "p=none; v=DMARC1", "must be the first tag"),
    ],
)
async def test_a_published_but_malformed_dmarc_record_is_reported_as_found(
    audit_context, domain, published, problem
):
    finding = await only_finding("email.dmarc", await audit_context(domain))
    assert finding.status is Status.FAIL
    assert f'A TXT record was found at _dmarc.{domain} ("{published}")' in finding.summary
    assert problem in finding.summary
    assert "publish one" not in finding.summary.lower()
    assert finding.fix == f'Replace the TXT record at _dmarc.{domain} with "v=DMARC1; p=none".'
    policy = await only_finding("email.dmarc.policy", await audit_context(domain))
    assert "no DMARC record receivers would use" in policy.summary


async def test_two_dmarc_records_fail(audit_context):
    finding = await only_finding("email.dmarc", await audit_context("dmarc-two.test"))
    assert finding.status is Status.FAIL
    assert len(finding.evidence["records"]) == 2
    assert "ignore all of them" in finding.summary


async def test_a_dmarc_record_with_repeated_tags_is_invalid(audit_context):
    context = await audit_context("dmarc-invalid.test")
    finding = await only_finding("email.dmarc", context)
    assert finding.status is Status.FAIL
    assert '"p="' in finding.detail
    policy = await only_finding("email.dmarc.policy", context)
    assert policy.status is Status.SKIPPED


# -- email.dmarc.policy -----------------------------------------------------------


async def test_reject_policy_passes(audit_context):
    finding = await only_finding("email.dmarc.policy", await audit_context("good.test"))
    assert finding.status is Status.PASS
    assert finding.evidence["p"] == "reject"


async def test_a_bare_domain_is_held_to_the_default_profile(audit_context):
    # The default profile (community-launch) sends mail at launch, so p=none blocks it.
    finding = await only_finding("email.dmarc.policy", await audit_context("dmarc-none.test"))
    assert finding.status is Status.FAIL
    assert finding.evidence["profile"] == "community-launch"
    assert "p=none" in finding.summary
    assert "still deliver it" in finding.summary


async def test_p_none_blocks_launch_for_a_product_that_sends_mail(audit_context):
    profiles = load_profiles()
    launch = profiles["community-launch"]
    assert launch.dmarc_none_fails
    context = await audit_context("dmarc-none.test", profile=launch)
    finding = await only_finding("email.dmarc.policy", context)
    assert finding.status is Status.FAIL
    assert finding.severity is Severity.HIGH
    assert finding.evidence["profile"] == "community-launch"
    for relaxed in ("community-beta", "internal-tool-launch"):
        context = await audit_context("dmarc-none.test", profile=profiles[relaxed])
        assert (await only_finding("email.dmarc.policy", context)).status is Status.WARN


async def test_weaker_subdomain_policy_warns(audit_context):
    finding = await only_finding("email.dmarc.policy", await audit_context("dmarc-sp.test"))
    assert finding.status is Status.WARN
    assert finding.evidence["sp"] == "none"
    assert "sp=none" in finding.summary


async def test_partial_pct_warns(audit_context):
    finding = await only_finding("email.dmarc.policy", await audit_context("dmarc-pct.test"))
    assert finding.status is Status.WARN
    assert finding.evidence["pct"] == 25
    assert "25%" in finding.summary


# -- email.dmarc.rua --------------------------------------------------------------


async def test_reports_to_the_domain_itself_pass(audit_context):
    finding = await only_finding("email.dmarc.rua", await audit_context("good.test"))
    assert finding.status is Status.PASS
    assert finding.evidence["rua"] == ["dmarc@good.test"]


async def test_no_report_address_warns(audit_context):
    finding = await only_finding("email.dmarc.rua", await audit_context("dmarc-norua.test"))
    assert finding.status is Status.WARN
    assert "you will not learn who sends mail as you" in finding.summary


async def test_reports_to_another_domain_need_its_authorization(audit_context):
    finding = await only_finding("email.dmarc.rua", await audit_context("dmarc-foreign.test"))
    assert finding.status is Status.WARN
    assert finding.evidence["external_authorized"] == {"reports.test": False}
    assert "dmarc-foreign.test._report._dmarc.reports.test" in finding.fix


async def test_authorized_reports_to_another_domain_pass(audit_context):
    finding = await only_finding("email.dmarc.rua", await audit_context("dmarc-authorized.test"))
    assert finding.status is Status.PASS
    assert finding.evidence["external_authorized"] == {"reports.test": True}


# -- email.dkim -------------------------------------------------------------------


async def test_clean_dkim_keys_pass_including_through_a_cname(audit_context, lab_resolver):
    findings = by_target(await findings_of("email.dkim", await audit_context("good.test")))
    assert set(findings) == {
        "google._domainkey.good.test",
        "s1._domainkey.good.test",
        "default._domainkey.good.test",
    }
    google = findings["google._domainkey.good.test"]
    assert google.evidence["key_bits"] == 2048
    assert google.evidence["provider"] == "Google Workspace"
    # A 2048-bit key does not fit one 255-byte TXT string: the lab must have split it.
    answer = await lab_resolver.lookup("google._domainkey.good.test", "TXT")
    assert len(answer.records[0].strings) > 1
    sendgrid = findings["s1._domainkey.good.test"]
    assert sendgrid.evidence["cname_chain"] == ["s1.domainkey.mailer.test"]
    assert findings["default._domainkey.good.test"].evidence["key_type"] == "ed25519"


async def test_1024_bit_key_warns(audit_context):
    finding = await only_finding("email.dkim", await audit_context("dkim-weak.test"))
    assert finding.status is Status.WARN
    assert finding.evidence["key_bits"] == 1024


async def test_key_under_1024_bits_fails(audit_context):
    finding = await only_finding("email.dkim", await audit_context("dkim-tiny.test"))
    assert finding.status is Status.FAIL
    assert finding.evidence["key_bits"] == 768


async def test_revoked_key_warns_when_guessed_and_fails_when_configured(audit_context):
    guessed = await only_finding("email.dkim", await audit_context("dkim-revoked.test"))
    assert guessed.target == "selector1._domainkey.dkim-revoked.test"
    assert guessed.status is Status.WARN
    assert guessed.evidence["revoked"] is True
    context = await audit_context("dkim-revoked.test", dkim_selectors=["selector1"])
    configured = await only_finding("email.dkim", context)
    assert configured.status is Status.FAIL
    assert "revoked" in configured.summary


async def test_unparsable_key_fails(audit_context):
    finding = await only_finding("email.dkim", await audit_context("dkim-broken.test"))
    assert finding.status is Status.FAIL
    assert finding.target == "k1._domainkey.dkim-broken.test"
    assert "base64" in finding.detail


async def test_no_dkim_at_all_asks_for_the_selector(audit_context):
    finding = await only_finding("email.dkim", await audit_context("noauth.test"))
    assert finding.status is Status.WARN
    assert finding.summary.startswith("We found no DKIM key under common selectors")
    assert "email.dkim_selectors" in finding.summary
    assert "Amazon SES" in finding.detail
    context = await audit_context("noauth.test", email_in_scope=False)
    assert (await only_finding("email.dkim", context)).status is Status.SKIPPED


async def test_a_wildcard_txt_is_not_mistaken_for_a_key(audit_context):
    finding = await only_finding("email.dkim", await audit_context("dkim-wildcard.test"))
    assert finding.status is Status.WARN
    assert finding.target == "dkim-wildcard.test"


async def test_a_configured_selector_without_a_key_fails(audit_context):
    context = await audit_context("good.test", dkim_selectors=["Marketing"])
    findings = by_target(await findings_of("email.dkim", context))
    missing = findings["marketing._domainkey.good.test"]
    assert missing.status is Status.FAIL
    assert missing.evidence["configured"] is True
    assert findings["google._domainkey.good.test"].status is Status.PASS
