"""The secret inventory's entries: where each secret lives, who owns it, when it was rotated.

It is the engagement's `[[secrets]]` array of tables:

    [[secrets]]
    name = "STRIPE_SECRET_KEY"
    environment = "prod"
    reference = "op://Ops/Stripe/secret key"    # where the value lives, never the value
    owner = "Dana (CTO)"
    last_rotated = 2026-11-22
    rotation_days = 90
    used_by = ["api", "worker"]

Values never live here (see `launchtui.vault`). A secret's status is computed: `exposed`
once a scanner finding matched it (`exposed_since`, `exposed_by_fingerprint` record when
and which redacted fingerprint; rotation clears them), else `rotate-due` once
`last_rotated + rotation_days` has arrived, else `ok`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from ..tomlread import Table

DEFAULT_ENVIRONMENT = "prod"
# Longer than any real rotation policy (ten years), short enough for date arithmetic.
MAX_ROTATION_DAYS = 3660

# Hosting platforms whose dashboards hold env vars; a reference is `<platform>:env/NAME`.
PLATFORMS = ("vercel", "render", "netlify", "fly", "heroku", "railway", "cloudflare", "github")

FIELDS = ("name", "environment", "reference", "owner", "last_rotated", "rotation_days", "used_by",
          "exposed_since", "exposed_by_fingerprint")  # fmt: skip

_ENVIRONMENT_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
FINGERPRINT_PATTERN = re.compile(r"[0-9a-f]{16}")
_PLATFORM_PATTERN = re.compile(r"([a-z][a-z0-9-]*):env/([A-Za-z_][A-Za-z0-9_]*)")
_MAX_NAME_LENGTH = 200


class SecretStatus(StrEnum):
    OK = "ok"
    EXPOSED = "exposed"
    ROTATE_DUE = "rotate-due"


@dataclass(frozen=True, slots=True)
class Secret:
    """One inventory entry. Holds where a secret lives, never its value."""

    name: str
    environment: str = DEFAULT_ENVIRONMENT
    reference: str = ""
    owner: str = ""
    last_rotated: dt.date | None = None
    rotation_days: int | None = None
    used_by: tuple[str, ...] = ()
    exposed_since: dt.datetime | None = None
    exposed_by_fingerprint: str = ""

    @property
    def label(self) -> str:
        return f"{self.name} ({self.environment})"

    @property
    def reference_kind(self) -> str:
        return reference_kind(self.reference)

    @property
    def exposed(self) -> bool:
        return self.exposed_since is not None or bool(self.exposed_by_fingerprint)

    @property
    def next_rotation(self) -> dt.date | None:
        """The day rotation falls due; None without both a period and a last rotation."""
        if self.rotation_days is None or self.last_rotated is None:
            return None
        try:
            return self.last_rotated + dt.timedelta(days=self.rotation_days)
        except OverflowError:  # a hand-edited period beyond year 9999: never due
            return dt.date.max

    def status(self, today: dt.date | None = None) -> SecretStatus:
        """Exposed beats rotate-due; a period with no recorded rotation is due now."""
        if self.exposed:
            return SecretStatus.EXPOSED
        if self.rotation_days is not None:
            due = self.next_rotation
            if due is None or (today or dt.date.today()) >= due:
                return SecretStatus.ROTATE_DUE
        return SecretStatus.OK

    def describe(self) -> str:
        where = f", lives at {self.reference}" if self.reference else ""
        return f"{self.label}{where}"


def reference_kind(reference: str) -> str:
    """What sort of place a reference names: 1password, doppler, platform, keyring or text."""
    if not reference:
        return ""
    if reference.startswith("op://"):
        return "1password"
    if reference.startswith("doppler://"):
        return "doppler"
    if reference.startswith("keyring:"):
        return "keyring"
    match = _PLATFORM_PATTERN.fullmatch(reference)
    if match and match.group(1) in PLATFORMS:
        return "platform"
    return "text"


def looks_like_a_value(text: str) -> bool:
    """Whether text typed where a reference, owner or note belongs looks like a key itself.

    A long single token with high character entropy (`sk_live_4eC3…`) is refused on the
    way in, so a slip of the clipboard never lands in the file. Files read as they are.
    """
    if len(text) < 24 or any(char.isspace() for char in text) or "://" in text:
        return False
    if _PLATFORM_PATTERN.fullmatch(text) or text.startswith("keyring:"):
        return False
    counts = Counter(text)
    entropy = -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())
    has_digit = any(char.isdigit() for char in text)
    return entropy >= 4.0 and has_digit


def without_values(text: str) -> str:
    """`text` with every word that looks like a secret value replaced, for logs."""
    return " ".join(
        "[value removed]" if looks_like_a_value(word) else word for word in text.split(" ")
    )


def secret_from_table(table: Table) -> Secret:
    """Read one `[[secrets]]` row; errors name the key and never quote text values."""
    name = table.string("name")
    if len(name) > _MAX_NAME_LENGTH or not name.isprintable():
        raise table.fail("name", "expected a short printable name, e.g. STRIPE_SECRET_KEY")
    environment = table.string("environment", DEFAULT_ENVIRONMENT)
    if not _ENVIRONMENT_PATTERN.fullmatch(environment):
        raise table.fail(
            "environment",
            "should be one word of letters, digits, '.', '-' or '_' (prod, staging, preview, dev)",
        )
    reference = table.string("reference", "")
    problem = reference_problem(reference)
    if problem:
        raise table.fail("reference", problem)
    fingerprint = table.string("exposed_by_fingerprint", "")
    if fingerprint and not FINGERPRINT_PATTERN.fullmatch(fingerprint):
        raise table.fail(
            "exposed_by_fingerprint", "expected the scanner's 16 hex digit fingerprint"
        )
    return Secret(
        name=name,
        environment=environment,
        reference=reference,
        owner=table.string("owner", ""),
        last_rotated=table.date("last_rotated"),
        # No upper bound when reading: a hand-edited huge period is tolerated (never due);
        # new values are held to MAX_ROTATION_DAYS on the way in.
        rotation_days=table.optional_integer("rotation_days", minimum=1, unit="days"),
        used_by=table.strings("used_by", example='["api", "worker"]'),
        exposed_since=table.moment("exposed_since"),
        exposed_by_fingerprint=fingerprint,
    )


def reference_problem(reference: str) -> str:
    """What is wrong with a reference to a known kind of store ('' when nothing is).

    Never quotes the reference: a mistyped one might be a value pasted in by accident.
    """
    if reference.startswith("op://"):
        parts = reference.removeprefix("op://").split("/")
        if len(parts) not in (3, 4) or not all(parts):
            return "a 1Password reference reads op://vault/item/field (or …/section/field)"
    elif reference.startswith("doppler://"):
        parts = reference.removeprefix("doppler://").split("/")
        if len(parts) != 3 or not all(parts):
            return "a Doppler reference reads doppler://project/config/NAME"
    else:
        platform, colon, _ = reference.partition(":")
        if colon and platform in PLATFORMS and not _PLATFORM_PATTERN.fullmatch(reference):
            return f"a {platform} env var reference reads {platform}:env/NAME"
    return ""


def value_lookalike_field(secret: Secret) -> str:
    """The first field of `secret` that looks like a secret value itself ('' if none)."""
    fields = [("name", secret.name), ("reference", secret.reference), ("owner", secret.owner)]
    fields += [("used-by entry", used) for used in secret.used_by]
    for field_name, text in fields:
        if looks_like_a_value(text):
            return field_name
    return ""


def secret_row(secret: Secret) -> dict[str, object]:
    """The keys a row holds for `secret`, in file order, empty ones left out."""
    values: dict[str, object] = {
        "name": secret.name,
        "environment": secret.environment,
        "reference": secret.reference,
        "owner": secret.owner,
        "last_rotated": secret.last_rotated,
        "rotation_days": secret.rotation_days,
        "used_by": list(secret.used_by),
        "exposed_since": secret.exposed_since,
        "exposed_by_fingerprint": secret.exposed_by_fingerprint,
    }
    return {key: value for key, value in values.items() if value not in (None, "", [])}
