"""Leaked keys: the secret scanner core (no UI, no CLI).

Four checks, registered like every other and run by the engine:

- `secrets.tree` (`tree`): tracked files and untracked files git does not ignore (every
  file when the folder is not a git repository, which a finding says plainly).
- `secrets.history` (`history`): every unique blob reachable from any ref, scanned once,
  attributed to the commit and path that introduced it.
- `secrets.env-file` (`env_file`): committed `.env` files (not `.env.example`), `.env`
  files git does not ignore, and `.env` files deleted from the code but still in history.
- `secrets.bundle` (`bundle`): build output browsers download (dist/, build/,
  .next/static, out/…), even when git ignores it; publishable keys there are normal,
  secret keys are critical.

They read `context.repo`. A key seen by several of them (in the code and in history) is
reported once, by the engine's run-wide fold (`repository.report_each_key_once`), so
`launchtui check` and `launchtui scan` report one repository the same way.

How to call it on a folder alone:

    report = await scan_repository(Path("."), history=True, size_cap=2 * 1024 * 1024)
    report.findings, report.skipped, report.stats  # stats: files, blobs, bytes, seconds

or one check: `await scan_check(TREE_CHECK, path, ScanOptions(...))`.

None of these raise for what a scan expects (a missing folder, a damaged repository):
those become `Status.ERROR` findings, and the engine turns anything else into one too.
The blocking work runs in a worker thread and stops at the next file or blob when the
awaiting task is cancelled. Past 24 MiB of content, matching moves to worker processes
(one per core, at most four, "spawn" start method: the program's main script must guard
its entry point with `if __name__ == "__main__"`, as console scripts and `python -m` do);
`ScanOptions(workers=1)` keeps everything in one process.

Findings never contain a secret: only a redaction such as `sk_l…(107 chars) #1a2b3c4d`
and a 16-hex fingerprint (see `redact`), which is what `.launchtui-ignore` lists to accept
a finding. Rule ids (`RULES_BY_ID`) are a public contract, like check ids.
"""

from __future__ import annotations

# isort: off
# The checks' modules, imported (so registered) in the order `scan` runs them and reports
# their findings: the code as it is, its history, .env files, then what browsers download.
from .tree import TREE
from .history import HISTORY
from .env_file import ENV_FILE
from .bundle import BUNDLE

# isort: on
from .ignore import IGNORE_FILE_NAME, load_ignore_file, parse_ignore_text
from .redact import fingerprint, redact
from .report import (
    DEFAULT_BUNDLE_SIZE_CAP,
    DEFAULT_SIZE_CAP,
    ScanOptions,
    ScanReport,
    ScanStats,
)
from .repository import scan_check, scan_repository
from .rules import RULES, RULES_BY_ID, Rule
from .scanner import Hit, Scanner
from .sources import SkippedFile, SkipReason

TREE_CHECK = TREE.id
HISTORY_CHECK = HISTORY.id
ENV_FILE_CHECK = ENV_FILE.id
BUNDLE_CHECK = BUNDLE.id

__all__ = [
    "BUNDLE_CHECK",
    "DEFAULT_BUNDLE_SIZE_CAP",
    "DEFAULT_SIZE_CAP",
    "ENV_FILE_CHECK",
    "HISTORY_CHECK",
    "IGNORE_FILE_NAME",
    "RULES",
    "RULES_BY_ID",
    "TREE_CHECK",
    "Hit",
    "Rule",
    "ScanOptions",
    "ScanReport",
    "ScanStats",
    "Scanner",
    "SkipReason",
    "SkippedFile",
    "fingerprint",
    "load_ignore_file",
    "parse_ignore_text",
    "redact",
    "scan_check",
    "scan_repository",
]
