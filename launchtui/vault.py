"""Secret values, when someone chooses to keep one, live only in the OS keyring.

The engagement file says where each secret lives; a value (a temporary admin password to
hand over, a recovery code) goes through python `keyring` into the platform's secret store:
service `launchtui/<engagement-id>/<environment>`, username = the secret's name.

Two promises the rest of launchtui relies on:

- No silent plain-text fallback. When keyring has no usable backend (its `fail.Keyring`,
  the `null` keyring, or a plain-text one such as keyrings.alt's `PlaintextKeyring`, which
  is only base64), every call raises `VaultUnavailable`, whose message names the fix.
- A value never appears in an exception, a log line or a repr made here: errors name the
  service and the secret, never what was stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE_PREFIX = "launchtui"

# The same fingerprint the secret scanner puts in its findings
# (launchtui.checks.secrets.redact.fingerprint): SHA-256 of the value's bytes, first 16 hex
# digits. Kept as two lines here because importing the scanner package costs ~0.3 s.
FINGERPRINT_HEX = 16

FIX = (
    "install and run a Secret Service provider such as gnome-keyring "
    "(Debian: apt install gnome-keyring dbus-x11 libsecret-tools; without a desktop, run "
    "inside a D-Bus session: dbus-run-session -- sh -c "
    "'gnome-keyring-daemon --unlock --components=secrets; launchtui …'), "
    "or configure an encrypted file backend (pip install keyrings.cryptfile, then set "
    "default-keyring=keyrings.cryptfile.cryptfile.CryptFileKeyring under [backend] in "
    "keyring's keyringrc.cfg; `keyring diagnose` shows where that file lives). "
    "launchtui never keeps secret values in plain text"
)

# Backends that store nothing, refuse everything, or store values readable by anyone who
# can read the file. Matched on the class name so keyrings.alt need not be installed.
_REFUSED_NAME_PARTS = ("plaintext", "insecure")


class VaultUnavailable(Exception):
    """No secure keyring backend: the message says which backend was found and the fix."""


class VaultError(Exception):
    """A secure backend exists but the operation failed (locked, D-Bus error, …)."""


def service_name(engagement_id: str, environment: str) -> str:
    """The keyring service a secret's value is filed under."""
    return f"{SERVICE_PREFIX}/{engagement_id}/{environment}"


def value_fingerprint(value: str) -> str:
    """The scanner's fingerprint of a value, so an inventory entry can match a finding."""
    data = value.encode("utf-8", "surrogateescape")
    return hashlib.sha256(data).hexdigest()[:FINGERPRINT_HEX]


def usable_backend() -> KeyringBackend:
    """The keyring backend values go to, or VaultUnavailable naming the fix.

    keyring's chainer (several backends at once) is narrowed to its best secure member,
    so a plain-text backend installed alongside a real one is never written to.
    """
    import keyring
    from keyring.backends import chainer, fail, null

    backend = keyring.get_keyring()
    if isinstance(backend, chainer.ChainerBackend):
        members: list[KeyringBackend] = [
            member for member in backend.backends if _is_secure(member)
        ]
        if not members:
            found = ", ".join(_describe(member) for member in backend.backends) or "none"
            raise VaultUnavailable(_unavailable(f"no secure backend among: {found}"))
        return members[0]
    if isinstance(backend, fail.Keyring | null.Keyring) or not _is_secure(backend):
        raise VaultUnavailable(_unavailable(f"keyring is using {_describe(backend)}"))
    return backend


def backend_description() -> str:
    """Which backend holds values, for `secrets list` and diagnostics."""
    return _describe(usable_backend())


def store(engagement_id: str, environment: str, name: str, value: str) -> None:
    """Put (or replace) a secret's value in the keyring."""
    if not value:
        raise VaultError(f"refusing to store an empty value for {name} ({environment}).")
    backend = usable_backend()
    service = service_name(engagement_id, environment)
    _call("store the value of", name, environment, backend.set_password, service, name, value)


def reveal(engagement_id: str, environment: str, name: str) -> str | None:
    """The stored value, or None when the keyring holds none for this secret."""
    backend = usable_backend()
    service = service_name(engagement_id, environment)
    value: str | None = _call(
        "read the value of", name, environment, backend.get_password, service, name
    )
    return value


def has_value(engagement_id: str, environment: str, name: str) -> bool:
    return reveal(engagement_id, environment, name) is not None


def stored_fingerprint(engagement_id: str, environment: str, name: str) -> str | None:
    """The fingerprint of the stored value (None when there is none); the value stays here."""
    value = reveal(engagement_id, environment, name)
    return None if value is None else value_fingerprint(value)


def forget(engagement_id: str, environment: str, name: str) -> bool:
    """Delete the stored value; False when there was none."""
    from keyring.errors import PasswordDeleteError

    if reveal(engagement_id, environment, name) is None:
        return False
    backend = usable_backend()
    service = service_name(engagement_id, environment)
    deleted = _call(
        "delete the value of", name, environment, backend.delete_password, service, name,
        gone=PasswordDeleteError,
    )  # fmt: skip
    return deleted is not _GONE


_GONE = object()


def _call(
    action: str,
    name: str,
    environment: str,
    operation: Callable[..., Any],
    *args: str,
    gone: type[Exception] | None = None,
) -> Any:
    """Run one backend operation, turning keyring's errors into ours.

    Our message names the secret and the error's type only, and drops the original
    exception: a backend's own text is not ours to vouch for.
    """
    from keyring.errors import NoKeyringError

    try:
        return operation(*args)
    except NoKeyringError:
        raise VaultUnavailable(_unavailable("keyring reports no backend")) from None
    except Exception as exc:  # keyring's errors, and D-Bus errors some backends let through
        if gone is not None and isinstance(exc, gone):
            return _GONE
        failure = type(exc).__name__
    raise VaultError(
        f"the keyring could not {action} {name} ({environment}): {failure}; "
        "is it running and unlocked?"
    )


def _is_secure(backend: KeyringBackend) -> bool:
    from keyring.backends import fail, null

    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    name = type(backend).__name__.lower()
    return not any(part in name for part in _REFUSED_NAME_PARTS)


def _describe(backend: KeyringBackend) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"


def _unavailable(found: str) -> str:
    return f"no secure keyring to hold secret values ({found}). To fix: {FIX}."
