"""What to read: files in the working tree, every blob in git history, build output.

Everything here is synchronous and meant to run in a worker thread (the checks wrap it in
`asyncio.to_thread`). Git is driven through a handful of long-lived processes, never one
per file or blob: `git ls-files -z` for the tree, one `git log --raw` walk to learn which
commit introduced each blob, then `git cat-file --batch-check` and `git cat-file --batch`
streaming every blob through one pipe each.

Paths stay bytes until they are shown: git and POSIX allow any bytes in a file name, and a
name that is not UTF-8 must still be readable and reportable.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

GIT_TIMEOUT = 120.0
READ_CHUNK = 1 << 20

# Read and scanned by no rule: images, fonts, archives, media, compiled code.
BINARY_SUFFIXES = tuple(
    b".png .jpg .jpeg .gif .webp .avif .ico .icns .bmp .tif .tiff .psd .heic .pdf .zip .gz "
    b".tgz .bz2 .xz .zst .7z .rar .jar .war .whl .egg .woff .woff2 .ttf .otf .eot .mp3 .mp4 "
    b".m4a .wav .ogg .flac .mov .avi .mkv .webm .wasm .so .dll .exe .dylib .o .a .lib .class "
    b".pyc .pyo .node .bin .dat .db .sqlite .sqlite3 .parquet .npy .npz .pt .onnx "
    b".h5".split()
)
# Third-party code and caches: not the founder's, slow to read, full of test fixtures.
DEPENDENCY_DIRS = frozenset(
    b"node_modules .git .hg .svn .venv venv __pycache__ .tox .nox .mypy_cache .pytest_cache "
    b".ruff_cache site-packages bower_components .cache .turbo .yarn .pnpm-store .gradle "
    b".terraform .parcel-cache".split()
)
# Build output that browsers download. Some frameworks mix server and client output in one
# folder; only the client half is named here (a secret in .next/server never leaves it).
BUNDLE_DIRS: dict[bytes, bytes] = {
    b"dist": b"",
    b"build": b"",
    b"out": b"",
    b"storybook-static": b"",
    b".next": b"static",
    b".output": b"public",
    b".svelte-kit": b"output/client",
    b".vercel": b"output/static",
}
BUNDLE_SEARCH_DEPTH = 3
# Files a browser can be sent from a build folder; server-side leftovers are left out.
WEB_ASSET_SUFFIXES = (
    b".js",
    b".mjs",
    b".cjs",
    b".jsx",
    b".map",
    b".html",
    b".htm",
    b".css",
    b".json",
    b".txt",
    b".xml",
    b".svg",
    b".webmanifest",
    b".env",
)


class SkipReason(StrEnum):
    BINARY = "binary"
    TOO_LARGE = "too-large"
    SYMLINK = "symlink"
    UNREADABLE = "unreadable"
    NOT_A_FILE = "not-a-file"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file (or blob) that was not scanned, and why."""

    path: str
    reason: SkipReason
    detail: str = ""
    size: int | None = None
    commit: str | None = None


class GitError(Exception):
    """Git could not do what we asked; the message is plain enough to show a founder."""


class Cancelled(Exception):
    """The caller stopped waiting; workers unwind quietly."""


def display_path(path: bytes) -> str:
    """A path as people read it: UTF-8 where it is, `\\xNN` escapes where it is not."""
    return path.decode("utf-8", "backslashreplace")


