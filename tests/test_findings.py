from launchtui.findings import Finding, Severity, Status, Tier, ranked_risks


def make(status: Status, severity: Severity, check: str = "dns.x", target: str = "a") -> Finding:
    return Finding(check, "dns", target, status, severity, f"{status} {severity}")


def test_a_high_failure_blocks_launch_but_a_high_warning_does_not():
    assert make(Status.FAIL, Severity.HIGH).tier is Tier.BLOCKER
    assert make(Status.FAIL, Severity.CRITICAL).tier is Tier.BLOCKER
    assert make(Status.WARN, Severity.HIGH).tier is Tier.IMPORTANT
    assert make(Status.FAIL, Severity.MEDIUM).tier is Tier.IMPORTANT
    assert make(Status.ERROR, Severity.HIGH).tier is Tier.IMPORTANT
    assert make(Status.WARN, Severity.LOW).tier is Tier.OPTIONAL
    assert make(Status.PASS, Severity.INFO).tier is None
    assert make(Status.SKIPPED, Severity.HIGH).tier is None


def test_suppressed_findings_leave_the_risk_list_and_never_fail_ci():
    finding = make(Status.FAIL, Severity.CRITICAL).suppressed_because("accepted by CTO")
    assert finding.tier is None
    assert not finding.fails_at(Severity.INFO)
    assert finding.to_dict()["suppressed"] == "accepted by CTO"


def test_errors_fail_ci_at_their_severity_because_unknown_is_not_safe():
    assert make(Status.ERROR, Severity.HIGH).fails_at(Severity.HIGH)
    assert not make(Status.ERROR, Severity.MEDIUM).fails_at(Severity.HIGH)
    assert not make(Status.WARN, Severity.CRITICAL).fails_at(Severity.INFO)


def test_risks_are_ranked_by_tier_then_severity():
    findings = [
        make(Status.WARN, Severity.LOW, "c"),
        make(Status.FAIL, Severity.HIGH, "b"),
        make(Status.FAIL, Severity.CRITICAL, "a"),
        make(Status.PASS, Severity.INFO, "p"),
        make(Status.FAIL, Severity.MEDIUM, "m"),
    ]
    assert [f.check for f in ranked_risks(findings)] == ["a", "b", "m", "c"]


def test_a_finding_survives_a_round_trip_through_a_dict():
    finding = Finding(
        "tls.expiry",
        "security",
        "example.com",
        Status.WARN,
        Severity.MEDIUM,
        "Expires soon.",
        evidence={"days": 12},
        refs=("https://x",),
    )
    assert Finding.from_dict(finding.to_dict()) == finding


def test_an_unreachable_ipv6_address_is_excused_when_ipv4_answered():
    from launchtui.checks.probing import excuse_unreachable_ipv6, fold_by_address

    ok = make(Status.PASS, Severity.INFO, "tls.valid", "shop.test")
    broken = make(Status.ERROR, Severity.HIGH, "tls.valid", "shop.test")
    pairs = excuse_unreachable_ipv6([("192.0.2.10", ok), ("2001:db8::10", broken)])
    assert [f.status for _, f in pairs] == [Status.PASS, Status.SKIPPED]
    assert "IPv6 address 2001:db8::10" in pairs[1][1].summary
    only_v6 = excuse_unreachable_ipv6([("2001:db8::10", broken)])
    assert only_v6[0][1].status is Status.ERROR  # nothing answered: still an error
    folded = fold_by_address("shop.test", pairs)
    assert [f.target for f in folded] == ["shop.test (192.0.2.10)", "shop.test (2001:db8::10)"]
