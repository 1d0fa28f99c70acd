"""The one result type every check returns, and how findings are ranked.

Check ids are a public contract: users suppress them in CI and SARIF rules are
named after them, so an id never changes once shipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import IntEnum, StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse, so severities compare the way people read them."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Tier(IntEnum):
    """The quick audit's plain-language buckets, most urgent first."""

    BLOCKER = 0
    IMPORTANT = 1
    OPTIONAL = 2


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    stage: str
    target: str
    status: Status
    severity: Severity
    summary: str
    detail: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    fix: str = ""
    refs: tuple[str, ...] = ()
    suppressed: str | None = None
    # The key numbers the check measured (p95_ms, days_left…), kept in the run history so
    # a later run can say what moved; named by the check's spec.
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def is_problem(self) -> bool:
        """A finding a person must look at: it failed, warned, or could not be checked."""
        return self.status in (Status.FAIL, Status.WARN, Status.ERROR) and not self.suppressed

    @property
    def tier(self) -> Tier | None:
        """Where this finding sits in the ranked risk list, or None when it is fine.

        A failure at high or critical severity blocks a launch. A warning is never a
        blocker, and neither is a check that could not run: we do not know the risk,
        so it is important to look at but not proof of a problem.
        """
        if not self.is_problem:
            return None
        if self.status is Status.FAIL and self.severity.rank >= Severity.HIGH.rank:
            return Tier.BLOCKER
        if self.severity.rank >= Severity.MEDIUM.rank and self.status is not Status.WARN:
            return Tier.IMPORTANT
        if self.status is Status.WARN and self.severity.rank >= Severity.HIGH.rank:
            return Tier.IMPORTANT
        return Tier.OPTIONAL

    def fails_at(self, threshold: Severity) -> bool:
        """Whether this finding should fail a CI run gated at `threshold`.

        Errors count: a check that could not verify a critical property must not
        let a pipeline pass silently.
        """
        return (
            self.status in (Status.FAIL, Status.ERROR)
            and not self.suppressed
            and self.severity.rank >= threshold.rank
        )

    def suppressed_because(self, reason: str) -> Finding:
        return replace(self, suppressed=reason)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "check": self.check,
            "stage": self.stage,
            "target": self.target,
            "status": self.status.value,
            "severity": self.severity.value,
            "summary": self.summary,
            "detail": self.detail,
            "evidence": self.evidence,
            "fix": self.fix,
            "refs": list(self.refs),
            "metrics": self.metrics,
        }
        if self.suppressed:
            data["suppressed"] = self.suppressed
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            check=str(data["check"]),
            stage=str(data.get("stage", "")),
            target=str(data.get("target", "")),
            status=Status(data["status"]),
            severity=Severity(data["severity"]),
            summary=str(data.get("summary", "")),
            detail=str(data.get("detail", "")),
            evidence=dict(data.get("evidence", {})),
            fix=str(data.get("fix", "")),
            refs=tuple(data.get("refs", ())),
            suppressed=data.get("suppressed"),
            metrics=dict(data.get("metrics") or {}),
        )


def ranked_risks(findings: Iterable[Finding]) -> list[Finding]:
    """Problems only, most urgent first: tier, then severity, then check id for stability."""
    problems = [f for f in findings if f.tier is not None]
    return sorted(problems, key=lambda f: (f.tier, -f.severity.rank, f.check, f.target))
