"""DMARC parsing: RFC 7489 examples, big providers' records, RFC 9989 tags, hostile input."""

from __future__ import annotations

import pytest

from launchtui.parsers.dmarc import diagnose_skipped_record, is_dmarc_attempt, parse_dmarc
from launchtui.parsers.spf import join_txt_strings

# RFC 7489 Appendix B.2.
RFC_7489_MONITOR = "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com"
RFC_7489_WITH_RUF = (
    "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
    "ruf=mailto:auth-reports@thirdparty.example.net"
)
RFC_7489_QUARANTINE_25 = (
    "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com; "
    "ruf=mailto:auth-reports@thirdparty.example.net; pct=25"
)
RFC_7489_TWO_RUA = (
    "v=DMARC1; p=reject; rua=mailto:dmarc-feedback@example.com,"
    "mailto:tld-test@thirdparty.example.net!10m"
)
GOOGLE = "v=DMARC1; p=reject; rua=mailto:mailauth-reports@google.com"
MICROSOFT = (
    "v=DMARC1; p=reject; pct=100; rua=mailto:d@rua.agari.com; ruf=mailto:d@ruf.agari.com; fo=1"
)


def test_rfc_7489_monitoring_record() -> None:
    record = parse_dmarc(RFC_7489_MONITOR)
    assert record.valid
    assert record.policy == "none"
    assert record.subdomain_policy == "none"
    assert record.rua == ("mailto:dmarc-feedback@example.com",)
    assert record.ruf == ()
    assert record.problems == ()


def test_rfc_7489_record_with_failure_reports() -> None:
    record = parse_dmarc(RFC_7489_WITH_RUF)
    assert record.ruf == ("mailto:auth-reports@thirdparty.example.net",)
    assert record.problems == ()


def test_rfc_7489_partial_quarantine() -> None:
    record = parse_dmarc(RFC_7489_QUARANTINE_25)
    assert record.valid
    assert record.policy == "quarantine"
    assert record.pct == 25
    assert record.problems == (
        "pct=25 applies the policy to only 25% of failing mail. pct= is no longer part of "
        "DMARC (RFC 9989); use t=y while testing instead.",
    )


def test_rfc_7489_two_report_addresses_with_size_limit() -> None:
    record = parse_dmarc(RFC_7489_TWO_RUA)
    assert record.rua == (
        "mailto:dmarc-feedback@example.com",
        "mailto:tld-test@thirdparty.example.net!10m",
    )
    assert record.problems == ()


def test_google_record() -> None:
    record = parse_dmarc(GOOGLE)
    assert record.valid
    assert record.policy == "reject"
    assert record.problems == ()


def test_microsoft_record() -> None:
    record = parse_dmarc(MICROSOFT)
    assert record.valid
    assert record.pct == 100
    assert record.failure_options == ("1",)
    assert record.problems == ()


def test_defaults() -> None:
    record = parse_dmarc("v=DMARC1; p=reject")
    assert record.subdomain_policy == "reject"
    assert record.nonexistent_subdomain_policy == "reject"
    assert record.pct == 100
    assert record.dkim_alignment == "r"
    assert record.spf_alignment == "r"
    assert record.failure_options == ("0",)
    assert not record.testing
    assert record.public_suffix_domain == "u"


def test_rfc_9989_tags() -> None:
    record = parse_dmarc(
        "v=DMARC1; p=quarantine; sp=reject; np=reject; t=y; psd=n; adkim=s; aspf=s; fo=d:s"
    )
    assert record.valid
    assert record.problems == ()
    assert record.subdomain_policy == "reject"
    assert record.nonexistent_subdomain_policy == "reject"
    assert record.testing
    assert record.public_suffix_domain == "n"
    assert (record.dkim_alignment, record.spf_alignment) == ("s", "s")
    assert record.failure_options == ("d", "s")


def test_np_falls_back_to_sp_then_p() -> None:
    assert parse_dmarc("v=DMARC1; p=none; sp=reject").nonexistent_subdomain_policy == "reject"
    assert parse_dmarc("v=DMARC1; p=quarantine").nonexistent_subdomain_policy == "quarantine"


