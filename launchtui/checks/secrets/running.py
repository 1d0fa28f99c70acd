"""How every secret check runs: over the run's project folder, in a worker thread, with the
run's scan options, its `.launchtui-ignore` applied, and matching spread over processes
when there is a lot to read.

A check here is a body, `(folder, options, cancel, report) -> None`, that reads files or
git and adds findings to `report`; `scan_project` is what its registered check awaits.
Problems the scan expects (no such folder, git refusing a damaged repository, memory
running out) become findings that say so; anything else is the engine's to report.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ...findings import Finding, Severity, Status
from ..registry import CheckSpec
from .findings import error_finding
from .ignore import IGNORE_FILE_NAME, IgnoreList, load_ignore_file
from .parallel import scan_stream
from .report import RepositoryScan, ScanOptions, ScanReport
from .scanner import Hit
from .sources import GitError

if TYPE_CHECKING:
    # Worker processes import this package to match keys; the run's context (HTTP and DNS
    # clients) stays out of them.
    from ...context import CheckContext

Key = TypeVar("Key")
Body = Callable[[Path, ScanOptions, threading.Event | None, ScanReport], None]


async def scan_project(context: CheckContext, spec: CheckSpec, body: Body) -> list[Finding]:
    """Run one secret check over `context.repo` with the run's options; what it skipped,
    noted and measured is added to the run's `RepositoryScan`."""
    if context.repo is None:
        return [
            spec.finding(
                "",
                Status.SKIPPED,
                "No project folder was given, so the code was not checked for leaked keys.",
                severity=Severity.INFO,
                fix="Tell launchtui where the product's repository is (the engagement's "
                "`repo` setting, or --repo) to check it for leaked keys.",
            )
        ]
    scan = context.run_state(RepositoryScan)
    cancel = threading.Event()
    try:
        report = await asyncio.to_thread(
            run_body, spec, context.repo, scan.options, body, cancel=cancel
        )
    except asyncio.CancelledError:
        cancel.set()  # the thread stops at the next file or blob
        raise
    scan.add(report)
    return report.findings


def run_body(
    spec: CheckSpec,
    path: Path,
    options: ScanOptions,
    body: Body,
    *,
    cancel: threading.Event | None = None,
) -> ScanReport:
    """One check's body over `path`, in the calling thread, timed."""
    report = ScanReport()
    started = time.perf_counter()
    target = str(path)
    try:
        if not path.exists():
            report.findings.append(
                error_finding(spec, target, f"The folder {path} does not exist.")
            )
        elif not path.is_dir():
            report.findings.append(
                error_finding(spec, target, f"{path} is a file, not a project folder.")
            )
        else:
            body(path, options, cancel, report)
    except GitError as error:
        report.findings.append(error_finding(spec, target, str(error)))
    except MemoryError:
        report.findings.append(
            error_finding(spec, target, "The scan ran out of memory and stopped.")
        )
    report.stats.seconds = time.perf_counter() - started
    return report


def ignore_list(options: ScanOptions, root: Path, report: ScanReport) -> IgnoreList:
    ignore = load_ignore_file(options.ignore_file or root / IGNORE_FILE_NAME)
    report.notes.extend(ignore.problems)
    return ignore


def scan_all(
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
