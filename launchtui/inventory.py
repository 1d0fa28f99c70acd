"""The secret inventory: where each secret lives, who owns it, and when it was last rotated.

It is the engagement's `[[secrets]]` array of tables, edited in place with tomlkit like the
rest of the file, so comments and hand formatting survive:

    [[secrets]]
    name = "STRIPE_SECRET_KEY"
    environment = "prod"
    reference = "op://Ops/Stripe/secret key"    # where the value lives, never the value
    owner = "Dana (CTO)"
    last_rotated = 2026-11-22
    rotation_days = 90
    used_by = ["api", "worker"]

Values never live here. When someone keeps one (a temporary admin password to hand over),
it goes to the OS keyring through `launchtui.vault`. A secret's status is computed:
`exposed` once a scanner finding matched it (`exposed_since`, `exposed_by_fingerprint`
record when and which redacted fingerprint; rotation clears them), else `rotate-due` once
`last_rotated + rotation_days` has arrived, else `ok`.

The functions here change `engagement.doc` and log to its change log; callers save.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, NoReturn

import tomlkit

from .engagement import Engagement, EngagementError
from .findings import Finding, Status

if TYPE_CHECKING:
    from tomlkit.items import AoT, Table

SECTION = "secrets"
DEFAULT_ENVIRONMENT = "prod"

# Hosting platforms whose dashboards hold env vars; a reference is `<platform>:env/NAME`.
PLATFORMS = ("vercel", "render", "netlify", "fly", "heroku", "railway", "cloudflare", "github")

_ENVIRONMENT_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
_FINGERPRINT_PATTERN = re.compile(r"[0-9a-f]{16}")
_PLATFORM_PATTERN = re.compile(r"([a-z][a-z0-9-]*):env/([A-Za-z_][A-Za-z0-9_]*)")
_MAX_NAME_LENGTH = 200


class SecretStatus(StrEnum):
    OK = "ok"
    EXPOSED = "exposed"
    ROTATE_DUE = "rotate-due"


class SecretNotFound(EngagementError):
    """No inventory entry by that name (and environment); the message lists the known ones."""


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
        return self.last_rotated + dt.timedelta(days=self.rotation_days)

    def status(self, today: dt.date | None = None) -> SecretStatus:
        """Exposed beats rotate-due; a period with no recorded rotation is due now."""
        if self.exposed:
            return SecretStatus.EXPOSED
        if self.rotation_days is not None:
            due = self.next_rotation
            if due is None or (today or dt.date.today()) >= due:
                return SecretStatus.ROTATE_DUE
        return SecretStatus.OK


@dataclass(frozen=True, slots=True)
class Exposures:
    """What `mark_exposed` did."""

    marked: list[Secret]  # entries newly marked exposed (already exposed ones are kept)
    values_compared: bool  # False: the keyring could not be read, so only names were matched


_KEEP: Final[Any] = object()


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
    """Whether text typed where a reference or owner belongs looks like a key itself.

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


# -- reading ------------------------------------------------------------------------------


def read_secrets(engagement: Engagement) -> list[Secret]:
    """Every entry, validated; EngagementError names the first bad key (`secrets[2].name`)."""
    secrets: list[Secret] = []
    seen: dict[tuple[str, str], str] = {}
    for key, row in _rows(engagement):
        secret = _secret_from_row(engagement, key, row)
        identity = (secret.name, secret.environment)
        if identity in seen:
            _fail(engagement, key, f"{secret.label} is already listed as {seen[identity]}")
        seen[identity] = key
        secrets.append(secret)
    return secrets


def validate_secrets(engagement: Engagement) -> None:
    read_secrets(engagement)


