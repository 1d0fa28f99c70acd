"""SPF records (RFC 7208): one TXT record in, its terms and what a receiver would object to out.

Pure functions on text. The live check fetches the TXT records, picks the SPF one with
`pick_spf_records`, and follows `includes` and `redirect` itself to count DNS lookups
across the whole chain; this module only judges a single record.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

SPF_VERSION = "v=spf1"
MECHANISM_NAMES = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})
# RFC 7208 §4.6.4: each of these terms costs one DNS query, and a receiver gives up with a
# permerror once evaluating the record (includes and redirects too) needs more than ten.
DNS_LOOKUP_TERM_NAMES = frozenset({"include", "a", "mx", "ptr", "exists", "redirect"})
DNS_LOOKUP_LIMIT = 10
# An ip4/ip6 range shorter than this covers a large slice of the internet.
BROADEST_SENSIBLE_PREFIX = {"ip4": 8, "ip6": 16}
MAX_PREFIX = {"ip4": 32, "ip6": 128}

# RFC 7208 §12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ); a modifier is name "=" value.
_MODIFIER = re.compile(r"([A-Za-z][A-Za-z0-9._-]*)=(.*)", re.DOTALL)
_MECHANISM = re.compile(r"([+\-~?]?)([A-Za-z][A-Za-z0-9._-]*)(.*)", re.DOTALL)
# RFC 7208 §7.1: "%{" macro-letter transformers *delimiter "}".
_MACRO_EXPAND = re.compile(r"%\{([A-Za-z])([0-9]*)([rR]?)([.\-+,/_=]*)\}")
_MACRO_LETTERS = frozenset("slodiphv")
# c, r and t only mean something in explanation text fetched by exp=, never in the record.
_EXPLANATION_ONLY_LETTERS = frozenset("crt")
# RFC 7208 §12: toplabel = ( *alphanum ALPHA *alphanum )
#                         / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
_TOPLABEL = re.compile(r"[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*|[A-Za-z0-9]+-[A-Za-z0-9-]*[A-Za-z0-9]")
# A mechanism's trailing prefix lengths, e.g. "/24", "//64" or "/24//64" (dual-cidr-length).
_CIDR_SUFFIX = re.compile(r"(?:/[0-9]*)?(?://[0-9]*)?\Z")
_DUAL_CIDR = re.compile(r"(?:/(0|[1-9][0-9]?))?(?://(0|[1-9][0-9]{0,2}))?")
_PREFIX_LENGTH = re.compile(r"0|[1-9][0-9]{0,2}")


@dataclass(frozen=True, slots=True)
class SpfTerm:
    """One space-separated term after the version: a mechanism or a modifier."""

    # "+", "-", "~" or "?" for a mechanism ("+" when omitted, §4.6.2); "" for a modifier.
    qualifier: str
    name: str  # lower-cased: "include", "ip4", "redirect", an unknown modifier's name...
    value: str | None  # domain-spec, IP network or modifier value; None when the term has none
    cidr: str | None = None  # a/mx prefix lengths as written, e.g. "/24//64"

    @property
    def is_modifier(self) -> bool:
        return not self.qualifier


@dataclass(frozen=True, slots=True)
class SpfRecord:
    """A parsed SPF record and everything wrong with it.

    `is_permerror` means receivers reject the whole record (RFC 7208 §2.6.7), so mail
    from this domain gets no SPF protection at all. Other problems are advice.
    """

    text: str
    terms: tuple[SpfTerm, ...]  # every term that parsed cleanly, in order
    all_qualifier: str | None  # qualifier of the first "all", which ends evaluation
    redirect: str | None  # domain of a redirect= that takes effect (not one overridden by "all")
    explanation: str | None  # exp= domain
    problems: tuple[str, ...]
    is_permerror: bool

    @property
    def evaluated_terms(self) -> tuple[SpfTerm, ...]:
        """Terms a receiver actually reaches, in order (see `_evaluated_terms`)."""
        return _evaluated_terms(self.terms, self.redirect)

    @property
    def dns_lookup_terms(self) -> tuple[SpfTerm, ...]:
        """Terms in this record that each cost a DNS lookup (§4.6.4), in evaluation order."""
        return tuple(t for t in self.evaluated_terms if t.name in DNS_LOOKUP_TERM_NAMES)

    @property
    def includes(self) -> tuple[str, ...]:
        """Domains of the include: mechanisms a receiver evaluates, in order."""
        return tuple(
            t.value for t in self.evaluated_terms if t.name == "include" and t.value is not None
        )


class _BadTerm(ValueError):
    """A term that breaks the RFC 7208 grammar; the message is founder-readable."""


def _evaluated_terms(terms: tuple[SpfTerm, ...], redirect: str | None) -> tuple[SpfTerm, ...]:
    """The terms a receiver reaches: mechanisms after "all" are never tested (§5.1), and
    a redirect= overridden by "all" is never followed (§6.1)."""
    reached: list[SpfTerm] = []
    passed_all = False
    for term in terms:
        if term.name == "redirect" and redirect is None:
            continue
        if term.is_modifier or not passed_all:
            reached.append(term)
        passed_all = passed_all or term.name == "all"
    return tuple(reached)


def join_txt_strings(strings: Iterable[bytes]) -> str:
    """Join a TXT record's character-strings into the one record text (RFC 7208 §3.3).

    DNS splits long TXT records into strings of at most 255 bytes; SPF (and DKIM and
    DMARC) glue them back together with no separator. SPF is ASCII, but we decode as
    UTF-8 with replacement characters instead of failing, so that stray non-ASCII
    survives into the text and the parsers can name it as a problem.
    """
    return b"".join(strings).decode("utf-8", errors="replace")


def is_spf_record(text: str) -> bool:
    """Whether a TXT record is an SPF record: "v=spf1" then a space or the end (§4.5)."""
    return text[:6].lower() == SPF_VERSION and text[6:7] in ("", " ")


def pick_spf_records(txt_records: list[str]) -> list[str]:
    """The SPF records among a name's TXT records.

    More than one is a permerror (§4.5): receivers then ignore all of them.
    """
    return [record for record in txt_records if is_spf_record(record)]


def parse_spf(text: str) -> SpfRecord:
    """Parse one SPF record's full text (strings already joined) without raising."""
    words = [word for word in text.split(" ") if word]
    if not words or words[0].lower() != SPF_VERSION:
        return SpfRecord(text, (), None, None, None, _not_spf_problems(text), is_permerror=True)

    errors: list[str] = []
    notes: list[str] = []
    terms: list[SpfTerm] = []
    for word in words[1:]:
        try:
            term = _parse_term(word)
        except _BadTerm as bad:
            errors.append(str(bad))
            continue
        if _is_misspelt_mechanism(term):
            notes.append(
                f'"{word}" looks like a typo for {term.name}:{term.value}; receivers treat it '
                "as an unknown modifier and ignore it."
            )
        elif term.name == "v":
            notes.append(
                f'"{word}" appears in the middle of the record; it looks like two SPF records '
                "were pasted together."
            )
        else:
            terms.append(term)

    errors.extend(_duplicate_modifier_problems(terms))
    all_qualifier = next((t.qualifier for t in terms if t.name == "all"), None)
    redirect = _modifier_value(terms, "redirect")
    if redirect is not None and all_qualifier is not None:
        notes.append(
            f'redirect={redirect} is ignored because the record also has an "all" '
            "mechanism, which always decides first (RFC 7208 §6.1)."
        )
        redirect = None
    errors.extend(_lookup_limit_problems(_evaluated_terms(tuple(terms), redirect)))
    notes.extend(_policy_notes(terms, all_qualifier, redirect))
    return SpfRecord(
        text=text,
        terms=tuple(terms),
        all_qualifier=all_qualifier,
        redirect=redirect,
        explanation=_modifier_value(terms, "exp"),
        problems=(*errors, *notes),
        is_permerror=bool(errors),
    )


