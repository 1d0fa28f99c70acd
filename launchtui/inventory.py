"""What the secret inventory means beyond the file: which entries a scanner finding exposes.

The inventory itself is the engagement's `[[secrets]]` section, read and changed through
`launchtui.engagement.Engagement` (`secrets`, `add_secret`, `record_rotation`, …). This
module matches leaks the scanner found against it, comparing fingerprints with the values
kept in the keyring, and marks what leaked as exposed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .engagement import Engagement, Secret
from .engagement.secrets import FINGERPRINT_PATTERN
from .findings import Finding, Status


@dataclass(frozen=True, slots=True)
class Exposures:
    """What `mark_exposed` did."""

    marked: list[Secret]  # entries newly marked exposed (already exposed ones are kept)
    values_compared: bool  # False: the keyring could not be read, so only names were matched


def mark_exposed(
    engagement: Engagement,
    findings: Iterable[Finding],
    *,
    stored_fingerprint: Callable[[Secret], str | None] | None = None,
    now: dt.datetime | None = None,
) -> Exposures:
    """Mark entries exposed when a secret-scanner finding matches them.

    A finding matches when its `fingerprint` (SHA-256 of the leaked value, first 16 hex
    digits, as `launchtui.checks.secrets.redact` makes it) equals the fingerprint of the
    value kept in the keyring for the entry, or when its rule id or the variable the value
    was assigned to (`STRIPE_SECRET_KEY`, `process.env.STRIPE_SECRET_KEY`) is the entry's
    name (case and `-`/`_` ignored). A name match is not taken when the keyring holds a
    different value for the entry (the leaked one is not the one in use), nor when git
    history dates the leak before the entry's last rotation.

    Only the fingerprint and the time are recorded (the commit's date when history gives
    one). `stored_fingerprint` defaults to reading the keyring via `launchtui.vault`; when
    no keyring can be read, names alone are matched and `values_compared` says so.
    """
    from . import vault

    relevant = [finding for finding in findings if _is_leak(finding)]
    secrets = engagement.secrets
    if not relevant or not secrets:
        return Exposures([], True)
    values_compared = True
    lookup = stored_fingerprint or (
        lambda secret: vault.stored_fingerprint(engagement.id, secret.environment, secret.name)
    )
    now = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    marked = []
    for secret in secrets:
        if secret.exposed:
            continue
        held: str | None = None
        if values_compared:
            try:
                held = lookup(secret)
            except (vault.VaultUnavailable, vault.VaultError):
                values_compared = False  # no keyring (or it failed): names only from here on
        matches = [f for f in relevant if _matches(secret, f, held)]
        if not matches:
            continue
        first = min(matches, key=lambda finding: _leaked_at(finding) or now)
        fingerprint = str(first.evidence["fingerprint"])
        how = "its value" if held == fingerprint else "a value under its name"
        marked.append(
            engagement.mark_secret_exposed(
                secret.name,
                secret.environment,
                since=_leaked_at(first) or now,
                fingerprint=fingerprint,
                how=f"{first.check} found {how} at {first.target} (fingerprint {fingerprint})",
            )
        )
    return Exposures(marked, values_compared)


# -- helpers ------------------------------------------------------------------------------


def _is_leak(finding: Finding) -> bool:
    fingerprint = finding.evidence.get("fingerprint")
    return (
        finding.check.startswith("secrets.")
        and finding.status in (Status.FAIL, Status.WARN)
        and not finding.suppressed
        and isinstance(fingerprint, str)
        and bool(FINGERPRINT_PATTERN.fullmatch(fingerprint))
    )


def _matches(secret: Secret, finding: Finding, held: str | None) -> bool:
    fingerprint = finding.evidence["fingerprint"]
    if held is not None:
        # We hold the value in use: only that exact value leaking exposes this entry.
        return bool(held == fingerprint)
    if _normalised(secret.name) not in _names_in(finding):
        return False
    leaked_at = _leaked_at(finding)
    rotated_since = (
        leaked_at is not None
        and secret.last_rotated is not None
        and leaked_at.date() < secret.last_rotated
    )
    return not rotated_since


def _names_in(finding: Finding) -> set[str]:
    names = set()
    for key in ("rule", "variable"):
        value = finding.evidence.get(key)
        if isinstance(value, str) and value:
            names.add(_normalised(value))
            names.add(_normalised(value.rsplit(".", 1)[-1]))
    names.discard("")
    return names


def _normalised(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


def _leaked_at(finding: Finding) -> dt.datetime | None:
    """When git history says the value was committed (history findings carry the date)."""
    text = finding.evidence.get("date")
    if not isinstance(text, str) or not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).replace(microsecond=0)
