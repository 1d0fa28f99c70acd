"""One writer at a time per engagement: an advisory lock on a file beside it.

Every save is read-modify-write under this lock, so two `launchtui secrets set` started
together both land. The lock is `fcntl.flock` on `.<name>.lock`: the kernel drops it when
the holder exits, even on `kill -9`, so a crash never leaves the file locked. The lock
file itself stays (deleting it would race with the next locker) and holds no data.

Where `fcntl` does not exist, an `O_EXCL` lock file stands in; a holder that died is
detected by its age, and its lock is taken over after `STALE_SECONDS`.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

STALE_SECONDS = 120.0
TIMEOUT_ENV = "LAUNCHTUI_LOCK_TIMEOUT"  # seconds to wait for another writer (default 30)
_POLL_SECONDS = 0.02

_held: dict[Path, int] = {}  # lock files this process holds, with how many times
_held_guard = threading.Lock()


class LockTimeout(Exception):
    """Another launchtui kept the file locked for too long; the message says which file."""


def lock_path_for(path: Path) -> Path:
    path = path.resolve()
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(
    path: Path, *, timeout: float | None = None, exclusive_file: bool = False
) -> Iterator[None]:
    """Hold the lock of `path` for the block; re-entrant within one process.

    `exclusive_file` uses the `O_EXCL` lock file even where `flock` exists (tests).
    """
    timeout = _default_timeout() if timeout is None else timeout
    lock_file = lock_path_for(path)
    with _held_guard:
        if _held.get(lock_file):
            _held[lock_file] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                _held[lock_file] -= 1
        return
    release = (
        _lock_exclusive_file(lock_file, timeout)
        if exclusive_file or fcntl is None
        else _lock_with_flock(lock_file, path, timeout)
    )
    with _held_guard:
        _held[lock_file] = 1
    try:
        yield
    finally:
        with _held_guard:
            _held.pop(lock_file, None)
        release()


def _default_timeout() -> float:
    try:
        seconds = float(os.environ.get(TIMEOUT_ENV, "30"))
    except ValueError:
        return 30.0
    return seconds if 0 < seconds < 3600 else 30.0


def _lock_with_flock(lock_file: Path, path: Path, timeout: float) -> Callable[[], None]:
    descriptor = _open_lock_file(lock_file, path)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(descriptor)
                raise LockTimeout(_busy(path, timeout)) from None
            time.sleep(_POLL_SECONDS)

    def release() -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)

    return release


def _open_lock_file(lock_file: Path, path: Path) -> int:
    """Open (making it if needed) a lock file every user of the engagement can lock.

    flock works on a read-only descriptor, so a lock file someone else made is still
    usable; a new one gets the engagement's owner so a save under sudo leaves no
    root-owned file in the user's folder.
    """
    try:
        descriptor = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    except PermissionError:
        return os.open(lock_file, os.O_RDONLY)
    with contextlib.suppress(OSError):
        owner = os.stat(path)
        if os.geteuid() == 0 and os.fstat(descriptor).st_uid != owner.st_uid:
            os.fchown(descriptor, owner.st_uid, owner.st_gid)
    return descriptor


def _lock_exclusive_file(lock_file: Path, timeout: float) -> Callable[[], None]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            descriptor = os.open(lock_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            os.write(descriptor, f"{os.getpid()}\n".encode())
            os.close(descriptor)
            break
        except FileExistsError:
            with contextlib.suppress(FileNotFoundError):
                if time.time() - lock_file.stat().st_mtime > STALE_SECONDS:
                    lock_file.unlink()  # its holder died without cleaning up
                    continue
            if time.monotonic() > deadline:
                raise LockTimeout(_busy(lock_file, timeout)) from None
            time.sleep(_POLL_SECONDS)

    def release() -> None:
        with contextlib.suppress(FileNotFoundError):
            lock_file.unlink()

    return release


def _busy(path: Path, timeout: float) -> str:
    return (
        f"{path} is being saved by another launchtui and stayed locked for {timeout:g} s; "
        "try again in a moment."
    )
