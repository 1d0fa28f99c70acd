"""Cache-Control parsing (RFC 9111 §5.2) and the shared directive tokenizer."""

from __future__ import annotations

import pytest

from launchtui.parsers.cache_control import (
    DELTA_SECONDS_CEILING,
    Directive,
    parse_cache_control,
    parse_delta_seconds,
    split_directives,
)

# -- tokenizer ------------------------------------------------------------------------


def test_split_directives_handles_tokens_and_quoted_strings() -> None:
    directives, problems = split_directives(
        'no-cache, private="set-cookie, x-a", max-age=60, x-odd="a\\"b"', ","
    )
    assert directives == [
        Directive("no-cache", None),
        Directive("private", "set-cookie, x-a", quoted=True),
        Directive("max-age", "60"),
        Directive("x-odd", 'a"b', quoted=True),
    ]
    assert problems == []


def test_split_directives_uses_the_given_separator() -> None:
    directives, _problems = split_directives("max-age=1; includeSubDomains", ";")
    assert [d.name for d in directives] == ["max-age", "includesubdomains"]


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("bad name=1", "is not a valid directive"),
        ("=60", "is not a valid directive"),
        ('max-age="60', "malformed"),
        ('max-age="6"0', "malformed"),
    ],
)
def test_split_directives_reports_unreadable_items(value: str, phrase: str) -> None:
    directives, problems = split_directives(value, ",")
    assert directives == []
    assert any(phrase in p for p in problems)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0),
        ("60", 60),
        ("007", 7),
        ("2147483648", DELTA_SECONDS_CEILING),
        ("99999999999", DELTA_SECONDS_CEILING),
        ("9" * 5000, DELTA_SECONDS_CEILING),
        ("0" * 5000 + "5", 5),
        ("", None),
        ("-1", None),
        ("1e3", None),
        (" 60", None),
        ("\u0666\u0660", None),
    ],
)
def test_parse_delta_seconds(text: str, seconds: int | None) -> None:
    assert parse_delta_seconds(text) == seconds


# -- Cache-Control ------------------------------------------------------------------------


def test_long_lived_static_asset() -> None:
    cache = parse_cache_control("public, max-age=31536000, immutable")
    assert cache.public
    assert cache.immutable
    assert cache.max_age == 31536000
    assert cache.is_shared_cacheable
    assert cache.lifetime_seconds == 31536000
    assert cache.problems == ()


def test_private_page_is_not_shared_cacheable() -> None:
    cache = parse_cache_control("private, max-age=600")
    assert cache.private
    assert not cache.is_shared_cacheable
    assert cache.lifetime_seconds == 600


def test_no_store_forbids_all_caching() -> None:
    cache = parse_cache_control("no-store")
    assert cache.no_store
    assert not cache.is_shared_cacheable
    assert cache.lifetime_seconds == 0


def test_no_cache_means_revalidate_every_time() -> None:
    cache = parse_cache_control("no-cache")
    assert cache.no_cache
    assert cache.lifetime_seconds == 0
    assert not cache.is_shared_cacheable


def test_s_maxage_makes_it_shared_cacheable_but_not_for_browsers() -> None:
    cache = parse_cache_control("s-maxage=300")
    assert cache.s_maxage == 300
    assert cache.is_shared_cacheable
    assert cache.lifetime_seconds is None


def test_max_age_alone_allows_shared_caching() -> None:
    """RFC 9111 §3: explicit freshness is enough for a shared cache to store it."""
    assert parse_cache_control("max-age=60").is_shared_cacheable


def test_no_directives_means_no_explicit_lifetime() -> None:
    cache = parse_cache_control("")
    assert not cache.is_shared_cacheable
    assert cache.lifetime_seconds is None
    assert cache.problems == ()


def test_field_named_private_still_allows_shared_caching_of_the_rest() -> None:
    """RFC 9111 §5.2.2.7: only the named header is kept out of shared caches."""
    cache = parse_cache_control('private="set-cookie", s-maxage=600')
    assert not cache.private
    assert cache.private_fields == ("set-cookie",)
    assert cache.is_shared_cacheable
    assert any("often treated by caches as plain private" in p for p in cache.problems)


def test_field_named_no_cache_keeps_the_lifetime() -> None:
    cache = parse_cache_control('no-cache="Set-Cookie, X-Session", max-age=60')
    assert not cache.no_cache
    assert cache.no_cache_fields == ("set-cookie", "x-session")
    assert cache.lifetime_seconds == 60


def test_unquoted_field_name_is_accepted() -> None:
    assert parse_cache_control("private=set-cookie").private_fields == ("set-cookie",)


def test_multiple_header_lines_are_combined() -> None:
    cache = parse_cache_control(["public", "max-age=120", "s-maxage=600, immutable"])
    assert cache.public
    assert cache.max_age == 120
    assert cache.s_maxage == 600
    assert cache.immutable


def test_names_are_case_insensitive() -> None:
    cache = parse_cache_control("PUBLIC, Max-Age=60, No-Store")
    assert cache.public
    assert cache.no_store
    assert cache.max_age == 60


def test_public_and_private_together_obey_private() -> None:
    cache = parse_cache_control("public, private, max-age=60")
    assert cache.private
    assert not cache.is_shared_cacheable
    assert any("both public and private" in p for p in cache.problems)


@pytest.mark.parametrize("value", ["max-age=abc", "max-age=-1", "max-age=1.5", "max-age=60s"])
def test_bad_numbers_are_reported_and_ignored(value: str) -> None:
    cache = parse_cache_control(value)
    assert cache.max_age is None
    assert any("not a whole number of seconds" in p for p in cache.problems)


def test_missing_number_is_reported() -> None:
    cache = parse_cache_control("public, max-age")
    assert cache.max_age is None
    assert cache.problems == ("max-age has no value; write it as max-age=3600 (seconds).",)


def test_quoted_number_is_accepted_with_a_note() -> None:
    cache = parse_cache_control('max-age="60"')
    assert cache.max_age == 60
    assert any("without quotes" in p for p in cache.problems)


def test_absurd_max_age_is_clamped() -> None:
    cache = parse_cache_control("max-age=999999999999999999999999")
    assert cache.max_age == DELTA_SECONDS_CEILING
    assert cache.problems == ()


def test_conflicting_duplicates_use_the_first_and_are_reported_once() -> None:
    cache = parse_cache_control("max-age=60, max-age=3600, max-age=7200")
    assert cache.max_age == 60
    assert len([p for p in cache.problems if "more than once" in p]) == 1


def test_identical_duplicates_are_harmless() -> None:
    assert parse_cache_control("public, public, max-age=60, max-age=60").problems == ()


@pytest.mark.parametrize("value", [",,,", '"', 'max-age="', "\x00", "=", "é", ["", ""]])
def test_hostile_input_does_not_raise(value: str | list[str]) -> None:
    cache = parse_cache_control(value)
    assert cache.max_age is None
    assert not cache.is_shared_cacheable
