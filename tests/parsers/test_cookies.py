"""Set-Cookie parsing and the session-cookie judgement."""

from __future__ import annotations

from dataclasses import fields

import pytest

from launchtui.parsers.cookies import Cookie, looks_like_session, parse_set_cookie


def test_well_set_session_cookie() -> None:
    cookie = parse_set_cookie(
        "sessionid=abc123def456; Path=/; Domain=.Example.COM; Max-Age=1209600; "
        "Expires=Wed, 21 Oct 2026 07:28:00 GMT; Secure; HttpOnly; SameSite=Lax"
    )
    assert cookie.name == "sessionid"
    assert cookie.value_length == 12
    assert cookie.secure
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert cookie.domain == "example.com"
    assert cookie.path == "/"
    assert cookie.max_age == 1209600
    assert cookie.expires == "Wed, 21 Oct 2026 07:28:00 GMT"
    assert looks_like_session(cookie)
    assert cookie.problems == ()


def test_the_cookie_value_is_never_kept() -> None:
    secret = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.dG9rZW4"
    cookie = parse_set_cookie(f"token={secret}; Secure; HttpOnly; SameSite=Strict")
    assert cookie.value_length == len(secret)
    assert all(secret not in str(getattr(cookie, f.name)) for f in fields(Cookie))
    assert secret not in repr(cookie)


def test_attribute_names_are_case_insensitive_and_the_last_one_wins() -> None:
    cookie = parse_set_cookie("a=b; SECURE; httponly; samesite=strict; PATH=/x; path=/y")
    assert cookie.secure
    assert cookie.http_only
    assert cookie.same_site == "Strict"
    assert cookie.path == "/y"


def test_whitespace_around_names_and_values_is_trimmed() -> None:
    cookie = parse_set_cookie("  theme = dark  ;  Path = / ")
    assert cookie.name == "theme"
    assert cookie.value_length == 4
    assert cookie.path == "/"


@pytest.mark.parametrize(
    ("max_age", "expected"),
    [("3600", 3600), ("0", 0), ("-1", -1), ("abc", None), ("1.5", None), ("", None)],
)
def test_max_age(max_age: str, expected: int | None) -> None:
    assert parse_set_cookie(f"a=b; Max-Age={max_age}").max_age == expected


def test_absurd_max_age_is_clamped() -> None:
    assert parse_set_cookie("a=b; Max-Age=" + "9" * 5000).max_age == 2**31
    assert parse_set_cookie("a=b; Max-Age=-" + "9" * 5000).max_age == -(2**31)


def test_invalid_max_age_keeps_an_earlier_valid_one() -> None:
    assert parse_set_cookie("a=b; Max-Age=60; Max-Age=soon").max_age == 60


def test_path_that_does_not_start_with_a_slash_is_ignored() -> None:
    assert parse_set_cookie("a=b; Path=relative").path is None


def test_empty_domain_is_ignored() -> None:
    assert parse_set_cookie("a=b; Domain=").domain is None


def test_header_without_equals_has_an_empty_name() -> None:
    cookie = parse_set_cookie("justavalue")
    assert cookie.name == ""
    assert cookie.value_length == len("justavalue")


def test_value_may_contain_equals_signs() -> None:
    cookie = parse_set_cookie("data=a=b=c; Secure")
    assert cookie.name == "data"
    assert cookie.value_length == len("a=b=c")


# -- which cookies are session cookies ---------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "session",
        "sessionid",
        "sid",
        "sess",
        "connect.sid",
        "PHPSESSID",
        "JSESSIONID",
        "ASP.NET_SessionId",
        ".AspNetCore.Session",
        ".AspNetCore.Identity.Application",
        ".ASPXAUTH",
        "laravel_session",
        "_myapp_session",
        "auth",
        "auth_token",
        "access_token",
        "jwt",
        "remember_token",
        "remember_web_59ba36addc2b2f9401580f014c7f58ea4e30989d",
        "wordpress_logged_in_abc123",
        "wordpress_sec_abc123",
        "next-auth.session-token",
        "__Secure-next-auth.session-token",
        "__Host-session",
        "__session",
        "user_login",
    ],
)
def test_session_like_names(name: str) -> None:
    assert looks_like_session(parse_set_cookie(f"{name}=x"))


