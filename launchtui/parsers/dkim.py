"""DKIM key records (RFC 6376 §3.6.1), and the tag=value list syntax DKIM and DMARC share.

The live check looks up `<selector>._domainkey.<domain>` and hands the joined TXT text
here; we report which key type it is, how strong it is, and whether a receiver could
verify signatures with it at all.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from dataclasses import dataclass

DKIM_VERSION = "DKIM1"
KEY_TYPES = frozenset({"rsa", "ed25519"})  # RFC 6376 §3.6.1 and RFC 8463
ED25519_KEY_BYTES = 32  # RFC 8463 §4.2: the raw public key, not wrapped in any structure
# RFC 8301 §3.2: signers MUST use at least 1024 bits and SHOULD use 2048; verifiers must
# handle up to 4096 and may refuse anything larger.
RSA_MINIMUM_BITS = 1024
RSA_RECOMMENDED_BITS = 2048
RSA_LARGEST_SAFE_BITS = 4096

# RFC 6376 §3.2: tag-name = ALPHA *ALNUMPUNC, where ALNUMPUNC = ALPHA / DIGIT / "_".
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# tag-value characters are VCHAR except ";", with folding white space between them.
_TAG_VALUE = re.compile(r"[\x21-\x3a\x3c-\x7e \t\r\n]*")
_FOLDING_WHITESPACE = " \t\r\n"
_COUNT_WORDS = {2: "two", 3: "three"}


@dataclass(frozen=True, slots=True)
class TagList:
    """A `tag=value; tag=value` list as written, duplicates and all (RFC 6376 §3.2)."""

    tags: tuple[tuple[str, str], ...]  # (name, value) in order, white space trimmed
    problems: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _value in self.tags)

    @property
    def has_duplicates(self) -> bool:
        """A repeated tag makes the whole list invalid (RFC 6376 §3.2)."""
        return len(set(self.names)) < len(self.names)

    def value_of(self, name: str) -> str | None:
        """The first value given for `name` (tag names are case-sensitive), or None."""
        return next((value for tag, value in self.tags if tag == name), None)


@dataclass(frozen=True, slots=True)
class DkimKey:
    """A DKIM public key record and whether receivers can verify signatures with it."""

    key_type: str  # k=, lower-cased; "rsa" when absent
    key_bits: int | None  # RSA modulus size, 256 for ed25519; None when there is no usable key
    revoked: bool  # p= is empty: the owner withdrew this key (RFC 6376 §3.6.1)
    hash_algorithms: tuple[str, ...]  # h=; empty means every algorithm is allowed
    service_types: tuple[str, ...]  # s=; ("*",) when absent
    flags: tuple[str, ...]  # t=, e.g. ("y",) or ("s",)
    problems: tuple[str, ...]
    valid: bool  # a receiver can verify signatures made with this key

    @property
    def testing(self) -> bool:
        """t=y: the domain is testing DKIM, so receivers may ignore failures."""
        return "y" in self.flags

    @property
    def same_domain_only(self) -> bool:
        """t=s: signatures with an i= subdomain of d= must not use this key."""
        return "s" in self.flags


def parse_tag_list(text: str) -> TagList:
    """Split a DKIM or DMARC record into its tags without raising.

    Folding white space around names, "=" and values is allowed, and so is a trailing
    ";". Pieces that are not tag=value are skipped with a problem; repeated tags are
    kept (so callers can see both) and reported, since they make the record invalid.
    """
    tags: list[tuple[str, str]] = []
    problems: list[str] = []
    for piece in text.split(";"):
        spec = piece.strip(_FOLDING_WHITESPACE)
        if not spec:
            continue
        name, equals, value = spec.partition("=")
        name = name.strip(_FOLDING_WHITESPACE)
        value = value.strip(_FOLDING_WHITESPACE)
        if not equals:
            problems.append(f'"{spec}" is not a tag=value pair, so it is ignored.')
        elif not _TAG_NAME.fullmatch(name):
            problems.append(f'"{name}" is not a valid tag name, so "{spec}" is ignored.')
        else:
            if not _TAG_VALUE.fullmatch(value):
                problems.append(
                    f"The {name}= value contains characters that are not plain ASCII text."
                )
            tags.append((name, value))
    problems.extend(_duplicate_tag_problems(tags))
    return TagList(tuple(tags), tuple(problems))


def _duplicate_tag_problems(tags: list[tuple[str, str]]) -> list[str]:
    counts = Counter(name for name, _value in tags)
    return [
        f'The record has {_COUNT_WORDS.get(count, str(count))} "{name}=" tags; '
        "receivers may ignore it."
        for name, count in counts.items()
        if count > 1
    ]


def colon_list(value: str) -> tuple[str, ...]:
    """Lower-cased, non-empty items of a colon-separated tag value such as h=sha1:sha256."""
    items = (item.strip(_FOLDING_WHITESPACE).lower() for item in value.split(":"))
    return tuple(item for item in items if item)


class _BadKey(ValueError):
    """p= holds no usable key; the message is founder-readable."""


def parse_dkim_key(text: str) -> DkimKey:
    """Parse a DKIM key record (the joined TXT text at selector._domainkey) without raising."""
    tag_list = parse_tag_list(text)
    errors = _version_problems(tag_list)
    notes = list(tag_list.problems)
    key_type = (tag_list.value_of("k") or "rsa").lower()
    if key_type not in KEY_TYPES:
        errors.append(
            f"The key type k={key_type} is not one receivers know (rsa or ed25519), so they "
            "cannot check signatures with it."
        )
    hash_algorithms = colon_list(tag_list.value_of("h") or "")
    service_types = colon_list(tag_list.value_of("s") or "*")
    flags = colon_list(tag_list.value_of("t") or "")
    errors.extend(_usage_problems(hash_algorithms, service_types))
    if "y" in flags:
        notes.append(
            "The key is marked as testing (t=y), so receivers may ignore failed signatures. "
            "Remove t=y once mail is signed correctly."
        )

    public_key = tag_list.value_of("p")
    revoked = public_key is not None and not _without_whitespace(public_key)
    key_bits: int | None = None
    if public_key is None:
        errors.append("The record has no p= tag, so it holds no public key.")
    elif revoked:
        errors.append(
            "This key has been revoked (p= is empty); mail signed with this selector fails DKIM."
        )
    elif key_type in KEY_TYPES:
        try:
            key_bits = _public_key_bits(key_type, public_key)
        except _BadKey as bad:
            errors.append(str(bad))
    if key_type == "rsa" and key_bits is not None:
        if key_bits < RSA_MINIMUM_BITS:
            errors.append(
                f"The RSA key is only {key_bits} bits; receivers reject DKIM keys under "
                f"{RSA_MINIMUM_BITS} bits (RFC 8301), so every signature fails."
            )
        notes.extend(_rsa_size_notes(key_bits))
    return DkimKey(
        key_type=key_type,
        key_bits=key_bits,
        revoked=revoked,
        hash_algorithms=hash_algorithms,
        service_types=service_types,
        flags=flags,
        problems=(*errors, *notes),
        valid=not errors and not tag_list.has_duplicates,
    )


def _version_problems(tag_list: TagList) -> list[str]:
    """v= is optional, but when present it must be first and exactly DKIM1 (§3.6.1)."""
    version = tag_list.value_of("v")
    if version is None:
        return []
    if tag_list.names[0] != "v":
        return ["v=DKIM1 must be the first tag when present; receivers discard this key."]
    if version != DKIM_VERSION:
        return [f'The version v={version} is not "DKIM1", so receivers discard this key.']
    return []


def _usage_problems(hash_algorithms: tuple[str, ...], service_types: tuple[str, ...]) -> list[str]:
    """h= and s= can restrict a key so far that no email signature can use it."""
    problems = []
    if hash_algorithms and "sha256" not in hash_algorithms:
        # RFC 8301 §3.1: verifiers must not accept SHA-1 signatures any more.
        problems.append(
            f"The key only allows h={':'.join(hash_algorithms)}; receivers only accept "
            "SHA-256 signatures (RFC 8301), so add sha256 or remove h=."
        )
    if not {"*", "email"} & set(service_types):
        problems.append(
            f"The key is limited to s={':'.join(service_types)}, so it cannot be used for email."
        )
    return problems


def _without_whitespace(value: str) -> str:
    return re.sub(r"\s+", "", value)


def _public_key_bits(key_type: str, p_value: str) -> int:
    """Decode p= and return the key size, or raise _BadKey saying what is wrong."""
    if '"' in p_value:
        raise _BadKey(
            "The p= key contains quote marks: the record was probably pasted with the "
            'zone-file quotes included (as in "abc" "def"). Remove them.'
        )
    try:
        # White space inside the base64 is allowed (RFC 6376 §3.6.1 base64string).
        key_bytes = base64.b64decode(_without_whitespace(p_value), validate=True)
    except ValueError:  # binascii.Error, or non-ASCII text
        raise _BadKey(
            "The p= key is not valid base64: part of it is missing or mistyped. Copy it "
            "again from your mail provider."
        ) from None
    if key_type == "ed25519":
        return _ed25519_key_bits(key_bytes)
    return _rsa_key_bits(key_bytes)


def _ed25519_key_bits(key_bytes: bytes) -> int:
    if len(key_bytes) != ED25519_KEY_BYTES:
        raise _BadKey(
            f"An ed25519 key must be the raw {ED25519_KEY_BYTES}-byte key (RFC 8463 §4.2); "
            f"this one is {len(key_bytes)} bytes."
        )
    return ED25519_KEY_BYTES * 8


def _rsa_key_bits(key_bytes: bytes) -> int:
    """Accept a SubjectPublicKeyInfo (what RFC 6376 asks for) or a bare PKCS#1
    RSAPublicKey, which some providers publish and receivers tolerate."""
    if len(key_bytes) == ED25519_KEY_BYTES:
        raise _BadKey(
            "The p= key is 32 bytes long, which is an ed25519 key; add k=ed25519 to the record."
        )
    # Imported here: cryptography costs ~40 ms on a cold start, and DMARC parsing, which
    # shares this module's tag-list tokenizer, should not pay for it.
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        public_key = load_der_public_key(key_bytes)
    except (ValueError, UnsupportedAlgorithm):
        raise _BadKey("The p= value decodes, but it is not a public key.") from None
    if not isinstance(public_key, RSAPublicKey):
        raise _BadKey("The p= value is a public key, but not an RSA key as k= says.")
    return public_key.key_size


def _rsa_size_notes(bits: int) -> list[str]:
    """RFC 8301 §3.2: 2048 bits is the recommendation, 4096 the most receivers must handle."""
    if RSA_MINIMUM_BITS <= bits < RSA_RECOMMENDED_BITS:
        return [
            f"The RSA key is {bits} bits; {RSA_RECOMMENDED_BITS} bits is the current "
            "recommendation (RFC 8301). Ask your mail provider for a 2048-bit key."
        ]
    if bits > RSA_LARGEST_SAFE_BITS:
        return [
            f"The RSA key is {bits} bits; receivers only have to handle keys up to "
            f"{RSA_LARGEST_SAFE_BITS} bits (RFC 8301), so some may not check it."
        ]
    return []
