"""Secret values never leave the scanner: findings carry a short prefix, a length, a fingerprint.

The fingerprint is the first 16 hex digits of the value's SHA-256. It is the same wherever the
value turns up (working tree, history, build output), so one line in `.launchtui-ignore`
accepts it everywhere, and two findings about the same key can be recognised as one.
"""

from __future__ import annotations

import hashlib

FINGERPRINT_HEX = 16
SHORT_FINGERPRINT_HEX = 8
MAX_VISIBLE_PREFIX = 4


def secret_bytes(value: str) -> bytes:
    """The exact bytes a value was read from (scanning decodes with surrogateescape)."""
    return value.encode("utf-8", "surrogateescape")


def fingerprint(value: str) -> str:
    """A stable, non-reversible name for a secret value: sha256, first 16 hex digits."""
    return hashlib.sha256(secret_bytes(value)).hexdigest()[:FINGERPRINT_HEX]


def visible_prefix_length(value: str, keep: int | None = None) -> int:
    """How many leading characters may be shown.

    Known prefixes (`sk_live_`, `ghp_`) say what a key is without giving any of it away, so
    rules show four characters. An unknown value shows at most one character in eight, so a
    16-character password shows two and a short one shows nothing.
    """
    limit = min(MAX_VISIBLE_PREFIX, len(value) // 8)
    if keep is not None:
        limit = min(keep, MAX_VISIBLE_PREFIX, max(len(value) - 8, 0))
    return max(limit, 0)


def redact(value: str, keep: int | None = None) -> str:
    """`sk_l…(107 chars) #1a2b3c4d`: safe to print, log and store."""
    shown = value[: visible_prefix_length(value, keep)]
    shown = "".join(char if char.isascii() and char.isprintable() else "?" for char in shown)
    return f"{shown}…({len(value)} chars) #{fingerprint(value)[:SHORT_FINGERPRINT_HEX]}"
