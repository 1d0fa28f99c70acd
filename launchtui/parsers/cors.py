"""CORS responses: can a foreign website read this page, and with the visitor's cookies?

The live check sends a request with an `Origin` it does not own (say
https://evil.example) and hands the response headers here. The rules are the Fetch
standard's CORS check: the browser compares Access-Control-Allow-Origin with the page's
origin, and only shares a response made with cookies when
Access-Control-Allow-Credentials is exactly `true`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ALLOW_ORIGIN = "access-control-allow-origin"
ALLOW_CREDENTIALS = "access-control-allow-credentials"


@dataclass(frozen=True, slots=True)
class CorsVerdict:
    """What a foreign page could read from this URL, in plain words."""

    request_origin: str  # the foreign Origin we sent
    allowed_origin: str | None  # Access-Control-Allow-Origin as received
    reflects_origin: bool  # the server echoed our foreign origin back
    wildcard: bool  # "*": any site, but never with cookies
    allows_credentials: bool  # Access-Control-Allow-Credentials: true
    null_origin: bool  # "null": sandboxed iframes and local files, which anyone can make
    dangerous: bool
    summary: str


def judge_cors(request_origin: str, headers: Mapping[str, str]) -> CorsVerdict:
    """Judge the CORS headers of a response to a request sent with `request_origin`.

    `headers` maps lower-case header names to values (any case is accepted).
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    raw_allowed = lowered.get(ALLOW_ORIGIN)
    allowed_origin = raw_allowed.strip() if raw_allowed is not None else None
    # Fetch compares the credentials header byte for byte with "true".
    allows_credentials = lowered.get(ALLOW_CREDENTIALS, "").strip() == "true"
    wildcard = allowed_origin == "*"
    reflects_origin = allowed_origin == request_origin
    null_origin = allowed_origin == "null"
    # Browsers refuse `*` together with credentials (Fetch, CORS check), so only a
    # reflected or `null` origin with credentials lets another site read a visitor's data.
    dangerous = allows_credentials and (reflects_origin or null_origin)
    return CorsVerdict(
        request_origin=request_origin,
        allowed_origin=allowed_origin,
        reflects_origin=reflects_origin,
        wildcard=wildcard,
        allows_credentials=allows_credentials,
        null_origin=null_origin,
        dangerous=dangerous,
        summary=_summary(request_origin, allowed_origin, allows_credentials),
    )


def _summary(request_origin: str, allowed_origin: str | None, allows_credentials: bool) -> str:
    if not allowed_origin:
        return (
            f"Other websites cannot read this page: the server sent no CORS permission "
            f"for {request_origin}."
        )
    if "," in allowed_origin or " " in allowed_origin:
        return (
            "The server lists several origins in one Access-Control-Allow-Origin header; "
            "browsers reject that, so no other website can read this page."
        )
    if allowed_origin == "*":
        return _wildcard_summary(allows_credentials)
    if allowed_origin == "null":
        return _null_summary(allows_credentials)
    if allowed_origin == request_origin:
        return _reflected_summary(request_origin, allows_credentials)
    return f"Only {allowed_origin} may read this page from another website."


def _wildcard_summary(allows_credentials: bool) -> str:
    if allows_credentials:
        return (
            "The server says every website may read this page with your visitors' cookies. "
            "Browsers refuse that exact combination, so nothing leaks today, but it shows "
            "the server is set up to trust everyone: one small change from a real leak."
        )
    return (
        "Any website can read this page, but only as an anonymous visitor (no cookies). "
        "That is fine for public data and assets."
    )


def _null_summary(allows_credentials: bool) -> str:
    if allows_credentials:
        return (
            'The server trusts the "null" origin with cookies. Any attacker can make a page '
            "with that origin (a sandboxed iframe), so any website can read this page as "
            "your logged-in visitor."
        )
    return (
        'The server trusts the "null" origin, which any website can take on, so anyone '
        "can read this page, though without your visitors' cookies."
    )


def _reflected_summary(request_origin: str, allows_credentials: bool) -> str:
    if allows_credentials:
        return (
            f"Any website can read this page as your logged-in visitor: the server copies "
            f"back whatever origin asks (we sent {request_origin}) and allows cookies. An "
            "attacker's page could read your users' private data."
        )
    return (
        f"The server copies back whatever origin asks (we sent {request_origin}), so any "
        "website can read this page, though without your visitors' cookies. Harmless for "
        "public data; dangerous if cookies are ever allowed."
    )
