"""One project scanned for every leaked key: the secret checks together, each key once.

`launchtui scan` and `launchtui check` report a repository the same way: both run the
secret checks through the engine, and the engine applies `report_each_key_once` to every
run's findings.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ...findings import Finding, Status
from ..registry import after_every_run, registered_checks
from .bundle import BUNDLE
from .history import HISTORY
from .report import (
    DEFAULT_BUNDLE_SIZE_CAP,
    DEFAULT_SIZE_CAP,
    RepositoryScan,
    ScanOptions,
    ScanReport,
)
from .tree import TREE

if TYPE_CHECKING:
    from ...context import CheckContext

# The runbook stage `launchtui scan` reports under: a scan is the security stage's look at
# the repository, run on its own.
SCAN_STAGE = "security"


async def scan_repository(
    path: Path,
    *,
    history: bool = True,
    size_cap: int = DEFAULT_SIZE_CAP,
    bundle_size_cap: int = DEFAULT_BUNDLE_SIZE_CAP,
    ignore_file: Path | None = None,
) -> ScanReport:
    """Every secret check over `path` (git history only with `history`): findings, each key
    once, and what was skipped, noted and measured."""
    options = ScanOptions(
        size_cap=size_cap, bundle_size_cap=bundle_size_cap, ignore_file=ignore_file
    )
    check_ids = [check for check in secret_checks() if history or check != HISTORY.id]
    return await scan_with(Path(path), check_ids, options)


async def scan_check(check: str, path: Path, options: ScanOptions | None = None) -> ScanReport:
    """One secret check's full report over `path`."""
    return await scan_with(Path(path), [check], options or ScanOptions())


def secret_checks() -> list[str]:
    """The ids of every secret check, in the order they are registered."""
    from .. import all_checks

    return [check for check in all_checks() if check.startswith("secrets.")]


async def scan_with(path: Path, check_ids: list[str], options: ScanOptions) -> ScanReport:
    """Run `check_ids` over `path` through the engine, one after another (each reads the
    disk as fast as it can), with no time limit but the checks' own."""
    # Imported here, not above: worker processes import this package to match keys, and
    # the engine would bring the HTTP and DNS clients into every one of them (0.4 s each).
    from ...context import context_for_repository
    from ...engine import run_checks
    from ...runbook import default_profile_id, load_profiles

    profile = load_profiles()[default_profile_id()]
    context = context_for_repository(path, profile)
    scan = context.run_state(RepositoryScan)
    scan.options = options
    specs = registered_checks()
    started = time.perf_counter()
    result = await run_checks(
        context,
        [specs[check] for check in check_ids],
        stages=dict.fromkeys(check_ids, SCAN_STAGE),
        concurrency=1,
        time_limit=None,
    )
    stats = scan.stats
    stats.seconds = time.perf_counter() - started
    return ScanReport(result.findings, scan.skipped, stats, scan.notes)


@after_every_run
def report_each_key_once(context: CheckContext, findings: list[Finding]) -> list[Finding]:
    """A key in the code, in history and in a bundle is reported once, whoever runs the
    checks (`check`, `scan`, the app)."""
    return merge_repeated_keys(findings, str(context.repo))


def merge_repeated_keys(findings: list[Finding], target: str) -> list[Finding]:
    """One finding per key: the same value in the tree, in history and in a bundle.

    A key in the working tree is also in history (once committed), so the history finding
    only adds when it came in: that goes into the tree finding's detail. A key in a bundle
    that git also tracks stays a bundle finding, the more urgent of the two.
    """
    secret_checks = {TREE.id, HISTORY.id, BUNDLE.id}

    def key(finding: Finding) -> str | None:
        if finding.check not in secret_checks or finding.status is not Status.FAIL:
            return None
        value = finding.evidence.get("fingerprint")
        return value if isinstance(value, str) else None

    in_bundle = {
        (finding.evidence.get("path"), finding.evidence.get("line"), key(finding))
        for finding in findings
        if finding.check == BUNDLE.id and key(finding)
    }
    history = {key(finding): finding for finding in findings if finding.check == HISTORY.id}
    in_tree = {key(finding) for finding in findings if finding.check == TREE.id and key(finding)}
    merged: list[Finding] = []
    for finding in findings:
        fingerprint_key = key(finding)
        if finding.check == TREE.id and fingerprint_key:
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
        if finding.check == HISTORY.id and fingerprint_key in in_tree:
            continue
        merged.append(finding)
    if any(finding.check == HISTORY.id for finding in findings) and not any(
        finding.check == HISTORY.id for finding in merged
    ):
        merged.append(
            HISTORY.finding(
                target,
                Status.PASS,
                "Git history holds no keys beyond those still in your code (listed under the "
                "working-tree check).",
            )
        )
    return merged
