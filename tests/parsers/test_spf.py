"""SPF parsing: RFC 7208 examples, big providers' records, and hostile input."""

from __future__ import annotations

import pytest

from launchtui.parsers.spf import (
    SpfTerm,
    escaped,
    expand_domain_macros,
    invisible_characters,
    is_spf_record,
    join_txt_strings,
    parse_spf,
    pick_spf_records,
)

# RFC 7208 Appendix A.1 and A.2: every one of these is well-formed.
RFC_7208_EXAMPLES = [
    "v=spf1 +all",
    "v=spf1 a -all",
    "v=spf1 a:example.org -all",
    "v=spf1 mx -all",
    "v=spf1 mx:example.org -all",
    "v=spf1 mx mx:example.org -all",
    "v=spf1 mx/30 -all",
    "v=spf1 mx/30 mx:example.org/30 -all",
    "v=spf1 ptr -all",
    "v=spf1 ip4:192.0.2.128/28 -all",
    "v=spf1 include:example.com include:example.net -all",
    "v=spf1 redirect=example.com",
    # Appendix A.4, written as one joined string.
    "v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all",
    "v=spf1 -ip4:192.0.2.0/24 +all",
    "v=spf1 -ptr +all",
]

# Records as big providers have published them (the include chain, one hop per record).
GOOGLE_WORKSPACE = "v=spf1 include:_spf.google.com ~all"
GOOGLE_SPF = (
    "v=spf1 include:_netblocks.google.com include:_netblocks2.google.com "
    "include:_netblocks3.google.com ~all"
)
GOOGLE_NETBLOCKS2 = (
    "v=spf1 ip6:2001:4860:4000::/36 ip6:2404:6800:4000::/36 ip6:2607:f8b0:4000::/36 "
    "ip6:2800:3f0:4000::/36 ip6:2a00:1450:4000::/36 ip6:2c0f:fb50:4000::/36 ~all"
)
MICROSOFT_365 = "v=spf1 include:spf.protection.outlook.com -all"
MICROSOFT_PROTECTION = (
    "v=spf1 ip4:40.92.0.0/15 ip4:40.107.0.0/16 ip4:52.100.0.0/15 ip4:52.102.0.0/16 "
    "ip4:52.103.0.0/16 ip4:104.47.0.0/17 ip6:2a01:111:f400::/48 ip6:2a01:111:f403::/49 "
    "ip6:2a01:111:f403:8000::/51 ip6:2a01:111:f403:c000::/51 ip6:2a01:111:f403:f000::/52 -all"
)
SENDGRID = (
    "v=spf1 ip4:167.89.0.0/17 ip4:208.117.48.0/20 ip4:50.31.32.0/19 ip4:198.37.144.0/20 "
    "ip4:198.21.0.0/21 ip4:192.254.112.0/20 ip4:168.245.0.0/17 ip4:149.72.0.0/16 "
    "ip4:159.183.0.0/16 ip4:159.135.224.0/20 ~all"
)
STARTUP_STACK = "v=spf1 include:_spf.google.com include:sendgrid.net include:mailgun.org ~all"


@pytest.mark.parametrize("text", RFC_7208_EXAMPLES)
def test_rfc_7208_examples_are_well_formed(text: str) -> None:
    assert not parse_spf(text).is_permerror


@pytest.mark.parametrize(
    "text", [GOOGLE_WORKSPACE, GOOGLE_SPF, GOOGLE_NETBLOCKS2, MICROSOFT_365, MICROSOFT_PROTECTION]
)
def test_big_provider_records_have_no_problems(text: str) -> None:
    record = parse_spf(text)
    assert not record.is_permerror
    assert record.problems == ()


def test_sendgrid_record_parses_every_network() -> None:
    record = parse_spf(SENDGRID)
    assert [t.name for t in record.terms].count("ip4") == 10
    assert record.all_qualifier == "~"
    assert record.dns_lookup_terms == ()


def test_include_chain_is_exposed_in_order() -> None:
    record = parse_spf(STARTUP_STACK)
    assert record.includes == ("_spf.google.com", "sendgrid.net", "mailgun.org")
    assert [t.name for t in record.dns_lookup_terms] == ["include"] * 3


def test_terms_carry_qualifier_name_and_value() -> None:
    record = parse_spf("v=spf1 a mx:example.org/30 -ip4:192.0.2.0/24 ?include:x.example.com ~all")
    assert record.terms == (
        SpfTerm("+", "a", None),
        SpfTerm("+", "mx", "example.org", "/30"),
        SpfTerm("-", "ip4", "192.0.2.0/24"),
        SpfTerm("?", "include", "x.example.com"),
        SpfTerm("~", "all", None),
    )


