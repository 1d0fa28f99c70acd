"""The four secret checks, and one call that runs them all over a repository.

Each check is a plain synchronous function that reads files or git and returns a
`ScanReport`; the async wrappers run it in a worker thread so a long history scan never
blocks the event loop, and stop it (at the next file or blob) when the caller is cancelled.
No function here raises: an unexpected error becomes a `Status.ERROR` finding that says
in a sentence what could not be checked.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from ...findings import Finding, Severity, Status
from .ignore import IGNORE_FILE_NAME, IgnoreList, apply_ignore, load_ignore_file
from .parallel import DEFAULT_THRESHOLD, scan_stream
from .redact import fingerprint
from .rules import REMOVE_FROM_HISTORY, Rule
from .scanner import (
    DEFAULT_SCANNER,
    Hit,
    Scanner,
    as_scannable_text,
    base_name,
    is_env_file_name,
    is_env_template_name,
)
from .sources import (
    BINARY_SUFFIXES,
    BUNDLE_DIRS,
    DEPENDENCY_DIRS,
    Cancelled,
    Commit,
    GitError,
    SkippedFile,
    SkipReason,
    blob_sizes,
    bundle_files,
    display_path,
    env_files_in_history,
    find_bundle_dirs,
    find_repo,
    git_tree_files,
    read_files,
    run_git,
    split_nul,
    stream_blobs,
    walk_files,
    walk_history,
)

Key = TypeVar("Key")

STAGE = "security"
TREE_CHECK = "secrets.tree"
HISTORY_CHECK = "secrets.history"
ENV_FILE_CHECK = "secrets.env-file"
BUNDLE_CHECK = "secrets.bundle"
CHECK_IDS = (TREE_CHECK, HISTORY_CHECK, ENV_FILE_CHECK, BUNDLE_CHECK)

DEFAULT_SIZE_CAP = 2 * 1024 * 1024
# Minified bundles and their source maps are often several MiB and still worth reading.
DEFAULT_BUNDLE_SIZE_CAP = 16 * 1024 * 1024
MAX_NAMES_IN_DETAIL = 10
# Meant to be committed: dotenv-vault's encrypted file.
COMMITTABLE_ENV_FILES = frozenset({".env.vault"})


@dataclass(slots=True)
class ScanStats:
    files: int = 0  # working-tree and bundle files scanned
    blobs: int = 0  # history blobs scanned (each unique blob once)
    bytes_scanned: int = 0
    seconds: float = 0.0

    @property
    def mib_per_second(self) -> float:
        return self.bytes_scanned / (1024 * 1024) / self.seconds if self.seconds else 0.0

    def add(self, other: ScanStats) -> None:
        self.files += other.files
        self.blobs += other.blobs
        self.bytes_scanned += other.bytes_scanned
        self.seconds += other.seconds


@dataclass(slots=True)
class ScanReport:
    findings: list[Finding] = field(default_factory=list)
    # Files not scanned, with the reason. Binary blobs in history are only counted (in
    # `notes`): a repository's old images would otherwise fill the list.
    skipped: list[SkippedFile] = field(default_factory=list)
    stats: ScanStats = field(default_factory=ScanStats)
    notes: list[str] = field(default_factory=list)  # things worth knowing that are no finding

    def extend(self, other: ScanReport) -> None:
        self.findings.extend(other.findings)
        self.skipped.extend(other.skipped)
        self.stats.add(other.stats)
        self.notes.extend(other.notes)


@dataclass(frozen=True, slots=True)
class ScanOptions:
    size_cap: int = DEFAULT_SIZE_CAP
    bundle_size_cap: int = DEFAULT_BUNDLE_SIZE_CAP
    ignore_file: Path | None = None  # default: .launchtui-ignore at the top of the repository
    scanner: Scanner = DEFAULT_SCANNER
    workers: int = 0  # processes for big scans: 0 = one per core (at most 4), 1 = this one only
    parallel_threshold: int = DEFAULT_THRESHOLD  # bytes read before worker processes start


# -- building findings ----------------------------------------------------------------------


def _finding(
    check: str,
    target: str,
    status: Status,
    severity: Severity,
    summary: str,
    *,
    detail: str = "",
    evidence: dict[str, Any] | None = None,
    fix: str = "",
    refs: tuple[str, ...] = (),
) -> Finding:
    return Finding(
        check=check,
        stage=STAGE,
        target=target,
        status=status,
        severity=severity,
        summary=summary,
        detail=detail,
        evidence=evidence or {},
        fix=fix,
        refs=refs,
    )


def _error_finding(check: str, target: str, sentence: str) -> Finding:
    return _finding(
        check,
        target,
        Status.ERROR,
        Severity.HIGH,
        sentence,
        detail="Leaked keys are the most common launch risk, so treat this part as unchecked "
        "until it runs.",
        fix="Fix the problem described and run the check again.",
    )


def _scrub(text: str, secret: str, masked: str) -> str:
    """Belt and braces: no text we build may contain the secret, whatever went into it."""
    return text.replace(secret, masked) if secret and secret in text else text


def _secret_finding(
    check: str,
    hit: Hit,
    path: str,
    *,
    summary: str,
    where: str,
    severity: Severity | None = None,
    extra_detail: str = "",
    extra_evidence: dict[str, Any] | None = None,
) -> Finding:
    rule = hit.rule
    masked = hit.redacted
    key_fingerprint = hit.fingerprint
    named = f", assigned to {hit.name}" if hit.name else ""
    detail = " ".join(
        part
        for part in (
            f"Found {where} in {path}, line {hit.line}{named}; shown here only as {masked}.",
            hit.note,
            extra_detail,
            f"If you have checked it and accept it (a test fixture, a key already revoked), add "
            f"the line `{key_fingerprint}  # why` to {IGNORE_FILE_NAME}.",
        )
        if part
    )
    evidence: dict[str, Any] = {
        "rule": rule.id,
        "title": rule.title,
        "fingerprint": key_fingerprint,
        "redacted": masked,
        "path": path,
        "line": hit.line,
    }
    if hit.name:
        evidence["variable"] = hit.name
    evidence.update(extra_evidence or {})
    secret = hit.value
    clean_evidence = {
        key: _scrub(value, secret, masked) if isinstance(value, str) else value
        for key, value in evidence.items()
    }
    return _finding(
        check,
        _scrub(f"{path}:{hit.line}", secret, masked),
        Status.FAIL,
        severity or hit.severity,
        _scrub(summary, secret, masked),
        detail=_scrub(detail, secret, masked),
        evidence=clean_evidence,
        fix=rule.fix,
        refs=tuple(dict.fromkeys((*rule.refs, REMOVE_FROM_HISTORY))),
    )


def _coverage_finding(check: str, target: str, skipped: list[SkippedFile]) -> Finding | None:
    """One warning naming files we wanted to read but could not: a key there goes unseen."""
    too_large = [item for item in skipped if item.reason is SkipReason.TOO_LARGE]
    unreadable = [item for item in skipped if item.reason is SkipReason.UNREADABLE]
    missed = too_large + unreadable
    if not missed:
        return None
    parts = []
    if too_large:
        parts.append(f"{len(too_large)} too large")
    if unreadable:
        parts.append(f"{len(unreadable)} unreadable")
    names = ", ".join(
        item.path + (f" ({item.commit[:7]})" if item.commit else "")
        for item in missed[:MAX_NAMES_IN_DETAIL]
    )
    more = (
        f" and {len(missed) - MAX_NAMES_IN_DETAIL} more"
        if len(missed) > MAX_NAMES_IN_DETAIL
        else ""
    )
    count = len(missed)
    return _finding(
        check,
        target,
        Status.WARN,
        Severity.LOW,
        f"{count} file{'s' if count != 1 else ''} could not be scanned ({', '.join(parts)}), "
        "so a key inside would go unnoticed.",
        detail=f"Not scanned: {names}{more}.",
        evidence={
            "files": [
                {"path": item.path, "reason": item.reason.value, "detail": item.detail}
                for item in missed[:50]
            ],
            "count": count,
        },
        fix="Look through these files by hand, or raise the size limit (launchtui scan "
        "--max-file-size MIB); make "
        "unreadable files readable by the user running launchtui.",
    )


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


# -- shared plumbing ------------------------------------------------------------------------


def _ignore_list(options: ScanOptions, root: Path, report: ScanReport) -> IgnoreList:
    ignore = load_ignore_file(options.ignore_file or root / IGNORE_FILE_NAME)
    report.notes.extend(ignore.problems)
    return ignore


def _guarded(
    check: str,
    path: Path,
    options: ScanOptions,
    cancel: threading.Event | None,
    body: Callable[[Path, ScanOptions, threading.Event | None, ScanReport], None],
) -> ScanReport:
    """Run one check body; whatever happens, return a report that says what happened."""
    report = ScanReport()
    started = time.perf_counter()
    target = str(path)
    try:
        if not path.exists():
            report.findings.append(
                _error_finding(check, target, f"The folder {path} does not exist.")
            )
        elif not path.is_dir():
            report.findings.append(
                _error_finding(check, target, f"{path} is a file, not a project folder.")
            )
        else:
            body(path, options, cancel, report)
    except Cancelled:
        raise
    except GitError as error:
        report.findings.append(_error_finding(check, target, str(error)))
    except MemoryError:
        report.findings.append(
            _error_finding(check, target, "The scan ran out of memory and stopped.")
        )
    except Exception as error:
        report.findings.append(
            _error_finding(
                check,
                target,
                f"The secret scan stopped unexpectedly ({type(error).__name__}: {error}).",
            )
        )
    report.stats.seconds = time.perf_counter() - started
    return report


def _scan_all(
    contents: Iterable[tuple[Key, str, bytes]],
    options: ScanOptions,
    cancel: threading.Event | None,
    report: ScanReport,
) -> Iterator[tuple[Key, list[Hit]]]:
    return scan_stream(
        contents,
        scanner=options.scanner,
        workers=options.workers,
        threshold=options.parallel_threshold,
        cancel=cancel,
        notes=report.notes,
    )


# -- secrets.tree ---------------------------------------------------------------------------


def _tree_body(
    path: Path, options: ScanOptions, cancel: threading.Event | None, report: ScanReport
) -> None:
    target = str(path)
    try:
        repo = find_repo(path)
    except GitError as error:
        repo = None
        report.notes.append(f"git could not list the files ({error}); every file was read.")
    if repo is not None and repo.bare:
        report.findings.append(
            _finding(
                TREE_CHECK,
                target,
                Status.SKIPPED,
                Severity.INFO,
                "This is a bare git repository: it has no working files to check.",
            )
        )
        return
    ignore = _ignore_list(options, repo.root if repo else path, report)
    relative_paths: Iterable[bytes] = git_tree_files(path) if repo is not None else []
    ignored_folder = repo is not None and not relative_paths and _ignored_by_git(path)
    if ignored_folder:
        # A folder the enclosing repository ignores (a vendored tree, a venv): git lists
        # nothing in it, so read it as a plain folder instead.
        report.notes.append(f"{path} is ignored by the git repository around it; read as a folder.")
        repo = None
    if repo is None:
        skip = DEPENDENCY_DIRS | frozenset(BUNDLE_DIRS)
        relative_paths = walk_files(path, skip_dirs=skip)
        left_to_bundle = 0
    else:
        # Build output git tracks (or does not ignore) is the bundle check's to read, with
        # its larger size limit: reading it here too read every dist/ file twice and warned
        # that big bundles "could not be scanned" although the bundle check read them.
        bundled = _bundle_assets(path)
        listed = list(relative_paths)
        relative_paths = [item for item in listed if item not in bundled]
        left_to_bundle = len(listed) - len(relative_paths)
    findings: list[Finding] = []

    def contents() -> Iterator[tuple[str, str, bytes]]:
        for item in read_files(path, relative_paths, options.size_cap, report.skipped, cancel):
            shown = display_path(item.path)
            text = as_scannable_text(item.content)
            if text is None:
                report.skipped.append(SkippedFile(shown, SkipReason.BINARY, "binary content"))
                continue
            report.stats.files += 1
            report.stats.bytes_scanned += len(text)
            yield shown, shown, text

    for shown, hits in _scan_all(contents(), options, cancel, report):
        for hit in hits:
            findings.append(
                _secret_finding(
                    TREE_CHECK,
                    hit,
                    shown,
                    summary=hit.rule.summary,
                    where="in your working tree",
                )
            )
    if not findings:
        findings.append(
            _finding(
                TREE_CHECK,
                target,
                Status.PASS,
                Severity.INFO,
                f"No keys, tokens or passwords found in the {_plural(report.stats.files, 'file')}"
                " of your project.",
                detail=(
                    "Checked tracked files and new files git does not ignore"
                    + (
                        f"; {_plural(left_to_bundle, 'build output file')} in dist/, build/… "
                        "are read by the build-output check."
                        if left_to_bundle
                        else "."
                    )
                )
                if repo is not None
                else "Checked every file in the folder.",
                evidence={"files": report.stats.files, "bytes": report.stats.bytes_scanned},
            )
        )
    if repo is None:
        findings.append(
            _finding(
                TREE_CHECK,
                target,
                Status.SKIPPED,
                Severity.INFO,
                (
                    "This folder is ignored by the git repository around it, so every file in "
                    "it was read as it is on disk."
                    if ignored_folder
                    else "This folder is not a git repository, so only the files on disk were "
                    "checked: git history could not be checked."
                ),
                detail="Dependency and build folders (node_modules, .venv, dist, build…) were "
                "left out; the build-output check looks at build folders separately.",
            )
        )
    coverage = _coverage_finding(TREE_CHECK, target, report.skipped)
    if coverage is not None:
        findings.append(coverage)
    report.findings.extend(apply_ignore(findings, ignore))


def _bundle_assets(path: Path) -> frozenset[bytes]:
    """The files the bundle check reads (relative to `path`): web assets in build folders."""
    return frozenset(
        item for bundle_dir in find_bundle_dirs(path) for item in bundle_files(path, bundle_dir)
    )


def _ignored_by_git(path: Path) -> bool:
    return bool(run_git(path, "check-ignore", ".", ok_codes=(0, 1)).strip())


# -- secrets.history ------------------------------------------------------------------------


@dataclass(slots=True)
class _HistoryHit:
    hit: Hit
    commit: int  # index into the walk's commits; higher is older
    path: str
    places: int


def _history_body(
    path: Path, options: ScanOptions, cancel: threading.Event | None, report: ScanReport
) -> None:
    target = str(path)
    if shutil.which("git") is None:
        report.findings.append(
            _error_finding(
                HISTORY_CHECK, target, "git is not installed, so git history could not be checked."
            )
        )
        return
    repo = find_repo(path)
    if repo is None:
        report.findings.append(
            _finding(
                HISTORY_CHECK,
                target,
                Status.SKIPPED,
                Severity.INFO,
                "This folder is not a git repository, so its history could not be checked.",
                detail="If the project lives in git somewhere else, point launchtui at that "
                "clone: keys deleted from the code often survive in old commits.",
            )
        )
        return
    ignore = _ignore_list(options, repo.root, report)
    if not repo.has_commits:
        report.findings.append(
            _finding(
                HISTORY_CHECK,
                target,
                Status.PASS,
                Severity.INFO,
                "This repository has no commits yet, so there is no history to check.",
            )
        )
        return
    walk = walk_history(repo.root, cancel)
    candidates = [
        blob_id
        for blob_id, origin in walk.blobs.items()
        if not origin.path.lower().endswith(BINARY_SUFFIXES)
    ]
    sizes = blob_sizes(repo.root, candidates)
    to_read: list[bytes] = []
    missing = 0
    for blob_id in candidates:
        size = sizes.get(blob_id)
        if size is None:
            missing += 1
        elif size > options.size_cap:
            origin = walk.blobs[blob_id]
            report.skipped.append(
                SkippedFile(
                    display_path(origin.path),
                    SkipReason.TOO_LARGE,
                    f"larger than {options.size_cap:,} bytes",
                    size,
                    walk.commits[origin.commit].sha,
                )
            )
        else:
            to_read.append(blob_id)
    binary = 0
    by_secret: dict[tuple[str, str], _HistoryHit] = {}

    def contents() -> Iterator[tuple[bytes, str, bytes]]:
        nonlocal binary
        for blob_id, content in stream_blobs(repo.root, to_read, cancel):
            text = as_scannable_text(content)
            if text is None:
                binary += 1
                continue
            report.stats.blobs += 1
            report.stats.bytes_scanned += len(text)
            yield blob_id, display_path(walk.blobs[blob_id].path), text

    for blob_id, hits in _scan_all(contents(), options, cancel, report):
        origin = walk.blobs[blob_id]
        shown = display_path(origin.path)
        for hit in hits:
            key = (hit.rule.id, hit.fingerprint)
            seen = by_secret.get(key)
            if seen is None:
                by_secret[key] = _HistoryHit(hit, origin.commit, shown, origin.paths)
                continue
            seen.places += origin.paths
            if origin.commit > seen.commit:  # older: closer to where it was introduced
                seen.hit, seen.commit, seen.path = hit, origin.commit, shown
    if binary:
        report.notes.append(f"{_plural(binary, 'binary file version')} in history skipped.")
    if missing:
        report.notes.append(
            f"{_plural(missing, 'file version')} in history could not be read (not downloaded "
            "in this clone)."
        )
    findings = [_history_finding(found, walk.commits) for found in by_secret.values()]
    findings.sort(key=lambda finding: (finding.evidence.get("date", ""), finding.target))
    if not findings:
        findings.append(
            _finding(
                HISTORY_CHECK,
                target,
                Status.PASS,
                Severity.INFO,
                f"No keys or passwords found anywhere in your git history "
                f"({_plural(len(walk.commits), 'commit')}, "
                f"{_plural(report.stats.blobs, 'file version')}).",
                evidence={"commits": len(walk.commits), "blobs": report.stats.blobs},
            )
        )
    if repo.shallow:
        findings.append(
            _finding(
                HISTORY_CHECK,
                target,
                Status.WARN,
                Severity.LOW,
                "This is a shallow clone, so only recent history was checked: keys in older "
                "commits would go unnoticed.",
                detail=f"Only {_plural(len(walk.commits), 'commit')} are in this clone. A key in "
                "the oldest of them may have been added earlier than shown.",
                fix="Run `git fetch --unshallow` (or check a full clone) and run the check again.",
            )
        )
    coverage = _coverage_finding(HISTORY_CHECK, target, report.skipped)
    if coverage is not None:
        findings.append(coverage)
    report.findings.extend(apply_ignore(findings, ignore))


def _history_finding(found: _HistoryHit, commits: list[Commit]) -> Finding:
    commit = commits[found.commit]
    short = commit.sha[:7]
    date = commit.date[:10]
    others = found.places - 1
    extra = (
        "Deleting it in a later commit does not remove it: every clone of the repository "
        "still has this commit."
    )
    if others > 0:
        extra += f" The same key appears in {_plural(others, 'other place')} in history."
    return _secret_finding(
        HISTORY_CHECK,
        found.hit,
        found.path,
        summary=found.hit.rule.summary_where(
            f"in your git history (added in commit {short} on {date})"
        ),
        where=f"in commit {short} ({date})",
        extra_detail=extra,
        extra_evidence={"commit": short, "commit_full": commit.sha, "date": commit.date},
    )


# -- secrets.env-file -----------------------------------------------------------------------


def _is_secret_env_file(path: bytes) -> bool:
    name = base_name(display_path(path))
    return (
        is_env_file_name(name)
        and not is_env_template_name(name)
        and name not in COMMITTABLE_ENV_FILES
    )


def _env_fingerprint(path: str) -> str:
    return fingerprint(f"env-file:{path}")


def _env_file_is_empty(full: Path) -> bool:
    try:
        text = full.read_bytes()[:65536]
    except OSError:
        return False
    lines = [line.strip() for line in text.splitlines()]
    return all(not line or line.startswith(b"#") for line in lines)


def _env_file_body(
    path: Path, options: ScanOptions, cancel: threading.Event | None, report: ScanReport
) -> None:
    target = str(path)
    repo = find_repo(path)
    if repo is None:
        report.findings.append(
            _finding(
                ENV_FILE_CHECK,
                target,
                Status.SKIPPED,
                Severity.INFO,
                "This folder is not a git repository, so we cannot tell whether .env files "
                "are committed.",
            )
        )
        return
    root = repo.root
    ignore = _ignore_list(options, root, report)
    if repo.bare:  # no working tree: what is committed on HEAD, and nothing untracked
        listing = (
            run_git(root, "ls-tree", "-r", "-z", "--name-only", "HEAD") if repo.has_commits else b""
        )
        tracked, untracked = split_nul(listing), []
    else:
        tracked = split_nul(run_git(root, "ls-files", "-z", "--cached"))
        untracked = split_nul(run_git(root, "ls-files", "-z", "--others", "--exclude-standard"))
    tracked_env = list(dict.fromkeys(item for item in tracked if _is_secret_env_file(item)))
    untracked_env = [item for item in untracked if _is_secret_env_file(item)]
    # `git check-ignore` says which paths match an ignore rule: with --no-index even files
    # git already tracks (listed in .gitignore too late), without it the untracked ones.
    ignored_but_tracked = set() if repo.bare else _check_ignore(root, tracked_env, no_index=True)
    not_ignored = [item for item in untracked_env if item not in _check_ignore(root, untracked_env)]
    findings: list[Finding] = []
    for item in tracked_env:
        shown = display_path(item)
        name = base_name(shown)
        empty = _env_file_is_empty(root / shown)
        listed = (
            " It is listed in .gitignore, but git keeps tracking a file once it has been "
            "committed, so the ignore rule does nothing for it."
            if item in ignored_but_tracked
            else ""
        )
        findings.append(
            _finding(
                ENV_FILE_CHECK,
                shown,
                Status.WARN if empty else Status.FAIL,
                Severity.LOW if empty else Severity.HIGH,
                f"Your {name} file is committed to git"
                + (
                    ", though it is empty for now."
                    if empty
                    else ": everyone who can read the repository can read every password and "
                    "key in it."
                ),
                detail=f"{shown} is tracked by git.{listed}",
                evidence={"path": shown, "fingerprint": _env_fingerprint(shown), "tracked": True},
                fix=f"Rotate every key and password in {name} first. Then run "
                f"`git rm --cached {shown}`, add `{name}` to .gitignore and commit; keep a "
                ".env.example with placeholder values for your team instead.",
                refs=(REMOVE_FROM_HISTORY,),
            )
        )
    for item in not_ignored:
        shown = display_path(item)
        name = base_name(shown)
        findings.append(
            _finding(
                ENV_FILE_CHECK,
                shown,
                Status.FAIL,
                Severity.MEDIUM,
                f"Your {name} file is not ignored by git, so the next `git add .` will publish "
                "every key in it.",
                detail=f"{shown} is on disk, not committed yet, and no .gitignore rule covers it.",
                evidence={"path": shown, "fingerprint": _env_fingerprint(shown), "tracked": False},
                fix="Add `.env*` and `!.env.example` to your .gitignore (or the file's name), "
                "then check `git status` no longer lists it.",
            )
        )
    current = set(tracked_env)
    past: dict[bytes, Commit] = {}
    for item, commit in env_files_in_history(root):
        if item not in current and _is_secret_env_file(item):
            past[item] = commit  # oldest addition wins: the walk lists newest first
    for item, commit in past.items():
        shown = display_path(item)
        name = base_name(shown)
        findings.append(
            _finding(
                ENV_FILE_CHECK,
                shown,
                Status.FAIL,
                Severity.HIGH,
                f"A {name} file was committed in the past (commit {commit.sha[:7]}, "
                f"{commit.date[:10]}) and is still in your git history, even though it is no "
                "longer in your code.",
                detail=f"{shown} was added in commit {commit.sha[:7]}. Deleting a file does "
                "not remove it from history: every clone still has it.",
                evidence={
                    "path": shown,
                    "fingerprint": _env_fingerprint(shown),
                    "commit": commit.sha[:7],
                    "date": commit.date,
                },
                fix=f"Rotate every key and password that was ever in {name}: assume they are "
                "known. Then, if the repository is or will be shared, remove the file from "
                "history with git filter-repo.",
                refs=(REMOVE_FROM_HISTORY,),
            )
        )
    if not findings:
        findings.append(
            _finding(
                ENV_FILE_CHECK,
                target,
                Status.PASS,
                Severity.INFO,
                "No .env files are committed, and every .env file on disk is ignored by git.",
            )
        )
    report.findings.extend(apply_ignore(findings, ignore))


def _check_ignore(root: Path, paths: list[bytes], *, no_index: bool = False) -> set[bytes]:
    """Which of `paths` match a .gitignore rule (exit 1 from git means "none of them")."""
    if not paths:
        return set()
    args = ["check-ignore", "-z", "--stdin"]
    if no_index:
        args.insert(1, "--no-index")
    output = run_git(root, *args, stdin=b"\0".join(paths) + b"\0", ok_codes=(0, 1))
    return set(split_nul(output))


# -- secrets.bundle -------------------------------------------------------------------------


def _bundle_severity(rule: Rule, hit: Hit) -> Severity | None:
    """How bad a match is in a browser bundle; None when the key is meant to be public."""
    if rule.in_browser is None:
        return None
    if hit.severity.rank < rule.severity.rank:
        return hit.severity  # a validator judged it less risky (expired, encrypted)
    return max(rule.in_browser, hit.severity, key=lambda severity: severity.rank)


def _bundle_body(
    path: Path, options: ScanOptions, cancel: threading.Event | None, report: ScanReport
) -> None:
    target = str(path)
    try:
        repo = find_repo(path)
    except GitError:
        repo = None
    ignore = _ignore_list(options, repo.root if repo else path, report)
    bundle_dirs = find_bundle_dirs(path)
    if not bundle_dirs:
        report.findings.append(
            _finding(
                BUNDLE_CHECK,
                target,
                Status.SKIPPED,
                Severity.INFO,
                "No build output found (dist/, build/, .next/, out/…), so there was no website "
                "bundle to check.",
                fix="Run your production build, then run this check again to see exactly what "
                "browsers will download.",
            )
        )
        return
    findings: list[Finding] = []
    publishable: dict[str, int] = {}
    shown_dirs = ", ".join(display_path(item) + "/" for item in bundle_dirs)

    def contents() -> Iterator[tuple[tuple[str, str], str, bytes]]:
        for bundle_dir in bundle_dirs:
            dir_shown = display_path(bundle_dir)
            files = bundle_files(path, bundle_dir)
            for item in read_files(path, files, options.bundle_size_cap, report.skipped, cancel):
                text = as_scannable_text(item.content)
                if text is None:
                    continue
                report.stats.files += 1
                report.stats.bytes_scanned += len(text)
                shown = display_path(item.path)
                yield (dir_shown, shown), shown, text

    for (dir_shown, shown), hits in _scan_all(contents(), options, cancel, report):
        for hit in hits:
            severity = _bundle_severity(hit.rule, hit)
            if severity is None:
                publishable[hit.rule.title] = publishable.get(hit.rule.title, 0) + 1
                continue
            findings.append(
                _secret_finding(
                    BUNDLE_CHECK,
                    hit,
                    shown,
                    summary=hit.rule.summary_where(
                        f"in your website's build output ({dir_shown}/), which every "
                        "visitor's browser downloads"
                    ),
                    where="in build output",
                    severity=severity,
                    extra_detail="Browsers download this file, so anyone can read it with "
                    "their browser's developer tools. Server-only keys must never be "
                    "imported by front-end code or exposed through public environment "
                    "variables (NEXT_PUBLIC_, VITE_, REACT_APP_).",
                    extra_evidence={"bundle_dir": dir_shown},
                )
            )
    public_note = ""
    if publishable:
        listed = ", ".join(f"{_plural(count, title)}" for title, count in publishable.items())
        public_note = (
            f" Also found {listed}, which are meant to be public in a website: make sure "
            "they are restricted to your domains."
        )
    if not findings and not report.stats.files:
        findings.append(
            _finding(
                BUNDLE_CHECK,
                target,
                Status.SKIPPED,
                Severity.INFO,
                f"Build folders were found ({shown_dirs}) but hold no web files, so there was "
                "no website bundle to check.",
            )
        )
    elif not findings:
        findings.append(
            _finding(
                BUNDLE_CHECK,
                target,
                Status.PASS,
                Severity.INFO,
                f"No secret keys in your build output ({shown_dirs}; "
                f"{_plural(report.stats.files, 'file')} checked).",
                detail=public_note.strip(),
                evidence={"bundle_dirs": [display_path(item) for item in bundle_dirs]},
            )
        )
    elif public_note:
        report.notes.append(public_note.strip())
    coverage = _coverage_finding(BUNDLE_CHECK, target, report.skipped)
    if coverage is not None:
        findings.append(coverage)
    report.findings.extend(apply_ignore(findings, ignore))


# -- running checks ---------------------------------------------------------------------------

_BODIES = {
    TREE_CHECK: _tree_body,
    HISTORY_CHECK: _history_body,
    ENV_FILE_CHECK: _env_file_body,
    BUNDLE_CHECK: _bundle_body,
}


def run_check(
    check: str,
    path: Path,
    options: ScanOptions | None = None,
    cancel: threading.Event | None = None,
) -> ScanReport:
    """Run one check synchronously (in the calling thread). Never raises but `Cancelled`."""
    return _guarded(check, Path(path), options or ScanOptions(), cancel, _BODIES[check])


def scan_repository_sync(
    path: Path,
    *,
    history: bool = True,
    options: ScanOptions | None = None,
    cancel: threading.Event | None = None,
) -> ScanReport:
    """Every secret check over one project, merged so each key is reported once."""
    options = options or ScanOptions()
    started = time.perf_counter()
    reports = {
        check: run_check(check, path, options, cancel)
        for check in CHECK_IDS
        if history or check != HISTORY_CHECK
    }
    merged = ScanReport()
    for report in reports.values():
        merged.extend(report)
    merged.findings = _merge_duplicates(merged.findings, str(path))
    merged.stats.seconds = time.perf_counter() - started
    return merged


def _merge_duplicates(findings: list[Finding], target: str) -> list[Finding]:
    """One finding per key: the same value in the tree, in history and in a bundle.

    A key in the working tree is also in history (once committed), so the history finding
    only adds when it came in: that goes into the tree finding's detail. A key in a bundle
    that git also tracks stays a bundle finding, the more urgent of the two.
    """
    secret_checks = {TREE_CHECK, HISTORY_CHECK, BUNDLE_CHECK}

    def key(finding: Finding) -> str | None:
        if finding.check not in secret_checks or finding.status is not Status.FAIL:
            return None
        value = finding.evidence.get("fingerprint")
        return value if isinstance(value, str) else None

    in_bundle = {
        (finding.evidence.get("path"), finding.evidence.get("line"), key(finding))
        for finding in findings
        if finding.check == BUNDLE_CHECK and key(finding)
    }
    history = {key(finding): finding for finding in findings if finding.check == HISTORY_CHECK}
    in_tree = {key(finding) for finding in findings if finding.check == TREE_CHECK and key(finding)}
    merged: list[Finding] = []
    for finding in findings:
        fingerprint_key = key(finding)
        if finding.check == TREE_CHECK and fingerprint_key:
            spot = (finding.evidence.get("path"), finding.evidence.get("line"), fingerprint_key)
            if spot in in_bundle:
                continue
            past = history.get(fingerprint_key)
            if past is not None:
                commit, date = past.evidence.get("commit"), str(past.evidence.get("date", ""))
                since = (
                    f"It has been in git history since commit {commit} ({date[:10]}), so "
                    "rotating it matters more than deleting it."
                )
                head, marker, tail = finding.detail.partition(" If you have checked it")
                finding = replace(
                    finding,
                    detail=f"{head} {since}{marker}{tail}",
                    evidence={**finding.evidence, "commit": commit, "date": date},
                )
        if finding.check == HISTORY_CHECK and fingerprint_key in in_tree:
            continue
        merged.append(finding)
    if any(finding.check == HISTORY_CHECK for finding in findings) and not any(
        finding.check == HISTORY_CHECK for finding in merged
    ):
        merged.append(
            _finding(
                HISTORY_CHECK,
                target,
                Status.PASS,
                Severity.INFO,
                "Git history holds no keys beyond those still in your code (listed under the "
                "working-tree check).",
            )
        )
    return merged


async def _in_thread(function: Callable[..., ScanReport], *args: Any, **kwargs: Any) -> ScanReport:
    """Run blocking scan work in a thread; on cancellation, tell it to stop at the next file."""
    cancel = threading.Event()
    try:
        return await asyncio.to_thread(function, *args, cancel=cancel, **kwargs)
    except asyncio.CancelledError:
        cancel.set()
        raise


async def scan_repository(
    path: Path,
    *,
    history: bool = True,
    size_cap: int = DEFAULT_SIZE_CAP,
    bundle_size_cap: int = DEFAULT_BUNDLE_SIZE_CAP,
    ignore_file: Path | None = None,
) -> ScanReport:
    """All secret checks over `path`: findings (each key once), skipped files, and stats."""
    options = ScanOptions(
        size_cap=size_cap, bundle_size_cap=bundle_size_cap, ignore_file=ignore_file
    )
    return await _in_thread(scan_repository_sync, Path(path), history=history, options=options)


async def scan_check(check: str, path: Path, options: ScanOptions | None = None) -> ScanReport:
    """One check's full report (findings, skipped files, stats), off the event loop."""
    return await _in_thread(run_check, check, Path(path), options)


async def check_secrets_tree(
    repo: Path, *, size_cap: int = DEFAULT_SIZE_CAP, ignore_file: Path | None = None
) -> list[Finding]:
    options = ScanOptions(size_cap=size_cap, ignore_file=ignore_file)
    return (await scan_check(TREE_CHECK, repo, options)).findings


async def check_secrets_history(
    repo: Path, *, size_cap: int = DEFAULT_SIZE_CAP, ignore_file: Path | None = None
) -> list[Finding]:
    options = ScanOptions(size_cap=size_cap, ignore_file=ignore_file)
    return (await scan_check(HISTORY_CHECK, repo, options)).findings


async def check_secrets_env_file(repo: Path, *, ignore_file: Path | None = None) -> list[Finding]:
    return (await scan_check(ENV_FILE_CHECK, repo, ScanOptions(ignore_file=ignore_file))).findings


async def check_secrets_bundle(
    repo: Path,
    *,
    bundle_size_cap: int = DEFAULT_BUNDLE_SIZE_CAP,
    ignore_file: Path | None = None,
) -> list[Finding]:
    options = ScanOptions(bundle_size_cap=bundle_size_cap, ignore_file=ignore_file)
    return (await scan_check(BUNDLE_CHECK, repo, options)).findings