def test_whitespace_around_equals_and_trailing_semicolon_are_fine() -> None:
    record = parse_dmarc("v = DMARC1 ;  p = reject ; rua = mailto:a@example.com ;")
    assert record.valid
    assert record.policy == "reject"
    assert record.problems == ()


def test_policy_values_are_case_insensitive() -> None:
    record = parse_dmarc("v=DMARC1; p=Reject; sp=NONE")
    assert (record.policy, record.subdomain_policy) == ("reject", "none")


def test_tags_are_kept_as_written() -> None:
    assert parse_dmarc("v=DMARC1; p=none; x=1").tags == (("v", "DMARC1"), ("p", "none"), ("x", "1"))


def test_record_split_over_txt_strings() -> None:
    joined = join_txt_strings([b"v=DMARC1; p=rej", b"ect; rua=mailto:a@example.com"])
    assert parse_dmarc(joined).policy == "reject"


# -- version -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("p=reject; v=DMARC1", "must be the first tag"),
        ("p=reject", "does not start with v=DMARC1"),
        ("v=DMARC2; p=reject", 'is not "DMARC1"'),
        ("v=dmarc1; p=reject", "exactly as v=DMARC1"),
        ("V=DMARC1; p=reject", "does not start with v=DMARC1"),
        ("v=spf1 -all", 'is not "DMARC1"'),
    ],
)
def test_missing_or_misplaced_version_makes_the_record_ignored(text: str, phrase: str) -> None:
    record = parse_dmarc(text)
    assert not record.valid
    assert any(phrase in p for p in record.problems), record.problems


def test_empty_record() -> None:
    record = parse_dmarc("")
    assert not record.valid
    assert record.problems == ("The DMARC record is empty.",)


# -- policy ------------------------------------------------------------------------


def test_missing_policy_with_report_address_is_treated_as_none() -> None:
    record = parse_dmarc("v=DMARC1; rua=mailto:dmarc@example.com")
    assert record.valid
    assert record.policy is None
    assert record.problems == (
        "The record has no valid p= policy, so receivers treat it as p=none: failing mail is "
        "only reported, never blocked.",
    )


def test_missing_policy_without_report_address_explains_both_generations() -> None:
    record = parse_dmarc("v=DMARC1; adkim=s")
    assert record.policy is None
    assert record.problems == (
        "The record has no valid p= policy. Newer receivers treat that as p=none (report "
        "only); older ones ignore the whole record because it has no rua= address either.",
    )


def test_invalid_policy_counts_as_missing() -> None:
    record = parse_dmarc("v=DMARC1; p=rejcet; sp=reject")
    assert record.policy is None
    assert record.subdomain_policy == "reject"
    assert record.problems[0] == (
        "p=rejcet is not valid (it should be none, quarantine or reject), so receivers ignore it."
    )
    assert "no valid p= policy" in record.problems[1]


def test_policy_should_come_right_after_version() -> None:
    record = parse_dmarc("v=DMARC1; rua=mailto:a@example.com; p=reject")
    assert record.valid
    assert record.policy == "reject"
    assert any("right after v=DMARC1" in p for p in record.problems)


def test_uppercase_tag_name_is_not_the_tag() -> None:
    record = parse_dmarc("v=DMARC1; P=reject; rua=mailto:a@example.com")
    assert record.policy is None
    assert 'Tag names are case-sensitive: "P=" is not "p=", so receivers ignore it.' in (
        record.problems
    )


# -- duplicates, unknown tags, bad values ----------------------------------------------


def test_duplicate_tags_make_the_record_invalid() -> None:
    record = parse_dmarc("v=DMARC1; p=none; p=reject")
    assert not record.valid
    assert record.policy == "none"
    assert record.problems == ('The record has two "p=" tags; receivers may ignore it.',)


def test_unknown_tags_warn_but_keep_the_record_valid() -> None:
    record = parse_dmarc("v=DMARC1; p=reject; foo=bar")
    assert record.valid
    assert record.problems == ('The tag "foo=" is not part of DMARC; receivers ignore it.',)