def test_mechanism_and_modifier_names_are_case_insensitive() -> None:
    record = parse_spf("V=SPF1 INCLUDE:_spf.google.com Redirect=other.example -ALL")
    assert record.includes == ("_spf.google.com",)
    assert record.all_qualifier == "-"
    assert not record.is_permerror


def test_dual_cidr_lengths_are_kept() -> None:
    record = parse_spf("v=spf1 a/24//64 mx//96 a:example.com/0 -all")
    assert [t.cidr for t in record.terms[:3]] == ["/24//64", "//96", "/0"]
    assert not record.is_permerror


def test_redirect_is_followed_when_there_is_no_all() -> None:
    record = parse_spf("v=spf1 redirect=_spf.example.com")
    assert record.redirect == "_spf.example.com"
    assert record.dns_lookup_terms == (SpfTerm("", "redirect", "_spf.example.com"),)
    assert record.problems == ()


def test_redirect_is_ignored_when_all_is_present() -> None:
    record = parse_spf("v=spf1 mx -all redirect=_spf.example.com")
    assert record.redirect is None
    assert not record.is_permerror
    assert any("redirect=_spf.example.com is ignored" in p for p in record.problems)
    assert [t.name for t in record.dns_lookup_terms] == ["mx"]


@pytest.mark.parametrize("modifier", ["redirect", "exp"])
def test_duplicate_redirect_or_exp_is_a_permerror(modifier: str) -> None:
    record = parse_spf(f"v=spf1 {modifier}=a.example.com {modifier}=b.example.com")
    assert record.is_permerror
    assert any(f"more than one {modifier}=" in p for p in record.problems)


def test_unknown_modifiers_are_allowed() -> None:
    record = parse_spf("v=spf1 mx moo=cow.example.com -all")
    assert not record.is_permerror
    assert SpfTerm("", "moo", "cow.example.com") in record.terms


def test_exp_is_exposed_and_costs_no_lookup() -> None:
    record = parse_spf("v=spf1 mx -all exp=explain._spf.%{d}")
    assert record.explanation == "explain._spf.%{d}"
    assert [t.name for t in record.dns_lookup_terms] == ["mx"]


def test_ptr_is_discouraged() -> None:
    record = parse_spf("v=spf1 ptr -all")
    assert not record.is_permerror
    assert any("§5.5" in p for p in record.problems)


def test_dns_lookup_terms_count_every_kind() -> None:
    record = parse_spf(
        "v=spf1 a mx ptr include:a.example.com exists:%{i}.b.example.com ip4:192.0.2.1 "
        "ip6:2001:db8::1 redirect=c.example.com"
    )
    assert [t.name for t in record.dns_lookup_terms] == [
        "a",
        "mx",
        "ptr",
        "include",
        "exists",
        "redirect",
    ]


def test_more_than_ten_lookups_is_a_permerror() -> None:
    includes = " ".join(f"include:s{n}.example.com" for n in range(11))
    record = parse_spf(f"v=spf1 {includes} -all")
    assert record.is_permerror
    assert any("11 DNS lookups" in p for p in record.problems)


def test_exactly_ten_lookups_is_fine() -> None:
    includes = " ".join(f"include:s{n}.example.com" for n in range(10))
    assert not parse_spf(f"v=spf1 {includes} -all").is_permerror


def test_terms_after_all_are_never_evaluated() -> None:
    record = parse_spf("v=spf1 -all include:late.example.com")
    assert record.includes == ()
    assert record.dns_lookup_terms == ()
    assert any("never checked" in p for p in record.problems)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("v=spf1 +all", "anyone can send mail"),
        ("v=spf1 mx ?all", "neutral"),
        ("v=spf1 mx", 'does not end with "~all" or "-all"'),
        ("v=spf1 ip4:0.0.0.0/0 -all", "huge part of the internet"),
        ("v=spf1 ip6:2000::/3 -all", "huge part of the internet"),
    ],
)
def test_permissive_records_get_a_warning_not_a_permerror(text: str, phrase: str) -> None:
    record = parse_spf(text)
    assert not record.is_permerror
    assert any(phrase in p for p in record.problems)


def test_a_denied_broad_range_is_not_flagged() -> None:
    assert parse_spf("v=spf1 -ip4:0.0.0.0/1 mx -all").problems == ()


@pytest.mark.parametrize(
    "spec",
    [
        "%{ir}.%{v}._spf.%{d2}",
        "%{lr-}.lp._spf.%{d2}",
        "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
        "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
        "%{d2}.trusted-domains.example.net",
        "%{IR}.%{V}._spf.%{D2}",
        "100%%.example.com",
        "%{s}.%-%_.example.com",
    ],
)
def test_valid_macros_are_accepted(spec: str) -> None:
    """Macro examples from RFC 7208 §7.4, plus escapes and URL-encoding upper case."""
    record = parse_spf(f"v=spf1 exists:{spec} -all")
    assert not record.is_permerror, record.problems


@pytest.mark.parametrize(
    ("spec", "phrase"),
    [
        ("%{x}.example.com", "not a known macro"),
        ("%{c}.example.com", "only allowed in explanation text"),
        ("%{d0}.example.com", "zero labels"),
        ("%{d", 'a "%" must start a macro'),
        ("100%.example.com", 'a "%" must start a macro'),
        ("%{d}.%{i", 'a "%" must start a macro'),
    ],
)
def test_invalid_macros_are_a_permerror(spec: str, phrase: str) -> None:
    record = parse_spf(f"v=spf1 exists:{spec} -all")
    assert record.is_permerror
    assert any(phrase in p for p in record.problems), record.problems


def test_the_brief_s_garbage_record() -> None:
    record = parse_spf("v=spf1 ip4:999.1.1.1 include: -all")
    assert record.is_permerror
    assert record.problems[:2] == (
        '"ip4:999.1.1.1" is not valid: "999.1.1.1" is not an IPv4 address.',
        '"include:" is not valid: the domain is missing.',
    )
    assert record.all_qualifier == "-"


@pytest.mark.parametrize(
    "term",
    [
        "ip4:192.0.2.0/33",
        "ip4:192.0.2.0/024",
        "ip4:192.0.2.0/",
        "ip4:192.0.2",
        "ip4:01.2.3.4",
        "ip4:2001:db8::1",
        "ip4",
        "ip6:192.0.2.1",
        "ip6:2001:db8::/129",
        "ip6:fe80::1%eth0",
        "ip6:::g",
        "a/33",
        "a//129",
        "a/",
        "mx/024",
        "a:",
        "a:/24",
        "mx:example",
        "include",
        "include:localhost",
        "include:example..com",
        "include:" + "a" * 64 + ".example.com",
        "include:example.123",
        "exists",
        "all:example.com",
        "ptr/24",
        "+redirect=example.com",
        "foo:example.com",
        "a;",
        "include:exa\u00efmple.com",
        "redirect=",
        "exp=",
    ],
)
def test_malformed_terms_are_a_permerror(term: str) -> None:
    record = parse_spf(f"v=spf1 {term} -all")
    assert record.is_permerror
    assert len([p for p in record.problems if f'"{term}"' in p]) == 1


def test_malformed_terms_are_left_out_of_terms() -> None:
    record = parse_spf("v=spf1 ip4:999.1.1.1 mx -all")
    assert [t.name for t in record.terms] == ["mx", "all"]


def test_mechanism_written_with_equals_is_flagged_as_a_typo() -> None:
    record = parse_spf("v=spf1 mx=example.com -all")
    assert not record.is_permerror
    assert record.problems == (
        '"mx=example.com" looks like a typo for mx:example.com; receivers treat it as an '
        "unknown modifier and ignore it.",
    )
    assert [t.name for t in record.terms] == ["all"]


def test_two_records_pasted_together_are_noticed() -> None:
    record = parse_spf("v=spf1 mx ~all v=spf1 include:_spf.google.com ~all")
    assert any("two SPF records were pasted together" in p for p in record.problems)


@pytest.mark.parametrize(
    "text",
    ["", " ", "spf1", "v=spf10 -all", "v=spf2.0/pra mx -all", "v=DMARC1; p=none", "-all v=spf1"],
)
def test_non_spf_text_is_reported_not_raised(text: str) -> None:
    record = parse_spf(text)
    assert record.is_permerror
    assert record.terms == ()
    assert record.problems[0].startswith("This is not an SPF record")


def test_non_breaking_space_after_version_is_explained() -> None:
    record = parse_spf("v=spf1\u00a0mx -all")
    assert record.is_permerror
    assert any("not plain ASCII" in p for p in record.problems)


def test_curly_quotes_in_a_term_are_named() -> None:
    record = parse_spf("v=spf1 include:\u201c_spf.google.com\u201d ~all")
    assert record.is_permerror
    assert any("\u201c" in p for p in record.problems)


def test_extra_spaces_between_terms_are_allowed() -> None:
    record = parse_spf("v=spf1   mx    -all  ")
    assert [t.name for t in record.terms] == ["mx", "all"]
    assert record.problems == ()


def test_tab_is_not_a_term_separator() -> None:
    assert parse_spf("v=spf1 mx\t-all").is_permerror


