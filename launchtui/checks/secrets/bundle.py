"""secrets.bundle: keys shipped to browsers.

Build output browsers download (dist/, build/, .next/static, out/…) is read even when git
ignores it; a publishable key there is normal and only noted, a secret key is critical.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
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
    GitError,
    bundle_files,
    display_path,
    find_bundle_dirs,
    find_repo,
    read_files,
)

if TYPE_CHECKING:
    # annotations only: worker processes import this package (see running.py)
    from ...context import CheckContext

BUNDLE = CheckSpec("secrets.bundle", "Keys shipped to browsers", Severity.CRITICAL)


@register(BUNDLE)
async def check_secrets_bundle(context: CheckContext) -> list[Finding]:
    return await scan_project(context, BUNDLE, _bundle_body)


def _bundle_body(
    path: Path, options: ScanOptions, cancel: threading.Event | None, report: ScanReport
) -> None:

    target = str(path)
    try:
        repo = find_repo(path)
    except GitError:
        repo = None
    ignore = ignore_list(options, repo.root if repo else path, report)
    bundle_dirs = find_bundle_dirs(path)
    if not bundle_dirs:
        report.findings.append(
            BUNDLE.finding(
                target,
                Status.SKIPPED,
                "No build output found (dist/, build/, .next/, out/…), so there was no website "
                "bundle to check.",
                severity=Severity.INFO,
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

    for (dir_shown, shown), hits in scan_all(contents(), options, cancel, report):
        for hit in hits:
            severity = hit.severity_in_public
            if severity is None:
                publishable[hit.rule.title] = publishable.get(hit.rule.title, 0) + 1
                continue
            findings.append(
                secret_finding(
                    BUNDLE,
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
        listed = ", ".join(f"{plural(count, title)}" for title, count in publishable.items())
        public_note = (
            f" Also found {listed}, which are meant to be public in a website: make sure "
            "they are restricted to your domains."
        )
    if not findings and not report.stats.files:
        findings.append(
            BUNDLE.finding(
                target,
                Status.SKIPPED,
                f"Build folders were found ({shown_dirs}) but hold no web files, so there was "
                "no website bundle to check.",
                severity=Severity.INFO,
            )
        )
    elif not findings:
        findings.append(
            BUNDLE.finding(
                target,
                Status.PASS,
                f"No secret keys in your build output ({shown_dirs}; "
                f"{plural(report.stats.files, 'file')} checked).",
                detail=public_note.strip(),
                evidence={"bundle_dirs": [display_path(item) for item in bundle_dirs]},
            )
        )
    elif public_note:
        report.notes.append(public_note.strip())
    coverage = coverage_finding(BUNDLE, target, report.skipped)
    if coverage is not None:
        findings.append(coverage)
    report.findings.extend(apply_ignore(findings, ignore))