def find_secret(engagement: Engagement, name: str, environment: str | None = None) -> Secret:
    """The entry called `name`; with no environment, the only one of that name.

    Raises SecretNotFound (listing what exists) or EngagementError when the name exists
    in several environments and none was given.
    """
    secrets = read_secrets(engagement)
    same_name = [secret for secret in secrets if secret.name == name]
    if environment is not None:
        for secret in same_name:
            if secret.environment == environment:
                return secret
    elif len(same_name) == 1:
        return same_name[0]
    elif same_name:
        environments = ", ".join(secret.environment for secret in same_name)
        raise EngagementError(
            f"{engagement.path}: {name} exists in several environments ({environments}); "
            "say which one."
        )
    known = ", ".join(secret.label for secret in secrets) or "none yet"
    wanted = f"{name} ({environment})" if environment else name
    raise SecretNotFound(
        f"{engagement.path}: no secret {wanted} in the inventory (known: {known})."
    )


# -- changing -----------------------------------------------------------------------------


def add_secret(engagement: Engagement, secret: Secret, *, by: str = "") -> Secret:
    """Append an entry; EngagementError when it is invalid or already listed."""
    existing = read_secrets(engagement)  # a broken inventory is reported, never appended to
    _check_new_values(engagement, secret, len(existing))
    if any(s.name == secret.name and s.environment == secret.environment for s in existing):
        raise EngagementError(f"{engagement.path}: {secret.label} is already in the inventory.")
    row = tomlkit.table()
    row.add("name", secret.name)
    row.add("environment", secret.environment)
    if secret.reference:
        row.add("reference", secret.reference)
    if secret.owner:
        row.add("owner", secret.owner)
    if secret.last_rotated is not None:
        row.add("last_rotated", secret.last_rotated)
    if secret.rotation_days is not None:
        row.add("rotation_days", secret.rotation_days)
    if secret.used_by:
        row.add("used_by", list(secret.used_by))
    if secret.exposed_since is not None:
        row.add("exposed_since", secret.exposed_since)
    if secret.exposed_by_fingerprint:
        row.add("exposed_by_fingerprint", secret.exposed_by_fingerprint)
    row.add(tomlkit.nl())
    _section(engagement).append(row)
    added = read_secrets(engagement)[-1]
    engagement.log_change(f"Added {added.label} to the secret inventory.", by=by)
    return added


def update_secret(
    engagement: Engagement,
    name: str,
    environment: str,
    *,
    reference: str | None = _KEEP,
    owner: str | None = _KEEP,
    last_rotated: dt.date | None = _KEEP,
    rotation_days: int | None = _KEEP,
    used_by: Iterable[str] | None = _KEEP,
    by: str = "",
) -> Secret:
    """Change the given fields of one entry in place (None or empty clears a field).

    Other keys, comments and the entry's position are kept. Returns the entry as saved.
    """
    index, row = _locate(engagement, name, environment)
    changes: dict[str, Any] = {
        "reference": reference,
        "owner": owner,
        "last_rotated": last_rotated,
        "rotation_days": rotation_days,
        "used_by": used_by if used_by in (None, _KEEP) else tuple(used_by),
    }
    changes = {key: value for key, value in changes.items() if value is not _KEEP}
    current = _secret_from_row(engagement, f"{SECTION}[{index}]", row)
    candidate = Secret(
        name=name,
        environment=environment,
        reference=changes.get("reference", current.reference) or "",
        owner=changes.get("owner", current.owner) or "",
        last_rotated=changes.get("last_rotated", current.last_rotated),
        rotation_days=changes.get("rotation_days", current.rotation_days),
        used_by=changes.get("used_by", current.used_by) or (),
    )
    _check_new_values(engagement, candidate, index)
    changed = []
    for key, value in changes.items():
        if value in (None, "", ()):
            if key in row:
                del row[key]
                changed.append(key)
        elif row.get(key) != (list(value) if isinstance(value, tuple) else value):
            row[key] = list(value) if isinstance(value, tuple) else value
            changed.append(key)
    updated = _secret_from_row(engagement, f"{SECTION}[{index}]", row)
    if changed:
        engagement.log_change(f"Updated {updated.label}: {', '.join(changed)}.", by=by)
    return updated