@pytest.mark.parametrize(
    "name",
    [
        "theme",
        "lang",
        "_ga",
        "_gid",
        "consent",
        "author_pref",
        "csrftoken",
        "XSRF-TOKEN",
        "_csrf",
        "inside",
        "",
    ],
)
def test_names_that_are_not_session_cookies(name: str) -> None:
    assert not looks_like_session(parse_set_cookie(f"{name}=x"))


# -- problems ---------------------------------------------------------------------------


def test_bare_session_cookie_gets_all_three_problems() -> None:
    cookie = parse_set_cookie("PHPSESSID=abc; path=/")
    assert cookie.problems == (
        'The login cookie "PHPSESSID" is not marked Secure, so it can travel over plain HTTP '
        "where anyone on the same Wi-Fi can steal it.",
        'The login cookie "PHPSESSID" is not HttpOnly, so any script on the page can read it; '
        "one injected script is enough to steal the session.",
        'The login cookie "PHPSESSID" has no SameSite setting, so some browsers send it along '
        "with requests from other sites (cross-site request forgery). Add SameSite=Lax.",
    )


@pytest.mark.parametrize(
    ("header", "phrase"),
    [
        ("sid=x; HttpOnly; SameSite=Lax", "not marked Secure"),
        ("sid=x; Secure; SameSite=Lax", "not HttpOnly"),
        ("sid=x; Secure; HttpOnly", "no SameSite setting"),
    ],
)
def test_each_missing_session_attribute_is_reported_alone(header: str, phrase: str) -> None:
    problems = parse_set_cookie(header).problems
    assert len(problems) == 1
    assert phrase in problems[0]


def test_ordinary_cookies_without_flags_are_fine() -> None:
    assert parse_set_cookie("theme=dark").problems == ()


def test_csrf_cookie_readable_by_scripts_is_fine() -> None:
    assert parse_set_cookie("XSRF-TOKEN=abc; Path=/; Secure; SameSite=Lax").problems == ()


def test_same_site_none_without_secure_is_rejected_by_browsers() -> None:
    cookie = parse_set_cookie("widget=1; SameSite=None")
    assert cookie.same_site == "None"
    assert cookie.problems == (
        'The cookie "widget" has SameSite=None without Secure; browsers reject it.',
    )


def test_same_site_none_with_secure_is_fine() -> None:
    assert parse_set_cookie("widget=1; SameSite=None; Secure").problems == ()


def test_unknown_same_site_value_is_reported() -> None:
    cookie = parse_set_cookie("a=b; SameSite=Sometimes")
    assert cookie.same_site is None
    assert any("SameSite=Sometimes is not Strict, Lax or None" in p for p in cookie.problems)


@pytest.mark.parametrize(
    "header",
    [
        "__Host-id=1; Path=/",
        "__Host-id=1; Secure",
        "__Host-id=1; Secure; Path=/; Domain=example.com",
        "__host-id=1; Path=/",
    ],
)
def test_broken_host_prefix_is_reported(header: str) -> None:
    assert any("a __Host- cookie needs Secure" in p for p in parse_set_cookie(header).problems)


def test_correct_host_prefix_is_fine() -> None:
    assert parse_set_cookie("__Host-id=1; Secure; Path=/").problems == ()


def test_broken_secure_prefix_is_reported() -> None:
    problems = parse_set_cookie("__Secure-id=1; Path=/").problems
    assert problems == ('Browsers reject "__Secure-id": a __Secure- cookie needs Secure.',)


@pytest.mark.parametrize(
    "header", ["", ";", ";;;", "=", "=;=;=", "\x00", "a=b; =; ;Max-Age", "é=\u00fc; SameSite"]
)
def test_hostile_input_does_not_raise(header: str) -> None:
    cookie = parse_set_cookie(header)
    assert not cookie.secure
    assert cookie.max_age is None
