"""Where a report goes: the `--output` rules every command that writes a report shares.

The path is user input and CI jobs often run as root, so writing a report must never do
damage the user did not ask for:

- `-` (or no path) is stdout. `/dev/stdout`, `/dev/fd/N` and `/proc/self/fd/N` are the
  open descriptor itself and are written in place: renaming a new file over what the
  shell opened would leave the shell writing to a file nobody sees, and a pipe or a
  terminal cannot be renamed over at all.
- A regular file (or a new one) is replaced atomically: temp file, fsync, rename, keeping
  its owner and mode (`atomic.write_atomically`).
- Anything else that already exists is never replaced. A character device (`/dev/null`,
  a terminal) and a FIFO someone is reading are written in place; a folder, a socket, a
  disk device and a FIFO nobody reads are refused.
- A symlink is followed only as `fs.protected_symlinks` would: outside shared sticky
  folders such as /tmp, or when the link belongs to this user or to the folder's owner.
  A regular file another user left in such a folder is not taken over either
  (`fs.protected_regular`). The kernel applies these rules to open(), but a rename
  resolves the link in user space first, so the rules are applied here.

Every refusal and every failed write is an `OutputError` with one plain sentence.
"""

from __future__ import annotations

import enum
import errno
import os
import re
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from .atomic import WriteRefused, require_writable, write_atomically

_MAX_LINKS = 40  # as the kernel's own limit on links followed in one path (ELOOP)
_DESCRIPTOR_FOLDER = re.compile(r"/proc/(?P<pid>self|thread-self|\d+)(?:/task/\d+)?/fd")


class OutputError(Exception):
    """The report cannot go where the user asked; the message says why in one line."""


class OutputKind(enum.Enum):
    DESCRIPTOR = "descriptor"  # an open file descriptor of ours (stdout, /dev/fd/N)
    FILE = "file"  # a regular file, new or existing: replaced atomically
    STREAM = "stream"  # a character device or a FIFO: written in place, never replaced


@dataclass(frozen=True, slots=True)
class Output:
    """A checked destination; `shown` is what the user typed, for messages."""

    shown: str
    kind: OutputKind
    path: Path | None = None  # FILE and STREAM: the real path, every link followed
    descriptor: int | None = None  # DESCRIPTOR

    @property
    def to_stdout(self) -> bool:
        return self.kind is OutputKind.DESCRIPTOR and self.descriptor == 1

    def overwrites(self, other: Path) -> bool:
        """Whether writing here would overwrite `other` (say, the engagement being run)."""
        if self.path is None:
            return False
        try:
            return os.path.samestat(os.stat(self.path), os.stat(other))
        except (OSError, ValueError):
            return False


STDOUT = Output("stdout", OutputKind.DESCRIPTOR, descriptor=1)


def output_to(requested: str | os.PathLike[str] | None) -> Output:
    """Check a `--output` value before any work is done; raise OutputError to refuse it."""
    if requested is None or os.fspath(requested) == "-":
        return STDOUT
    shown = os.fspath(requested)
    if not shown:
        raise OutputError("--output is empty; give a file name, or - for stdout.")
    try:
        real, descriptor = _follow_links(Path(shown), shown)
        if descriptor is not None:
            return Output(shown, OutputKind.DESCRIPTOR, descriptor=descriptor)
        return _classify(shown, real)
    except OSError as exc:
        raise OutputError(f"cannot write {shown}: {exc.strerror or exc}.") from None


def write_output(output: Output, data: bytes) -> None:
    """Write the whole report, or raise OutputError (a full disk, a closed pipe…)."""
    try:
        if output.kind is OutputKind.DESCRIPTOR:
            assert output.descriptor is not None
            if output.descriptor == 1:
                sys.stdout.flush()  # anything printed before goes first
            _write_all(output.descriptor, data)
        elif output.kind is OutputKind.STREAM:
            _write_stream(output, data)
        else:
            # Checked again just before writing: the folder may have changed during the run.
            current = output_to(output.shown)
            if current.kind is not OutputKind.FILE or current.path is None:
                write_output(current, data)
                return
            write_atomically(current.path, data)
    except WriteRefused as exc:
        raise OutputError(str(exc)) from None
    except OSError as exc:
        raise OutputError(
            f"cannot write the report to {output.shown}: {exc.strerror or exc}."
        ) from None


