"""Atomic file replacement: a crash mid-save leaves the old file or the new one, never half."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, keep_backup: bool = False) -> None:
    """Write to a temp file beside `path`, fsync, then rename over it.

    With `keep_backup`, the previous version is first kept as `<name>.bak`, itself
    replaced atomically so the backup is never a torn copy either.
    """
    path = path.resolve()
    directory = path.parent
    if keep_backup and path.exists():
        _copy_atomically(path, path.with_name(path.name + ".bak"))
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        if path.exists():
            shutil.copymode(path, temp_name)
        else:  # mkstemp makes 0600; a new file gets the usual mode under the umask
            os.chmod(temp_name, 0o666 & ~_umask())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_directory(directory)


def _copy_atomically(source: Path, destination: Path) -> None:
    write_atomically(destination, source.read_bytes())
    shutil.copymode(source, destination)  # the backup is as private as the original


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); harmless where unsupported."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