def test_a_long_hostile_record_does_not_raise() -> None:
    hostile = "v=spf1 " + " ".join(
        ["%{", "%%%", "a:%{d" * 50, "ip4:" + "9" * 5000, "%{d" + "9" * 5000 + "}"]
    )
    assert parse_spf(hostile).is_permerror


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v=spf1", True),
        ("v=spf1 -all", True),
        ("V=SPF1 -all", True),
        ("v=spf1-all", False),
        ("v=spf10", False),
        ("v=spf", False),
        ("", False),
        (" v=spf1 -all", False),
        ("google-site-verification=abc", False),
    ],
)
def test_is_spf_record(text: str, expected: bool) -> None:
    assert is_spf_record(text) is expected


def test_pick_spf_records_finds_every_spf_record() -> None:
    txt = [
        "google-site-verification=abc123",
        "v=spf1 include:_spf.google.com ~all",
        "MS=ms12345678",
        "v=spf1 include:sendgrid.net ~all",
        "v=spf10 nope",
    ]
    assert pick_spf_records(txt) == [
        "v=spf1 include:_spf.google.com ~all",
        "v=spf1 include:sendgrid.net ~all",
    ]
    assert pick_spf_records([]) == []


def test_join_txt_strings_glues_255_byte_strings_without_separator() -> None:
    """RFC 7208 §3.3: strings are concatenated with no spaces added."""
    record = MICROSOFT_PROTECTION + " " + SENDGRID.removeprefix("v=spf1 ")
    raw = record.encode("ascii")
    chunks = [raw[i : i + 255] for i in range(0, len(raw), 255)]
    assert len(chunks) > 1
    assert all(len(chunk) <= 255 for chunk in chunks)
    assert join_txt_strings(chunks) == record


def test_join_txt_strings_splits_mid_term_correctly() -> None:
    joined = join_txt_strings([b"v=spf1 include:_spf.goo", b"gle.com ~all"])
    assert parse_spf(joined).includes == ("_spf.google.com",)


def test_join_txt_strings_keeps_a_publishers_own_space() -> None:
    """The publisher must put the space in themselves (RFC 7208 §3.3 example)."""
    assert join_txt_strings([b"v=spf1 .... first", b" second string..."]) == (
        "v=spf1 .... first second string..."
    )


def test_join_txt_strings_keeps_non_ascii_visible_for_the_parser() -> None:
    joined = join_txt_strings([b"v=spf1 include:caf\xc3\xa9.example.com", b" bad\xff -all"])
    assert "café" in joined
    assert "\ufffd" in joined
    record = parse_spf(joined)
    assert record.is_permerror
    assert any("é" in p for p in record.problems)


def test_join_txt_strings_of_nothing_is_empty() -> None:
    assert join_txt_strings([]) == ""
    assert join_txt_strings([b""]) == ""


@pytest.mark.parametrize(
    ("term", "shown", "named"),
    [
        ("a:example.net\x80", r'"a:example.net\x80"', "U+0080"),
        ("\ra:example.net", r'"\ra:example.net"', "a carriage return"),
        ("a:exa\x00mple.net", r'"a:exa\x00mple.net"', "a NUL byte"),
        ("include:_spf.\u200bgoogle.com", r'"include:_spf.\u200bgoogle.com"', "zero-width space"),
    ],
)
def test_invisible_characters_are_shown_escaped_and_pointed_at(
    term: str, shown: str, named: str
) -> None:
    record = parse_spf(f"v=spf1 {term} -all")
    assert record.is_permerror
    [problem] = [p for p in record.problems if shown in p]
    assert named in problem
    assert "at character" in problem
    assert "is not a known SPF mechanism" not in problem


def test_escaping_leaves_visible_text_alone() -> None:
    assert escaped("include:exa\u00efmple.com") == "include:exa\u00efmple.com"
    assert escaped("a\tb\r\n") == r"a\tb\r\n"
    assert invisible_characters("v=spf1 mx -all") == []


@pytest.mark.parametrize(
    ("spec", "domain", "expanded"),
    [
        ("_spf.%{d}", "example.com", "_spf.example.com"),
        ("%{d2}.relay.example", "mail.example.com", "example.com.relay.example"),
        ("%{dr}.rev.example", "a.b.example", "example.b.a.rev.example"),
        ("%{d1r}.x.example", "a.b.example", "a.x.example"),
        ("%{d-}.x.example", "my-shop.example", "my.shop.example.x.example"),
        ("100%%.example", "example.com", "100%.example"),
        ("plain.example", "example.com", "plain.example"),
    ],
)
def test_macros_the_domain_alone_determines_are_expanded(
    spec: str, domain: str, expanded: str
) -> None:
    assert expand_domain_macros(spec, domain) == expanded


@pytest.mark.parametrize("spec", ["%{i}.x.example", "%{s}", "%{o}.x", "%{l}.%{d}", "%{h}"])
def test_macros_that_need_a_message_are_not_expanded(spec: str) -> None:
    assert expand_domain_macros(spec, "example.com") is None
