"""Run history: what was checked when, so launchtui can say what changed since the sprint began.

Every run (a stage, everything, or `launchtui check FILE`) is kept as a snapshot under
`[[history.runs]]`: when, who, which checks at which version, and per (check, target) the
verdict and the key numbers the check measured (p95 ms, days of certificate left, SPF
lookups…). The first complete run is the baseline unless the user pins another.

A snapshot's results are one JSON value per line inside a literal multi-line string:

    results = '''
    ["tls.expiry","api.acme.test","fail","high",{"days_left":6}]
    {"check":"dns.ns","target":"acme.test","status":"pass",…,"summary":"…"}
    '''

A list is a compact line (verdict and numbers); an object also carries the finding's
words and evidence. Only lines someone may still read in full keep their words: the
baseline's, and each check's latest. That keeps thirty runs of three hundred findings well
under a megabyte, and a string per run keeps the file fast to parse.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..findings import Finding, Severity, Status

# Older runs beyond this many are dropped (the baseline and a pinned run never are).
MAX_RUNS = 60

_COMPACT_KEYS = ("check", "target", "status", "severity")


@dataclass(frozen=True)
class RunRecord:
    """A finished run, as the engine reports it, before the engagement files it."""

    started: dt.datetime
    finished: dt.datetime
    findings: Sequence[Finding]
    versions: Mapping[str, int]  # every check that ran, with its version
    scope: str  # "every stage", or the stages' ids
    complete: bool  # every check of the runbook ran to the end
    stages: tuple[str, ...] = ()  # the stages run, when not all


@dataclass(frozen=True)
class Run:
    """A filed run. Its findings are decoded only when asked for."""

    id: str
    at: dt.datetime
    seconds: float
    who: str
    via: str
    scope: str
    complete: bool
    versions: dict[str, int]
    counts: dict[str, int]
    results_text: str = field(repr=False)

    @cached_property
    def findings(self) -> list[Finding]:
        return [finding for line in self.results_text.splitlines() if (finding := _decode(line))]

    @property
    def problems(self) -> int:
        return sum(self.counts.get(status, 0) for status in ("fail", "warn", "error"))

    def describe(self) -> str:
        kind = "complete" if self.complete else "partial"
        who = f"{self.who or '?'} ({self.via})"
        return f"{self.at:%Y-%m-%d %H:%M} UTC · {kind}: {self.scope} · by {who}"


def run_id_for(started: dt.datetime, taken: Iterable[str]) -> str:
    """A run's id is the second it started, made unique with a suffix when needed."""
    base = started.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    used = set(taken)
    candidate, number = base, 2
    while candidate in used:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def encode_versions(versions: Mapping[str, int]) -> str:
    """`dns.ns tls.expiry@2 …`: the checks that ran, with a version only when above 1."""
    return " ".join(check if v == 1 else f"{check}@{v}" for check, v in sorted(versions.items()))


def decode_versions(text: str) -> dict[str, int]:
    versions = {}
    for word in text.split():
        check, _, version = word.partition("@")
        versions[check] = int(version) if version.isdigit() else 1
    return versions


def count_statuses(findings: Iterable[Finding]) -> dict[str, int]:
    counts = Counter(finding.status.value for finding in findings)
    return {status.value: counts[status.value] for status in Status if counts[status.value]}


def encode_results(findings: Iterable[Finding], *, detailed_checks: Iterable[str] | None) -> str:
    """One line per finding; full words only for checks in `detailed_checks` (None: all)."""
    keep = None if detailed_checks is None else set(detailed_checks)
    return "".join(_encode(f, detailed=keep is None or f.check in keep) + "\n" for f in findings)


def compacted(results_text: str, keep_checks: set[str]) -> str:
    """The same results with full words dropped from lines of checks not in `keep_checks`."""
    lines = []
    changed = False
    for line in results_text.splitlines():
        if not line.strip():
            continue
        if line.startswith("{"):
            finding = _decode(line)
            if finding is not None and finding.check not in keep_checks:
                line = _encode(finding, detailed=False)
                changed = True
        lines.append(line)
    return "".join(line + "\n" for line in lines) if changed else results_text


def latest_findings(runs: Sequence[Run]) -> list[Finding]:
    """Each check's findings from the newest run that ran it, in the order runs list them."""
    taken: set[str] = set()
    newest_first: list[list[Finding]] = []
    for run in reversed(runs):
        fresh = set(run.versions) - taken
        if fresh:
            newest_first.append([f for f in run.findings if f.check in fresh])
            taken |= fresh
    return [finding for batch in reversed(newest_first) for finding in batch]


def checks_each_run_provides(runs: Sequence[Run]) -> dict[str, set[str]]:
    """For each run id, the checks whose latest results it holds."""
    taken: set[str] = set()
    provides: dict[str, set[str]] = {}
    for run in reversed(runs):
        fresh = set(run.versions) - taken
        provides[run.id] = fresh
        taken |= fresh
    return provides


def baseline_of(runs: Sequence[Run], pinned: str) -> Run | None:
    """The pinned run when it exists, else the first complete run."""
    if pinned:
        for run in runs:
            if run.id == pinned:
                return run
    return next((run for run in runs if run.complete), None)


def _encode(finding: Finding, *, detailed: bool) -> str:
    if detailed:
        data: Any = finding.to_dict()
        data = {key: value for key, value in data.items() if value not in ("", [], {}, None)}
        data.pop("suppressed", None)  # accepting a risk is the engagement's, not the run's
        for key in _COMPACT_KEYS:
            data.setdefault(key, getattr(finding, key))
        data["status"], data["severity"] = finding.status.value, finding.severity.value
    else:
        data = [finding.check, finding.target, finding.status.value, finding.severity.value]
        if finding.metrics:
            data.append(finding.metrics)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    # A TOML literal string may hold no control character and no run of three quotes.
    return text.replace("'", "\\u0027").replace("\x7f", "\\u007f")


def _decode(line: str) -> Finding | None:
    """A finding from one line; a line someone mangled is skipped, never fatal."""
    line = line.strip()
    if not line:
        return None
    try:
        data = json.loads(line)
        if isinstance(data, list):
            check, target, status, severity, *rest = data
            metrics = rest[0] if rest and isinstance(rest[0], dict) else {}
            return Finding(
                check=str(check),
                stage="",
                target=str(target),
                status=Status(status),
                severity=Severity(severity),
                summary="",
                metrics=_numbers(metrics),
            )
        if isinstance(data, dict):
            data["metrics"] = _numbers(data.get("metrics", {}))
            return Finding.from_dict(data)
    except (ValueError, TypeError, KeyError):
        return None
    return None


def _numbers(values: object) -> dict[str, float]:
    if not isinstance(values, dict):
        return {}
    return {
        str(name): value
        for name, value in values.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }
