"""secrets.env-file: .env files kept out of git.

Committed `.env` files (not `.env.example` and other templates), `.env` files git does not
ignore, and `.env` files deleted from the code but still in history.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ...findings import Finding, Severity, Status
from ..registry import CheckSpec, register
from .ignore import apply_ignore
from .redact import fingerprint
from .report import ScanOptions, ScanReport
from .rules import REMOVE_FROM_HISTORY
from .running import ignore_list, scan_project
from .scanner import base_name, is_env_file_name, is_env_template_name
from .sources import (
    Commit,
    display_path,
    env_files_in_history,
    find_repo,
    run_git,
    split_nul,
)

if TYPE_CHECKING:
    # annotations only: worker processes import this package (see running.py)
    from ...context import CheckContext

ENV_FILE = CheckSpec("secrets.env-file", ".env files kept out of git", Severity.HIGH)
# Meant to be committed: dotenv-vault's encrypted file.
COMMITTABLE_ENV_FILES = frozenset({".env.vault"})


@register(ENV_FILE)
async def check_secrets_env_file(context: CheckContext) -> list[Finding]:
    return await scan_project(context, ENV_FILE, _env_file_body)


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
            ENV_FILE.finding(
                target,
                Status.SKIPPED,
                "This folder is not a git repository, so we cannot tell whether .env files "
                "are committed.",
                severity=Severity.INFO,
            )
        )
        return
    root = repo.root
    ignore = ignore_list(options, root, report)
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
            ENV_FILE.finding(
                shown,
                Status.WARN if empty else Status.FAIL,
                f"Your {name} file is committed to git"
                + (
                    ", though it is empty for now."
                    if empty
                    else ": everyone who can read the repository can read every password and "
                    "key in it."
                ),
                severity=Severity.LOW if empty else Severity.HIGH,
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
            ENV_FILE.finding(
                shown,
                Status.FAIL,
                f"Your {name} file is not ignored by git, so the next `git add .` will publish "
                "every key in it.",
                severity=Severity.MEDIUM,
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
            ENV_FILE.finding(
                shown,
                Status.FAIL,
                f"A {name} file was committed in the past (commit {commit.sha[:7]}, "
                f"{commit.date[:10]}) and is still in your git history, even though it is no "
                "longer in your code.",
                severity=Severity.HIGH,
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
            ENV_FILE.finding(
                target,
                Status.PASS,
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