def remove_secret(engagement: Engagement, name: str, environment: str, *, by: str = "") -> Secret:
    index, row = _locate(engagement, name, environment)
    removed = _secret_from_row(engagement, f"{SECTION}[{index}]", row)
    del _section(engagement)[index]
    engagement.log_change(f"Removed {removed.label} from the secret inventory.", by=by)
    return removed


def record_rotation(
    engagement: Engagement,
    name: str,
    environment: str,
    *,
    by: str = "",
    today: dt.date | None = None,
    note: str = "",
) -> Secret:
    """Rotation done: last_rotated = today, exposure cleared, who and when logged."""
    index, row = _locate(engagement, name, environment)
    before = _secret_from_row(engagement, f"{SECTION}[{index}]", row)
    today = today or dt.date.today()
    row["last_rotated"] = today
    for key in ("exposed_since", "exposed_by_fingerprint"):
        if key in row:
            del row[key]
    what = f"Rotated {before.label}"
    if before.exposed:
        since = f" since {before.exposed_since:%Y-%m-%d}" if before.exposed_since else ""
        what += f"; it had been exposed{since}, now cleared"
    engagement.log_change(f"{what}{'; ' + note if note else ''}.", by=by)
    return _secret_from_row(engagement, f"{SECTION}[{index}]", row)


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
    secrets = read_secrets(engagement)
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
        index, row = _locate(engagement, secret.name, secret.environment)
        row["exposed_since"] = _leaked_at(first) or now
        row["exposed_by_fingerprint"] = fingerprint
        how = "its value" if held == fingerprint else "a value under its name"
        engagement.log_change(
            f"{secret.label} marked exposed: {first.check} found {how} at {first.target} "
            f"(fingerprint {fingerprint}); rotate it.",
            by="launchtui",
        )
        marked.append(_secret_from_row(engagement, f"{SECTION}[{index}]", row))
    return Exposures(marked, values_compared)


# -- helpers ------------------------------------------------------------------------------


def _is_leak(finding: Finding) -> bool:
    fingerprint = finding.evidence.get("fingerprint")
    return (
        finding.check.startswith("secrets.")
        and finding.status in (Status.FAIL, Status.WARN)
        and not finding.suppressed
        and isinstance(fingerprint, str)
        and bool(_FINGERPRINT_PATTERN.fullmatch(fingerprint))
    )


def _matches(secret: Secret, finding: Finding, held: str | None) -> bool:
    fingerprint = finding.evidence["fingerprint"]
    if held is not None:
        # We hold the value in use: only that exact value leaking exposes this entry.
        return held == fingerprint
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


def _section(engagement: Engagement) -> AoT:
    if SECTION not in engagement.doc:
        engagement.doc[SECTION] = tomlkit.aot()
    return engagement.doc[SECTION]


def _locate(engagement: Engagement, name: str, environment: str) -> tuple[int, Table]:
    secret = find_secret(engagement, name, environment)
    for index, (_, row) in enumerate(_rows(engagement)):
        if row.get("name") == secret.name and row.get("environment", DEFAULT_ENVIRONMENT) == (
            secret.environment
        ):
            return index, row  # type: ignore[return-value]
    raise SecretNotFound(f"{engagement.path}: no secret {name} ({environment}).")


def _rows(engagement: Engagement) -> list[tuple[str, dict[str, Any]]]:
    value = engagement.doc.get(SECTION)
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(engagement, SECTION, "expected a list of tables ([[secrets]])")
    rows = []
    for index, row in enumerate(value):
        if not isinstance(row, dict):
            _fail(engagement, f"{SECTION}[{index}]", "expected a table")
        rows.append((f"{SECTION}[{index}]", row))
    return rows


