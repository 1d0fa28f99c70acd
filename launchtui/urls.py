"""URLs as launchtui prints them: never with a password or a token in them.

People paste URLs with credentials (`https://admin:pw@host/`) or signed query strings
(`?token=…`); reports, logs and the change log must show where a URL points without
repeating what would let someone in.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"

# Query parameters whose values are credentials more often than not.
_SECRET_NAME = re.compile(
    r"token|key|secret|passw|pwd|signature|^sig$|auth|session|credential|code$|^x-amz-",
    re.IGNORECASE,
)


# A URL inside free text (a finding's summary, a note): scheme://, up to a space or quote.
_URL_IN_TEXT = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s<>\"'`]+", re.IGNORECASE)
# What precedes the host, when the URL is too broken to parse (`https://u:pw@[bad`).
_USERINFO = re.compile(r"(?<=//)[^/?#\s]*@")


def redact_url(url: str) -> str:
    """`url` with any password in it and secret-looking query values replaced."""
    try:
        parts = urlsplit(url)
    except ValueError:  # unparseable, but it may still carry a password: drop all userinfo
        return _USERINFO.sub(f"{REDACTED}@", url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        netloc = f"{user}:{REDACTED}@{host}" if colon else f"{REDACTED}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_NAME.search(name) for name, _ in pairs):
            query = urlencode(
                [(name, REDACTED if _SECRET_NAME.search(name) else value) for name, value in pairs],
                safe="/:",
            )
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_urls_in(text: str) -> str:
    """`text` with every URL in it redacted as `redact_url` does; other words untouched."""
    if "://" not in text:
        return text
    return _URL_IN_TEXT.sub(lambda match: redact_url(match.group()), text)
