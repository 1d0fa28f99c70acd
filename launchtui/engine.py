"""Runs checks concurrently under a bound and a per-check time limit.

A run never dies: a check that raises or overruns becomes an `error` finding
that says so plainly, and every other check still reports. Every caller that runs checks
comes through here, so what happens to findings after the checks (one problem seen by
two checks reported once, each finding filed under its stage) happens the same way for
`check`, `scan`, the app and the founder runbooks.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

from .checks.registry import CheckSpec, folded
from .context import CheckContext
from .findings import Finding, Status


@dataclass(frozen=True, slots=True)
class Progress:
    """One step of a run, for live display: a check started or finished."""

    check: str
    finished: bool
    done: int
    total: int
    findings: tuple[Finding, ...] = ()
    seconds: float = 0.0


ProgressCallback = Callable[[Progress], None]


@dataclass
class RunResult:
    started: dt.datetime
    finished: dt.datetime
    findings: list[Finding] = field(default_factory=list)
    seconds_by_check: dict[str, float] = field(default_factory=dict)


async def run_checks(
    context: CheckContext,
    specs: Iterable[CheckSpec],
    *,
    stages: Mapping[str, str] | None = None,
    concurrency: int = 64,  # checks mostly wait on the network; Prober/Resolver bound I/O
    time_limit: float | None = 60.0,
    on_progress: ProgressCallback | None = None,
) -> RunResult:
    """Run `specs` against `context`; findings come back in the order checks were given.

    `stages` maps a check id to the runbook stage that runs it, which its findings carry
    (a check not in it: no stage). `time_limit` holds each check that sets none of its
    own; None: no limit (local work such as a repository scan).
    """
    specs = list(specs)
    stage_of = stages or {}

    def filed(findings: Iterable[Finding]) -> list[Finding]:
        return [replace(finding, stage=stage_of.get(finding.check, "")) for finding in findings]

    started = dt.datetime.now(dt.UTC)
    bound = asyncio.Semaphore(max(1, concurrency))
    done = 0
    seconds: dict[str, float] = {}

    def report(progress: Progress) -> None:
        if on_progress is not None:
            on_progress(progress)

    async def run_one(spec: CheckSpec) -> list[Finding]:
        nonlocal done
        async with bound:
            report(Progress(spec.id, False, done, len(specs)))
            began = time.perf_counter()
            findings = filed(await _run_guarded(spec, context, spec.time_limit or time_limit))
            seconds[spec.id] = time.perf_counter() - began
            done += 1
            report(Progress(spec.id, True, done, len(specs), tuple(findings), seconds[spec.id]))
            return findings

    per_check = await asyncio.gather(*(run_one(spec) for spec in specs))
    findings = filed(folded(context, [finding for batch in per_check for finding in batch]))
    return RunResult(started, dt.datetime.now(dt.UTC), findings, seconds)


async def _run_guarded(
    spec: CheckSpec, context: CheckContext, time_limit: float | None
) -> list[Finding]:
    assert spec.run is not None, f"{spec.id} has no function"
    try:
        async with asyncio.timeout(time_limit):
            findings = await spec.run(context)
    except TimeoutError:
        return [
            spec.finding(
                context.apex,
                Status.ERROR,
                f"The {spec.title.lower()} check did not finish within {time_limit:g} seconds, "
                "so we could not tell whether it passes.",
                fix="Check that the hosts answer, or raise --timeout.",
            )
        ]
    except Exception as exc:  # a bug in one check must not end the run
        return [
            spec.finding(
                context.apex,
                Status.ERROR,
                f"The {spec.title.lower()} check stopped with an internal error, "
                "so we could not tell whether it passes.",
                detail=f"{type(exc).__name__}: {exc}",
                fix="Please report this as a launchtui bug; the other checks are unaffected.",
            )
        ]
    if not findings:
        return [spec.finding(context.apex, Status.SKIPPED, "Nothing to check here.")]
    return findings
