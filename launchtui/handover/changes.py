"""What changed since the sprint began: computed from the run history, never typed.

The baseline run (the first complete one, or the one the user pinned) is set against
each check's latest results: what was a problem and now passes is fixed, what passed (or
was not there) and now fails is new, what failed then and fails now is still open. Key
numbers that moved enough to matter are listed with before and after. A check whose
version changed between the two runs judged differently, so its result is reported as
"checked differently", never as a change of the site.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..engagement import Change, Engagement, Run, apply_suppressions
from ..findings import Finding, Status

_PROBLEMS = (Status.FAIL, Status.WARN)


@dataclass(frozen=True)
class Move:
    """A key number that moved between the baseline and now."""

    check: str
    target: str
    metric: str
    before: float
    after: float
    unit: str

    def to_dict(self) -> dict[str, object]:
        return {
            "check": self.check,
            "target": self.target,
            "metric": self.metric,
            "before": self.before,
            "after": self.after,
            "unit": self.unit,
        }


@dataclass(frozen=True)
class WhatChanged:
    engagement: str
    baseline: Run | None
    latest: Run | None
    fixed: list[Finding] = field(default_factory=list)  # as they were at the baseline
    new: list[Finding] = field(default_factory=list)
    still_open: list[Finding] = field(default_factory=list)
    checked_differently: list[Finding] = field(default_factory=list)  # now, by a newer check
    accepted: list[Finding] = field(default_factory=list)  # problems whose risk was accepted
    numbers: list[Move] = field(default_factory=list)
    log: list[Change] = field(default_factory=list)  # what people did since the baseline

    @property
    def counts_sentence(self) -> str:
        def count(number: int, one: str, many: str) -> str:
            return f"{number} {one if number == 1 else many}"

        return (
            f"{count(len(self.fixed), 'problem', 'problems')} fixed, {len(self.new)} new, "
            f"{len(self.still_open)} still open."
        )

    def to_dict(self) -> dict[str, object]:
        """The JSON contract: keys stay, new ones may be added."""

        def run(run: Run | None) -> dict[str, object] | None:
            return {"at": run.at.isoformat(), "run": run.id} if run else None

        return {
            "engagement": self.engagement,
            "baseline": run(self.baseline),
            "latest": run(self.latest),
            "fixed": [finding.to_dict() for finding in self.fixed],
            "new": [finding.to_dict() for finding in self.new],
            "still_open": [finding.to_dict() for finding in self.still_open],
            "checked_differently": [finding.to_dict() for finding in self.checked_differently],
            "accepted": [finding.to_dict() for finding in self.accepted],
            "numbers": [move.to_dict() for move in self.numbers],
            "log": [
                {
                    "at": change.at.isoformat() if change.at else None,
                    "who": change.who,
                    "what": change.what,
                    "via": change.via,
                    "stage": change.stage or None,
                }
                for change in self.log
            ],
        }


def what_changed(engagement: Engagement, units: Mapping[tuple[str, str], str]) -> WhatChanged:
    """Compare the baseline with each check's latest results.

    `units` names the unit of each (check, metric) the checks declare; numbers of
    metrics without a unit are not compared.
    """
    runs = engagement.runs
    baseline = engagement.baseline
    latest = runs[-1] if runs else None
    suppressions = engagement.suppressions
    now = apply_suppressions(engagement.latest_findings(), suppressions)
    then = baseline.findings if baseline else []
    versions_now = _versions_now(runs)
    versions_then = baseline.versions if baseline else {}
    before = {(f.check, f.target): f for f in then}
    report = WhatChanged(engagement.id, baseline, latest)
    for finding in now:
        key = (finding.check, finding.target)
        earlier = before.get(key)
        if finding.suppressed:
            if finding.status in _PROBLEMS:
                report.accepted.append(finding)
            continue
        if baseline is not None and versions_now.get(finding.check) != versions_then.get(
            finding.check, versions_now.get(finding.check)
        ):
            if earlier is None or earlier.status is not finding.status:
                report.checked_differently.append(finding)
            continue
        was_problem = earlier is not None and earlier.status in _PROBLEMS
        if finding.status in _PROBLEMS:
            (report.still_open if was_problem else report.new).append(finding)
        elif finding.status is Status.PASS and was_problem and earlier is not None:
            report.fixed.append(earlier)
        if earlier is not None:
            report.numbers.extend(_moves(earlier, finding, units))
    since = baseline.at if baseline else None
    report.log.extend(
        change
        for change in engagement.changes
        if not change.what.startswith("Ran ") and (since is None or (change.at or since) >= since)
    )
    return report


def _versions_now(runs: Sequence[Run]) -> dict[str, int]:
    versions: dict[str, int] = {}
    for run in runs:
        versions.update(run.versions)
    return versions


def _moves(before: Finding, after: Finding, units: Mapping[tuple[str, str], str]) -> list[Move]:
    moves = []
    for metric, now in after.metrics.items():
        unit = units.get((after.check, metric))
        then = before.metrics.get(metric)
        if unit is None or then is None or not moved_enough(then, now, unit):
            continue
        moves.append(Move(after.check, after.target, metric, then, now, unit))
    return moves


def moved_enough(before: float, after: float, unit: str) -> bool:
    """Whether a change is worth telling a founder about.

    Times in ms must move by a fifth and at least 25 ms (one run's jitter is not news);
    days by a week (a certificate counts down a day at a time); everything else (TTLs,
    lookups, key sizes, redirects) is configuration, so any change counts.
    """
    change = abs(after - before)
    if unit == "ms":
        return change >= 25 and change >= 0.2 * max(before, 1)
    if unit == "days":
        return change >= 7
    return change > 0


def as_of(run: Run | None) -> dt.datetime | None:
    return run.at if run else None
