"""Real keyring backends for the secret tests; never a mock of launchtui's own code.

- `secret_service_session(root)`: gnome-keyring's Secret Service in a private D-Bus session,
  with HOME, XDG_* and TMPDIR under `root`. The CLI runs inside it as a subprocess
  (`session.run_launchtui(...)`); `session.in_process()` points this process's keyring at it.
  `secret-tool` (libsecret) reads values back as an independent client.
- `memory_keyring()`: a small `keyring.backend.KeyringBackend` subclass selected with
  `keyring.set_keyring`, keyring's own configuration API, for fast unit tests of the model.

The Debian packages are required, not optional: a missing one fails the test with the
install command (a skipped test proves nothing).
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

# Executable -> Debian package that ships it.
DEBIAN_TOOLS = {
    "gnome-keyring-daemon": "gnome-keyring",
    "dbus-run-session": "dbus-daemon",
    "secret-tool": "libsecret-tools",
}
KEYRING_PASSWORD = "launchtui-test-keyring"

# Variables that would point keyring or D-Bus at the developer's own session or config.
_INHERITED_NOISE = (
    "DBUS_SESSION_BUS_ADDRESS",
    "PYTHON_KEYRING_BACKEND",
    "KEYRING_PROPERTY_",
    "GNOME_KEYRING_",
    "XDG_",
    "SSH_AUTH_SOCK",
    "DISPLAY",
    "WAYLAND_DISPLAY",
)


def require_debian_tools() -> None:
    missing = sorted({package for tool, package in DEBIAN_TOOLS.items() if not shutil.which(tool)})
    if missing:
        pytest.fail(
            "the keyring tests need a real Secret Service: "
            f"sudo apt-get install -y {' '.join(missing)} (./scripts/test installs them)",
            pytrace=False,
        )


@dataclass
class SecretServiceSession:
    """A private D-Bus session with an unlocked gnome-keyring; files all under `root`."""

    root: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def home(self) -> Path:
        return Path(self.env["HOME"])

    @property
    def keyring_storage(self) -> Path:
        """Where gnome-keyring keeps its (encrypted) keyrings."""
        return Path(self.env["XDG_DATA_HOME"]) / "keyrings"

    def run_launchtui(
        self,
        *args: str,
        stdin: str | bytes | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """`python -m launchtui ARGS…` inside this session; text stdout/stderr."""
        data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
        result = subprocess.run(
            [sys.executable, "-m", "launchtui", *args],
            input=data if data is not None else b"",
            capture_output=True,
            env={**self.env, **(env or {})},
            cwd=cwd or self.root,
            timeout=60,
        )
        return subprocess.CompletedProcess(
            result.args,
            result.returncode,
            result.stdout.decode("utf-8", "replace"),
            result.stderr.decode("utf-8", "replace"),
        )

    def secret_tool_lookup(self, service: str, username: str) -> str | None:
        """Ask the Secret Service directly (libsecret's secret-tool), bypassing launchtui."""
        result = subprocess.run(
            ["secret-tool", "lookup", "service", service, "username", username],
            capture_output=True,
            env=self.env,
            timeout=30,
        )
        if result.returncode != 0:
            return None
        return result.stdout.decode("utf-8")

    @contextlib.contextmanager
    def in_process(self) -> Iterator[KeyringBackend]:
        """Point this test process's keyring at the session's Secret Service."""
        from keyring.backends import SecretService

        saved = {key: os.environ.get(key) for key in ("DBUS_SESSION_BUS_ADDRESS", "HOME")}
        previous = keyring.get_keyring()
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = self.env["DBUS_SESSION_BUS_ADDRESS"]
        os.environ["HOME"] = self.env["HOME"]
        backend = SecretService.Keyring()
        keyring.set_keyring(backend)
        try:
            yield backend
        finally:
            keyring.set_keyring(previous)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


@contextlib.contextmanager
def secret_service_session(root: Path) -> Iterator[SecretServiceSession]:
    """Start `dbus-run-session` with an unlocked gnome-keyring (secrets component only).

    The session lives until the context exits: closing the shell's stdin ends it, and
    gnome-keyring-daemon exits with its bus.
    """
    require_debian_tools()
    root.mkdir(parents=True, exist_ok=True)
    directories = {
        "HOME": root / "home",
        "XDG_CONFIG_HOME": root / "config",
        "XDG_DATA_HOME": root / "data",
        "XDG_CACHE_HOME": root / "cache",
        "XDG_STATE_HOME": root / "state",
        "XDG_RUNTIME_DIR": root / "runtime",
        "TMPDIR": root / "tmp",
    }
    for path in directories.values():
        path.mkdir(exist_ok=True)
    directories["XDG_RUNTIME_DIR"].chmod(0o700)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_INHERITED_NOISE) and key not in ("HOME", "TMPDIR")
    }
    env.update({key: str(path) for key, path in directories.items()})
    env.update({"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "KEYRING_PASS": KEYRING_PASSWORD})
    script = (
        'printf %s "$KEYRING_PASS" | gnome-keyring-daemon --unlock --components=secrets '
        '>/dev/null || exit 1; printf "%s\\n" "$DBUS_SESSION_BUS_ADDRESS"; exec cat >/dev/null'
    )
    process = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=root,
        start_new_session=True,
    )
    try:
        address = _read_line(process, timeout=30)
        if not address:
            _stop(process)
            errors = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
            pytest.fail(f"gnome-keyring did not start under dbus-run-session: {errors}")
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        del env["KEYRING_PASS"]
        yield SecretServiceSession(root, env, process)
    finally:
        _stop(process)


def _read_line(process: subprocess.Popen[bytes], timeout: float) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n") and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                break
            line += chunk
    return line.decode().strip()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the session we started: close its stdin, then signal its own process group."""
    if process.stdin and not process.stdin.closed:
        process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    for stream in (process.stdout, process.stderr):
        if stream:
            stream.close()


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps values in a dict, for unit tests of the model.

    Selected with `keyring.set_keyring` (keyring's API); launchtui's vault code runs
    unchanged against it.
    """

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.values:
            raise PasswordDeleteError("no such password")
        del self.values[(service, username)]


@contextlib.contextmanager
def selected_keyring(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """Make `backend` keyring's backend for the duration, then restore the previous one."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def memory_keyring() -> contextlib.AbstractContextManager[KeyringBackend]:
    return selected_keyring(MemoryKeyring())