def _not_spf_problems(text: str) -> tuple[str, ...]:
    problems = ['This is not an SPF record: it must start with "v=spf1" followed by a space.']
    hidden = invisible_characters(text[:40])
    if hidden:
        problems.append(_invisible_problem(text[:40].split(" ", 1)[0] or text[:40], hidden))
    if not text.isascii():
        problems.append(
            "It contains characters that are not plain ASCII (often a pasted curly quote or "
            "a non-breaking space); SPF records must be plain text."
        )
    return tuple(problems)


# Names for the characters people paste by accident; others get their Unicode name.
_CHARACTER_NAMES = {
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a carriage return",
    "\x00": "a NUL byte",
    "\u00a0": "a non-breaking space",
    "\u00ad": "a soft hyphen",
    "\u200b": "a zero-width space",
    "\u200c": "a zero-width non-joiner",
    "\u200d": "a zero-width joiner",
    "\u2060": "a word joiner",
    "\ufeff": "a byte-order mark",
    "\ufffd": "bytes that are not text",
}


def invisible_characters(text: str) -> list[tuple[int, str]]:
    """(position, character) of every character a person cannot see or tell from a space:
    controls, format characters (zero-width space, byte-order mark), spaces other than
    the ASCII one, and the replacement character for bytes that were not UTF-8."""
    return [
        (index, char)
        for index, char in enumerate(text)
        if char == "\ufffd" or (char != " " and unicodedata.category(char)[0] in "CZ")
    ]