def _git_environment() -> dict[str, str]:
    """The caller's environment minus anything that would point git at another repository."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES",
            "GIT_NAMESPACE",
            "GIT_COMMON_DIR",
            "GIT_CEILING_DIRECTORIES",
        }
    }
    environment.update(
        GIT_OPTIONAL_LOCKS="0",  # never take index.lock: the founder may be committing
        GIT_TERMINAL_PROMPT="0",
        GIT_NO_LAZY_FETCH="1",  # a partial clone must not download blobs behind our back
        LC_ALL="C",
    )
    return environment


def git_command(repo: Path, *args: str) -> list[str]:
    return ["git", "-C", str(repo), "-c", "core.quotepath=off", *args]


def run_git(
    repo: Path, *args: str, stdin: bytes | None = None, ok_codes: tuple[int, ...] = (0,)
) -> bytes:
    """Run git to completion and return stdout; a failure becomes GitError with git's words."""
    try:
        completed = subprocess.run(
            git_command(repo, *args),
            input=stdin,
            capture_output=True,
            env=_git_environment(),
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError as error:
        raise GitError("git is not installed, so git history could not be read.") from error
    except subprocess.TimeoutExpired as error:
        raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT:.0f} seconds.") from error
    if completed.returncode not in ok_codes:
        message = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = message[-1] if message else f"exit status {completed.returncode}"
        raise GitError(f"git {args[0]} failed: {reason.removeprefix('fatal: ')}")
    return completed.stdout


@dataclass(frozen=True, slots=True)
class GitRepo:
    """A git repository as the scanner needs to know it."""

    root: Path  # the top of the working tree (or the git dir of a bare repository)
    bare: bool
    shallow: bool
    has_commits: bool