@pytest.mark.parametrize(
    ("tag", "value"),
    [
        ("pct", "101"),
        ("pct", "-1"),
        ("pct", "50%"),
        ("pct", "\u0665\u0660"),
        ("adkim", "x"),
        ("aspf", "relaxed"),
        ("sp", "block"),
        ("np", ""),
        ("fo", "2"),
        ("fo", "1:x"),
        ("rf", "iodef"),
        ("ri", "daily"),
        ("ri", "99999999999999999999"),
        ("t", "yes"),
        ("psd", "maybe"),
    ],
)
def test_invalid_values_are_reported_and_ignored(tag: str, value: str) -> None:
    record = parse_dmarc(f"v=DMARC1; p=reject; {tag}={value}")
    assert record.valid
    assert any(p.startswith(f"{tag}={value} is not valid") for p in record.problems)
    assert record.pct == 100


def test_valid_old_tags_are_accepted_quietly() -> None:
    record = parse_dmarc("v=DMARC1; p=reject; rf=afrf; ri=86400; pct=100")
    assert record.problems == ()


def test_pct_zero_is_reported() -> None:
    record = parse_dmarc("v=DMARC1; p=reject; pct=0")
    assert record.pct == 0
    assert any("only 0%" in p for p in record.problems)


# -- report addresses -------------------------------------------------------------------


def test_rua_without_mailto_is_dropped_and_reported() -> None:
    record = parse_dmarc("v=DMARC1; p=none; rua=dmarc@example.com")
    assert record.rua == ()
    assert record.problems == (
        'The rua= address "dmarc@example.com" needs "mailto:" in front, or receivers will not '
        "send reports to it.",
    )


def test_non_mailto_rua_is_kept_with_a_warning() -> None:
    record = parse_dmarc("v=DMARC1; p=none; rua=https://reports.example.com/dmarc")
    assert record.rua == ("https://reports.example.com/dmarc",)
    assert any("is not a mailto: address" in p for p in record.problems)


def test_mailto_without_domain_is_reported() -> None:
    record = parse_dmarc("v=DMARC1; p=none; ruf=mailto:dmarc!10m")
    assert any("has no @domain part" in p for p in record.problems)


def test_report_list_tolerates_spaces_and_trailing_commas() -> None:
    record = parse_dmarc("v=DMARC1; p=none; rua=mailto:a@example.com , mailto:b@example.com,")
    assert record.rua == ("mailto:a@example.com", "mailto:b@example.com")
    assert record.problems == ()


def test_mailto_scheme_is_case_insensitive() -> None:
    record = parse_dmarc("v=DMARC1; p=none; rua=MAILTO:a@example.com")
    assert record.problems == ()


# -- hostile input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        ";;;;",
        "v=DMARC1;;;;;",
        "v=DMARC1; p=r\u00e9ject",
        "v=DMARC1; p",
        "v=DMARC1; ==; p==reject",
        "v=DMARC1; pct=" + "9" * 5000,
        "v=DMARC1; ri=" + "9" * 5000,
        "\x00v=DMARC1",
        "v=DMARC1; rua=,,,,",
    ],
)
def test_hostile_input_does_not_raise(text: str) -> None:
    record = parse_dmarc(text)
    assert record.problems


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("v=DMARC1 p=none", "not separated by semicolons"),
        ("v=DAMRC1; p=none", "must be exactly v=DMARC1"),
        ("p=none; v=DMARC1", "must be the first tag"),
        ("p=none; rua=mailto:d@example.com", "does not start with v=DMARC1"),
    ],
)
def test_a_record_receivers_skip_is_diagnosed_and_corrected(text: str, phrase: str) -> None:
    assert is_dmarc_attempt(text)
    misfit = diagnose_skipped_record(text)
    assert phrase in misfit.problem
    assert misfit.corrected is not None and misfit.corrected.startswith("v=DMARC1; p=none")
    assert parse_dmarc(misfit.corrected).valid


def test_the_correction_keeps_every_tag_with_p_first() -> None:
    misfit = diagnose_skipped_record("rua=mailto:d@example.com; p=reject; v=DMARC1")
    assert misfit.corrected == "v=DMARC1; p=reject; rua=mailto:d@example.com"


def test_unrelated_txt_records_are_not_taken_for_dmarc() -> None:
    assert not is_dmarc_attempt("google-site-verification=abc123")
    assert not is_dmarc_attempt("v=spf1 -all")
