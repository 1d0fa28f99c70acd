"""Turning what a person typed into a domain name we can query, or a clear refusal.

People paste URLs, add spaces, type IDNs and trailing dots. We accept what is
unambiguous (taking the host from a URL, converting an IDN to punycode) and say
what we did, and refuse the rest with one sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

from .urls import redact_url

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_MAX_NAME_LENGTH = 253  # RFC 1035 §2.3.4: 255 octets on the wire, 253 in text form


class DomainError(ValueError):
    """A name that cannot be a DNS host name; the message is shown to the user as is."""


@dataclass(frozen=True, slots=True)
class DomainInput:
    name: str  # ASCII (punycode) form, lower case, no trailing dot
    unicode_name: str  # what a person reads, for IDNs
    notes: tuple[str, ...] = ()  # what we changed about the input, said plainly

    @property
    def display(self) -> str:
        if self.unicode_name != self.name:
            return f"{self.unicode_name} ({self.name})"
        return self.name


def parse_domain(raw: str) -> DomainInput:
    """Accept a host name, a URL or an IDN; raise DomainError saying what is wrong.

    Messages and notes show the input without any password or token in it: a pasted URL
    often carries one, and stderr ends up in CI logs."""
    text = raw.strip()
    shown = redact_url(text)
    notes: list[str] = []
    if not text:
        raise DomainError("The domain is empty: give a name such as example.com.")
    if "://" in text or text.startswith("//"):
        try:
            host = urlsplit(text if "://" in text else "http:" + text).hostname
        except ValueError:
            raise DomainError(f"{shown!r} is not a valid URL.") from None
        if not host:
            raise DomainError(f"{shown!r} looks like a URL but has no host name in it.")
        notes.append(f"Took the host {host!r} from the URL {shown!r}.")
        text = host
    elif "/" in text:
        host, _, _ = text.partition("/")
        notes.append(f"Ignored the path after {host!r}.")
        text = host
    if any(ch.isspace() for ch in text):
        raise DomainError(f"{shown!r} contains a space; a domain name cannot.")
    if ":" in text:
        raise DomainError(f"{shown!r} has a port or is an IP address; give a domain name.")
    text = text.rstrip(".").lower()
    ascii_name = _to_ascii(text, shown)
    _require_valid_labels(ascii_name, shown)
    unicode_name = _to_unicode(ascii_name)
    if unicode_name != ascii_name:
        notes.append(f"{unicode_name} is queried as {ascii_name} (punycode).")
    return DomainInput(ascii_name, unicode_name, tuple(notes))


def _to_ascii(text: str, shown: str) -> str:
    if text.isascii():
        return text
    try:
        return idna.encode(text, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise DomainError(f"{shown!r} is not a valid international domain name: {exc}.") from None


def _to_unicode(ascii_name: str) -> str:
    try:
        return idna.decode(ascii_name)
    except idna.IDNAError:
        return ascii_name


def _require_valid_labels(name: str, shown: str) -> None:
    if len(name) > _MAX_NAME_LENGTH:
        raise DomainError(f"{shown!r} is {len(name)} characters long; the limit is 253.")
    labels = name.split(".")
    if len(labels) < 2:
        raise DomainError(f"{shown!r} has no dot; give a full domain such as example.com.")
    for label in labels:
        if not label:
            raise DomainError(f"{shown!r} has an empty label (two dots in a row).")
        if len(label) > 63:
            raise DomainError(f"{shown!r} has a label of {len(label)} characters; the limit is 63.")
        if not _LABEL.match(label):
            raise DomainError(
                f"{shown!r} has an invalid label {label!r}: use letters, digits and inner hyphens."
            )
        if label.startswith("xn--") and not _is_punycode(label):
            raise DomainError(
                f"{shown!r} has a label {label!r} that starts like an international name "
                "(xn--) but is not valid punycode."
            )
    if labels[-1].isdigit():
        raise DomainError(f"{shown!r} looks like an IP address; give a domain name.")


def _is_punycode(label: str) -> bool:
    """RFC 3492 decoding to printable non-ASCII text. Deliberately looser than IDNA2008,
    which refuses names that exist and resolve (emoji domains registered before it)."""
    try:
        decoded = label[4:].encode("ascii").decode("punycode")
    except UnicodeError:
        return False
    return bool(decoded) and not decoded.isascii() and decoded.isprintable()


def host_under(apex: str, label: str) -> str:
    """The full name of a subdomain given as a bare label or already fully qualified."""
    label = label.strip().rstrip(".").lower()
    if label in ("", "@"):
        return apex
    if label == apex or label.endswith("." + apex):
        return label
    return f"{label}.{apex}"
