"""`.launchtui-ignore`: fingerprints of findings a founder has looked at and accepted.

One fingerprint per line, optionally followed by `# reason`; blank lines and lines that
start with `#` are comments:

    # test fixtures
    1a2b3c4d5e6f7a8b  # Stripe test key used by the integration tests

A listed finding still appears in reports, marked suppressed with the reason, so an
accepted risk stays visible without failing a launch gate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ...findings import Finding

IGNORE_FILE_NAME = ".launchtui-ignore"
DEFAULT_REASON = "accepted in .launchtui-ignore"
_FINGERPRINT_RE = re.compile(r"[0-9a-f]{16}")


@dataclass(slots=True)
class IgnoreList:
    reasons: dict[str, str] = field(default_factory=dict)  # fingerprint -> reason
    problems: list[str] = field(default_factory=list)  # lines we could not understand

    def reason_for(self, fingerprint: str) -> str | None:
        return self.reasons.get(fingerprint.lower())


def parse_ignore_text(text: str, source: str = IGNORE_FILE_NAME) -> IgnoreList:
    ignore = IgnoreList()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        entry, _, comment = line.partition("#")
        token = entry.strip().lower()
        if not _FINGERPRINT_RE.fullmatch(token):
            ignore.problems.append(
                f"{source} line {number} is not a 16-digit fingerprint, so it was ignored."
            )
            continue
        ignore.reasons[token] = comment.strip() or DEFAULT_REASON
    return ignore


def load_ignore_file(path: Path) -> IgnoreList:
    """The accepted fingerprints in `path`; a missing file is an empty list, never an error."""
    if path.exists() and not path.is_file():  # a pipe would block the scan forever
        return IgnoreList(problems=[f"{path} is not a regular file, so it was not read."])
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")  # a BOM from Notepad
    except FileNotFoundError:
        return IgnoreList()
    except OSError as error:
        return IgnoreList(problems=[f"{path} could not be read ({error.strerror or error})."])
    return parse_ignore_text(text, path.name)


def apply_ignore(findings: Iterable[Finding], ignore: IgnoreList) -> list[Finding]:
    """Mark findings whose fingerprint is listed as suppressed, with the listed reason."""
    marked = []
    for finding in findings:
        fingerprint = finding.evidence.get("fingerprint")
        reason = ignore.reason_for(fingerprint) if isinstance(fingerprint, str) else None
        marked.append(finding.suppressed_because(reason) if reason else finding)
    return marked