def find_repo(path: Path) -> GitRepo | None:
    """The repository `path` is in, or None when it is in none. Raises GitError otherwise.

    A missing git binary counts as "not a repository" for the working-tree scan (it falls
    back to reading files), so this returns None then too; the history check asks git
    itself and reports the missing binary.
    """
    try:
        completed = subprocess.run(
            git_command(
                path,
                "rev-parse",
                "--is-bare-repository",
                "--is-shallow-repository",
                "--show-toplevel",
            ),
            capture_output=True,
            env=_git_environment(),
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        return None
    except subprocess.TimeoutExpired as error:
        raise GitError("git rev-parse did not answer in time.") from error
    stderr = completed.stderr.decode("utf-8", "replace")
    if completed.returncode != 0:
        if "not a git repository" in stderr:
            if os.path.lexists(path / ".git"):
                # git says so too when .git is damaged (a broken HEAD); that history is
                # unchecked, not absent.
                raise GitError(
                    f"{path / '.git'} is there but git cannot read it as a repository; "
                    "it may be damaged, and `git fsck` says how."
                )
            return None
        if "dubious ownership" in stderr:
            raise GitError(
                "git refuses to read this repository because another user owns it "
                "(git's 'dubious ownership' protection); run launchtui as the owner, or "
                "add the folder to safe.directory."
            )
        if "must be run in a work tree" not in stderr:
            lines = stderr.strip().splitlines()
            raise GitError(f"git rev-parse failed: {lines[-1] if lines else 'unknown error'}")
    lines = completed.stdout.decode("utf-8", "surrogateescape").splitlines()
    bare = bool(lines) and lines[0] == "true"
    shallow = len(lines) > 1 and lines[1] == "true"
    root = path if bare or len(lines) < 3 else Path(lines[2])
    has_commits = bool(run_git(root, "rev-list", "-n", "1", "--all").strip())
    return GitRepo(root=root, bare=bare, shallow=shallow, has_commits=has_commits)


def split_nul(output: bytes) -> list[bytes]:
    return [item for item in output.split(b"\0") if item]


# -- the working tree -----------------------------------------------------------------------


def git_tree_files(path: Path) -> list[bytes]:
    """Tracked files plus untracked files git does not ignore, relative to `path`."""
    output = run_git(path, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return list(dict.fromkeys(split_nul(output)))  # unmerged files are listed once per stage


def walk_files(root: Path, skip_dirs: frozenset[bytes] = DEPENDENCY_DIRS) -> Iterator[bytes]:
    """Every path under `root` (relative, bytes), never entering symlinked folders.

    Symlinks themselves are yielded so the caller can report them as skipped.
    """
    root_bytes = os.fsencode(root)
    for directory, subdirectories, files in os.walk(root_bytes, followlinks=False):
        relative = os.path.relpath(directory, root_bytes)
        prefix = b"" if relative == b"." else relative + b"/"
        kept = []
        for name in subdirectories:
            if name in skip_dirs:
                continue
            if os.path.islink(os.path.join(directory, name)):
                files.append(name)  # reported as a skipped symlink, never entered
                continue
            kept.append(name)
        subdirectories[:] = sorted(kept)
        for name in sorted(files):
            yield prefix + name


@dataclass(frozen=True, slots=True)
class FileContent:
    path: bytes  # relative to the scan root
    content: bytes


def read_files(
    root: Path,
    relative_paths: Iterable[bytes],
    size_cap: int,
    skipped: list[SkippedFile],
    cancel: threading.Event | None = None,
) -> Iterator[FileContent]:
    """Read each file that is safe and useful to scan; everything else lands in `skipped`."""
    root_bytes = os.fsencode(root)
    for relative in relative_paths:
        if cancel is not None and cancel.is_set():
            raise Cancelled
        shown = display_path(relative)
        if relative.lower().endswith(BINARY_SUFFIXES):
            skipped.append(SkippedFile(shown, SkipReason.BINARY, "binary file type"))
            continue
        full = os.path.join(root_bytes, relative)
        content_or_skip = read_regular_file(full, root_bytes, shown, size_cap)
        if isinstance(content_or_skip, SkippedFile):
            if content_or_skip.reason is not SkipReason.MISSING:
                skipped.append(content_or_skip)
            continue
        yield FileContent(relative, content_or_skip)


def read_regular_file(full: bytes, root: bytes, shown: str, size_cap: int) -> bytes | SkippedFile:
    """The bytes of a regular file, or why it was not read. Never follows a symlink."""
    try:
        info = os.lstat(full)
    except FileNotFoundError:
        return SkippedFile(shown, SkipReason.MISSING, "listed by git but deleted from disk")
    except OSError as error:
        return SkippedFile(shown, SkipReason.UNREADABLE, error.strerror or str(error))
    if stat.S_ISLNK(info.st_mode):
        return SkippedFile(shown, SkipReason.SYMLINK, _symlink_detail(full, root))
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder (a git submodule?)" if stat.S_ISDIR(info.st_mode) else "not a file"
        return SkippedFile(shown, SkipReason.NOT_A_FILE, kind)
    if info.st_size > size_cap:
        return SkippedFile(
            shown, SkipReason.TOO_LARGE, f"larger than {size_cap:,} bytes", info.st_size
        )
    try:
        descriptor = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as error:
        return SkippedFile(shown, SkipReason.UNREADABLE, error.strerror or str(error))
    try:
        with os.fdopen(descriptor, "rb") as handle:
            content = handle.read(size_cap + 1)
    except OSError as error:
        return SkippedFile(shown, SkipReason.UNREADABLE, error.strerror or str(error))
    if len(content) > size_cap:  # it grew while we looked
        return SkippedFile(shown, SkipReason.TOO_LARGE, f"larger than {size_cap:,} bytes")
    return content


def _symlink_detail(full: bytes, root: bytes) -> str:
    try:
        target = os.readlink(full)
    except OSError:
        return "symlink, not followed"
    resolved = os.path.normpath(os.path.join(os.path.dirname(full), target))
    inside = os.path.commonpath([os.path.abspath(root), os.path.abspath(resolved)])
    if inside != os.path.abspath(root):
        return "symlink pointing outside the folder, not followed"
    return "symlink, not followed (its target is scanned where it lives)"


# -- git history ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    date: str  # author date, ISO 8601


@dataclass(slots=True)
class BlobOrigin:
    """Where a blob first appeared: the oldest commit (in walk order) that added it."""

    commit: int  # index into the walk's commit list; higher is older
    path: bytes
    paths: int = 1  # how many (commit, path) places added this same content


@dataclass(slots=True)
class HistoryWalk:
    commits: list[Commit]
    blobs: dict[bytes, BlobOrigin]  # blob id (hex, bytes) -> where it came from


def walk_history(repo: Path, cancel: threading.Event | None = None) -> HistoryWalk:
    """One `git log --raw` over every ref: which commit and path introduced each blob.

    `--date-order` lists every commit before its parents, so the last time a blob is seen
    is the oldest place it was added. Merges are diffed against their first parent, so a
    blob that exists only in a merge resolution is still seen. Symlinks (mode 120000) and
    submodules (160000) are not file content and are left out.
    """
    command = git_command(
        repo,
        "log",
        "--all",
        "--date-order",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--diff-merges=first-parent",
        "-z",
        "--format=%x00C %H %aI",
    )
    commits: list[Commit] = []
    blobs: dict[bytes, BlobOrigin] = {}
    process = _start(command, stdin=False)
    assert process.stdout is not None
    pending = b""
    expecting_path_for: bytes | None = None
    read_to_end = False
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled
            chunk = process.stdout.read(READ_CHUNK)
            if not chunk:
                break
            tokens = (pending + chunk).split(b"\0")
            pending = tokens.pop()
            for token in tokens:
                if expecting_path_for is not None:
                    _record_blob(blobs, expecting_path_for, token, len(commits) - 1)
                    expecting_path_for = None
                    continue
                token = token.lstrip(b"\n")
                if token.startswith(b"C "):
                    _, sha, date = token.split(b" ", 2)
                    commits.append(Commit(sha.decode(), date.decode()))
                elif token.startswith(b":"):
                    # :old_mode new_mode old_sha new_sha status
                    fields = token[1:].split(b" ")
                    new_mode, new_sha, status = fields[1], fields[3], fields[4]
                    if status[:1] != b"D" and new_mode[:3] == b"100":
                        expecting_path_for = new_sha
                    else:
                        expecting_path_for = b""  # still consume the path that follows
        if expecting_path_for and pending:
            _record_blob(blobs, expecting_path_for, pending, len(commits) - 1)
        read_to_end = True
    finally:
        _finish(process, "log", read_to_end=read_to_end)
    return HistoryWalk(commits, blobs)


def _record_blob(blobs: dict[bytes, BlobOrigin], sha: bytes, path: bytes, commit: int) -> None:
    if not sha:
        return
    origin = blobs.get(sha)
    if origin is None:
        blobs[sha] = BlobOrigin(commit, path)
    else:
        origin.commit, origin.path = commit, path
        origin.paths += 1


def blob_sizes(repo: Path, blob_ids: list[bytes]) -> dict[bytes, int]:
    """Sizes of many blobs from one `git cat-file --batch-check`; missing blobs are absent."""
    if not blob_ids:
        return {}
    output = run_git(
        repo,
        "cat-file",
        "--batch-check=%(objectname) %(objecttype) %(objectsize)",
        stdin=b"\n".join(blob_ids) + b"\n",
    )
    sizes: dict[bytes, int] = {}
    for line in output.splitlines():
        fields = line.split(b" ")
        if len(fields) == 3 and fields[1] == b"blob":
            sizes[fields[0]] = int(fields[2])
    return sizes


def stream_blobs(
    repo: Path, blob_ids: list[bytes], cancel: threading.Event | None = None
) -> Iterator[tuple[bytes, bytes]]:
    """(blob id, content) for each id, in order, through one `git cat-file --batch`.

    A writer thread feeds the ids while this thread reads, so neither pipe can fill up
    and block the other.
    """
    if not blob_ids:
        return
    process = _start(git_command(repo, "cat-file", "--batch"), stdin=True)
    assert process.stdin is not None and process.stdout is not None
    feeder = threading.Thread(target=_feed, args=(process.stdin, blob_ids), daemon=True)
    feeder.start()
    reader = process.stdout
    read_to_end = False
    try:
        for _ in blob_ids:
            if cancel is not None and cancel.is_set():
                raise Cancelled
            header = reader.readline()
            if not header:
                raise GitError("git cat-file stopped before every blob was read.")
            fields = header.split()
            if len(fields) < 3:  # "<id> missing": gone from a shallow or partial clone
                continue
            size = int(fields[2])
            content = reader.read(size)
            reader.read(1)  # the newline after each object
            if fields[1] == b"blob":
                yield fields[0], content
        read_to_end = True
    finally:
        _finish(process, "cat-file", read_to_end=read_to_end)
        feeder.join(timeout=5)


def _feed(pipe, blob_ids: list[bytes]) -> None:  # type: ignore[no-untyped-def]
    try:
        for start in range(0, len(blob_ids), 4096):
            pipe.write(b"\n".join(blob_ids[start : start + 4096]) + b"\n")
        pipe.close()
    except (BrokenPipeError, ValueError, OSError):
        pass  # the reader stopped early (cancelled or failed); nothing left to feed


def _start(command: list[str], *, stdin: bool) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            command,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_git_environment(),
            bufsize=READ_CHUNK,
        )
    except FileNotFoundError as error:
        raise GitError("git is not installed, so git history could not be read.") from error


def _finish(process: subprocess.Popen[bytes], what: str, *, read_to_end: bool) -> None:
    """Reap a git process; if we read all it had to say, a failure of its own is an error."""
    if not read_to_end and process.poll() is None:
        process.kill()
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError, ValueError):
                pipe.close()
    try:
        returncode = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        returncode = process.wait()
    stderr = b""
    if process.stderr is not None:
        with contextlib.suppress(OSError, ValueError):
            stderr = process.stderr.read()
            process.stderr.close()
    if read_to_end and returncode != 0:
        lines = stderr.decode("utf-8", "replace").strip().splitlines()
        reason = lines[-1].removeprefix("fatal: ") if lines else f"exit status {returncode}"
        raise GitError(f"git {what} failed: {reason}")


