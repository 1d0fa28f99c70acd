"""What a person reads first: counts, then each problem once, then what was not checked.

A run over a domain with many hosts repeats itself: the same missing header on eight
hosts, the same "has no address, so it was not probed" under five checks. Reports for
people fold those repeats into one item that lists where it applies, so the list is
as long as the number of distinct problems, not hosts × checks. Machine formats (JSON,
SARIF, JUnit) keep one record per finding; only the human formats use this module.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..findings import Finding, Status, Tier, ranked_risks

STATUS_ORDER = (Status.FAIL, Status.WARN, Status.ERROR, Status.SKIPPED, Status.PASS)
_PLACEHOLDER = "\x00"


@dataclass(frozen=True, slots=True)
class Item:
    """One finding, or the same finding reported for several targets."""

    findings: tuple[Finding, ...]

    @property
    def lead(self) -> Finding:
        return self.findings[0]

    @property
    def targets(self) -> list[str]:
        return list(dict.fromkeys(finding.target for finding in self.findings if finding.target))

    @property
    def checks(self) -> list[str]:
        return list(dict.fromkeys(finding.check for finding in self.findings))

    @property
    def tier(self) -> Tier | None:
        return self.lead.tier

    def where(self, report_target: str = "") -> str:
        """Where this applies, when neither the summary nor the report's own target (the
        domain in its title) already says it: "" otherwise."""
        targets = self.targets
        if len(self.checks) > 1:
            # Checks name their targets differently (a host, a URL): list the hosts.
            targets = list(dict.fromkeys(target_host(target) for target in targets))
        if len(targets) > 1:
            return ", ".join(targets)
        if targets and targets[0] != report_target and targets[0] not in self.lead.summary:
            return targets[0]
        return ""


def target_host(target: str) -> str:
    """The host name a target is about: `https://a.example/x` and `a.example (192.0.2.1)`
    are both about `a.example`."""
    if "://" in target:
        return urlsplit(target).hostname or target
    return target.split(" ", 1)[0]


def _template(text: str, target: str) -> str:
    """`text` with its target's host blanked out, so findings that differ only in which
    host they name compare equal (whether the target is `a.example` or `https://a.example/`)."""
    host = target_host(target)
    if not host:
        return text
    # Not inside a longer name: "bad.test" must not match in "auth.bad.test".
    return re.sub(rf"(?<![\w.-]){re.escape(host)}(?![\w-]|\.\w)", _PLACEHOLDER, text)


def _sameness(finding: Finding, *, across_checks: bool = False) -> tuple[object, ...]:
    """What must match for two findings to be one item. Across checks (notes on what was
    not checked) the severity is each check's own and says nothing about the note."""
    target = finding.target
    key: tuple[object, ...] = (
        finding.status,
        finding.suppressed,
        _template(finding.summary, target),
        _template(finding.fix, target),
    )
    return key if across_checks else (finding.check, finding.severity, *key)


def fold(findings: Iterable[Finding], *, across_checks: bool = False) -> list[Item]:
    """Group findings that say the same thing about different targets, keeping the order
    in which each group first appears. `across_checks` also merges different checks (for
    notes such as "no address, so not probed", which several checks give alike)."""
    groups: dict[tuple[object, ...], list[Finding]] = {}
    for finding in findings:
        groups.setdefault(_sameness(finding, across_checks=across_checks), []).append(finding)
    return [Item(tuple(group)) for group in groups.values()]


def risk_items(findings: Iterable[Finding]) -> list[Item]:
    """The ranked risk list with repeats folded: most urgent first."""
    return fold(ranked_risks(findings))


def skipped_items(findings: Iterable[Finding]) -> list[Item]:
    """What could not be checked, each reason once with the checks and targets it covers."""
    return fold(
        (f for f in findings if f.status is Status.SKIPPED and not f.suppressed),
        across_checks=True,
    )


def accepted(findings: Iterable[Finding]) -> list[Finding]:
    """Problems the engagement accepted, with their reasons."""
    return [f for f in findings if f.suppressed and f.status is not Status.PASS]


def passed(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.status is Status.PASS]


def status_counts(findings: Iterable[Finding]) -> dict[Status, int]:
    """How many findings have each status, accepted ones left out (they are counted apart)."""
    counts = Counter(f.status for f in findings if not f.suppressed)
    return {status: counts[status] for status in STATUS_ORDER if counts[status]}


def counts_sentence(findings: list[Finding]) -> str:
    """`14 fail · 9 warn · 12 skipped · 82 pass · 2 accepted`."""
    parts = [f"{count} {status.value}" for status, count in status_counts(findings).items()]
    suppressed = sum(1 for f in findings if f.suppressed)
    if suppressed:
        parts.append(f"{suppressed} accepted")
    return " · ".join(parts) or "no results"


def stage_rows(
    findings: list[Finding], stage_titles: dict[str, str]
) -> list[tuple[str, dict[Status, int]]]:
    """Per stage (runbook order, unknown stages last): how many findings of each status."""
    order = list(stage_titles)
    stages = sorted(
        {f.stage for f in findings}, key=lambda s: order.index(s) if s in order else len(order)
    )
    return [
        (stage_titles.get(stage, stage), status_counts(f for f in findings if f.stage == stage))
        for stage in stages
    ]


def passes_by_check(findings: Iterable[Finding]) -> list[tuple[str, int]]:
    """How many targets passed each check, in the order the checks ran."""
    counts = Counter(f.check for f in passed(findings))
    return list(counts.items())


def detail_lines(finding: Finding, limit: int) -> tuple[list[str], int]:
    """The first `limit` non-empty lines of the detail, and how many more there are."""
    lines = [line for line in finding.detail.splitlines() if line.strip()]
    return lines[:limit], max(0, len(lines) - limit)


def explained(finding: Finding, separator: str = "\n") -> str:
    """What is wrong and how to fix it, in one block: for formats with a single text field."""
    fix = f"Fix: {finding.fix}" if finding.fix else ""
    return separator.join(part for part in (finding.summary, finding.detail, fix) if part)
