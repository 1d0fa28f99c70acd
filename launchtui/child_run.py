"""An engagement's checks run in a child process, so the app cannot delay them.

The load probes keep an open-loop schedule (`loadgen.py`): a request that leaves late
is recorded as late and its latency includes the wait. In the app's own process the
checks share the interpreter with painting and key handling, and a full run recorded
a quarter of its latency requests as late; headless, almost none. In a child process
the app and `launchtui check` measure the same thing.

The child reads the engagement from its file (the app saves every change at once),
runs the plan through the same `audit` code path as the CLI, and writes one JSON line
per event on stdout: each check starting and finishing (with its findings), then the
finished run. The parent turns those lines back into `Progress` and a `FinishedRun`.
Nothing here knows about the UI.

    python -m launchtui.child_run ENGAGEMENT < {"checks": [...], "stages": [...]}

The parent keeps the child's stdin open while it wants the run; when it closes (the
run was cancelled, or the app died, even by SIGKILL) the child stops at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import sys
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .engagement import RunRecord
from .engine import Progress
from .export import Report
from .findings import Finding

STDERR_KEPT = 4000  # characters of the child's stderr kept to explain a crash
STOP_GRACE_S = 2.0  # after SIGTERM, how long the child may take before SIGKILL


class ChildRunError(Exception):
    """The run could not start or stopped; the message is for the person."""


@dataclass(frozen=True, slots=True)
class FinishedRun:
    report: Report
    record: RunRecord


async def run_in_child(
    engagement: Path, check_ids: Iterable[str], stage_ids: Iterable[str] = ()
) -> AsyncIterator[Progress | FinishedRun]:
    """Run the checks in a fresh interpreter and yield its progress, then the finished
    run. Closing the generator early (a cancelled worker) stops the child."""
    request = {"checks": list(check_ids), "stages": list(stage_ids)}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "launchtui.child_run",
        str(engagement),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        limit=64 * 2**20,  # one line carries a whole run's findings
    )
    assert child.stdin and child.stdout and child.stderr
    errors = asyncio.ensure_future(_tail(child.stderr))
    try:
        child.stdin.write(json.dumps(request).encode() + b"\n")
        await child.stdin.drain()
        finished = False
        while line := await child.stdout.readline():
            event = json.loads(line)
            if event["event"] == "error":
                raise ChildRunError(event["message"])
            if event["event"] == "run":
                finished = True
                yield _finished_run(event)
            else:
                yield _progress(event)
        status = await child.wait()
        if not finished:
            said = (await errors).strip().splitlines()
            why = f": {said[-1]}" if said else ""
            raise ChildRunError(f"The check run stopped unexpectedly (exit status {status}){why}")
    finally:
        await _stop(child)
        errors.cancel()


async def _tail(stream: asyncio.StreamReader) -> str:
    kept = ""
    while chunk := await stream.read(4096):
        kept = (kept + chunk.decode(errors="replace"))[-STDERR_KEPT:]
    return kept


async def _stop(child: asyncio.subprocess.Process) -> None:
    if child.stdin is not None:
        child.stdin.close()
    if child.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        child.terminate()
    try:
        await asyncio.wait_for(child.wait(), STOP_GRACE_S)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        await child.wait()


def _progress(event: dict[str, Any]) -> Progress:
    return Progress(
        check=event["check"],
        finished=event["event"] == "finished",
        done=event["done"],
        total=event["total"],
        findings=tuple(Finding.from_dict(f) for f in event.get("findings", ())),
        seconds=event.get("seconds", 0.0),
    )


def _finished_run(event: dict[str, Any]) -> FinishedRun:
    findings = [Finding.from_dict(f) for f in event["findings"]]
    started = dt.datetime.fromisoformat(event["started"])
    finished = dt.datetime.fromisoformat(event["finished"])
    report = Report(event["target"], started, finished, findings, event["stage_titles"])
    record = RunRecord(
        started=started,
        finished=finished,
        findings=findings,
        versions=event["versions"],
        scope=event["scope"],
        complete=event["complete"],
        stages=tuple(event["stages"]),
    )
    return FinishedRun(report, record)


# -- the child --------------------------------------------------------------------------


def _emit(event: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(event, default=str, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _emit_progress(step: Progress) -> None:
    event: dict[str, Any] = {
        "event": "finished" if step.finished else "started",
        "check": step.check,
        "done": step.done,
        "total": step.total,
    }
    if step.finished:
        event["seconds"] = step.seconds
        event["findings"] = [finding.to_dict() for finding in step.findings]
    _emit(event)


def _exit_when_the_parent_goes() -> None:
    """Block on stdin; end the process when it closes (cancelled, or the app is gone)."""
    sys.stdin.read()
    os._exit(1)


def child_main(engagement_path: str) -> int:
    from .audit import CheckRequestError, plan_engagement_run, run_planned, run_record
    from .engagement import Engagement, EngagementError

    request = json.loads(sys.stdin.readline())
    threading.Thread(target=_exit_when_the_parent_goes, daemon=True).start()
    try:
        engagement = Engagement.load(Path(engagement_path))
        plan = plan_engagement_run(engagement, request["checks"], stage_ids=request["stages"])
    except (CheckRequestError, EngagementError) as exc:
        _emit({"event": "error", "message": str(exc)})
        return 0
    report = asyncio.run(run_planned(plan, progress=_emit_progress))
    record = run_record(report, plan.specs, plan.runbook, plan.stage_ids)
    _emit(
        {
            "event": "run",
            "target": report.target,
            "started": report.started.isoformat(),
            "finished": report.finished.isoformat(),
            "stage_titles": report.stage_titles,
            "findings": [finding.to_dict() for finding in report.findings],
            "versions": dict(record.versions),
            "scope": record.scope,
            "complete": record.complete,
            "stages": list(record.stages),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1]))