def env_files_in_history(repo: Path) -> list[tuple[bytes, Commit]]:
    """Every (path, commit) where an env-looking file was added, oldest commit last."""
    output = run_git(
        repo,
        "log",
        "--all",
        "--date-order",
        "--diff-filter=A",
        "--name-only",
        "--no-renames",
        "-z",
        "--format=%x00C %H %aI",
        "--",
        ":(glob)**/.env",
        ":(glob)**/.env.*",
        ":(glob)**/*.env",
    )
    found: list[tuple[bytes, Commit]] = []
    commit: Commit | None = None
    for token in split_nul(output):
        token = token.lstrip(b"\n")
        if token.startswith(b"C ") and token.count(b" ") == 2 and len(token.split(b" ")[1]) >= 40:
            _, sha, date = token.split(b" ", 2)
            commit = Commit(sha.decode(), date.decode())
        elif commit is not None and token:
            found.append((token, commit))
    return found


# -- build output -----------------------------------------------------------------------------


def find_bundle_dirs(root: Path) -> list[bytes]:
    """Build output folders (relative, bytes) near the top of the project, including ignored ones.

    Looks a few levels down so monorepos (apps/web/dist) are covered, never inside
    dependency folders, and never through symlinks.
    """
    root_bytes = os.fsencode(root)
    found: list[bytes] = []

    def visit(relative: bytes, depth: int) -> None:
        directory = os.path.join(root_bytes, relative) if relative else root_bytes
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                continue
            name = entry.name
            child = relative + b"/" + name if relative else name
            if name in BUNDLE_DIRS:
                client = BUNDLE_DIRS[name]
                target = child + b"/" + client if client else child
                if os.path.isdir(os.path.join(root_bytes, target)) and not os.path.islink(
                    os.path.join(root_bytes, target)
                ):
                    found.append(target)
                continue
            if name in DEPENDENCY_DIRS or (name.startswith(b".") and name not in BUNDLE_DIRS):
                continue
            if depth < BUNDLE_SEARCH_DEPTH:
                visit(child, depth + 1)

    visit(b"", 1)
    return found


def bundle_files(root: Path, bundle_dir: bytes) -> Iterator[bytes]:
    """Web assets inside one build folder (paths relative to `root`)."""
    for relative in walk_files(root / os.fsdecode(bundle_dir), skip_dirs=frozenset({b"cache"})):
        if relative.lower().endswith(WEB_ASSET_SUFFIXES) or os.path.islink(
            os.path.join(os.fsencode(root), bundle_dir, relative)
        ):
            yield bundle_dir + b"/" + relative
