"""Cache-Control (RFC 9111 §5.2): may a CDN keep this response, and for how long may a browser.

Also home to the directive-list tokenizer that HSTS shares: both headers are lists of
`name` or `name=token` or `name="quoted string"` items (RFC 9110 §5.6), and differ only
in the separator ("," here, ";" in Strict-Transport-Security).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# RFC 9111 §1.2.2: a delta-seconds too big to represent counts as 2^31 seconds (68 years).
DELTA_SECONDS_CEILING = 2**31

# RFC 9110 §5.6.2: token = 1*tchar.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# RFC 9110 §5.6.4: quoted-string, with backslash escapes.
_QUOTED_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)
_QUOTED_PAIR = re.compile(r"\\(.)", re.DOTALL)
_OPTIONAL_WHITESPACE = " \t"


@dataclass(frozen=True, slots=True)
class Directive:
    """One item of a directive list, e.g. `max-age=60` or `private="set-cookie"`."""

    name: str  # lower-cased; directive names are case-insensitive
    argument: str | None  # unquoted; None when the directive has no "="
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class CacheControl:
    """The cache directives of a response, with conflicts and typos reported."""

    public: bool
    private: bool  # unqualified "private": no shared cache may store any of it
    private_fields: tuple[str, ...]  # private="set-cookie": only these headers are private
    no_store: bool
    no_cache: bool  # unqualified "no-cache": every cache must revalidate before reuse
    no_cache_fields: tuple[str, ...]  # no-cache="set-cookie": only these headers
    max_age: int | None
    s_maxage: int | None
    immutable: bool  # RFC 8246: do not revalidate while fresh, even on reload
    problems: tuple[str, ...]

    @property
    def is_shared_cacheable(self) -> bool:
        """Whether a CDN or other shared cache may store the response (RFC 9111 §3).

        It may unless no-store or an unqualified private forbids it, provided the
        response says it is cacheable: public, s-maxage or max-age. Field-named private
        (private="set-cookie") only keeps those headers out of the shared copy
        (§5.2.2.7), so it does not stop shared caching of the rest by itself.
        """
        if self.no_store or self.private:
            return False
        return self.public or self.s_maxage is not None or self.max_age is not None

    @property
    def reusable_by_shared_caches(self) -> bool:
        """Whether a shared cache may hand its stored copy to the next visitor without
        asking the origin first (RFC 9111 §4.2): storable, not no-cache, and fresh for
        more than zero seconds (s-maxage, else max-age; none: heuristic freshness)."""
        if not self.is_shared_cacheable or self.no_cache:
            return False
        lifetime = self.s_maxage if self.s_maxage is not None else self.max_age
        return lifetime is None or lifetime > 0

    @property
    def lifetime_seconds(self) -> int | None:
        """How long a browser may reuse the response without asking the server again.

        0 when no-store or no-cache forbids reuse; max-age otherwise (browsers are
        private caches, so s-maxage does not apply to them, §5.2.2.10); None when the
        header sets no lifetime and the browser falls back to Expires or guesses.
        """
        if self.no_store or self.no_cache:
            return 0
        return self.max_age


def split_directives(value: str, separator: str) -> tuple[list[Directive], list[str]]:
    """Split a directive list on `separator` outside quoted strings, without raising.

    Returns the directives in order (duplicates kept) and problems for items that
    could not be read, which are skipped.
    """
    directives: list[Directive] = []
    problems: list[str] = []
    for item in _split_outside_quotes(value, separator):
        text = item.strip(_OPTIONAL_WHITESPACE)
        if not text:
            continue
        name, equals, argument = text.partition("=")
        name = name.strip(_OPTIONAL_WHITESPACE)
        argument = argument.strip(_OPTIONAL_WHITESPACE)
        if not _TOKEN.fullmatch(name):
            problems.append(f'"{text}" is not a valid directive, so it is ignored.')
        elif not equals:
            directives.append(Directive(name.lower(), None))
        elif argument.startswith('"'):
            quoted = _QUOTED_STRING.fullmatch(argument)
            if quoted:
                directives.append(Directive(name.lower(), _unquote(quoted.group(1)), quoted=True))
            else:
                problems.append(f'The quoted value of "{name}" is malformed, so it is ignored.')
        else:
            directives.append(Directive(name.lower(), argument))
    return directives, problems


def _split_outside_quotes(value: str, separator: str) -> list[str]:
    """Split on `separator` except inside "...", honouring backslash escapes there.

    An unclosed quote swallows the rest of the value into one piece, which then fails
    to parse as a directive and is reported there.
    """
    pieces: list[str] = []
    current: list[str] = []
    in_quotes = escaped = False
    for char in value:
        if escaped:
            escaped = False
        elif in_quotes and char == "\\":
            escaped = True
        elif char == '"':
            in_quotes = not in_quotes
        elif char == separator and not in_quotes:
            pieces.append("".join(current))
            current = []
            continue
        current.append(char)
    pieces.append("".join(current))
    return pieces


def _unquote(text: str) -> str:
    return _QUOTED_PAIR.sub(r"\1", text)


def parse_delta_seconds(text: str) -> int | None:
    """A non-negative whole number of seconds, or None when `text` is not one.

    Absurd values are clamped to 2^31 (RFC 9111 §1.2.2) rather than converted, which
    also keeps Python's limit on very long integer strings out of the way.
    """
    if not (text.isascii() and text.isdigit()):
        return None
    significant = text.lstrip("0")
    if len(significant) > len(str(DELTA_SECONDS_CEILING)):
        return DELTA_SECONDS_CEILING
    return min(int(significant or "0"), DELTA_SECONDS_CEILING)


def parse_cache_control(value: str | Sequence[str]) -> CacheControl:
    """Parse Cache-Control; several header lines count as one comma-joined list (RFC 9110 §5.3)."""
    joined = value if isinstance(value, str) else ", ".join(value)
    directives, problems = split_directives(joined, ",")
    conflicting: list[str] = []
    present: dict[str, Directive] = {}  # one entry per name; the first occurrence counts
    for directive in directives:
        earlier = present.setdefault(directive.name, directive)
        if earlier.argument != directive.argument and earlier.name not in conflicting:
            conflicting.append(earlier.name)
    problems.extend(
        f"{name} appears more than once with different values; caches may use either one "
        "or treat the response as already expired (RFC 9111 §4.2.1)."
        for name in conflicting
    )
    max_age = _seconds_argument(present.get("max-age"), problems)
    s_maxage = _seconds_argument(present.get("s-maxage"), problems)
    private_fields = _field_names(present.get("private"))
    no_cache_fields = _field_names(present.get("no-cache"))
    if private_fields or no_cache_fields:
        problems.append(
            'private="..." and no-cache="..." with header names are often treated by caches '
            "as plain private or no-cache (RFC 9111 §5.2.2), so they may cache less than "
            "you expect."
        )
    private = "private" in present and not private_fields
    if private and "public" in present:
        problems.append("The response is marked both public and private; caches obey private.")
    return CacheControl(
        public="public" in present,
        private=private,
        private_fields=private_fields,
        no_store="no-store" in present,
        no_cache="no-cache" in present and not no_cache_fields,
        no_cache_fields=no_cache_fields,
        max_age=max_age,
        s_maxage=s_maxage,
        immutable="immutable" in present,
        problems=tuple(problems),
    )


def _seconds_argument(directive: Directive | None, problems: list[str]) -> int | None:
    """max-age / s-maxage argument in seconds; a bad one is reported and ignored.

    Caches are encouraged to treat a response with an invalid max-age as stale
    (RFC 9111 §4.2.1), hence the wording of the problem.
    """
    if directive is None:
        return None
    if directive.argument is None:
        problems.append(
            f"{directive.name} has no value; write it as {directive.name}=3600 (seconds)."
        )
        return None
    seconds = parse_delta_seconds(directive.argument)
    if seconds is None:
        problems.append(
            f"{directive.name}={directive.argument} is not a whole number of seconds, "
            "so caches treat the response as already expired."
        )
    elif directive.quoted:
        problems.append(
            f"Write {directive.name}={directive.argument} without quotes; RFC 9111 §5.2.2 "
            "forbids the quoted form and some caches ignore it."
        )
    return seconds


def _field_names(directive: Directive | None) -> tuple[str, ...]:
    """Header names in a qualified private="..." or no-cache="..." (lower-cased)."""
    if directive is None or not directive.argument:
        return ()
    names = (name.strip(_OPTIONAL_WHITESPACE).lower() for name in directive.argument.split(","))
    return tuple(name for name in names if name)
