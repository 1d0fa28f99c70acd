"""Leaked keys: the secret scanner core (no UI, no CLI).

Four checks, all in stage "security":

- `secrets.tree`: tracked files and untracked files git does not ignore (every file when
  the folder is not a git repository, which a finding says plainly).
- `secrets.history`: every unique blob reachable from any ref, scanned once, attributed
  to the commit and path that introduced it.
- `secrets.env-file`: committed `.env` files (not `.env.example`), `.env` files git does not
  ignore, and `.env` files deleted from the code but still in history.
- `secrets.bundle`: build output browsers download (dist/, build/, .next/static, out/…),
  even when git ignores it; publishable keys there are normal, secret keys are critical.

How to call it:

    report = await scan_repository(Path("."), history=True, size_cap=2 * 1024 * 1024)
    report.findings, report.skipped, report.stats  # stats: files, blobs, bytes, seconds

or one check at a time, for the engine: `await check_secrets_tree(path)` (likewise
`check_secrets_history`, `check_secrets_env_file`, `check_secrets_bundle`) returns
`list[Finding]`; `await scan_check(check_id, path, ScanOptions(...))` returns the full
`ScanReport`. `ENGINE_CHECKS` pairs each check's `CheckSpec` with a function of a
`CheckContext` (it reads `context.repo`), ready for `register(spec)(function)`.

None of these raise (cancellation aside): problems become `Status.ERROR` findings. The
blocking work runs in a worker thread and stops at the next file or blob when the
awaiting task is cancelled. Past 24 MiB of content, matching moves to worker processes
(one per core, at most four, "spawn" start method: the program's main script must guard
its entry point with `if __name__ == "__main__"`, as console scripts and `python -m` do);
`ScanOptions(workers=1)` keeps everything in one process.

Findings never contain a secret: only a redaction such as `sk_l…(107 chars) #1a2b3c4d`
and a 16-hex fingerprint (see `redact`), which is what `.launchtui-ignore` lists to accept
a finding. Rule ids (`RULES_BY_ID`) are a public contract, like check ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...findings import Finding, Severity, Status
from ..registry import CheckFunction, CheckSpec, register
from .checks import (
    BUNDLE_CHECK,
    CHECK_IDS,
    DEFAULT_BUNDLE_SIZE_CAP,
    DEFAULT_SIZE_CAP,
    ENV_FILE_CHECK,
    HISTORY_CHECK,
    TREE_CHECK,
    ScanOptions,
    ScanReport,
    ScanStats,
    check_secrets_bundle,
    check_secrets_env_file,
    check_secrets_history,
    check_secrets_tree,
    run_check,
    scan_check,
    scan_repository,
    scan_repository_sync,
)
from .ignore import IGNORE_FILE_NAME, load_ignore_file, parse_ignore_text
from .redact import fingerprint, redact
from .rules import RULES, RULES_BY_ID, Rule
from .scanner import Hit, Scanner
from .sources import SkippedFile, SkipReason

if TYPE_CHECKING:
    from ...context import CheckContext

# Scanning a big repository's whole history is local work that can take minutes; it is
# not held to the per-check limit meant for network checks.
HISTORY_TIME_LIMIT = 900.0
SPECS: dict[str, CheckSpec] = {
    TREE_CHECK: CheckSpec(TREE_CHECK, "Keys in the code", Severity.CRITICAL),
    HISTORY_CHECK: CheckSpec(
        HISTORY_CHECK,
        "Keys in git history",
        Severity.CRITICAL,
        time_limit=HISTORY_TIME_LIMIT,
    ),
    ENV_FILE_CHECK: CheckSpec(ENV_FILE_CHECK, ".env files kept out of git", Severity.HIGH),
    BUNDLE_CHECK: CheckSpec(BUNDLE_CHECK, "Keys shipped to browsers", Severity.CRITICAL),
}


def _for_context(check: str) -> CheckFunction:
    async def run(context: CheckContext) -> list[Finding]:
        if context.repo is None:
            return [
                SPECS[check].finding(
                    "",
                    Status.SKIPPED,
                    "No project folder was given, so the code was not checked for leaked keys.",
                    severity=Severity.INFO,
                    fix="Tell launchtui where the product's repository is (the engagement's "
                    "`repo` setting, or --repo) to check it for leaked keys.",
                )
            ]
        return (await scan_check(check, context.repo)).findings

    run.__name__ = f"check_{check.replace('.', '_').replace('-', '_')}"
    return run


ENGINE_CHECKS: tuple[tuple[CheckSpec, CheckFunction], ...] = tuple(
    (SPECS[check], _for_context(check)) for check in CHECK_IDS
)
for _spec, _run in ENGINE_CHECKS:
    register(_spec)(_run)

__all__ = [
    "BUNDLE_CHECK",
    "CHECK_IDS",
    "DEFAULT_BUNDLE_SIZE_CAP",
    "DEFAULT_SIZE_CAP",
    "ENGINE_CHECKS",
    "ENV_FILE_CHECK",
    "HISTORY_CHECK",
    "IGNORE_FILE_NAME",
    "RULES",
    "RULES_BY_ID",
    "SPECS",
    "TREE_CHECK",
    "Hit",
    "Rule",
    "ScanOptions",
    "ScanReport",
    "ScanStats",
    "Scanner",
    "SkipReason",
    "SkippedFile",
    "check_secrets_bundle",
    "check_secrets_env_file",
    "check_secrets_history",
    "check_secrets_tree",
    "fingerprint",
    "load_ignore_file",
    "parse_ignore_text",
    "redact",
    "run_check",
    "scan_check",
    "scan_repository",
    "scan_repository_sync",
]
