"""secrets.history: keys anywhere in git history, even those deleted from the code since.

Every unique blob reachable from any ref is scanned once and attributed to the commit and
path that introduced it (the oldest commit holding it).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ...findings import Finding, Severity, Status
from ..registry import CheckSpec, register
from .findings import coverage_finding, error_finding, plural, secret_finding
from .ignore import apply_ignore
from .report import ScanOptions, ScanReport
from .running import ignore_list, scan_all, scan_project
from .scanner import Hit, as_scannable_text
from .sources import (
    BINARY_SUFFIXES,
    Commit,
    SkippedFile,
    SkipReason,
    blob_sizes,
    display_path,
    find_repo,
    stream_blobs,
    walk_history,
)

# Scanning a big repository's whole history is local work that can take minutes; it is
# not held to the per-check limit meant for network checks.
HISTORY_TIME_LIMIT = 900.0
HISTORY = CheckSpec(
    "secrets.history", "Keys in git history", Severity.CRITICAL, time_limit=HISTORY_TIME_LIMIT
)

if TYPE_CHECKING:
    # annotations only: worker processes import this package (see running.py)
    from ...context import CheckContext


@register(HISTORY)
async def check_secrets_history(context: CheckContext) -> list[Finding]:
    return await scan_project(context, HISTORY, _history_body)


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
            error_finding(
                HISTORY, target, "git is not installed, so git history could not be checked."
            )
        )
        return
    repo = find_repo(path)
    if repo is None:
        report.findings.append(
            HISTORY.finding(
                target,
                Status.SKIPPED,
                "This folder is not a git repository, so its history could not be checked.",
                severity=Severity.INFO,
                detail="If the project lives in git somewhere else, point launchtui at that "
                "clone: keys deleted from the code often survive in old commits.",
            )
        )
        return
    ignore = ignore_list(options, repo.root, report)
    if not repo.has_commits:
        report.findings.append(
            HISTORY.finding(
                target,
                Status.PASS,
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

    for blob_id, hits in scan_all(contents(), options, cancel, report):
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
        report.notes.append(f"{plural(binary, 'binary file version')} in history skipped.")
    if missing:
        report.notes.append(
            f"{plural(missing, 'file version')} in history could not be read (not downloaded "
            "in this clone)."
        )
    findings = [_history_finding(found, walk.commits) for found in by_secret.values()]
    findings.sort(key=lambda finding: (finding.evidence.get("date", ""), finding.target))
    if not findings:
        findings.append(
            HISTORY.finding(
                target,
                Status.PASS,
                f"No keys or passwords found anywhere in your git history "
                f"({plural(len(walk.commits), 'commit')}, "
                f"{plural(report.stats.blobs, 'file version')}).",
                evidence={"commits": len(walk.commits), "blobs": report.stats.blobs},
            )
        )
    if repo.shallow:
        findings.append(
            HISTORY.finding(
                target,
                Status.WARN,
                "This is a shallow clone, so only recent history was checked: keys in older "
                "commits would go unnoticed.",
                severity=Severity.LOW,
                detail=f"Only {plural(len(walk.commits), 'commit')} are in this clone. A key in "
                "the oldest of them may have been added earlier than shown.",
                fix="Run `git fetch --unshallow` (or check a full clone) and run the check again.",
            )
        )
    coverage = coverage_finding(HISTORY, target, report.skipped)
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
        extra += f" The same key appears in {plural(others, 'other place')} in history."
    return secret_finding(
        HISTORY,
        found.hit,
        found.path,
        summary=found.hit.rule.summary_where(
            f"in your git history (added in commit {short} on {date})"
        ),
        where=f"in commit {short} ({date})",
        extra_detail=extra,
        extra_evidence={"commit": short, "commit_full": commit.sha, "date": commit.date},
    )
