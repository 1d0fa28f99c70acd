"""Where the sprint stands: per-stage progress and the 48-hour clock."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from .engagement import Engagement
from .findings import Finding, Status
from .runbook import Runbook, Stage

SPRINT_HOURS = 48
# Results older than this are called stale: DNS, certificates and deploys move in a week.
STALE_AFTER = dt.timedelta(days=7)


@dataclass(frozen=True, slots=True)
class StageProgress:
    stage: Stage
    items_done: int
    items_total: int
    verdicts: dict[str, int]  # status value -> count of latest findings for the stage's checks

    @property
    def label(self) -> str:
        """Short text for a sidebar: 'checklist 3/7 · ✗2 !1' (fail/error, warn)."""
        parts = [f"checklist {self.items_done}/{self.items_total}"] if self.items_total else []
        if self.verdicts:
            fails = self.verdicts.get("fail", 0) + self.verdicts.get("error", 0)
            warns = self.verdicts.get("warn", 0)
            bits = [f"✗{fails}" if fails else "", f"!{warns}" if warns else ""]
            parts.append(" ".join(b for b in bits if b) or "checks pass")
        return " · ".join(parts)


def stage_progress(
    engagement: Engagement, stage: Stage, findings: list[Finding] | None = None
) -> StageProgress:
    marks = engagement.checklist_marks(stage.id)
    done = sum(1 for item in stage.checklist if (m := marks.get((stage.id, item.id))) and m.done)
    findings = engagement.latest_findings() if findings is None else findings
    counts = Counter(
        f.status.value if not f.suppressed else "accepted"
        for f in findings
        if f.check in stage.checks and f.status is not Status.SKIPPED
    )
    return StageProgress(stage, done, len(stage.checklist), dict(counts))


@dataclass(frozen=True, slots=True)
class SprintClock:
    started: dt.datetime
    now: dt.datetime

    @property
    def elapsed(self) -> dt.timedelta:
        return max(self.now - self.started, dt.timedelta(0))

    @property
    def day(self) -> int:
        """1 or 2 during the sprint; 3 means the sprint window is over."""
        hours = self.elapsed.total_seconds() / 3600
        return 1 if hours < 24 else 2 if hours < SPRINT_HOURS else 3

    def short(self) -> str:
        """For a narrow sidebar: `Day 2 · 27 h of 48 h`."""
        hours = int(self.elapsed.total_seconds() // 3600)
        if self.day == 3:
            return "Sprint over: maintenance mode"
        return f"Day {self.day} · {hours} h of {SPRINT_HOURS} h"

    def describe(self) -> str:
        hours = int(self.elapsed.total_seconds() // 3600)
        minutes = int(self.elapsed.total_seconds() % 3600 // 60)
        if self.day == 3:
            return f"Sprint over ({hours} h since start): maintenance mode"
        return (
            f"Day {self.day} · {hours} h {minutes:02d} m of {SPRINT_HOURS} h "
            f"(started {self.started:%d %b %H:%M})"
        )


def sprint_clock(engagement: Engagement, now: dt.datetime | None = None) -> SprintClock:
    started = engagement.sprint_started or now or dt.datetime.now(dt.UTC)
    return SprintClock(started, now or dt.datetime.now(dt.UTC))


def stages_for_day(runbook: Runbook, day: int) -> list[Stage]:
    return [stage for stage in runbook.stages if stage.day == day]


def todays_plan(runbook: Runbook, clock: SprintClock) -> str:
    """What this day of the sprint should cover, from the runbook's day markers."""
    if clock.day > 2:
        return "Rerun the checks after every change; rotate what is due."
    stages = stages_for_day(runbook, clock.day)
    return f"Day {clock.day} covers: " + ", ".join(stage.title for stage in stages)


def check_times(engagement: Engagement) -> dict[str, dt.datetime]:
    """When each check last ran: the newest filed run that ran it (its results are the
    ones shown)."""
    times: dict[str, dt.datetime] = {}
    for run in engagement.runs:  # oldest first, so newer runs overwrite
        for check in run.versions:
            times[check] = run.at
    return times


@dataclass(frozen=True, slots=True)
class StageChecked:
    """When a stage's shown results were measured: its checks may come from several runs."""

    oldest: dt.datetime
    newest: dt.datetime
    missing: int  # checks of the stage that never ran

    def is_stale(self, now: dt.datetime) -> bool:
        return now - self.oldest > STALE_AFTER


def stage_checked(stage: Stage, times: dict[str, dt.datetime]) -> StageChecked | None:
    """None when none of the stage's checks has run yet."""
    ran = [times[check] for check in stage.checks if check in times]
    if not ran:
        return None
    return StageChecked(min(ran), max(ran), len(stage.checks) - len(ran))


def age_text(then: dt.datetime, now: dt.datetime) -> str:
    """How long ago, in the unit a person would use: `just now`, `40 min ago`, `5 h ago`,
    `3 days ago`, `6 weeks ago`."""
    seconds = max((now - then).total_seconds(), 0)
    if seconds < 90:
        return "just now"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min ago"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h ago"
    days = seconds / 86400
    if days < 14:
        return f"{round(days)} days ago"
    return f"{round(days / 7)} weeks ago"
