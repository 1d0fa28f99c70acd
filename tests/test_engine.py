"""The engine keeps a run alive whatever one check does."""

import asyncio

from launchtui.checks.registry import CheckSpec
from launchtui.context import CheckContext
from launchtui.engine import run_checks
from launchtui.findings import Severity, Status
from launchtui.resolver import Resolver

from .conftest import default_profile


def context() -> CheckContext:
    return CheckContext(
        apex="example.test", hosts=[], resolver=Resolver(), profile=default_profile()
    )


def spec(check_id: str, run) -> CheckSpec:
    return CheckSpec(check_id, check_id.title(), Severity.HIGH, run=run)


async def test_a_crashing_check_becomes_an_error_finding_and_others_still_report():
    async def crashes(_):
        raise RuntimeError("boom")

    async def passes(ctx):
        return [SPEC_OK.finding(ctx.apex, Status.PASS, "fine")]

    SPEC_OK = spec("t.ok", passes)
    result = await run_checks(context(), [spec("t.crash", crashes), SPEC_OK])
    by_check = {f.check: f for f in result.findings}
    assert by_check["t.crash"].status is Status.ERROR
    assert "internal error" in by_check["t.crash"].summary
    assert "RuntimeError: boom" in by_check["t.crash"].detail
    assert by_check["t.ok"].status is Status.PASS


async def test_a_hanging_check_is_stopped_at_its_time_limit():
    async def hangs(_):
        await asyncio.sleep(3600)

    result = await run_checks(context(), [spec("t.hang", hangs)], time_limit=0.2)
    [finding] = result.findings
    assert finding.status is Status.ERROR
    assert "did not finish within 0.2 seconds" in finding.summary


async def test_checks_run_concurrently_under_the_bound():
    running = 0
    peak = 0

    async def counts(ctx):
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)
        running -= 1
        return []

    specs = [spec(f"t.c{i}", counts) for i in range(10)]
    await run_checks(context(), specs, concurrency=3)
    assert peak == 3


async def test_progress_reports_each_start_and_finish_in_order():
    async def passes(ctx):
        return []

    events = []
    await run_checks(
        context(), [spec("t.a", passes), spec("t.b", passes)], on_progress=events.append
    )
    finished = [e for e in events if e.finished]
    assert [e.done for e in finished] == [1, 2]
    assert all(e.total == 2 for e in events)
    assert len([e for e in events if not e.finished]) == 2


async def test_a_check_with_nothing_to_say_is_reported_as_skipped():
    async def silent(ctx):
        return []

    result = await run_checks(context(), [spec("t.silent", silent)])
    assert result.findings[0].status is Status.SKIPPED


async def test_findings_and_progress_carry_the_stage_that_ran_their_check():
    async def passes(ctx):
        return []  # the engine says "nothing to check here" for the check

    events = []
    result = await run_checks(
        context(),
        [spec("t.a", passes), spec("t.b", passes)],
        stages={"t.a": "dns"},
        on_progress=events.append,
    )
    assert [(f.check, f.stage) for f in result.findings] == [("t.a", "dns"), ("t.b", "")]
    [reported] = [e.findings for e in events if e.finished and e.check == "t.a"]
    assert [f.stage for f in reported] == ["dns"]
