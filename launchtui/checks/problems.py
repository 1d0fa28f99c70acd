"""Several problems with one target, reported as one finding.

A check that judges one thing from several sides (a DMARC policy's p=, sp=, pct= and t=;
a health endpoint's status, speed, caching and what it reveals) collects a `Problem` per
side and folds them here: the worst leads the finding, the others follow in its detail,
so a founder reads the most urgent sentence first and nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..findings import Finding, Severity, Status
from .registry import CheckSpec

# Which problem leads: a failure before a check that could not finish, before a warning.
_STATUS_WEIGHT = {Status.FAIL: 3, Status.ERROR: 2, Status.WARN: 1}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong, before a check folds its problems into one finding."""

    status: Status  # fail, error or warn
    severity: Severity
    summary: str  # a whole sentence, able to lead the finding on its own
    fix: str = ""


def fold_problems(
    spec: CheckSpec,
    target: str,
    problems: Iterable[Problem],
    *,
    pass_summary: str,
    evidence: dict[str, Any],
    refs: tuple[str, ...] = (),
    detail: str = "",
) -> Finding:
    """One finding for `target`: a pass when there are no problems; otherwise the worst
    problem's status, severity and sentence, each other problem as an "Also:" line of the
    detail (before `detail`), and every distinct fix, one per line."""
    ranked = sorted(problems, key=lambda p: (-_STATUS_WEIGHT[p.status], -p.severity.rank))
    if not ranked:
        return spec.finding(target, Status.PASS, pass_summary, detail=detail, evidence=evidence)
    worst = ranked[0]
    also = [f"Also: {problem.summary}" for problem in ranked[1:]]
    return spec.finding(
        target,
        worst.status,
        worst.summary,
        severity=worst.severity,
        detail="\n".join(part for part in (*also, detail) if part),
        evidence=evidence,
        fix="\n".join(dict.fromkeys(problem.fix for problem in ranked if problem.fix)),
        refs=refs,
    )