def _follow_links(path: Path, shown: str) -> tuple[Path, int | None]:
    """The real path with every link followed under the rules above (its last part may
    not exist yet), or the descriptor number when the path names one of ours."""
    pending = list(Path(os.path.join(os.getcwd(), path)).parts)
    real = Path("/")
    followed = 0
    while pending:
        name = pending.pop(0)
        if name == os.sep:
            real = Path("/")
            continue
        if name == "..":
            real = real.parent
            continue
        candidate = real / name
        descriptor_folder = _DESCRIPTOR_FOLDER.fullmatch(str(real))
        if descriptor_folder and not pending:
            return candidate, _own_descriptor(descriptor_folder["pid"], name, shown)
        try:
            info = os.lstat(candidate)
        except FileNotFoundError:
            if pending:
                raise OutputError(
                    f"cannot write {shown}: the folder {candidate} does not exist."
                ) from None
            return candidate, None
        if not stat.S_ISLNK(info.st_mode):
            if pending and not stat.S_ISDIR(info.st_mode):
                raise OutputError(f"cannot write {shown}: {candidate} is not a folder.")
            real = candidate
            continue
        _require_followable(candidate, info, real, shown)
        followed += 1
        if followed > _MAX_LINKS:
            raise OutputError(f"cannot write {shown}: too many symbolic links (a loop?).")
        pending[:0] = Path(os.readlink(candidate)).parts
    return real, None


def _own_descriptor(pid: str, name: str, shown: str) -> int:
    if pid not in ("self", "thread-self", str(os.getpid())) or not name.isdigit():
        raise OutputError(f"cannot write {shown}: it is another program's open file.")
    descriptor = int(name)
    try:
        os.fstat(descriptor)
    except OSError:
        raise OutputError(
            f"cannot write {shown}: file descriptor {descriptor} is not open."
        ) from None
    return descriptor


def _require_followable(link: Path, info: os.stat_result, folder: Path, shown: str) -> None:
    folder_info = os.stat(folder)
    if planted_by_someone_else(info.st_uid, folder_info.st_mode, folder_info.st_uid):
        raise OutputError(
            f"cannot write {shown}: not following the link {link}: another user made it "
            f"in the shared folder {folder}; remove it or pick another file."
        )


def planted_by_someone_else(
    owner: int, folder_mode: int, folder_owner: int, me: int | None = None
) -> bool:
    """fs.protected_symlinks and fs.protected_regular: in a shared sticky folder such as
    /tmp anyone can leave a link to one of our files, or a file they can read later, so
    only our own entries and the folder owner's are trusted there."""
    me = os.geteuid() if me is None else me
    shared = folder_mode & stat.S_ISVTX and folder_mode & stat.S_IWOTH
    return bool(shared) and owner not in (me, folder_owner)


def _classify(shown: str, real: Path) -> Output:
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return _file_output(shown, real, None)
    mode = info.st_mode
    if stat.S_ISREG(mode):
        return _file_output(shown, real, info)
    if stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {shown}: it is a folder; give a file name.")
    if stat.S_ISBLK(mode):
        raise OutputError(f"cannot write {shown}: it is a disk device; give a file name.")
    if stat.S_ISSOCK(mode):
        raise OutputError(f"cannot write {shown}: it is a socket; give a file name.")
    if not os.access(real, os.W_OK):
        raise OutputError(f"cannot write {shown}: permission denied.")
    return Output(shown, OutputKind.STREAM, path=real)


def _file_output(shown: str, real: Path, info: os.stat_result | None) -> Output:
    if info is not None:
        folder_info = os.stat(real.parent)
        if planted_by_someone_else(info.st_uid, folder_info.st_mode, folder_info.st_uid):
            raise OutputError(
                f"cannot write {shown}: another user's file in the shared folder "
                f"{real.parent}; pick another file."
            )
    try:
        require_writable(real, info)
    except WriteRefused as exc:
        raise OutputError(str(exc)) from None
    return Output(shown, OutputKind.FILE, path=real)


def _write_stream(output: Output, data: bytes) -> None:
    """A device or FIFO, opened as it is: no O_CREAT, no O_TRUNC, no rename."""
    assert output.path is not None
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    is_fifo = stat.S_ISFIFO(os.stat(output.path).st_mode)
    try:
        # Opening a FIFO for writing waits for a reader forever; without one, say so.
        descriptor = os.open(output.path, flags | (os.O_NONBLOCK if is_fifo else 0))
    except OSError as exc:
        if is_fifo and exc.errno == errno.ENXIO:
            raise OutputError(
                f"cannot write {output.shown}: it is a pipe and nothing is reading from it."
            ) from None
        raise
    try:
        os.set_blocking(descriptor, True)
        _write_all(descriptor, data)
    finally:
        os.close(descriptor)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]
