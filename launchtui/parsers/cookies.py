"""Set-Cookie (RFC 6265 §5.2, with SameSite and prefixes from RFC 6265bis).

We keep a cookie's name and attributes but never its value, only the value's length:
findings and exports must not carry anyone's session token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .cache_control import parse_delta_seconds

SAME_SITE_VALUES = {"strict": "Strict", "lax": "Lax", "none": "None"}
SECURE_PREFIX = "__secure-"
HOST_PREFIX = "__host-"
_WHITESPACE = " \t"

# Names frameworks give session and login cookies, matched against the lower-cased name
# without any __Host-/__Secure- prefix: PHPSESSID, JSESSIONID, sessionid (Django),
# laravel_session, _app_session (Rails), ASP.NET_SessionId and .AspNetCore.Session,
# connect.sid (Express), .ASPXAUTH, .AspNetCore.Identity.Application,
# next-auth.session-token, remember_token (Laravel), wordpress_logged_in_*, plus
# generic auth / token / jwt names. "auth" must not be followed by "or" (author_pref).
_SESSION_NAME = re.compile(
    r"sess|(?:^|[^a-z])sid(?:$|[^a-z])|auth(?!or)|token|jwt|remember|identity"
    r"|logged_in|wordpress_sec|login"
)
# CSRF tokens are exempt: the double-submit pattern (Django's csrftoken, Angular's and
# Laravel's XSRF-TOKEN) needs JavaScript to read them, so HttpOnly would break them.
_CSRF_NAME = re.compile(r"csrf|xsrf")


@dataclass(frozen=True, slots=True)
class Cookie:
    """One Set-Cookie header, minus the cookie's value."""

    name: str
    value_length: int
    secure: bool
    http_only: bool
    same_site: str | None  # "Strict", "Lax" or "None"; None when absent or unrecognised
    domain: str | None  # lower-cased, leading dot removed (RFC 6265 §5.2.3)
    path: str | None  # None when absent or not starting with "/" (§5.2.4)
    max_age: int | None  # seconds; zero or negative deletes the cookie (§5.2.2)
    expires: str | None  # as sent; the date itself is not interpreted
    problems: tuple[str, ...]


def parse_set_cookie(value: str) -> Cookie:
    """Parse one Set-Cookie header value without raising (RFC 6265 §5.2).

    Attribute names are case-insensitive and the last occurrence of each wins (§5.3).
    A header without "=" gets an empty name, as RFC 6265bis and browsers do.
    """
    pair, _semicolon, attributes = value.partition(";")
    name, equals, cookie_value = pair.partition("=")
    if not equals:
        name, cookie_value = "", name
    cookie = Cookie(
        name=name.strip(_WHITESPACE),
        value_length=len(cookie_value.strip(_WHITESPACE)),
        secure=False,
        http_only=False,
        same_site=None,
        domain=None,
        path=None,
        max_age=None,
        expires=None,
        problems=(),
    )
    problems: list[str] = []
    for attribute in attributes.split(";"):
        attribute_name, _equals, attribute_value = attribute.partition("=")
        cookie = _with_attribute(
            cookie,
            attribute_name.strip(_WHITESPACE).lower(),
            attribute_value.strip(_WHITESPACE),
            problems,
        )
    return replace(cookie, problems=(*problems, *_cookie_problems(cookie)))


def _with_attribute(cookie: Cookie, name: str, value: str, problems: list[str]) -> Cookie:
    """Apply one attribute as a browser would; unknown ones are ignored (§5.2)."""
    if name == "secure":
        return replace(cookie, secure=True)
    if name == "httponly":
        return replace(cookie, http_only=True)
    if name == "samesite":
        same_site = SAME_SITE_VALUES.get(value.lower())
        if same_site is None:
            problems.append(
                f"SameSite={value} is not Strict, Lax or None, so browsers treat the cookie "
                "as if SameSite were missing."
            )
        return replace(cookie, same_site=same_site)
    if name == "domain" and value:
        return replace(cookie, domain=value.removeprefix(".").lower())
    if name == "path":
        return replace(cookie, path=value if value.startswith("/") else None)
    if name == "max-age":
        return replace(cookie, max_age=_max_age(value, cookie.max_age))
    if name == "expires" and value:
        return replace(cookie, expires=value)
    return cookie


def _max_age(value: str, current: int | None) -> int | None:
    """§5.2.2: an optional "-" then digits; anything else leaves the attribute unset."""
    seconds = parse_delta_seconds(value.removeprefix("-"))
    if seconds is None:
        return current
    return -seconds if value.startswith("-") else seconds


def _unprefixed_name(name: str) -> str:
    lowered = name.lower()
    for prefix in (HOST_PREFIX, SECURE_PREFIX):
        if lowered.startswith(prefix):
            return lowered.removeprefix(prefix)
    return lowered


def looks_like_session(cookie: Cookie) -> bool:
    """Whether the cookie's name says it keeps someone logged in (see `_SESSION_NAME`)."""
    name = _unprefixed_name(cookie.name)
    return bool(_SESSION_NAME.search(name)) and not _CSRF_NAME.search(name)


def _cookie_problems(cookie: Cookie) -> list[str]:
    problems = _prefix_problems(cookie)
    if cookie.same_site == "None" and not cookie.secure:
        problems.append(
            f'The cookie "{cookie.name}" has SameSite=None without Secure; browsers reject it.'
        )
    if looks_like_session(cookie):
        problems.extend(_session_problems(cookie))
    return problems


def _prefix_problems(cookie: Cookie) -> list[str]:
    """RFC 6265bis §4.1.3: browsers refuse a prefixed cookie that breaks its prefix's rules."""
    lowered = cookie.name.lower()
    if lowered.startswith(HOST_PREFIX) and not (
        cookie.secure and cookie.path == "/" and cookie.domain is None
    ):
        return [
            f'Browsers reject "{cookie.name}": a __Host- cookie needs Secure and Path=/ '
            "and must not set Domain."
        ]
    if lowered.startswith(SECURE_PREFIX) and not cookie.secure:
        return [f'Browsers reject "{cookie.name}": a __Secure- cookie needs Secure.']
    return []


def _session_problems(cookie: Cookie) -> list[str]:
    problems = []
    if not cookie.secure:
        problems.append(
            f'The login cookie "{cookie.name}" is not marked Secure, so it can travel over '
            "plain HTTP where anyone on the same Wi-Fi can steal it."
        )
    if not cookie.http_only:
        problems.append(
            f'The login cookie "{cookie.name}" is not HttpOnly, so any script on the page can '
            "read it; one injected script is enough to steal the session."
        )
    if cookie.same_site is None:
        problems.append(
            f'The login cookie "{cookie.name}" has no SameSite setting, so some browsers send '
            "it along with requests from other sites (cross-site request forgery). Add "
            "SameSite=Lax."
        )
    return problems
