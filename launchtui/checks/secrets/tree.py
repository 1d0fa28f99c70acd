"""secrets.tree: keys in the project's files, as they are now.

Tracked files and untracked files git does not ignore are read (every file when the folder
is not a git repository, which a finding says plainly); build output is left to
secrets.bundle, which reads it with its own, larger size limit.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ...findings import Finding, Severity, Status
from ..registry import CheckSpec, register
from .findings import coverage_finding, plural, secret_finding
from .ignore import apply_ignore
from .report import ScanOptions, ScanReport
from .running import ignore_list, scan_all, scan_project
from .scanner import as_scannable_text
from .sources import (
    BUNDLE_DIRS,
    DEPENDENCY_DIRS,
    GitError,
    SkippedFile,
    SkipReason,
    bundle_files,
    display_path,
    find_bundle_dirs,
    find_repo,
    git_tree_files,
    read_files,
    run_git,
    walk_files,
)

if TYPE_CHECKING:
    # annotations only: worker processes import this package (see running.py)
    from ...context import CheckContext

TREE = CheckSpec("secrets.tree", "Keys in the code", Severity.CRITICAL)


@register(TREE)
async def check_secrets_tree(context: CheckContext) -> list[Finding]:
    return await scan_project(context, TREE, _tree_body)


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
            TREE.finding(
                target,
                Status.SKIPPED,
                "This is a bare git repository: it has no working files to check.",
                severity=Severity.INFO,
            )
        )
        return
    ignore = ignore_list(options, repo.root if repo else path, report)
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

    for shown, hits in scan_all(contents(), options, cancel, report):
        for hit in hits:
            findings.append(
                secret_finding(
                    TREE,
                    hit,
                    shown,
                    summary=hit.rule.summary,
                    where="in your working tree",
                )
            )
    if not findings:
        findings.append(
            TREE.finding(
                target,
                Status.PASS,
                f"No keys, tokens or passwords found in the {plural(report.stats.files, 'file')}"
                " of your project.",
                detail=(
                    "Checked tracked files and new files git does not ignore"
                    + (
                        f"; {plural(left_to_bundle, 'build output file')} in dist/, build/… "
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
            TREE.finding(
                target,
                Status.SKIPPED,
                "This folder is ignored by the git repository around it, so every file in "
                "it was read as it is on disk."
                if ignored_folder
                else "This folder is not a git repository, so only the files on disk were "
                "checked: git history could not be checked.",
                severity=Severity.INFO,
                detail="Dependency and build folders (node_modules, .venv, dist, build…) were "
                "left out; the build-output check looks at build folders separately.",
            )
        )
    coverage = coverage_finding(TREE, target, report.skipped)
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