def escaped(text: str) -> str:
    """`text` with its invisible characters written as escapes (\r, \x00, \u200b)."""
    hidden = {index for index, _char in invisible_characters(text)}
    return "".join(_escape(char) if index in hidden else char for index, char in enumerate(text))


def _escape(char: str) -> str:
    named = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
    if char in named:
        return named[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def _character_name(char: str) -> str:
    known = _CHARACTER_NAMES.get(char)
    if known:
        return f"{known} (U+{ord(char):04X})"
    name = unicodedata.name(char, "").lower()
    return f"{'the character ' + name if name else 'an invisible control character'} " + (
        f"(U+{ord(char):04X})"
    )


def _invisible_problem(word: str, hidden: list[tuple[int, str]]) -> str:
    position, char = hidden[0]
    more = f" and {len(hidden) - 1} more" if len(hidden) > 1 else ""
    return (
        f'"{escaped(word)}" contains {_character_name(char)} at character {position + 1}'
        f"{more}, which you cannot see but receivers read, so they reject the whole record. "
        "Retype the term by hand, or delete that character in your DNS provider's editor."
    )


def _parse_term(word: str) -> SpfTerm:
    hidden = invisible_characters(word)
    if hidden:
        raise _BadTerm(_invisible_problem(word, hidden))
    modifier = _MODIFIER.fullmatch(word)
    if modifier:
        return _parse_modifier(modifier.group(1).lower(), modifier.group(2), word)
    mechanism = _MECHANISM.fullmatch(word)
    if not mechanism or mechanism.group(2).lower() not in MECHANISM_NAMES:
        raise _BadTerm(
            f'"{word}" is not a known SPF mechanism, so receivers reject the whole record.'
        )
    qualifier, name, rest = mechanism.groups()
    return _parse_mechanism(qualifier or "+", name.lower(), rest, word)


def _parse_modifier(name: str, value: str, word: str) -> SpfTerm:
    """redirect= and exp= need a domain; other modifiers are allowed but ignored (§6)."""
    if name in ("redirect", "exp"):
        _require_domain_spec(value, word)
    else:
        problem = _macro_string_error(value)
        if problem:
            raise _BadTerm(f'"{word}" is not valid: {problem}.')
    return SpfTerm("", name, value)


def _parse_mechanism(qualifier: str, name: str, rest: str, word: str) -> SpfTerm:
    if name == "all":
        if rest:
            raise _BadTerm(f'"{word}" is not valid: "all" takes no argument.')
        return SpfTerm(qualifier, name, None)
    if name in ("include", "exists"):
        if not rest.startswith(":"):
            raise _BadTerm(
                f'"{word}" is not valid: {name} needs a domain, as in {name}:example.com.'
            )
        domain = rest[1:]
        _require_domain_spec(domain, word)
        return SpfTerm(qualifier, name, domain)
    if name in ("ip4", "ip6"):
        network = rest[1:] if rest.startswith(":") else ""
        _require_network(name, network, word)
        return SpfTerm(qualifier, name, network)
    return _parse_host_mechanism(qualifier, name, rest, word)


def _parse_host_mechanism(qualifier: str, name: str, rest: str, word: str) -> SpfTerm:
    """a, mx and ptr: an optional ":domain", and for a and mx optional prefix lengths."""
    suffix = _CIDR_SUFFIX.search(rest)  # always matches, at worst the empty string at the end
    cidr = suffix.group() if suffix and name != "ptr" else ""
    domain_part = rest[: len(rest) - len(cidr)]
    if domain_part and not domain_part.startswith(":"):
        raise _BadTerm(f'"{word}" is not valid: expected {name}, {name}:domain or {name}/prefix.')
    domain = domain_part[1:] if domain_part else None
    if domain is not None:
        _require_domain_spec(domain, word)
    if cidr and not _is_dual_cidr(cidr):
        raise _BadTerm(
            f'"{word}" is not valid: the prefix length must be /0 to /32 for IPv4 '
            "and //0 to //128 for IPv6, without leading zeros."
        )
    return SpfTerm(qualifier, name, domain, cidr or None)


def _is_dual_cidr(cidr: str) -> bool:
    lengths = _DUAL_CIDR.fullmatch(cidr)
    if not lengths:
        return False
    ip4_length, ip6_length = lengths.groups()
    return int(ip4_length or 0) <= MAX_PREFIX["ip4"] and int(ip6_length or 0) <= MAX_PREFIX["ip6"]


def _require_network(name: str, network: str, word: str) -> None:
    address, slash, prefix = network.partition("/")
    if not _is_ip_address(name, address):
        kind = "IPv4" if name == "ip4" else "IPv6"
        raise _BadTerm(f'"{word}" is not valid: "{address}" is not an {kind} address.')
    if slash and not (_PREFIX_LENGTH.fullmatch(prefix) and int(prefix) <= MAX_PREFIX[name]):
        raise _BadTerm(
            f'"{word}" is not valid: the prefix length must be a number from 0 to '
            f"{MAX_PREFIX[name]}."
        )


def _is_ip_address(name: str, address: str) -> bool:
    # ipaddress accepts IPv6 zone ids ("fe80::1%eth0"), which SPF's grammar does not.
    if "%" in address:
        return False
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return parsed.version == (4 if name == "ip4" else 6)


def _require_domain_spec(spec: str, word: str) -> None:
    problem = _domain_spec_error(spec)
    if problem:
        raise _BadTerm(f'"{word}" is not valid: {problem}.')


def _domain_spec_error(spec: str) -> str | None:
    """Why `spec` is not an RFC 7208 domain-spec (macro-string domain-end), or None."""
    if not spec:
        return "the domain is missing"
    macro_problem = _macro_string_error(spec)
    if macro_problem:
        return macro_problem
    if _ends_with_macro(spec):
        return None
    labels = spec.removesuffix(".").split(".")
    if len(labels) < 2 or not _TOPLABEL.fullmatch(labels[-1]):
        return f'"{spec}" is not a full domain name'
    if "%" not in spec and any(not label or len(label) > 63 for label in labels):
        return f'"{spec}" has an empty or over-long part between dots'
    return None


def expand_domain_macros(spec: str, domain: str) -> str | None:
    """`spec` with the macros the domain alone determines expanded, or None when it needs
    something only a real message has (the sender, its address, HELO name).

    RFC 7208 §7: %{d} is the domain whose record is being evaluated, so `redirect=_spf.%{d}`
    or `include:%{d2}.relay.example` can be followed without a message; %%, %_ and %-
    are a literal "%", space and "%20". Transformers (§7.3) apply: digits keep that many
    rightmost parts, "r" reverses, and delimiters other than "." split the value.
    """
    if "%" not in spec:
        return spec
    expanded: list[str] = []
    position = 0
    while position < len(spec):
        char = spec[position]
        if char != "%":
            expanded.append(char)
            position += 1
            continue
        escape = spec[position + 1 : position + 2]
        if escape in ("%", "_", "-"):
            expanded.append({"%": "%", "_": " ", "-": "%20"}[escape])
            position += 2
            continue
        macro = _MACRO_EXPAND.match(spec, position)
        if macro is None or macro.group(1).lower() != "d":
            return None
        expanded.append(_transform(domain, macro.group(2), macro.group(3), macro.group(4)))
        position = macro.end()
    return "".join(expanded)


def _transform(value: str, digits: str, reverse: str, delimiters: str) -> str:
    parts = re.split("[" + re.escape(delimiters or ".") + "]", value)
    if reverse:
        parts.reverse()
    if digits and int(digits) < len(parts):
        parts = parts[len(parts) - int(digits) :]
    return ".".join(parts)


def _ends_with_macro(spec: str) -> bool:
    last = spec.rfind("%{")
    return last != -1 and _MACRO_EXPAND.fullmatch(spec, last) is not None


def _macro_string_error(text: str) -> str | None:
    """Why `text` is not a valid macro-string (RFC 7208 §7.1), or None.

    Outside macros only visible ASCII is allowed; "%" must start "%{...}", "%%", "%_" or "%-".
    """
    position = 0
    while position < len(text):
        char = text[position]
        if char != "%":
            if not "!" <= char <= "~":
                return f'it contains the character "{char}", which is not allowed'
            position += 1
            continue
        if text[position + 1 : position + 2] in ("%", "_", "-"):
            position += 2
            continue
        macro = _MACRO_EXPAND.match(text, position)
        if not macro:
            return 'a "%" must start a macro such as %{d}, or be written as %%'
        problem = _macro_error(macro)
        if problem:
            return problem
        position = macro.end()
    return None


def _macro_error(macro: re.Match[str]) -> str | None:
    letter, digits = macro.group(1).lower(), macro.group(2)
    if letter in _EXPLANATION_ONLY_LETTERS:
        return f"the macro {macro.group()} is only allowed in explanation text (RFC 7208 §7.2)"
    if letter not in _MACRO_LETTERS:
        return f"{macro.group()} is not a known macro"
    if digits and not digits.strip("0"):
        return f"the macro {macro.group()} keeps zero labels, which is not allowed (§7.3)"
    return None


def _is_misspelt_mechanism(term: SpfTerm) -> bool:
    """ "mx=example.com" parses as an unknown modifier, but meant "mx:example.com"."""
    return term.is_modifier and term.name in MECHANISM_NAMES


def _duplicate_modifier_problems(terms: list[SpfTerm]) -> list[str]:
    """redirect= and exp= may each appear once; a second one is a permerror (§6)."""
    problems = []
    for name in ("redirect", "exp"):
        if sum(1 for t in terms if t.is_modifier and t.name == name) > 1:
            problems.append(
                f"The record has more than one {name}=, so receivers reject it (RFC 7208 §6)."
            )
    return problems


def _modifier_value(terms: list[SpfTerm], name: str) -> str | None:
    return next((t.value for t in terms if t.is_modifier and t.name == name), None)


def _lookup_limit_problems(evaluated: tuple[SpfTerm, ...]) -> list[str]:
    count = sum(1 for t in evaluated if t.name in DNS_LOOKUP_TERM_NAMES)
    if count <= DNS_LOOKUP_LIMIT:
        return []
    return [
        f"This record alone needs {count} DNS lookups; receivers stop at "
        f"{DNS_LOOKUP_LIMIT} and fail SPF for every message (RFC 7208 §4.6.4)."
    ]


def _policy_notes(
    terms: list[SpfTerm], all_qualifier: str | None, redirect: str | None
) -> list[str]:
    """Advice on a well-formed record: what it lets through and what it wastes."""
    notes = []
    if all_qualifier == "+":
        notes.append(
            '"+all" approves every server on the internet, so anyone can send mail as '
            "your domain. Use ~all or -all."
        )
    elif all_qualifier == "?":
        notes.append(
            '"?all" is neutral: mail from servers you did not list is treated as if you had '
            "no SPF at all. Use ~all or -all."
        )
    elif all_qualifier is None and redirect is None:
        notes.append(
            'The record does not end with "~all" or "-all", so mail from servers you did '
            "not list is neither passed nor failed."
        )
    if _has_mechanisms_after_all(terms):
        notes.append('Everything after "all" is never checked (RFC 7208 §5.1); move it before.')
    if any(t.name == "ptr" for t in terms):
        notes.append(
            '"ptr" is slow and unreliable and RFC 7208 §5.5 says not to use it; list your '
            "servers with ip4, ip6, a or include instead."
        )
    notes.extend(_broad_network_notes(terms))
    return notes


def _has_mechanisms_after_all(terms: list[SpfTerm]) -> bool:
    mechanism_names = [t.name for t in terms if not t.is_modifier]
    return "all" in mechanism_names[:-1]


def _broad_network_notes(terms: list[SpfTerm]) -> list[str]:
    notes = []
    for term in terms:
        if term.name not in BROADEST_SENSIBLE_PREFIX or term.qualifier != "+":
            continue
        _address, slash, prefix = (term.value or "").partition("/")
        if slash and int(prefix) < BROADEST_SENSIBLE_PREFIX[term.name]:
            notes.append(
                f'"{term.name}:{term.value}" approves a huge part of the internet, so almost '
                "anyone can send mail as your domain."
            )
    return notes
