"""Checks run in a child process: its progress and finished run come back whole, a
stopped run leaves no process behind, and a setting that stops every check is one
plain error."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from launchtui.child_run import ChildRunError, FinishedRun, run_in_child
from launchtui.engagement import Engagement
from launchtui.engine import Progress


def lab_engagement(lab, path: Path, apex: str) -> Path:
    engagement = Engagement.new(path, apex=apex)
    engagement.set_network([lab.nameserver], str(lab.ca_bundle))
    engagement.save()
    return path


def children_for(path: Path) -> list[int]:
    """Processes still running a child run for this engagement file."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"launchtui.child_run" in command and str(path).encode() in command:
            found.append(int(entry.name))
    return found


async def test_the_child_reports_each_check_and_then_the_finished_run(lab, tmp_path):
    path = lab_engagement(lab, tmp_path / "bad.toml", "bad.test")
    events = [event async for event in run_in_child(path, ["dns.resolves", "dns.ns"], ["dns"])]
    finished = [e.check for e in events if isinstance(e, Progress) and e.finished]
    assert sorted(finished) == ["dns.ns", "dns.resolves"]
    run = events[-1]
    assert isinstance(run, FinishedRun)
    verdicts = {(f.check, f.target, f.status.value) for f in run.report.findings}
    assert ("dns.resolves", "www.bad.test", "fail") in verdicts
    assert run.record.scope == "dns" and set(run.record.versions) == {"dns.resolves", "dns.ns"}
    assert run.record.findings == run.report.findings
    assert children_for(path) == []


async def test_a_run_stopped_early_leaves_no_child_behind(lab, tmp_path):
    path = lab_engagement(lab, tmp_path / "hang.toml", "hang.test")
    events = run_in_child(path, ["http.https-redirect", "tls.valid"], ["security"])
    assert isinstance(await anext(events), Progress)
    assert children_for(path)  # the run is still going
    await events.aclose()
    assert children_for(path) == []


async def test_a_cancelled_run_stops_its_child(lab, tmp_path):
    path = lab_engagement(lab, tmp_path / "hang.toml", "hang.test")

    async def follow() -> None:
        async for _ in run_in_child(path, ["http.https-redirect", "tls.valid"], ["security"]):
            pass

    task = asyncio.ensure_future(follow())
    for _ in range(100):
        await asyncio.sleep(0.05)
        if children_for(path):
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert children_for(path) == []


async def test_a_ca_bundle_that_cannot_be_used_is_one_plain_error(tmp_path):
    path = tmp_path / "acme.toml"
    engagement = Engagement.new(path, apex="acme.test")
    engagement.set_network([], str(tmp_path / "gone.pem"))
    engagement.save()
    with pytest.raises(ChildRunError, match=r"domain\.ca_bundle: .*gone\.pem: no such file"):
        async for _ in run_in_child(path, ["tls.valid"]):
            pass


async def test_a_file_the_child_cannot_read_is_an_error_not_a_hang(tmp_path):
    folder = tmp_path / "not-a-file.toml"
    folder.mkdir()
    with pytest.raises(ChildRunError, match=r"not-a-file\.toml"):
        async for _ in run_in_child(folder, ["dns.resolves"]):
            pass