def _secret_from_row(engagement: Engagement, key: str, row: dict[str, Any]) -> Secret:
    name = _text(engagement, f"{key}.name", row.get("name"), required=True)
    if len(name) > _MAX_NAME_LENGTH or name != name.strip() or not name.isprintable():
        _fail(engagement, f"{key}.name", "expected a short printable name, e.g. STRIPE_SECRET_KEY")
    environment = _text(engagement, f"{key}.environment", row.get("environment"))
    environment = environment or DEFAULT_ENVIRONMENT
    if not _ENVIRONMENT_PATTERN.fullmatch(environment):
        _fail(
            engagement,
            f"{key}.environment",
            f"{environment!r} should be one word of letters, digits, '.', '-' or '_' "
            "(prod, staging, preview, dev)",
        )
    reference = _text(engagement, f"{key}.reference", row.get("reference"))
    problem = _reference_problem(reference)
    if problem:
        _fail(engagement, f"{key}.reference", problem)
    return Secret(
        name=name,
        environment=environment,
        reference=reference,
        owner=_text(engagement, f"{key}.owner", row.get("owner")),
        last_rotated=_date(engagement, f"{key}.last_rotated", row.get("last_rotated")),
        rotation_days=_days(engagement, f"{key}.rotation_days", row.get("rotation_days")),
        used_by=_texts(engagement, f"{key}.used_by", row.get("used_by", [])),
        exposed_since=_moment(engagement, f"{key}.exposed_since", row.get("exposed_since")),
        exposed_by_fingerprint=_fingerprint(
            engagement, f"{key}.exposed_by_fingerprint", row.get("exposed_by_fingerprint")
        ),
    )


def _reference_problem(reference: str) -> str:
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


def _check_new_values(engagement: Engagement, secret: Secret, index: int) -> None:
    """Validate an entry on its way in, and refuse anything that looks like a value."""
    row: dict[str, Any] = {
        "name": secret.name,
        "environment": secret.environment,
        "reference": secret.reference,
        "owner": secret.owner,
        "last_rotated": secret.last_rotated,
        "rotation_days": secret.rotation_days,
        "used_by": list(secret.used_by),
    }
    _secret_from_row(engagement, f"{SECTION}[{index}]", row)
    fields = [("name", secret.name), ("reference", secret.reference), ("owner", secret.owner)]
    fields += [("used-by entry", used) for used in secret.used_by]
    for field_name, text in fields:
        if looks_like_a_value(text):
            raise EngagementError(
                f"{engagement.path}: secrets[{index}]: the {field_name} looks like a secret value "
                "itself; record where the secret lives (op://vault/item/field, "
                "vercel:env/NAME, …), never the value."
            )


def _fail(engagement: Engagement, key: str, problem: str) -> NoReturn:
    raise EngagementError(f"{engagement.path}: {key}: {problem}")


def _kind(value: Any) -> str:
    """How a wrong value is described: its type for text (it might be a pasted secret)."""
    return "text" if isinstance(value, str) else repr(value)


def _text(engagement: Engagement, key: str, value: Any, *, required: bool = False) -> str:
    if value is None or value == "":
        if required:
            _fail(engagement, key, "missing")
        return ""
    if not isinstance(value, str):
        _fail(engagement, key, f"expected text, got {value!r}")
    return str(value)


def _texts(engagement: Engagement, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        _fail(engagement, key, 'expected a list of text, e.g. ["api", "worker"]')
    return tuple(str(item) for item in value)


def _days(engagement: Engagement, key: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        _fail(engagement, key, f"expected a whole number of days, got {_kind(value)}")
    return int(value)


def _date(engagement: Engagement, key: str, value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    _fail(engagement, key, f"expected a date like 2026-11-22, got {_kind(value)}")


def _moment(engagement: Engagement, key: str, value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = dt.datetime.fromisoformat(value.isoformat())  # a plain datetime, not tomlkit's
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    _fail(engagement, key, f"expected a time like 2026-11-22T10:00:00Z, got {_kind(value)}")


def _fingerprint(engagement: Engagement, key: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not _FINGERPRINT_PATTERN.fullmatch(value):
        _fail(engagement, key, "expected the scanner's 16 hex digit fingerprint")
    return str(value)
