"""The secret inventory as the row editor sees it, with values kept only in the keyring.

A value typed into the form's masked field goes straight to the OS keyring; the file
holds the reference and status. Removing an entry forgets its kept value too, but
only once the removal can no longer be undone, so `u` brings back both. A keyring call
can take a quarter of a second or wait for an unlock prompt, so none happens here on
the UI loop: the screen looks values up and keeps them in worker threads.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable

from ...engagement import ENVIRONMENT_NAMES, Engagement, Secret
from ...vault import VaultError, VaultUnavailable, forget, has_value
from ..widgets.row_editor import CHANGED_MEANWHILE, EngagementEntries, Field, Removed

SECRET_FIELDS = [
    Field("name", "name", placeholder="STRIPE_SECRET_KEY", fixed=True),
    Field("environment", "env", tuple((n, n) for n in ENVIRONMENT_NAMES), fixed=True),
    Field("reference", "lives at", placeholder="op://Ops/Stripe/secret-key, vercel:env/NAME…"),
    Field("owner", "owner", placeholder="Dana"),
    Field("rotation_days", "rotate every (days)", placeholder="90"),
    Field(
        "value", "value (optional)", placeholder="masked; kept in the keyring only", password=True
    ),
]
SHOWN_ONLY = ("last rotated", "status", "value")
LOOKING = "…"  # the value column until the keyring has answered

SecretKey = tuple[str, str]  # (environment, name)


def value_states(engagement_id: str, secrets: Iterable[SecretKey]) -> dict[SecretKey, str]:
    """What the value column says for each secret: one keyring lookup each, so call it
    from a worker thread."""
    states = {}
    for environment, name in secrets:
        try:
            stored = has_value(engagement_id, environment, name)
        except (VaultUnavailable, VaultError):
            states[(environment, name)] = "? (no keyring)"
            continue
        states[(environment, name)] = "in keyring" if stored else "-"
    return states


class SecretEntries(EngagementEntries):
    noun = "secret"

    def __init__(self, engagement: Engagement, keep_value: Callable[[Secret, str], None]) -> None:
        """`keep_value` puts a value typed into the form into the keyring (in a worker,
        telling the person if it could not)."""
        super().__init__(engagement)
        self.keep_value = keep_value
        self.value_states: dict[SecretKey, str] = {}  # filled in by the screen's lookup

    def rows(self) -> list[tuple[str, ...]]:
        return [
            (
                s.name,
                s.environment,
                s.reference,
                s.owner,
                str(s.rotation_days or "-"),
                f"{s.last_rotated or '-'}",
                s.status().value,
                self.value_states.get((s.environment, s.name), LOOKING),
            )
            for s in self.engagement.secrets
        ]

    def keys(self) -> list[SecretKey]:
        return [(s.environment, s.name) for s in self.engagement.secrets]

    def values(self, index: int) -> dict[str, str]:
        secret = self.engagement.secrets[index]
        return {
            "name": secret.name,
            "environment": secret.environment,
            "reference": secret.reference,
            "owner": secret.owner,
            "rotation_days": str(secret.rotation_days or ""),
        }

    def add(self, values: dict[str, str]) -> str | None:
        days = values["rotation_days"]
        if days and not days.isdigit():
            return "The rotation period is a whole number of days."
        secret = Secret(
            values["name"],
            values["environment"] or "prod",
            values["reference"],
            values["owner"],
            rotation_days=int(days) if days else None,
        )
        error = self.attempt(lambda: self.engagement.add_secret(secret))
        if error is None and values["value"]:
            self.keep_value(secret, values["value"])
        return error

    def update(self, index: int, values: dict[str, str]) -> str | None:
        days = values["rotation_days"]
        if days and not days.isdigit():
            return "The rotation period is a whole number of days."
        secret = self.entry(self.engagement.secrets, index)
        if secret is None:
            return CHANGED_MEANWHILE
        error = self.attempt(
            lambda: self.engagement.update_secret(
                secret.name,
                secret.environment,
                reference=values["reference"],
                owner=values["owner"],
                rotation_days=int(days) if days else None,
            )
        )
        if error is None and values["value"]:
            self.keep_value(secret, values["value"])
        return error

    def remove(self, index: int) -> Removed | str:
        secret = self.entry(self.engagement.secrets, index)
        if secret is None:
            return CHANGED_MEANWHILE
        error = self.attempt(lambda: self.engagement.remove_secret(secret.name, secret.environment))
        if error is not None:
            return error

        def forget_value() -> None:  # the row editor runs it in a thread
            with contextlib.suppress(VaultUnavailable, VaultError):
                forget(self.engagement.id, secret.environment, secret.name)

        return Removed(
            secret.label,
            lambda: self.engagement.add_secret(secret, at=index),
            forget_value,
            "its kept value, if any, is forgotten when you leave this screen",
        )
