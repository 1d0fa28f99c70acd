"""Strict-Transport-Security parsing (RFC 6797 §6.1)."""

from __future__ import annotations

import pytest

from launchtui.parsers.cache_control import DELTA_SECONDS_CEILING
from launchtui.parsers.hsts import parse_hsts


def test_preload_ready_header() -> None:
    hsts = parse_hsts("max-age=63072000; includeSubDomains; preload")
    assert hsts.valid
    assert hsts.max_age == 63072000
    assert hsts.include_subdomains
    assert hsts.preload
    assert hsts.preload_ready
    assert hsts.problems == ()


@pytest.mark.parametrize(
    "value",
    [
        # RFC 6797 §6.2 examples.
        "max-age=31536000",
        "max-age=15768000 ; includeSubDomains",
        # Quoted values and odd but legal spacing and case.
        'max-age="31536000"',
        "MAX-AGE=31536000;INCLUDESUBDOMAINS",
        "  max-age = 31536000 ;; includeSubDomains ; ",
        'max-age=31536000; futureDirective="x; y"',
    ],
)
def test_valid_headers(value: str) -> None:
    hsts = parse_hsts(value)
    assert hsts.valid
    assert hsts.max_age in (31536000, 15768000)


def test_directive_names_are_case_insensitive() -> None:
    hsts = parse_hsts("Max-Age=31536000; IncludeSubdomains; PRELOAD")
    assert (hsts.include_subdomains, hsts.preload) == (True, True)


def test_missing_max_age_makes_the_header_ignored() -> None:
    hsts = parse_hsts("includeSubDomains; preload")
    assert not hsts.valid
    assert hsts.max_age is None
    assert hsts.problems == (
        "The header has no max-age, which is required, so browsers ignore it.",
    )


@pytest.mark.parametrize(
    "value", ["max-age=abc", "max-age=-1", "max-age=1.5", "max-age=", "max-age"]
)
def test_non_numeric_max_age_makes_the_header_ignored(value: str) -> None:
    hsts = parse_hsts(value)
    assert not hsts.valid
    assert hsts.max_age is None
    assert any("not a whole number of seconds" in p for p in hsts.problems)


def test_commas_instead_of_semicolons_are_explained() -> None:
    hsts = parse_hsts("max-age=31536000, includeSubDomains")
    assert not hsts.valid
    assert "separated by commas" in hsts.problems[0]


@pytest.mark.parametrize(
    "value",
    [
        "max-age=31536000; max-age=31536000",
        "max-age=31536000; includeSubDomains; includeSubDomains",
        "max-age=31536000; preload; PRELOAD",
    ],
)
def test_duplicate_directives_make_the_header_invalid(value: str) -> None:
    """RFC 6797 §6.1 point 2: a repeated directive invalidates the whole header."""
    hsts = parse_hsts(value)
    assert not hsts.valid
    assert not hsts.preload_ready
    assert any("more than once" in p for p in hsts.problems)


@pytest.mark.parametrize(
    "value",
    ["max-age=999999999999999999999999", "max-age=" + "9" * 5000, "max-age=1" + "0" * 30],
)
def test_absurd_max_age_is_clamped_without_overflow(value: str) -> None:
    hsts = parse_hsts(value)
    assert hsts.valid
    assert hsts.max_age == DELTA_SECONDS_CEILING
    assert any("absurdly large" in p for p in hsts.problems)


def test_leading_zeros_are_fine() -> None:
    assert parse_hsts("max-age=" + "0" * 5000 + "31536000").max_age == 31536000


def test_max_age_zero_switches_hsts_off() -> None:
    hsts = parse_hsts("max-age=0")
    assert hsts.valid
    assert hsts.max_age == 0
    assert hsts.problems == ("max-age=0 tells browsers to forget HSTS for this site.",)


def test_short_max_age_gets_advice() -> None:
    hsts = parse_hsts("max-age=86400")
    assert hsts.valid
    assert any("under a year" in p for p in hsts.problems)


def test_preload_without_its_requirements_is_explained() -> None:
    hsts = parse_hsts("max-age=31536000; preload")
    assert hsts.valid
    assert not hsts.preload_ready
    assert any("also needs includeSubDomains" in p for p in hsts.problems)


def test_unknown_directives_are_ignored() -> None:
    assert parse_hsts("max-age=31536000; always").problems == ()


@pytest.mark.parametrize("value", ["", " ", ";", ";;;", '"', 'max-age="123', "=", "\x00", "é=1"])
def test_hostile_input_does_not_raise(value: str) -> None:
    hsts = parse_hsts(value)
    assert not hsts.valid
    assert hsts.problems


def test_unclosed_quote_is_reported() -> None:
    hsts = parse_hsts('max-age="31536000; includeSubDomains')
    assert not hsts.valid
    assert any("malformed" in p for p in hsts.problems)


def test_an_hsts_header_with_junk_directives_is_invalid():
    assert not parse_hsts("max-age=31536000; includeSubDomains; foo bar").valid
