"""The text and Markdown reports as a founder reads them, on a fixed set of findings.

The golden file pins the shape: counts first, the ranked risk list with the same
finding on several hosts folded into one item, each reason for not checking once,
accepted risks with their reason, and passes counted at the end. Regenerate it with
`LAUNCHTUI_UPDATE_GOLDEN=1` after an intended change, and read the diff.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

from launchtui.export import Report, render
from launchtui.findings import Finding, Severity, Status

GOLDEN = Path(__file__).parent / "golden"
STAGES = {"dns": "DNS and domain control", "security": "Security hardening"}
STARTED = dt.datetime(2026, 11, 22, 10, 0, tzinfo=dt.UTC)


def finding(check: str, target: str, status: Status, summary: str, **extra) -> Finding:
    stage = "dns" if check.startswith("dns.") else "security"
    severity = extra.pop("severity", Severity.INFO if status is Status.PASS else Severity.HIGH)
    return Finding(check, stage, target, status, severity, summary, **extra)


def plain_http(host: str) -> Finding:
    return finding(
        "http.https-redirect",
        host,
        Status.FAIL,
        f"http://{host} serves pages over plain HTTP, so logins can be read on public Wi-Fi.",
        fix=f"Redirect every http://{host} request to https:// with a 301.",
    )


def not_probed(check: str, host: str, severity: Severity) -> Finding:
    return finding(
        check,
        host,
        Status.SKIPPED,
        f"{host} has no address in DNS, so it was not probed (see dns.resolves).",
        severity=severity,
    )


FINDINGS = [
    finding("dns.resolves", "example.test", Status.PASS, "example.test points to 192.0.2.1."),
    finding("dns.resolves", "app.example.test", Status.PASS, "app.example.test points to 1.2."),
    finding(
        "dns.resolves",
        "www.example.test",
        Status.FAIL,
        "www.example.test does not exist in DNS, so anyone who types it gets an error.",
        fix="Add an A record for www.example.test.",
    ),
    finding(
        "dns.ttl",
        "example.test A",
        Status.WARN,
        "example.test's A record is cached for 2 days.",
        severity=Severity.LOW,
        fix="Lower the TTL to an hour.",
        suppressed="Deliberate until the migration",
    ),
    plain_http("example.test"),
    plain_http("app.example.test"),
    plain_http("api.example.test"),
    not_probed("tls.valid", "www.example.test", Severity.HIGH),
    not_probed("tls.expiry", "www.example.test", Severity.HIGH),
    not_probed("http.hsts", "www.example.test", Severity.MEDIUM),
    finding(
        "email.spf",
        "example.test",
        Status.FAIL,
        "example.test's SPF record has a mistake, so receivers reject the whole record.",
        detail='"ip4:192.0.2.300" is not valid: "192.0.2.300" is not an IPv4 address.',
        fix="Correct the record as described, then re-run this check.",
    ),
    finding(
        "secrets.tree",
        "server/billing.js:3",
        Status.FAIL,
        "A live Stripe secret key is in your code: anyone who reads it can charge cards.",
        severity=Severity.CRITICAL,
        evidence={"rule": "stripe-secret-key", "redacted": "sk_l…(107 chars) #1a2b3c4d"},
        fix="Rotate the key now.",
    ),
    finding(
        "http.headers",
        "https://example.test/",
        Status.WARN,
        "https://example.test/ has the essential headers but no Content-Security-Policy.",
        severity=Severity.LOW,
        evidence={"missing": ["Content-Security-Policy"], "status": 200},
    ),
    finding("http.hsts", "example.test", Status.PASS, "https://example.test uses HSTS."),
]


def report() -> Report:
    return Report("example.test", STARTED, STARTED, list(FINDINGS), STAGES)


def golden(name: str, text: str) -> str:
    path = GOLDEN / name
    if os.environ.get("LAUNCHTUI_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


def test_text_report_matches_the_golden_shape():
    text = render(report(), "text", width=100)
    assert text == golden("text_report.txt", text)


def test_verbose_text_report_lists_passes_and_evidence():
    text = render(report(), "text", width=100, verbose=True)
    assert text == golden("text_report_verbose.txt", text)


def test_counts_and_risks_come_before_everything_else():
    text = render(report(), "text", width=100)
    lines = text.splitlines()
    assert lines[1].endswith("14 results: 6 fail · 1 warn · 3 skipped · 3 pass · 1 accepted")
    order = ["Blockers", "Important", "Optional", "Not checked", "Accepted risks", "Passed"]
    positions = [text.index(heading) for heading in order if heading in text]
    assert positions == sorted(positions)
    assert "DNS and domain control" in lines[4]


def test_the_same_finding_on_three_hosts_is_one_item_listing_them():
    text = render(report(), "text", width=100)
    assert text.count("serves pages over plain HTTP") == 1
    assert "On: api.example.test, app.example.test, example.test" in text


def test_one_reason_for_not_checking_is_shown_once_with_its_checks():
    text = render(report(), "text", width=100)
    assert text.count("has no address in DNS") == 1
    block = text[text.index("Not checked") :]
    for check in ("tls.valid", "tls.expiry", "http.hsts"):
        assert check in block


def test_check_ids_have_their_own_column_and_accepted_status_is_whole():
    text = render(report(), "text", width=100)
    assert "  http.https-redirect" not in text.replace("✗ fail  http.https-redirect", "")
    for line in text.splitlines():
        if "secrets.tree" in line:
            assert re.match(r"✗ fail\s+secrets\.tree\s+A live Stripe", line)
    assert "Accepted: Deliberate until the migration" in text
    assert "(…" not in text


def test_what_is_wrong_and_the_fix_are_in_every_human_format():
    problem = '"ip4:192.0.2.300" is not valid'
    for fmt in ("text", "markdown", "sarif", "junit", "json"):
        out = render(report(), fmt, width=100)
        assert problem in out.replace('\\"', '"'), fmt
        assert "Correct the record as described" in out, fmt


def test_markdown_puts_blank_lines_around_every_list():
    lines = render(report(), "markdown").splitlines()
    listed = [i for i, line in enumerate(lines) if re.match(r"\s*- ", line)]
    assert listed
    for index in listed:
        before, after = lines[index - 1], lines[index + 1] if index + 1 < len(lines) else ""
        assert not before.strip() or re.match(r"\s*- ", before), (before, lines[index])
        assert not after.strip() or re.match(r"\s*- ", after), (lines[index], after)


def test_markdown_shows_evidence_as_rows_not_json():
    text = render(report(), "markdown")
    assert "  - status: 200" in text
    assert "  - rule: stripe-secret-key" in text
    assert "{" not in text.split("## Every check")[0]
