"""Atomic file replacement: a crash mid-save leaves the old file or the new one, never half.

A save also keeps what the file was: its owner, group and mode (a 0600 engagement stays
private, a save under sudo does not hand the file to root), and it refuses up front, with
a sentence, when this user may not write the file or its folder instead of replacing a
file they could not have edited.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path


class WriteRefused(PermissionError):
    """The file may not be written by this user; the message says why and what to do."""


def write_atomically(
    path: Path, data: bytes, *, keep_backup: bool = False, mode: int | None = None
) -> None:
    """Write to a temp file beside `path`, fsync, then rename over it.

    With `keep_backup`, the previous version is first kept as `<name>.bak`, itself
    replaced atomically so the backup is never a torn copy either. `mode` is for a new
    file; an existing one keeps its own.
    """
    path = path.resolve()
    current = _stat_or_none(path)
    require_writable(path, current)
    if keep_backup and current is not None:
        backup = path.with_name(path.name + ".bak")
        _replace(backup, path.read_bytes(), like=current)
    _replace(path, data, like=current, mode=mode)


def require_writable(path: Path, current: os.stat_result | None = None) -> None:
    """Refuse a save this user could not make without taking the file over."""
    folder = path.parent
    if not folder.is_dir():
        raise WriteRefused(f"cannot write {path}: the folder {folder} does not exist.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WriteRefused(f"cannot write {path}: no permission to write in {folder}.")
    current = current if current is not None else _stat_or_none(path)
    if current is None:
        return
    if not stat.S_ISREG(current.st_mode):
        raise WriteRefused(f"cannot write {path}: it is not a regular file.")
    if not os.access(path, os.W_OK):
        raise WriteRefused(f"cannot write {path}: permission denied (read-only for you).")
    if not _can_give_to(current.st_uid):
        raise WriteRefused(
            f"cannot write {path}: it belongs to {_user_name(current.st_uid)}, and saving "
            "would make it yours; save it as that user (or with sudo)."
        )


def remove_leftover_temps(path: Path) -> list[Path]:
    """Delete temp files an interrupted save of `path` left behind; call under its lock."""
    path = path.resolve()
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(?:bak\.)?[A-Za-z0-9_]{{8}}\.tmp")
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def _replace(
    path: Path, data: bytes, *, like: os.stat_result | None, mode: int | None = None
) -> None:
    """Write `data` over `path` with the owner and mode of `like` (else `mode`/umask)."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # The final mode before any data is written: a private file is never readable
        # by others, not even for the moment between write and rename.
        os.chmod(temp_name, stat.S_IMODE(like.st_mode) if like else (mode or 0o666) & ~_umask())
        if (
            like is not None
            and hasattr(os, "fchown")
            and (like.st_uid, like.st_gid) != (os.geteuid(), os.getegid())
        ):
            with contextlib.suppress(PermissionError):  # a group we are not in: keep ours
                os.fchown(handle, like.st_uid if _can_give_to(like.st_uid) else -1, like.st_gid)
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_directory(path.parent)


def _can_give_to(uid: int) -> bool:
    if not hasattr(os, "geteuid"):  # no owners to keep on this platform
        return True
    return uid == os.geteuid() or os.geteuid() == 0


def _user_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"user {uid}"


def _stat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


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
